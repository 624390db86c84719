using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>The shared epoch loop driven by scripted batch and validation functions (no network): what it promises every trainer.</summary>
public class TrainingLoopTests
{
    private static MinibatchSettings Settings(int epochs, int batch = 10, double validation = 0, int patience = 0) => new(epochs, batch, validation, patience);

    [Fact]
    public void EachEpoch_TrainsEveryTrainingRowOnce_AndValidatesEveryHeldOutRowOnce_InChunksOfAtMost1024()
    {
        const int n = 3001, epochs = 2, batch = 64;
        var trained = new List<int[]>();
        var validated = new List<int[]>();
        var h = TrainingLoop.Run(n, Settings(epochs, batch, 0.5), new Rng(1), Array.Empty<Parameter>(),
            rows => { trained.Add(rows.ToArray()); return 2.0 * rows.Length; },
            rows => { validated.Add(rows.ToArray()); return 3.0 * rows.Length; }, null, default);
        int nVal = (int)Math.Round(n * 0.5), nTrain = n - nVal;
        int batchesPerEpoch = (nTrain + batch - 1) / batch;
        Assert.Equal(epochs * batchesPerEpoch, trained.Count);
        Assert.All(trained.Take(batchesPerEpoch - 1), b => Assert.Equal(batch, b.Length));
        Assert.Equal(nTrain - (batchesPerEpoch - 1) * batch, trained[batchesPerEpoch - 1].Length);
        var epoch1 = trained.Take(batchesPerEpoch).SelectMany(b => b).ToArray();
        var epoch2 = trained.Skip(batchesPerEpoch).SelectMany(b => b).ToArray();
        Assert.Equal(nTrain, epoch1.Distinct().Count());
        Assert.Equal(epoch1.Order(), epoch2.Order());
        Assert.NotEqual(epoch1, epoch2); // reshuffled every epoch
        Assert.All(validated, v => Assert.InRange(v.Length, 1, 1024));
        var val1 = validated.Take(validated.Count / epochs).SelectMany(v => v).ToArray();
        Assert.Equal(nVal, val1.Length);
        Assert.Equal(nVal, val1.Distinct().Count());
        Assert.Empty(val1.Intersect(epoch1));
        Assert.Equal(Enumerable.Range(0, n), val1.Concat(epoch1).Order());
        Assert.Equal(new[] { 2.0, 2.0 }, h.Epochs.Select(e => e.TrainLoss)); // per training row
        Assert.Equal(new double?[] { 3.0, 3.0 }, h.Epochs.Select(e => e.ValidationLoss)); // per validation row
        Assert.Equal(new[] { 1, 2 }, h.Epochs.Select(e => e.Epoch));
        Assert.All(h.Epochs, e => Assert.Equal(epochs, e.Epochs));
        Assert.Equal(epochs, h.BestEpoch);
        Assert.False(h.StoppedEarly);
    }

    /// <summary>Runs with a parameter the scripted step sets to the epoch number, and the scripted validation losses.</summary>
    private static (TrainingHistory History, float Kept) Scripted(double[] validationLosses, int epochs, int patience)
    {
        var p = new Parameter("w", 1, 2);
        int epoch = 0, batches = 0, perEpoch = 10; // 100 rows, 0.1 held out, batch 9 → 10 batches an epoch
        var h = TrainingLoop.Run(100, Settings(epochs, 9, 0.1, patience), new Rng(3), new[] { p },
            rows =>
            {
                if (batches++ % perEpoch == 0) epoch++;
                p.Value.Span.Fill(epoch);
                return rows.Length;
            },
            rows => validationLosses[epoch - 1] * rows.Length, null, default);
        return (h, p.Value.Span[0]);
    }

    [Fact]
    public void EarlyStopping_StopsPatienceEpochsAfterTheBest_AndRestoresTheBestParameters()
    {
        var (h, kept) = Scripted(new[] { 5.0, 4.0, 3.0, 3.5, 3.0, 4.0, 1.0, 0.5 }, epochs: 8, patience: 3);
        Assert.Equal(3, h.BestEpoch); // epoch 5 only ties the best: not an improvement
        Assert.Equal(6, h.Epochs.Count);
        Assert.True(h.StoppedEarly);
        Assert.Equal(3f, kept);
        Assert.Equal(3.0, h.Epochs[h.BestEpoch - 1].ValidationLoss!.Value, 12);
    }

    [Fact]
    public void EarlyStopping_ReachingPatienceOnTheLastEpoch_IsNotAnEarlyStop_ButStillRestores()
    {
        var (h, kept) = Scripted(new[] { 5.0, 2.0, 3.0, 4.0 }, epochs: 4, patience: 2);
        Assert.Equal(2, h.BestEpoch);
        Assert.Equal(4, h.Epochs.Count);
        Assert.False(h.StoppedEarly);
        Assert.Equal(2f, kept);
    }

    [Fact]
    public void EarlyStopping_BestAtTheLastEpoch_KeepsTheLastParameters()
    {
        var (h, kept) = Scripted(new[] { 5.0, 4.0, 3.0 }, epochs: 3, patience: 1);
        Assert.Equal(3, h.BestEpoch);
        Assert.False(h.StoppedEarly);
        Assert.Equal(3f, kept);
    }

    [Fact]
    public void WithoutPatience_TheLastEpochIsKept_WhateverTheValidationLoss()
    {
        var (h, kept) = Scripted(new[] { 1.0, 2.0, 3.0 }, epochs: 3, patience: 0);
        Assert.Equal(3, h.BestEpoch);
        Assert.Equal(3, h.Epochs.Count);
        Assert.False(h.StoppedEarly);
        Assert.Equal(3f, kept);
    }

