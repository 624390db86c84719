using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Data;

public class NpyTests
{
    [Fact]
    public void ReadsHandMadeF4F8U1()
    {
        using var s = new Scratch();
        float[] f = [1.5f, -2f, 3.25f, 0f, 1e-7f, 6f];
        var f4 = s.Write("f4.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Scratch.Bytes(f)));
        var m = Npy.ReadMatrix(f4);
        Assert.Equal((2, 3), (m.Rows, m.Cols));
        Assert.Equal(f, m.Span.ToArray());

        double[] d = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
        var f8 = s.Write("f8.npy", Scratch.NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }", Scratch.Bytes(d), major: 2));
        m = Npy.ReadMatrix(f8);
        Assert.Equal((2, 4), (m.Rows, m.Cols)); // trailing dimensions flattened in C order
        Assert.Equal(d.Select(v => (float)v), m.Span.ToArray());

        var u1 = s.Write("u1.npy", Scratch.NpyBytes("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (4,)}", [0, 7, 128, 255], major: 3));
        Assert.Equal([0f, 7f, 128f, 255f], Npy.ReadVector(u1));
        Assert.Equal([0, 7, 128, 255], Npy.ReadLabels(u1));

        var i8 = s.Write("i8.npy", Scratch.NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", Scratch.Bytes(5L, -1L, 9L)));
        Assert.Equal([5, -1, 9], Npy.ReadLabels(i8));
        var h = Npy.ReadHeader(i8);
        Assert.Equal(("<i8", false, 128), (h.Descr, h.FortranOrder, h.DataOffset)); // 10 + 57-character dict + '\n', padded to 64
        Assert.Equal([3], h.Shape);
    }

    [Fact]
    public void WriteThenRead_RoundTripsAndIsAligned()
    {
        using var s = new Scratch();
        var m = new Matrix(3, 5);
        new Rng(7).FillGaussian(m.Span);
        var path = s.Path("out/m.npy");
        Npy.Write(path, m);
        var bytes = File.ReadAllBytes(path);
        var h = Npy.ReadHeader(path);
        Assert.Equal(0, h.DataOffset % 64);
        Assert.Equal(h.DataOffset + 15 * 4, bytes.Length);
        Assert.Equal("<f4", h.Descr);
        Assert.Equal([3, 5], h.Shape);
        Assert.Equal(m.Span.ToArray(), Npy.ReadMatrix(path).Span.ToArray());
        Assert.Single(s.Dir.GetFiles("*", SearchOption.AllDirectories)); // no temp file left behind
    }

    [Fact]
    public void AgreesWithNumpy_BothWays()
    {
        using var s = new Scratch();
        var m = new Matrix(2, 3, [1f, 2.5f, -3f, 0.125f, 1e-3f, 7f]);
        var ours = s.Path("ours.npy");
        Npy.Write(ours, m);
        string dir = s.Dir.FullName;
        var output = RefPython.Run("""
            import sys, numpy as np
            a = np.load(sys.argv[1] + '/ours.npy')
            print(a.dtype, a.shape, repr(a.tolist()))
            np.save(sys.argv[1] + '/f8.npy', np.arange(12, dtype=np.float64).reshape(3, 2, 2) / 7)
            np.save(sys.argv[1] + '/u1.npy', np.array([[0, 255], [17, 3]], dtype=np.uint8))
            np.save(sys.argv[1] + '/i8.npy', np.array([3, 1, 4, 1, 5]))
            np.save(sys.argv[1] + '/f4.npy', np.float32([0.1, 0.2, 0.3]))
            """, dir);
        Assert.Equal("float32 (2, 3) [[1.0, 2.5, -3.0], [0.125, 0.0010000000474974513, 7.0]]", output.Trim());

        var f8 = Npy.ReadMatrix(Path.Combine(dir, "f8.npy"));
        Assert.Equal((3, 4), (f8.Rows, f8.Cols));
        for (int i = 0; i < 12; i++) Assert.Equal((float)(i / 7.0), f8.Span[i]);
        Assert.Equal([0f, 255f, 17f, 3f], Npy.ReadMatrix(Path.Combine(dir, "u1.npy")).Span.ToArray());
        Assert.Equal([3, 1, 4, 1, 5], Npy.ReadLabels(Path.Combine(dir, "i8.npy")));
        Assert.Equal([0.1f, 0.2f, 0.3f], Npy.ReadVector(Path.Combine(dir, "f4.npy")));
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, }", "lacks 'shape'")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", "fortran_order is True")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", "dtype '>f4' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unknown key 'x'")]
    [InlineData("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", "expected True or False")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", "expected a non-negative dimension size")]
    [InlineData("{'fortran_order': False, 'shape': (2,), }", "lacks 'descr'")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", "lacks 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", "at byte offset 68: unexpected text after the header dict, found \"x")]
    [InlineData("{'descr' '<f4'}", "at byte offset 19: expected ':', found \"'<f4'}")]
    [InlineData("{'descr': '<f4' 'x'}", "expected ',' or '}'")]
    [InlineData("{'descr': '<f4, 'shape': (2,)}", "at byte offset 27: expected ',' or '}'")] // the string ends at the next quote
    [InlineData("{'descr: 1}", "unterminated string")]
    [InlineData("{descr: 1}", "expected a quoted string")]
    [InlineData("['descr']", "expected '{'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", "expected ',' or ')' in the shape")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': 2, }", "expected '('")]
    [InlineData("{'descr': '<f4'", "expected ',' or '}', found \"\"")]
    public void BadHeader_IsExplained(string dict, string expected)
    {
        using var s = new Scratch();
        var path = s.Write("bad.npy", Scratch.NpyBytes(dict, Scratch.Bytes(1f, 2f)));
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadVector(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedExtraAndForeignFiles_AreErrors()
    {
        using var s = new Scratch();
        var full = Scratch.NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", Scratch.Bytes(1.0, 2.0, 3.0, 4.0));
        Assert.Equal(128 + 32, full.Length);

        var cut = s.Write("cut.npy", full[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(cut));
        Assert.Contains("truncated: the file ends at byte offset 157", e.Message);
        Assert.Contains("needs 160 bytes", e.Message);

        var extra = s.Write("extra.npy", [.. full, 0]);
        Assert.Contains("unexpected bytes after byte offset 160", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(extra)).Message);

        var header = s.Write("header.npy", full[..30]);
        Assert.Contains("truncated: the file ends at byte offset 30, inside the header (expected 118 header bytes from offset 10)", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(header)).Message);

        var csv = s.WriteText("a.npy", "1,2\n3,4\n");
        Assert.Contains("not an NPY file", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(csv)).Message);

        Assert.Contains("shape (2,) has 1 dimension(s); a matrix needs at least 2", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(
            s.Write("v.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(1f, 2f))))).Message);
        Assert.Contains("not an integer type", Assert.Throws<InvalidDataException>(() => Npy.ReadLabels(
            s.Write("fl.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(1f, 2f))))).Message);
        Assert.Contains("NPY file not found", Assert.Throws<FileNotFoundException>(() => Npy.ReadMatrix(s.Path("missing.npy"))).Message);
        Assert.Throws<ArgumentException>(() => Npy.ReadHeader(""));
        var square = s.Write("sq.npy", Scratch.NpyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", Scratch.Bytes(1, 2, 3, 4)));
        Assert.Contains("shape (2, 2) has 2 dimensions; expected a 1-D array", Assert.Throws<InvalidDataException>(() => Npy.ReadVector(square)).Message);
        Assert.Contains("shape (2, 2) has 2 dimensions; expected a 1-D array", Assert.Throws<InvalidDataException>(() => Npy.ReadLabels(square)).Message);
        Assert.Throws<ArgumentNullException>(() => Npy.Write(s.Path("null.npy"), null!));
    }

    [Fact]
    public void IntegerTypes_ReadSigned_AndOutOfRangeLabelsAreErrors()
    {
        using var s = new Scratch();
        var i1 = s.Write("i1.npy", Scratch.NpyBytes("{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", [0xFD, 5, 0x80]));
        Assert.Equal([-3, 5, -128], Npy.ReadLabels(i1));
        Assert.Equal([-3f, 5f, -128f], Npy.ReadVector(i1));
        var i4 = s.Write("i4.npy", Scratch.NpyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", Scratch.Bytes(-7, 1 << 20, 3, int.MinValue)));
        Assert.Equal([-7f, 1 << 20, 3f, int.MinValue], Npy.ReadMatrix(i4).Span.ToArray());
        var i8 = s.Write("i8.npy", Scratch.NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(-4L, 1L << 40)));
        Assert.Equal([-4f, (float)(1L << 40)], Npy.ReadVector(i8));
        Assert.Contains("element 1 (byte offset 136) is 1099511627776, outside the 32-bit integer range",
            Assert.Throws<InvalidDataException>(() => Npy.ReadLabels(i8)).Message);
        var low = s.Write("low.npy", Scratch.NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", Scratch.Bytes((long)int.MinValue - 1)));
        Assert.Contains("outside the 32-bit integer range", Assert.Throws<InvalidDataException>(() => Npy.ReadLabels(low)).Message);
        var i4Labels = s.Write("i4l.npy", Scratch.NpyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(int.MaxValue, -2)));
        Assert.Equal([int.MaxValue, -2], Npy.ReadLabels(i4Labels));
        var limits = s.Write("lim.npy", Scratch.NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes((long)int.MinValue, (long)int.MaxValue)));
        Assert.Equal([int.MinValue, int.MaxValue], Npy.ReadLabels(limits));
    }

    [Fact]
    public void LongNonFloat32Data_IsConvertedChunkByChunk()
    {
        using var s = new Scratch();
        var d = Enumerable.Range(0, 70000).Select(i => i * 0.5).ToArray(); // more than one 65,536-item chunk
        var v = Npy.ReadVector(s.Write("long.npy", Scratch.NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (70000,), }", Scratch.Bytes(d))));
        Assert.Equal(70000, v.Length);
        Assert.Equal(d.Select(x => (float)x), v);
    }

    [Fact]
    public void ZeroRowsWithTooManyColumns_AndOneDimensionalHeaders_AreHandled()
    {
        using var s = new Scratch();
        var wide = s.Write("wide.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 65536, 65536), }", []));
        Assert.Contains("has too many columns (4294967296)", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(wide)).Message);
        var widest = Npy.ReadMatrix(s.Write("widest.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2147483647), }", [])));
        Assert.Equal((0, int.MaxValue), (widest.Rows, widest.Cols));
        var header = Npy.BuildHeader("<f4", 5);
        var path = s.Write("v.npy", [.. header, .. Scratch.Bytes(1f, 2f, 3f, 4f, 5f)]);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], Npy.ReadVector(path));
        var h = Npy.ReadHeader(path);
        Assert.Equal([5], h.Shape);
        Assert.Equal(128, h.DataOffset);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], header[..8]); // version 1.0
        Assert.Contains("'shape': (5,), }", System.Text.Encoding.ASCII.GetString(header)); // a tuple for numpy: "(5)" would be the int 5
        var py2 = s.Write("py2.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }", Scratch.Bytes(1f, 2f)));
        Assert.Equal([1, 2], Npy.ReadHeader(py2).Shape); // Python 2 long suffixes
        var scalar = s.Write("s.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", Scratch.Bytes(1f)));
        Assert.Empty(Npy.ReadHeader(scalar).Shape);
        Assert.Contains("shape () has 0 dimensions; expected a 1-D array", Assert.Throws<InvalidDataException>(() => Npy.ReadVector(scalar)).Message);
    }

    [Fact]
    public void BadPreambles_AreExplained()
    {
        using var s = new Scratch();
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
        string Error(byte[] b) => Assert.Throws<InvalidDataException>(() => Npy.ReadHeader(s.Write($"p{b.Length}-{b[6]}.npy", b))).Message;
        Assert.Contains("NPY format version 4.0 is not supported", Error([.. magic, 4, 0, 0, 0, 0, 0]));
        Assert.Contains("NPY format version 0.1 is not supported", Error([.. magic, 0, 1, 0, 0, 0, 0]));
        Assert.Contains("the file ends inside the NPY preamble (expected 10 bytes)", Error([.. magic, 1, 0, 5]));
        Assert.Contains("the file ends inside the NPY preamble (expected 12 bytes)", Error([.. magic, 2, 0, 5, 0, 0]));
        Assert.Contains("not an NPY file", Error([.. magic[..5], 0, 1]));
        Assert.Contains("the file ends inside the NPY preamble (expected 10 bytes)", Error([.. magic, 1, 0]));
        Assert.Contains("the file ends at byte offset 13, inside the header (expected 1048576 header bytes from offset 12)", Error([.. magic, 2, 0, 0, 0, 0x10, 0, 32])); // exactly 1 MiB is allowed
        Assert.Contains("byte offset 8: header length 2097152 is implausible", Error([.. magic, 2, 0, 0, 0, 0x20, 0, 0, 0]));
        var v3 = s.Write("v3.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", Scratch.Bytes(2f), major: 3));
        Assert.Equal(128, Npy.ReadHeader(v3).DataOffset);
    }

    [Fact]
    public void Version3HeadersAreUtf8_OlderOnesLatin1()
    {
        using var s = new Scratch();
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'é': 1}";
        byte[] Utf8Npy(int major)
        {
            var b = Scratch.NpyBytes(dict.Replace('é', '#'), Scratch.Bytes(1f), major);
            int at = Array.IndexOf(b, (byte)'#');
            return [.. b[..at], 0xC3, 0xA9, .. b[(at + 1)..^5], .. b[^4..]]; // 'é' in UTF-8, one padding space less
        }
        Assert.Contains("unknown key 'é'", Assert.Throws<InvalidDataException>(() => Npy.ReadVector(s.Write("v3.npy", Utf8Npy(3)))).Message);
        Assert.Contains("unknown key 'Ã©'", Assert.Throws<InvalidDataException>(() => Npy.ReadVector(s.Write("v2.npy", Utf8Npy(2)))).Message);
    }

    [Fact]
    public void SpacesAnywhereInTheHeaderDict_AreAllowed()
    {
        using var s = new Scratch();
        var path = s.Write("sp.npy", Scratch.NpyBytes(" { 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , ) , } ", Scratch.Bytes(1f, 2f)));
        Assert.Equal([1f, 2f], Npy.ReadVector(path));
    }

    [Fact]
    public void AtomicWrite_ReplacesAnExistingFile_AndLeavesNothingBehindOnFailure()
    {
        using var s = new Scratch();
        var path = s.Path("f.bin");
        AtomicFile.WriteAllText(path, "héllo");
        Assert.Equal("héllo", File.ReadAllText(path));
        AtomicFile.WriteAllBytes(path, [1, 2, 3]); // over an existing file
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, st => { st.WriteByte(9); throw new IOException("disk full"); }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path)); // the destination is untouched
        Assert.Single(s.Dir.GetFiles()); // and the temporary file is gone
        Assert.Throws<ArgumentException>(() => AtomicFile.Write("", _ => { }));
        Assert.Throws<ArgumentNullException>(() => AtomicFile.Write(path, null!));
    }
}
