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
        Assert.Contains("inside the header", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(header)).Message);

        var csv = s.WriteText("a.npy", "1,2\n3,4\n");
        Assert.Contains("not an NPY file", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(csv)).Message);

        Assert.Contains("at least 2", Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(
            s.Write("v.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(1f, 2f))))).Message);
        Assert.Contains("not an integer type", Assert.Throws<InvalidDataException>(() => Npy.ReadLabels(
            s.Write("fl.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(1f, 2f))))).Message);
        Assert.Throws<FileNotFoundException>(() => Npy.ReadMatrix(s.Path("missing.npy")));
    }
}