    [Fact]
    public void WithPatienceButNoValidationSplit_TheLastEpochIsKept()
    {
        var p = new Parameter("w", 1, 1);
        int calls = 0;
        var h = TrainingLoop.Run(20, Settings(3, 20, 0, 2), new Rng(1), new[] { p },
            rows => { p.Value.Span[0] = ++calls; return 1; }, _ => throw new InvalidOperationException("no validation rows"), null, default);
        Assert.Equal(3, h.BestEpoch);
        Assert.Equal(3f, p.Value.Span[0]);
        Assert.All(h.Epochs, e => Assert.Null(e.ValidationLoss));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ANonFiniteBatchLoss_StopsWithTheEpochAndBatch(double bad)
    {
        int calls = 0;
        var e = Assert.Throws<TrainingDivergedException>(() => TrainingLoop.Run(30, Settings(5, 10), new Rng(1), Array.Empty<Parameter>(),
            rows => ++calls == 5 ? bad : 1.0, _ => 0, null, default));
        Assert.Contains("epoch 2, batch 2 of 3", e.Message);
        Assert.Equal(5, calls);
    }

    [Fact]
    public void Cancellation_IsCheckedBeforeEveryBatch()
    {
        using var cts = new CancellationTokenSource();
        int calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => TrainingLoop.Run(30, Settings(5, 10), new Rng(1), Array.Empty<Parameter>(),
            rows => { if (++calls == 2) cts.Cancel(); return 1; }, _ => 0, null, cts.Token));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Progress_GetsEveryEpochAsItEnds()
    {
        var reports = new List<EpochReport>();
        var h = TrainingLoop.Run(30, Settings(3, 10), new Rng(1), Array.Empty<Parameter>(), rows => rows.Length, _ => 0,
            new SyncProgress<EpochReport>(reports.Add), default);
        Assert.Equal(h.Epochs, reports);
        Assert.All(reports, r => Assert.True(r.Seconds >= 0));
        Assert.Equal(reports.Sum(r => r.Seconds), h.TotalSeconds, 12);
    }

    [Theory]
    [InlineData(0, 10, 0.0, 0, "Epochs")]
    [InlineData(1, 0, 0.0, 0, "BatchSize")]
    [InlineData(1, 10, 1.0, 0, "ValidationFraction")]
    [InlineData(1, 10, -0.1, 0, "ValidationFraction")]
    [InlineData(1, 10, 0.0, -1, "Patience")]
    public void SettingsOutOfRange_NameTheSetting(int epochs, int batch, double validation, int patience, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TrainingLoop.Run(10, Settings(epochs, batch, validation, patience), new Rng(1),
            Array.Empty<Parameter>(), _ => 0, _ => 0, null, default));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void AValidationShareThatLeavesNoRows_OrNoData_IsAnError()
    {
        Assert.Contains("leaves no training or no validation rows", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Run(4, Settings(1, 10, 0.1), new Rng(1), Array.Empty<Parameter>(), _ => 0, _ => 0, null, default)).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Run(0, Settings(1, 10), new Rng(1), Array.Empty<Parameter>(), _ => 0, _ => 0, null, default)).Message);
        // 0.5 of 1 row rounds to 0 or 1 validation rows: either leaves nothing on one side.
        Assert.Throws<ArgumentException>(() => TrainingLoop.Run(1, Settings(1, 10, 0.5), new Rng(1), Array.Empty<Parameter>(), _ => 0, _ => 0, null, default));
    }

    [Fact]
    public void Boundaries_OneRow_BatchSizeOne_AndOneValidationRow_AreValid()
    {
        int trainedRows = 0;
        TrainingLoop.Run(1, Settings(2, 1), new Rng(1), Array.Empty<Parameter>(), rows => trainedRows += rows.Length, _ => 0, null, default);
        Assert.Equal(2, trainedRows);
        int validated = 0;
        var h = TrainingLoop.Run(10, Settings(1, 1, 0.1), new Rng(1), Array.Empty<Parameter>(), rows => 0, rows => validated += rows.Length, null, default);
        Assert.Equal(1, validated);
        Assert.NotNull(h.Epochs[0].ValidationLoss);
        // 0.96 of 10 rows rounds to all 10: nothing left to train on.
        Assert.Contains("ValidationFraction 0.96 of 10 rows", Assert.Throws<ArgumentException>(() =>
            TrainingLoop.Run(10, Settings(1, 1, 0.96), new Rng(1), Array.Empty<Parameter>(), _ => 0, _ => 0, null, default)).Message);
    }

    [Fact]
    public void SettingsErrors_SayWhatIsAllowed()
    {
        string Message(MinibatchSettings s) => Assert.Throws<ArgumentOutOfRangeException>(s.Validate).Message;
        Assert.Contains("Epochs must be at least 1.", Message(Settings(0)));
        Assert.Contains("BatchSize must be at least 1.", Message(Settings(1, 0)));
        Assert.Contains("ValidationFraction must be in [0, 1).", Message(Settings(1, 1, double.NaN)));
        Assert.Contains("EarlyStoppingPatience must be ≥ 0", Message(Settings(1, 1, 0, -1)));
    }

    [Fact]
    public void ValidationOfExactly1024Rows_IsOneChunk()
    {
        var chunks = new List<int>();
        TrainingLoop.Run(2048, Settings(1, 2048, 0.5), new Rng(1), Array.Empty<Parameter>(), _ => 0, rows => { chunks.Add(rows.Length); return 0; }, null, default);
        Assert.Equal(new[] { 1024 }, chunks);
    }
}

