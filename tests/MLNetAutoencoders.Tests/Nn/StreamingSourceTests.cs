using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>A matrix read as a row stream, counting its passes; row i's first value is i, so batches tell which rows they hold.</summary>
internal sealed class MatrixRowStream(Matrix data) : IRowStream
{
    public int Passes { get; private set; }

    public int Width => data.Cols;

    public IRowReader Open()
    {
        Passes++;
        return new Reader(data);
    }

    private sealed class Reader(Matrix data) : IRowReader
    {
        private int _row = -1;

        public bool MoveNext() => ++_row < data.Rows;

        public void Read(Span<float> row) => data.Row(_row).CopyTo(row);

        public void Dispose() { }
    }

    /// <summary>Rows whose column 0 is the row index and the other columns are zero.</summary>
    public static Matrix Indexed(int rows, int cols = 2)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < rows; i++) m[i, 0] = i;
        return m;
    }
}

/// <summary>The streaming minibatch source: one pass per epoch through a bounded shuffle buffer, validation rows by a seeded hash.</summary>
public class StreamingSourceTests
{
    private static MinibatchSettings Settings(int epochs, int batch, double validation = 0, int patience = 0) => new(epochs, batch, validation, patience);

    private static List<int[]> Epochs(IMinibatchSource<Matrix> source, int epochs, Rng rng, List<int>? validation = null)
    {
        var result = new List<int[]>();
        for (int e = 1; e <= epochs; e++)
        {
            var rows = new List<int>();
            foreach (var b in source.TrainingBatches(e, rng, default))
                for (int i = 0; i < b.Rows; i++) rows.Add((int)b[i, 0]);
            result.Add(rows.ToArray());
            if (e == 1 && validation != null)
                foreach (var b in source.ValidationBatches(default))
                {
                    Assert.InRange(b.Rows, 1, 1024);
                    for (int i = 0; i < b.Rows; i++) validation.Add((int)b[i, 0]);
                }
        }
        return result;
    }

    [Fact]
    public void EveryEpoch_ReadsOnePass_TrainsEveryNonHeldOutRowOnce_AndHoldsOutTheHashedRows()
    {
        const int n = 5000;
        var stream = new MatrixRowStream(MatrixRowStream.Indexed(n));
        var source = MinibatchSource.Streaming(stream, Settings(3, 64, 0.2), shuffleBufferRows: 700);
        var validation = new List<int>();
        var rng = new Rng(5);
        var epochs = Epochs(source, 3, rng, validation);
        Assert.Equal(3 + 1, stream.Passes); // one pass per epoch, one for the validation rows
        Assert.All(epochs, e => Assert.Equal(epochs[0].Order(), e.Order()));
        Assert.NotEqual(epochs[0], epochs[1]); // a new shuffle every epoch
        Assert.Equal(n, epochs[0].Distinct().Count() + validation.Distinct().Count());
        Assert.Empty(epochs[0].Intersect(validation));
        Assert.Equal(validation.Order(), validation); // validation rows in file order
        Assert.InRange(validation.Count, 0.2 * n - 150, 0.2 * n + 150); // a hash, not an exact count
        Assert.Equal((epochs[0].Length + 63) / 64, source.BatchesPerEpoch);
    }

