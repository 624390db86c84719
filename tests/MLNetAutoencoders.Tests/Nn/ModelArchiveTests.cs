using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Data;

namespace MLNetAutoencoders.Tests.Nn;

public class ModelArchiveTests
{
    // The archive below written byte by byte from the documented layout (magic, version, kind, metadata, tensors), and
    // closed by its CRC-32/ISO-HDLC as Python's zlib.crc32 computes it (0xb3b56f8a over the first 50 bytes). Files
    // written before the switch to System.IO.Hashing carry the same bytes, so they keep loading.
    private const string Golden =
        "4d4c4145" + "01000000" + "02000000" + "6165" + "07000000" + "7b2261223a317d" + "01000000"
        + "01000000" + "77" + "01000000" + "02000000" + "0000803f" + "000020c0" + "8a6fb5b3";

    private static ModelArchive Small()
    {
        var a = new ModelArchive("ae", new JsonObject { ["a"] = 1 });
        var w = new Matrix(1, 2);
        w.Span[0] = 1f;
        w.Span[1] = -2.5f;
        a.Add("w", w);
        return a;
    }

    private static byte[] Bytes(ModelArchive a)
    {
        using var ms = new MemoryStream();
        a.WriteTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void WriteTo_IsByteForByteTheDocumentedFormat()
        => Assert.Equal(Golden, Convert.ToHexStringLower(Bytes(Small())));

    [Fact]
    public void Checksum_IsCrc32IsoHdlc()
    {
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32("123456789"u8));
        var bytes = Bytes(Small());
        Assert.Equal(0xB3B56F8Au, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(^4)));
    }

    [Fact]
    public void Checksum_MatchesPythonZlib()
    {
        using var s = new Scratch();
        var path = s.Path("small.mlae");
        Small().Save(path);
        var printed = RefPython.Run("""
            import sys, struct, zlib
            d = open(sys.argv[1], 'rb').read()
            print(zlib.crc32(d[:-4]) == struct.unpack('<I', d[-4:])[0])
            """, path);
        Assert.Equal("True", printed.Trim());
    }

    [Fact]
    public void Read_LoadsTheGoldenFile()
    {
        var a = ModelArchive.Read(Convert.FromHexString(Golden));
        Assert.Equal("ae", a.Kind);
        Assert.Equal(1, a.Metadata["a"]!.GetValue<int>());
        Assert.Equal([1f, -2.5f], a.Get("w").Span.ToArray());
    }

    [Fact]
    public void Read_RejectsAnyFlippedByteAsCorrupt()
    {
        var golden = Convert.FromHexString(Golden);
        // Every byte after the magic and the version: a flip there must be caught by the checksum.
        for (int i = 8; i < golden.Length; i++)
        {
            var bytes = (byte[])golden.Clone();
            bytes[i] ^= 0x10;
            var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Read(bytes));
            Assert.Contains("corrupt", e.Message);
        }
    }

    [Fact]
    public void Load_RejectsATruncatedFileNamingIt()
    {
        using var s = new Scratch();
        var path = s.Path("cut.mlae");
        File.WriteAllBytes(path, Convert.FromHexString(Golden)[..^7]);
        var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("corrupt or truncated", e.Message);
    }

    [Fact]
    public void Load_RejectsAFileWithoutTheMagic_NamingIt()
    {
        using var s = new Scratch();
        var path = s.Path("not-a-model.mlae");
        var bytes = Convert.FromHexString(Golden);
        bytes[0] = (byte)'P'; // e.g. a PNG or a zip renamed to .mlae
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("is not a MLNetAutoencoders model", e.Message);
        Assert.Contains("'MLAE' magic", e.Message);
        File.WriteAllBytes(path, "MLAE"u8.ToArray()); // the magic alone is too short to be a model
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path)).Message);
    }

    [Fact]
    public void Load_RejectsANewerFormatVersion_NamingTheFileAndBothVersions()
    {
        using var s = new Scratch();
        var path = s.Path("future.mlae");
        var bytes = Convert.FromHexString(Golden);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ModelArchive.FormatVersion + 1);
        // Re-seal the checksum so the only thing wrong is the version.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(^4), Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"has format version {ModelArchive.FormatVersion + 1}; this library reads version {ModelArchive.FormatVersion}", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => MLNetAutoencoders.Autoencoders.AutoencoderModel.Load(path));
        Assert.Contains(path, e2.Message);
        Assert.Contains("format version", e2.Message);
    }

    /// <summary>The golden file with <paramref name="edit"/> applied to its body and the checksum recomputed, so only the edit is wrong.</summary>
    private static byte[] Resealed(Func<byte[], byte[]> edit)
    {
        var golden = Convert.FromHexString(Golden);
        var body = edit(golden[..^4]);
        var bytes = new byte[body.Length + 4];
        body.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(body.Length), Crc32.HashToUInt32(body));
        return bytes;
    }

    private static string ReadError(byte[] bytes) => Assert.Throws<InvalidDataException>(() => ModelArchive.Read(bytes)).Message;

    [Fact]
    public void Read_ChecksTheStructureInsideAValidChecksum()
    {
        // Offsets in the golden file: kind length 8, metadata length 14, tensor count 25, tensor name length 29, rows 34, cols 38.
        Assert.Equal("declares -1 tensors", ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(25), -1); return b; })));
        Assert.Equal("tensor 'w' at offset 29 declares 1000×2 values, more than the file holds",
            ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), 1000); return b; })));
        Assert.Equal("tensor 'w' at offset 29 declares -1×2 values, more than the file holds",
            ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), -1); return b; })));
        Assert.Equal("has a string of 999 bytes at offset 14, beyond the end of the file",
            ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 999); return b; })));
        Assert.Equal("has a string of -5 bytes at offset 8, beyond the end of the file",
            ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), -5); return b; })));
        Assert.Equal("has metadata that is not a JSON object",
            ReadError(Resealed(b => { "[1,2,3]"u8.CopyTo(b.AsSpan(18)); return b; })));
        // A tensor that exactly fills the rest of the file is fine; one value more is not.
        Assert.Equal([1f, -2.5f], ModelArchive.Read(Resealed(b => b)).Get("w").Span.ToArray());
        Assert.Contains("declares 1×3 values", ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(38), 3); return b; })));
        // Two more tensor bytes than declared: read as the next tensor's header, which runs off the end.
        Assert.Throws<EndOfStreamException>(() => ModelArchive.Read(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(25), 2); return b; })));
    }

    [Fact]
    public void Load_WrapsEveryReadErrorWithTheFileName_AndAMissingFileIsNamed()
    {
        using var s = new Scratch();
        var path = s.Path("bad.mlae");
        File.WriteAllBytes(path, Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(25), 2); return b; }));
        var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.StartsWith($"Model file '{path}' ", e.Message);
        Assert.IsType<EndOfStreamException>(e.InnerException);
        File.WriteAllBytes(path, Resealed(b => { "no-json"u8.CopyTo(b.AsSpan(18)); return b; })); // metadata that does not parse
        var j = Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path));
        Assert.StartsWith($"Model file '{path}' ", j.Message);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(j.InnerException);
        var missing = s.Path("missing.mlae");
        var f = Assert.Throws<FileNotFoundException>(() => ModelArchive.Load(missing));
        Assert.Equal(missing, f.FileName);
        Assert.Contains(missing, f.Message);
        Small().Save(path);
        Assert.Equal($"Model file '{path}' holds a 'ae' model; expected 'vae'", Assert.Throws<InvalidDataException>(() => ModelArchive.Load(path, "vae")).Message);
        Assert.Equal("ae", ModelArchive.Load(path, "ae").Kind);
        Assert.Equal("ae", ModelArchive.Load(path).Kind);
    }

    [Fact]
    public void MissingTensorsAndMetadata_AreNamed_AndFromArchiveErrorsNameTheFile()
    {
        var a = Small();
        Assert.Equal("The model file has no tensor named 'v'.", Assert.Throws<InvalidDataException>(() => a.Get("v")).Message);
        Assert.Equal("The model file's metadata has no 'b'.", Assert.Throws<InvalidDataException>(() => a.GetValue<int>("b")).Message);
        a.Metadata["n"] = null;
        Assert.Equal("The model file's metadata has no 'n'.", Assert.Throws<InvalidDataException>(() => a.GetValue<int[]>("n")).Message);
        a.Set("opts", new { HiddenSizes = new[] { 3 }, Kind = ConsoleColor.DarkBlue });
        Assert.Equal("""{"hiddenSizes":[3],"kind":"darkBlue"}""", a.Metadata["opts"]!.ToJsonString());
        using var s = new Scratch();
        var path = s.Path("m.mlae");
        a.Save(path);
        var e = Assert.Throws<InvalidDataException>(() => ModelArchive.Load<int>(path, "ae", x => x.Get("nope").Rows));
        Assert.Equal($"Model file '{path}': The model file has no tensor named 'nope'.", e.Message);
        Assert.Equal(1, ModelArchive.Load(path, "ae", x => x.Get("w").Rows));
    }

    [Fact]
    public void EmptyPiecesAreValid_NoTensors_EmptyTensors_AndEmptyStrings()
    {
        Assert.Empty(ModelArchive.Read(Bytes(new ModelArchive("ae"))).Tensors);
        var a = new ModelArchive("");
        a.Add("", new Matrix(0, 3));
        a.Add("cols0", new Matrix(2, 0));
        var back = ModelArchive.Read(Bytes(a));
        Assert.Equal("", back.Kind);
        Assert.Equal(new[] { "", "cols0" }, back.Tensors.Select(t => t.Key));
        Assert.Equal((0, 3), (back.Get("").Rows, back.Get("").Cols));
        Assert.Equal((2, 0), (back.Get("cols0").Rows, back.Get("cols0").Cols));
    }

    [Fact]
    public void Read_RejectsAStringLongerThanTheRest()
        // The metadata string (length at offset 14) claims 40 bytes; 32 follow it.
        => Assert.Equal("has a string of 40 bytes at offset 14, beyond the end of the file",
            ReadError(Resealed(b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40); return b; })));
}

