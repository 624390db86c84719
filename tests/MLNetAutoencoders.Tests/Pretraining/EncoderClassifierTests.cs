using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

public class EncoderClassifierTests
{
    private static float[][] Weights(IEnumerable<DenseLayer> layers) =>
        layers.SelectMany(l => new[] { l.Weight.Value.Span.ToArray(), l.Bias.Value.Span.ToArray() }).ToArray();

    [Theory]
    [InlineData(EncoderTrainingMode.FineTune, 0f, 0f)]
    [InlineData(EncoderTrainingMode.FineTune, 0.05f, 0.3f)]
    [InlineData(EncoderTrainingMode.Probe, 0.05f, 0.3f)]
    public void Gradients_MatchFiniteDifferences(EncoderTrainingMode mode, float l2, float anchorL2)
    {
        // Encoder 6 → 5 (tanh) → 4 (identity), code scaler, head 4 → 4 (tanh) → 3: every kind of layer the classifier has.
        var (x, y) = Manifold(9, 2);
        var ae = new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = new[] { 5 }, CodeSize = 4, HiddenActivation = ActivationKind.Tanh, Epochs = 1, Gemm = GemmKind.Managed })
            .Fit(x.SliceRows(0, 9).Clone());
        var o = Options(mode, epochs: 1);
        o.HeadHiddenSizes = new[] { 4 };
        o.HeadActivation = ActivationKind.Tanh;
        var model = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        var net = model.Network;
        var rng = new Rng(5);
        foreach (var d in net.DenseLayers.Where(d => d.Weight.Name != "scaler.weight")) rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        foreach (var p in net.Parameters) p.Frozen = p.Name.StartsWith("scaler", StringComparison.Ordinal) || (mode == EncoderTrainingMode.Probe && p.Name.StartsWith("encoder", StringComparison.Ordinal));
        var anchors = model.EncoderLayers.ToDictionary(d => d.Weight, d => { var a = d.Weight.Value.Clone(); rng.FillUniform(a.Span, -0.5f, 0.5f); return a; });
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var p in net.Parameters) p.Grad.Clear();
            return EncoderClassifierTrainer.LossAndGradients(net, x, y, l2, anchorL2, anchors, ctx, ref grad);
        }
        Loss();
        var grads = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < net.Parameters.Count; i++)
        {
            var p = net.Parameters[i];
            if (p.Frozen) Assert.All(grads[i], g => Assert.Equal(0f, g));
            else GradientCheck.Check(p.Name, p.Value.Data, grads[i], Loss);
        }
        Assert.Contains(net.Parameters, p => !p.Frozen && grads[net.Parameters.ToList().IndexOf(p)].Any(g => g != 0));
    }

    [Fact]
    public void Probe_LeavesEncoderBitIdentical_AndTrainsTheHead()
    {
        var (x, y) = Manifold(150, 1);
        var ae = Autoencoder(x);
        var before = Weights(ae.CodePath);
        var o = Options(EncoderTrainingMode.Probe);
        o.DropoutRate = 0.5f; // a probe keeps its encoder fixed: no dropout inside it
        var probe = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Empty(probe.Network.Layers.Take(probe.EncoderLayerCount).OfType<DropoutLayer>());
        Assert.Equal(before, Weights(probe.EncoderLayers));
        Assert.Equal(before, Weights(ae.CodePath));
        Assert.Equal(ae.Encode(x).Span.ToArray(), probe.Encode(x).Span.ToArray());
        Assert.True(probe.History.Epochs[^1].TrainLoss < 0.7 * probe.History.Epochs[0].TrainLoss, "the head should learn");
        Assert.False(probe.Network.Parameters.Any(p => p.Frozen), "the returned model's parameters are no longer frozen");
    }

    [Fact]
    public void FineTune_ChangesACopy_AndDiscriminativeLearningRateMovesTheEncoderLess()
    {
        var (x, y) = Manifold(150, 1);
        var ae = Autoencoder(x);
        var before = Weights(ae.CodePath);
        double Moved(EncoderClassifier m) => Weights(m.EncoderLayers).Zip(before).Sum(p => p.First.Zip(p.Second).Sum(t => Math.Abs(t.First - t.Second)));
        var full = EncoderClassifierTrainer.Fit(ae, x, y, Options(EncoderTrainingMode.FineTune), Classes);
        var o = Options(EncoderTrainingMode.DiscriminativeFineTune);
        o.EncoderLearningRateScale = 0.1f;
        var disc = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Equal(before, Weights(ae.CodePath)); // the autoencoder is never modified
        Assert.True(Moved(full) > 0);
        Assert.True(Moved(disc) > 0);
        Assert.True(Moved(disc) < 0.3 * Moved(full), $"discriminative moved {Moved(disc)}, full {Moved(full)}");
    }

    [Fact]
    public void HeadWarmup_FreezesTheEncoderFirst_AndRecordsBothPhases()
    {
        var (x, y) = Manifold(120, 1);
        var ae = Autoencoder(x);
        var o = Options(EncoderTrainingMode.FineTune, epochs: 4);
        o.HeadWarmupEpochs = 3;
        var epochs = new List<EpochReport>();
        var m = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes, new SyncProgress<EpochReport>(epochs.Add));
        Assert.Equal(7, m.History.Epochs.Count);
        Assert.Equal(Enumerable.Range(1, 7), m.History.Epochs.Select(e => e.Epoch));
        Assert.Equal(7, epochs.Count);
        Assert.NotEqual(Weights(ae.CodePath), Weights(m.EncoderLayers));
    }

    [Fact]
    public void HeadWarmup_LeavesTheEncoderBitIdentical()
    {
        // Warm-up epochs train the head alone. After them a discriminative fine-tune whose encoder learning-rate scale
        // (1e-30) makes every encoder step far below one float ulp: only the warm-up could move the encoder, and it must not.
        var (x, y) = Manifold(120, 1);
        var ae = Autoencoder(x);
        var o = Options(EncoderTrainingMode.DiscriminativeFineTune, epochs: 1);
        o.EncoderLearningRateScale = 1e-30f;
        o.HeadWarmupEpochs = 5;
        var m = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Equal(6, m.History.Epochs.Count);
        Assert.Equal(Weights(ae.CodePath), Weights(m.EncoderLayers));
        Assert.True(m.History.Epochs[4].TrainLoss < m.History.Epochs[0].TrainLoss, "the head should learn during the warm-up");
        // Control: the same fit with no warm-up, but full-rate fine-tuning for those 5 epochs, does move the encoder.
        var c = Options(EncoderTrainingMode.FineTune, epochs: 5);
        Assert.NotEqual(Weights(ae.CodePath), Weights(EncoderClassifierTrainer.Fit(ae, x, y, c, Classes).EncoderLayers));
    }

    [Fact]
    public void HeadWarmup_OfAFineTune_IsExactlyAProbe()
    {
        // Without dropout the warm-up of a full-rate fine-tune must be the probe's training step for step (same head
        // initialisation, same batches): equal losses, bit for bit. A warm-up that let the encoder learn would differ.
        var (x, y) = Manifold(120, 1);
        var ae = Autoencoder(x);
        var probe = EncoderClassifierTrainer.Fit(ae, x, y, Options(EncoderTrainingMode.Probe, epochs: 4), Classes);
        var o = Options(EncoderTrainingMode.FineTune, epochs: 2);
        o.HeadWarmupEpochs = 4;
        var fine = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Equal(probe.History.Epochs.Select(e => e.TrainLoss), fine.History.Epochs.Take(4).Select(e => e.TrainLoss));
        Assert.NotEqual(Weights(ae.CodePath), Weights(fine.EncoderLayers)); // the fine-tune phase after it does move the encoder
    }

    [Fact]
    public void RandomInitialization_KeepsTheArchitecture_ButNotTheWeights()
    {
        var (x, y) = Manifold(90, 1);
        var ae = Autoencoder(x);
        var o = Options(EncoderTrainingMode.Probe, epochs: 1);
        o.Initialization = EncoderInitialization.Random;
        var m = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Equal(ae.CodePath.Select(l => (l.InputSize, l.OutputSize, l.Activation)), m.EncoderLayers.Select(l => (l.InputSize, l.OutputSize, l.Activation)));
        Assert.NotEqual(Weights(ae.CodePath)[0], Weights(m.EncoderLayers)[0]);
    }

    [Fact]
    public void Vae_UsesTheMeanPath_AndStackedWorks()
    {
        var (x, y) = Manifold(120, 1);
        var vae = new VaeTrainer(new VaeOptions { HiddenSizes = new[] { 12 }, LatentSize = 3, Epochs = 3, Gemm = GemmKind.Managed }).Fit(x);
        var probe = EncoderClassifierTrainer.Fit(vae, x, y, Options(EncoderTrainingMode.Probe, epochs: 2), Classes);
        Assert.Equal(vae.Encode(x).Span.ToArray(), probe.Encode(x).Span.ToArray());
        Assert.Equal(3, probe.CodeSize);
        var stackOptions = SmallAe();
        stackOptions.Epochs = 2;
        var stacked = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = stackOptions }).Fit(x);
        var ft = EncoderClassifierTrainer.Fit(stacked, x, y, Options(EncoderTrainingMode.FineTune, epochs: 2), Classes);
        Assert.Equal(2, ft.EncoderLayerCount);
        Assert.Equal(Classes, ft.PredictProbabilities(x).Cols);
    }

    [Fact]
    public void SaveAndLoad_RoundTripsBitIdentically()
    {
        var (x, y) = Manifold(90, 1);
        var o = Options(EncoderTrainingMode.DiscriminativeFineTune, epochs: 3);
        o.HeadHiddenSizes = new[] { 5 };
        o.DropoutRate = 0.3f;
        var m = EncoderClassifierTrainer.Fit(Autoencoder(x), x, y, o, Classes);
        Assert.Equal(3, m.EncoderLayerCount); // dense, dropout, dense
        Assert.Equal(2, m.EncoderLayers.Count);
        Assert.Equal(2, m.Network.Layers.OfType<DropoutLayer>().Count());
        using var dir = new TempDir();
        var path = dir.File("clf.mlae");
        m.Save(path);
        var loaded = EncoderClassifier.Load(path);
        Assert.Equal(m.DecisionFunction(x).Span.ToArray(), loaded.DecisionFunction(x).Span.ToArray());
        Assert.Equal(m.Predict(x), loaded.Predict(x));
        Assert.Equal(m.EncoderLayerCount, loaded.EncoderLayerCount);
        Assert.Equal(EncoderTrainingMode.DiscriminativeFineTune, loaded.Options.Mode);
        Assert.Equal(3, loaded.History.Epochs.Count);
        Assert.Contains("expected 'encoder-classifier'", Assert.Throws<InvalidDataException>(() => EncoderClassifier.Load(SaveAutoencoder(dir.File("ae.mlae"), x))).Message);
    }

    private static string SaveAutoencoder(string path, Matrix x)
    {
        Autoencoder(x).Save(path);
        return path;
    }

    [Fact]
    public void SameSeed_IsBitIdentical()
    {
        var (x, y) = Manifold(90, 1);
        var ae = Autoencoder(x);
        var o = Options(EncoderTrainingMode.FineTune, epochs: 3);
        o.ValidationFraction = 0.2;
        o.EarlyStoppingPatience = 2;
        o.InputCorruption = CorruptionKind.Masking;
        o.InputCorruptionLevel = 0.2f;
        var a = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        var b = EncoderClassifierTrainer.Fit(ae, x, y, o, Classes);
        Assert.Equal(a.DecisionFunction(x).Span.ToArray(), b.DecisionFunction(x).Span.ToArray());
        Assert.All(a.History.Epochs, e => Assert.NotNull(e.ValidationLoss));
    }

    [Fact]
    public void BadInputAndOptions_AreRejectedWithNames()
    {
        var (x, y) = Manifold(30, 1);
        var ae = Autoencoder(x);
        Assert.Equal("EncoderLearningRateScale", Assert.Throws<ArgumentOutOfRangeException>(() =>
            EncoderClassifierTrainer.Fit(ae, x, y, new EncoderClassifierOptions { EncoderLearningRateScale = 0 })).ParamName);
        Assert.Equal("InputCorruptionLevel", Assert.Throws<ArgumentOutOfRangeException>(() =>
            EncoderClassifierTrainer.Fit(ae, x, y, new EncoderClassifierOptions { InputCorruption = CorruptionKind.Masking, InputCorruptionLevel = 1.5f })).ParamName);
        Assert.Equal("EncoderAnchorL2", Assert.Throws<ArgumentOutOfRangeException>(() =>
            EncoderClassifierTrainer.Fit(ae, x, y, new EncoderClassifierOptions { EncoderAnchorL2 = -1 })).ParamName);
        Assert.Contains("the encoder takes 24", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(ae, new Matrix(30, 5), y)).Message);
        Assert.Contains("30 rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(ae, x, y[..4])).Message);
        var bad = x.Clone();
        bad[3, 2] = float.NaN;
        Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(ae, bad, y));
        var m = EncoderClassifierTrainer.Fit(ae, x, y, Options(EncoderTrainingMode.Probe, epochs: 1));
        Assert.Contains("24", Assert.Throws<ArgumentException>(() => m.Predict(new Matrix(2, 3))).Message);
    }

    [Fact]
    public void Cancellation_StopsTraining()
    {
        var (x, y) = Manifold(60, 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => EncoderClassifierTrainer.Fit(Autoencoder(x), x, y, Options(EncoderTrainingMode.FineTune), Classes, null, cts.Token));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Cancellation_InTheMiddleOfAFit_StopsBeforeTheNextEpoch(int warmup)
    {
        var (x, y) = Manifold(60, 1);
        var ae = Autoencoder(x);
        using var cts = new CancellationTokenSource();
        var reports = new List<int>();
        var o = Options(EncoderTrainingMode.FineTune, epochs: 10);
        o.HeadWarmupEpochs = warmup;
        var progress = new SyncProgress<EpochReport>(r => { reports.Add(r.Epoch); if (reports.Count == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => EncoderClassifierTrainer.Fit(ae, x, y, o, Classes, progress, cts.Token));
        Assert.Equal(2, reports.Count);
    }

    [Fact]
    public void SmallLabelledFashionMnist_FineTunedEncoderBeatsChance_AndTheProbeLearns()
    {
        // Pretrain a small autoencoder on 6 000 unlabelled images, then train on 200 labelled ones; score 2 000 test images.
        var dir = FashionMnist.ResolveDirectory();
        TestEnv.RequireFile(Path.Combine(dir, "train-images-idx3-ubyte.gz"), "Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        var (train, test) = FashionMnist.Load();
        var unlabelled = train.Images.SliceRows(0, 6000);
        var ae = new AutoencoderTrainer(new AutoencoderOptions
        {
            HiddenSizes = new[] { 64 }, CodeSize = 16, Epochs = 4, BatchSize = 128, LearningRate = 2e-3f, Seed = 1, Threads = 2,
            Corruption = CorruptionKind.Masking, CorruptionLevel = 0.3f,
        }).Fit(unlabelled);
        var rows = PretrainingExperiment.BalancedSample(train.RequireLabels(), 200, 7);
        var x = train.Images.SelectRows(rows);
        var y = rows.Select(r => train.Labels![r]).ToArray();
        var testX = test.Images.SliceRows(0, 2000);
        var testY = test.Labels![..2000];
        double Accuracy(EncoderTrainingMode mode)
        {
            var o = new EncoderClassifierOptions { Mode = mode, Epochs = 150, LearningRate = 3e-3f, Seed = 2, Threads = 2 };
            var predicted = EncoderClassifierTrainer.Fit(ae, x, y, o, 10).Predict(testX);
            return (double)predicted.Where((p, i) => p == testY[i]).Count() / testY.Length;
        }
        double probe = Accuracy(EncoderTrainingMode.Probe), fine = Accuracy(EncoderTrainingMode.DiscriminativeFineTune);
        Assert.True(probe > 0.60, $"probe accuracy {probe:P1} with 200 labels (chance 10 %)");
        Assert.True(fine > 0.64, $"fine-tuned accuracy {fine:P1} with 200 labels");
    }
}
