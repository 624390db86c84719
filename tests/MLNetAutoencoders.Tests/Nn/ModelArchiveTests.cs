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
}