    [Fact]
    public void ShuffleBuffer_KeepsEachRowWithinTheBufferOfItsPlace_AndABufferAsLargeAsTheDataShufflesFully()
    {
        const int n = 4000, buffer = 300;
        var order = Epochs(MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(n)), Settings(1, 50), buffer), 1, new Rng(1))[0];
        Assert.Equal(Enumerable.Range(0, n), order.Order());
        for (int p = 0; p < n; p++) Assert.True(order[p] <= p + buffer, $"row {order[p]} came out at {p}, before it could have been read");
        Assert.True(order.Take(buffer).Any(r => r > buffer / 2), "the first batches are not only the first rows");
        // With the whole data in the buffer, the order is a uniform shuffle: the first rows land anywhere.
        var full = Epochs(MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(n)), Settings(1, 50), n), 1, new Rng(1))[0];
        Assert.True(Array.IndexOf(full, 0) > 50 || Array.IndexOf(full, 1) > 50);
        Assert.True(full.Take(n / 4).Max() > 3 * n / 4, "a full buffer mixes the end of the data into the beginning");
    }

    [Fact]
    public void SameSeed_SameBatches_OtherSeed_OtherOrder()
    {
        List<int[]> Run(ulong seed) => Epochs(MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(1000)), Settings(2, 32, 0.1), 100), 2, new Rng(seed));
        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3)[0], Run(4)[0]);
    }

    [Fact]
    public void ValidationHash_IsAboutTheFraction_AndDependsOnTheSeed()
    {
        int held = Enumerable.Range(0, 100_000).Count(i => MinibatchSource.IsValidationRow(9, i, 0.1));
        Assert.InRange(held, 9_700, 10_300);
        Assert.NotEqual(Enumerable.Range(0, 100).Select(i => MinibatchSource.IsValidationRow(9, i, 0.5)), Enumerable.Range(0, 100).Select(i => MinibatchSource.IsValidationRow(10, i, 0.5)));
    }

    [Fact]
    public void EmptyStream_AndASplitWithoutValidationRows_FailSayingSo()
    {
        var empty = MinibatchSource.Streaming(new MatrixRowStream(new Matrix(0, 3)), Settings(1, 8), 10);
        Assert.Contains("Training data is empty", Assert.Throws<ArgumentException>(() => empty.TrainingBatches(1, new Rng(1), default).ToList()).Message);
        var tiny = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(2)), Settings(1, 8, 0.01), 10);
        Assert.Contains("leaves no training or no validation rows", Assert.Throws<ArgumentException>(() => tiny.TrainingBatches(1, new Rng(1), default).ToList()).Message);
        Assert.Equal("shuffleBufferRows", Assert.Throws<ArgumentOutOfRangeException>(() => MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(2)), Settings(1, 8), 0)).ParamName);
    }

    [Fact]
    public void Cancellation_StopsAPassMidway()
    {
        using var cts = new CancellationTokenSource();
        var source = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(10_000)), Settings(1, 10), 100);
        int batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var _ in source.TrainingBatches(1, new Rng(1), cts.Token)) if (++batches == 5) cts.Cancel();
        });
        Assert.InRange(batches, 5, 5 + 1024 / 10 + 1);
    }

    [Fact]
    public void Divergence_WhileStreaming_NamesTheEpochAndBatch()
    {
        var source = MinibatchSource.Streaming(new MatrixRowStream(MatrixRowStream.Indexed(100)), Settings(3, 10), 20);
        int calls = 0;
        var e = Assert.Throws<TrainingDivergedException>(() => TrainingLoop.Run(source, Settings(3, 10), new Rng(1), Array.Empty<Parameter>(),
            b => ++calls == 13 ? double.NaN : b.Rows, _ => 0, null, default));
        Assert.Contains("epoch 2, batch 3 of 10", e.Message);
    }

    private static Matrix Data(int rows, int seed)
    {
        // Rows near a 2-dimensional manifold in (0, 1)^8: an autoencoder with a 2-wide code learns them in a few epochs.
        var rng = new Rng((ulong)seed);
        var m = new Matrix(rows, 8);
        for (int i = 0; i < rows; i++)
        {
            double a = rng.NextGaussian(), b = rng.NextGaussian();
            for (int j = 0; j < 8; j++) m[i, j] = (float)(1 / (1 + Math.Exp(-(Math.Sin(j) * a + Math.Cos(j) * b))));
        }
        return m;
    }

    private static AutoencoderOptions Small(int epochs = 8) => new()
    {
        HiddenSizes = [16], CodeSize = 2, Epochs = epochs, BatchSize = 32, Seed = 11, Threads = 1, ShuffleBufferRows = 256, ValidationFraction = 0.1,
    };

    [Fact]
    public void StreamingFit_IsBitIdenticalRunToRun_AndReachesTheInMemoryQuality()
    {
        var train = Data(3000, 1);
        var test = Data(500, 2);
        var a = new AutoencoderTrainer(Small()).Fit(new MatrixRowStream(train));
        var b = new AutoencoderTrainer(Small()).Fit(new MatrixRowStream(train));
        Assert.Equal(a.ToArchive().Tensors.Select(t => t.Value.Span.ToArray()), b.ToArchive().Tensors.Select(t => t.Value.Span.ToArray()));
        Assert.Equal(a.History.Epochs.Select(e => e.TrainLoss), b.History.Epochs.Select(e => e.TrainLoss));
        Assert.All(a.History.Epochs, e => Assert.NotNull(e.ValidationLoss));
        var inMemory = new AutoencoderTrainer(Small()).Fit(train);
        double streamed = AutoencoderMetrics.ReconstructionMse(a, test), held = AutoencoderMetrics.ReconstructionMse(inMemory, test);
        Assert.True(a.History.Epochs[^1].TrainLoss < 0.97 * a.History.Epochs[0].TrainLoss, "streaming training lowers the loss");
        Assert.InRange(streamed / held, 0.85, 1.15);
    }

    [Fact]
    public void StreamingFit_OfTheVae_AndOfAStack_IsRepeatable()
    {
        var train = Data(1000, 3);
        var vae = new VaeOptions { HiddenSizes = [16], LatentSize = 2, Epochs = 2, BatchSize = 32, Seed = 4, ShuffleBufferRows = 128 };
        var v1 = new VaeTrainer(vae).Fit(new MatrixRowStream(train));
        var v2 = new VaeTrainer(vae).Fit(new MatrixRowStream(train));
        Assert.Equal(v1.History.Epochs.Select(e => e.TrainLoss), v2.History.Epochs.Select(e => e.TrainLoss));
        var stacked = new StackedAutoencoderOptions { Autoencoder = Small(2), FineTuneEpochs = 1 };
        var stream = new MatrixRowStream(train);
        var s1 = new StackedAutoencoderTrainer(stacked).Fit(stream);
        var s2 = new StackedAutoencoderTrainer(stacked).Fit(new MatrixRowStream(train));
        Assert.Equal(2 + 2 + 1, s1.History.Epochs.Count); // two greedy layers of 2 epochs, 1 fine-tuning epoch
        Assert.Equal(5 * 2, stream.Passes); // each epoch: a training pass and a validation pass
        Assert.Equal(s1.Encode(train).Span.ToArray(), s2.Encode(train).Span.ToArray());
    }
}
