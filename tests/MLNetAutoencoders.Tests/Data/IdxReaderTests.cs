using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Tests.Data;

public class IdxReaderTests
{
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 24).Select(i => (byte)(i * 11))]; // 3 images of 2×4

    [Fact]
    public void ReadsPlainAndGzipImagesIdentically_ScaledBy255()
    {
        using var s = new Scratch();
        var bytes = Scratch.Idx(IdxReader.ImagesMagic, [3, 2, 4], Payload);
        var plain = s.Write("a-images-idx3-ubyte", bytes);
        var gz = s.Write("no-gz-extension.bin", Scratch.Gzip(bytes)); // detected by the magic bytes, not the name

        foreach (var path in new[] { plain, gz })
        {
            var (m, rows, cols) = IdxReader.ReadImages(path);
            Assert.Equal((3, 8, 2, 4), (m.Rows, m.Cols, rows, cols));
            for (int i = 0; i < 24; i++) Assert.Equal(Payload[i] / 255f, m.Span[i]);
            var raw = IdxReader.ReadImageBytes(path);
            Assert.Equal(Payload, raw.Pixels);
            Assert.Equal((3, 2, 4), (raw.Count, raw.Rows, raw.Cols));
        }
    }

    [Fact]
    public void ReadsLabels()
    {
        using var s = new Scratch();
        var bytes = Scratch.Idx(IdxReader.LabelsMagic, [5], [9, 0, 3, 255, 1]);
        Assert.Equal([9, 0, 3, 255, 1], IdxReader.ReadLabels(s.Write("l", bytes)));
        Assert.Equal([9, 0, 3, 255, 1], IdxReader.ReadLabels(s.Write("l.gz", Scratch.Gzip(bytes))));
    }

    [Fact]
    public void TruncatedFile_NamesFileOffsetAndExpectedLength()
    {
        using var s = new Scratch();
        var bytes = Scratch.Idx(IdxReader.ImagesMagic, [3, 2, 4], Payload)[..^5]; // 40 bytes → 35
        var path = s.Write("cut", bytes);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("byte offset 35", e.Message);
        Assert.Contains("need 40 bytes", e.Message);

        var gz = s.Write("cut.gz", Scratch.Gzip(bytes));
        e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(gz));
        Assert.Contains("byte offset 35 of the decompressed data", e.Message);
    }

    [Fact]
    public void CutGzipStream_IsReportedWithTheFileName()
    {
        using var s = new Scratch();
        var big = new byte[20000];
        new Random(1).NextBytes(big);
        var gz = Scratch.Gzip(Scratch.Idx(IdxReader.ImagesMagic, [20, 25, 40], big));
        var path = s.Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void WrongMagic_SaysWhatWasExpected()
    {
        using var s = new Scratch();
        var labels = s.Write("labels", Scratch.Idx(IdxReader.LabelsMagic, [2], [1, 2]));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(labels));
        Assert.Contains("byte offset 0", e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("expected 0x00000803", e.Message);

        var text = s.WriteText("x.csv", "1,2,3\n");
        Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(text));
        Assert.False(IdxReader.LooksLikeIdx(text));
        Assert.True(IdxReader.LooksLikeIdx(labels));
    }

    [Fact]
    public void BadDimensionsAndTrailingBytes_AreErrors()
    {
        using var s = new Scratch();
        var zeroRows = s.Write("z", Scratch.Idx(IdxReader.ImagesMagic, [1, 0, 4], []));
        Assert.Contains("byte offset 8: dimension 1 is 0", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(zeroRows)).Message);

        var extra = s.Write("e", Scratch.Idx(IdxReader.LabelsMagic, [2], [1, 2, 3]));
        Assert.Contains("unexpected bytes after byte offset 10", Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(extra)).Message);
    }

    [Fact]
    public void MissingFile_Throws()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages("/nonexistent/x-idx3-ubyte.gz"));
        Assert.Contains("/nonexistent/x-idx3-ubyte.gz", e.Message);
    }
}
