using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>
/// The minibatch sources as the trainers see them: batch counts, the rows each batch and validation chunk holds,
/// mapped sources, and the streaming source's checks (see <see cref="StreamingSourceTests"/> for its shuffle).
/// </summary>
public class MinibatchSourceTests
{
    private static MinibatchSettings Settings(int batch, double validation = 0) => new(1, batch, validation, 0);

    private static int[] FirstColumn(IEnumerable<Matrix> batches) => batches.SelectMany(b => Enumerable.Range(0, b.Rows).Select(i => (int)b[i, 0])).ToArray();

    [Theory]
    [InlineData(103, 10, 0.2, 9)]  // 21 held out, 82 trained: 8 full batches and one of 2
    [InlineData(100, 10, 0, 10)]   // exactly 10 full batches
    [InlineData(101, 10, 0, 11)]
    [InlineData(5, 10, 0, 1)]
    public void InMemory_BatchesAreTheRowsThemselves_AndTheirCountIsKnownBeforeThePass(int rows, int batch, double validation, int batches)
    {
        var source = MinibatchSource.InMemory(MatrixRowStream.Indexed(rows, 3), Settings(batch, validation));
        Assert.Equal(batches, source.BatchesPerEpoch);
        Assert.Empty(source.ValidationBatches(default)); // no rows are held out before the first pass draws the split
        var trained = source.TrainingBatches(1, new Rng(2), default).Select(b => (Count: b.Rows, Values: FirstColumn([b]))).ToList();
        Assert.Equal(batches, trained.Count);
        Assert.All(trained.SkipLast(1), b => Assert.Equal(batch, b.Count));
        Assert.Equal(trained.Select(b => b.Count), trained.Select(b => b.Values.Length));
        var validated = FirstColumn(source.ValidationBatches(default));
        Assert.Equal(Enumerable.Range(0, rows), trained.SelectMany(b => b.Values).Concat(validated).Order());
        Assert.Equal((int)Math.Round(rows * validation), validated.Length);
        Assert.Equal(4, source.RowCount(new Matrix(4, 3)));
        Assert.Equal(4, MinibatchSource.Indices(rows, Settings(batch, validation)).RowCount(new int[4]));
    }

    [Fact]
    public void Select_MapsEveryTrainingAndValidationBatch_AndKeepsTheCount()
    {
        var source = MinibatchSource.InMemory(MatrixRowStream.Indexed(50, 2), Settings(8, 0.2));
        var mapped = source.Select(b =>
        {
            var m = new Matrix(b.Rows, 1);
            for (int i = 0; i < b.Rows; i++) m[i, 0] = 1000 + b[i, 0];
            return m;
        });
        Assert.Equal(5, mapped.BatchesPerEpoch); // 40 trained rows
        var trained = FirstColumn(mapped.TrainingBatches(1, new Rng(3), default));
        var validated = FirstColumn(mapped.ValidationBatches(default));
        Assert.Equal(Enumerable.Range(1000, 50), trained.Concat(validated).Order());
        Assert.Equal(10, validated.Length);
        Assert.Equal(3, mapped.RowCount(new Matrix(3, 1)));
    }

