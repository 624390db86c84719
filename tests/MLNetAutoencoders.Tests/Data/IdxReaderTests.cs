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
        Assert.Contains("dimensions 3×2×4 need 40 bytes (16-byte header + 24 data bytes)", e.Message);

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
        Assert.Contains("unexpected bytes after byte offset 10; dimensions 2 need exactly 10 bytes", Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(extra)).Message);
        var extraImage = s.Write("ei", Scratch.Idx(IdxReader.ImagesMagic, [3, 2, 4], [.. Payload, 7]));
        Assert.Contains("unexpected bytes after byte offset 40; dimensions 3×2×4 need exactly 40 bytes", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(extraImage)).Message);
    }

    [Fact]
    public void MissingFile_Throws()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages("/nonexistent/x-idx3-ubyte.gz"));
        Assert.Contains("IDX file not found: /nonexistent/x-idx3-ubyte.gz", e.Message);
        Assert.Throws<ArgumentException>(() => IdxReader.ReadLabels(""));
    }

    [Fact]
    public void LooksLikeIdx_NeedsThreeZeroPrefixedBytesAndTypeCode1Or3()
    {
        using var s = new Scratch();
        bool Looks(params byte[] b) => IdxReader.LooksLikeIdx(s.Write($"h{b.Length}-{string.Concat(b)}", b));
        Assert.True(Looks(0, 0, 8, 3));
        Assert.True(Looks(0, 0, 8, 1, 9, 9));
        Assert.False(Looks(0, 0, 8, 2));
        Assert.False(Looks(0, 0, 9, 3));
        Assert.False(Looks(1, 0, 8, 3));
        Assert.False(Looks(0, 1, 8, 3));
        Assert.False(Looks(0, 0, 8));          // shorter than a magic number
        Assert.False(Looks(0));                // one byte: not even a gzip magic
        Assert.True(IdxReader.LooksLikeIdx(s.Write("g.gz", Scratch.Gzip([0, 0, 8, 3, 0, 0, 0, 0]))));
        Assert.False(IdxReader.LooksLikeIdx(s.Write("bad.gz", [0x1f, 0x8b, 1, 2, 3]))); // a corrupt gzip stream is not IDX
    }

    [Fact]
    public void ShortFilesAndNegativeOrHugeDimensions_AreExplained()
    {
        using var s = new Scratch();
        var two = s.Write("two", [0, 0]);
        Assert.Contains("ends at byte offset 2; an IDX uint8 image file (N×rows×cols) starts with a 4-byte magic number 0x00000803",
            Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(two)).Message);
        var magicOnly = s.Write("magic", Scratch.Idx(IdxReader.LabelsMagic, [], []));
        Assert.Contains("truncated header: the file ends at byte offset 4; the header of an IDX uint8 label file (N) is 8 bytes",
            Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(magicOnly)).Message);
        var header = s.Write("header", Scratch.Idx(IdxReader.ImagesMagic, [3, 2], []));
        Assert.Contains("truncated header: the file ends at byte offset 12; the header of an IDX uint8 image file (N×rows×cols) is 16 bytes",
            Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(header)).Message);
        var negative = s.Write("neg", Scratch.Idx(IdxReader.LabelsMagic, [-1], []));
        Assert.Contains("byte offset 4: dimension 0 is -1; expected ≥ 0", Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(negative)).Message);
        var cols = s.Write("cols", Scratch.Idx(IdxReader.ImagesMagic, [1, 2, 0], []));
        Assert.Contains("byte offset 12: dimension 2 is 0; expected > 0", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(cols)).Message);
        var huge = s.Write("huge", Scratch.Idx(IdxReader.ImagesMagic, [70000, 50000, 1], []));
        Assert.Contains("dimensions 70000×50000×1 are too large to load (3500000000 bytes)", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(huge)).Message);
        var wideImage = s.Write("wide", Scratch.Idx(IdxReader.ImagesMagic, [0, 50000, 50000], []));
        Assert.Contains("too large to load", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(wideImage)).Message);
        var widest = s.Write("widest", Scratch.Idx(IdxReader.ImagesMagic, [0, 1, int.MaxValue], [])); // an image of int.MaxValue pixels is still addressable
        Assert.Equal((0, 1, int.MaxValue), (IdxReader.ReadImageBytes(widest).Count, IdxReader.ReadImageBytes(widest).Rows, IdxReader.ReadImageBytes(widest).Cols));
        var corrupt = s.Write("corrupt.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // a gzip header, then an invalid deflate block
        var ce = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(corrupt));
        Assert.StartsWith(corrupt + ": corrupt or truncated gzip stream: ", ce.Message);
    }

    [Fact]
    public void ZeroImagesAreValid_AndADatasetChecksItsLabelCount()
    {
        using var s = new Scratch();
        var empty = IdxReader.ReadImages(s.Write("none", Scratch.Idx(IdxReader.ImagesMagic, [0, 2, 4], [])));
        Assert.Equal((0, 8, 2, 4), (empty.Pixels.Rows, empty.Pixels.Cols, empty.Rows, empty.Cols));

        var images = s.Write("i", Scratch.Idx(IdxReader.ImagesMagic, [3, 2, 4], Payload));
        var data = IdxReader.ReadDataset(images, s.Write("l", Scratch.Idx(IdxReader.LabelsMagic, [3], [4, 0, 2])), "tiny");
        Assert.Equal((3, 4, 2, "tiny"), (data.Count, data.Width, data.Height, data.Name));
        Assert.Equal([4, 0, 2], data.Labels!);
        Assert.Null(IdxReader.ReadDataset(images, null, "tiny").Labels);
        var fewer = s.Write("l2", Scratch.Idx(IdxReader.LabelsMagic, [2], [4, 0]));
        Assert.Contains("has 2 labels but", Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, fewer, "tiny")).Message);
    }
}