    [Fact]
    public void Streaming_KnowsItsBatchCountAfterThePass_AndEndsWithAPartialBatch()
    {
        var stream = new MatrixRowStream(MatrixRowStream.Indexed(45));
        var source = MinibatchSource.Streaming(stream, Settings(10), 8);
        Assert.Null(source.BatchesPerEpoch);
        Assert.Empty(source.ValidationBatches(default)); // nothing held out before the first pass …
        Assert.Equal(0, stream.Passes); // … and nothing read for it
        var sizes = source.TrainingBatches(1, new Rng(1), default).Select(b => b.Rows).ToList();
        Assert.Equal([10, 10, 10, 10, 5], sizes);
        Assert.Equal(5, source.BatchesPerEpoch);
        Assert.Empty(source.ValidationBatches(default)); // no split: no validation pass either
        Assert.Equal(1, stream.Passes);
        Assert.Equal(7, source.RowCount(new Matrix(7, 2)));
        var exact = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(40)), Settings(10), 8);
        Assert.Equal([10, 10, 10, 10], exact.TrainingBatches(1, new Rng(1), default).Select(b => b.Rows));
    }

    [Fact]
    public void Streaming_ValidationRows_ComeInChunksOf1024_ThenTheRest()
    {
        // A hash split of about half of 5 000 rows: two full chunks of 1 024 and the rest, every held-out row once, in file order.
        var stream = new MatrixRowStream(MatrixRowStream.Indexed(5000));
        var source = MinibatchSource.Streaming(stream, Settings(100, 0.5), 64);
        var trained = FirstColumn(source.TrainingBatches(1, new Rng(4), default));
        var chunks = source.ValidationBatches(default).Select(b => (Count: b.Rows, Values: FirstColumn([b]))).ToList();
        var validated = chunks.SelectMany(c => c.Values).ToArray();
        Assert.InRange(validated.Length, 2049, 3071);
        Assert.Equal([1024, 1024, validated.Length - 2048], chunks.Select(c => c.Count));
        Assert.Equal(validated.Order(), validated);
        Assert.Equal(Enumerable.Range(0, 5000), trained.Concat(validated).Order());

        // The same rows cut just after the 1 024th held-out one (the same seed holds out the same indices): one full chunk, no empty one after it.
        int cut = validated[1023] + 1;
        var exact = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(cut)), Settings(100, 0.5), 64);
        exact.TrainingBatches(1, new Rng(4), default).ToList();
        Assert.Equal([1024], exact.ValidationBatches(default).Select(b => b.Rows));
    }

    [Fact]
    public void ValidationHash_IsTheSplitMix64Finaliser_SoASeedHoldsOutTheSameRowsInEveryVersion()
    {
        // Expected bits from the reference SplitMix64 mix of seed ^ index·0x9E3779B97F4A7C15 (computed in Python).
        string Bits(ulong seed, double fraction) => string.Concat(Enumerable.Range(0, 64).Select(i => MinibatchSource.IsValidationRow(seed, i, fraction) ? '1' : '0'));
        Assert.Equal("0111000110011011001001110001000011010011011101001011111001101111", Bits(9, 0.5));
        Assert.Equal("0000100000000001000100000110011010000010100000000000011001010000", Bits(ulong.MaxValue, 0.25));
        Assert.DoesNotContain('1', Bits(9, 0));
        Assert.DoesNotContain('0', Bits(9, 1));
    }

    [Fact]
    public void Streaming_ValidationPass_IsCancellable()
    {
        using var cts = new CancellationTokenSource();
        var source = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(10_000)), Settings(100, 0.5), 64);
        source.TrainingBatches(1, new Rng(4), default).ToList();
        int chunks = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => { foreach (var _ in source.ValidationBatches(cts.Token)) { chunks++; cts.Cancel(); } });
        Assert.Equal(1, chunks); // a full chunk of 1 024 held-out rows needs about 2 048 rows read; the check every 1 024 rows stops the next
    }

    [Fact]
    public void Streaming_ChecksItsArguments_AndThatTheDataStayTheSame()
    {
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => MinibatchSource.Streaming(null!, Settings(10), 8)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => MinibatchSource.Streaming(new MatrixRowStream(new Matrix(5, 0)), Settings(10), 8));
        Assert.Equal("rows", e.ParamName);
        Assert.Contains("Training data has no features (0 columns)", e.Message);
        Assert.Contains("ShuffleBufferRows must be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => MinibatchSource.Streaming(new MatrixRowStream(new Matrix(5, 2)), Settings(10), 0)).Message);
        Assert.Single(MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(1, 1)), Settings(1), 1).TrainingBatches(1, new Rng(1), default)); // the smallest valid one
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => MinibatchSource.Streaming(new MatrixRowStream(new Matrix(5, 2)), Settings(0), 8)).ParamName);

        var growing = new GrowingStream(100);
        var source = MinibatchSource.Streaming(growing, Settings(10, 0.2), 16);
        source.TrainingBatches(1, new Rng(1), default).ToList();
        growing.Rows = 101; // one more row: a training or a held-out one, either way the counts differ
        var changed = Assert.Throws<InvalidDataException>(() => source.TrainingBatches(2, new Rng(1), default).ToList());
        Assert.Contains("The training data changed between passes: this pass read 101 rows, the first 100", changed.Message);
    }

    /// <summary>A row stream whose row count can change between passes.</summary>
    private sealed class GrowingStream(int rows) : IRowStream
    {
        public int Rows { get; set; } = rows;

        public int Width => 2;

        public IRowReader Open() => new MatrixRowStream(MatrixRowStream.Indexed(Rows)).Open();
    }
}
