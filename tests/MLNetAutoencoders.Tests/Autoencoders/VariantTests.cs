using MLNetAutoencoders.Tests.Support;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class VariantTests
{
    private static AutoencoderOptions Small(int epochs = 20) => new()
    {
        HiddenSizes = new[] { 16 }, CodeSize = 3, Epochs = epochs, BatchSize = 32, LearningRate = 3e-3f, Seed = 5, Gemm = GemmKind.Managed,
    };

    private static readonly Matrix Train = TestData.LowRankData(1200);
    private static readonly Matrix Test = TestData.LowRankData(300, seed: 2);

    [Theory]
    [InlineData(CorruptionKind.Gaussian, 0.3f)]
    [InlineData(CorruptionKind.Masking, 0.25f)]
    [InlineData(CorruptionKind.SaltAndPepper, 0.2f)]
    public void Corruptions_HaveTheirStatistics_AndLeaveTheCleanBatchAlone(CorruptionKind kind, float level)
    {
        var clean = new Matrix(50, 400);
        new Rng(3).FillUniform(clean.Span, 0.2f, 0.8f);
        var copy = clean.Clone();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 9);
        var y = Corruptions.Create(kind, level)!.Apply(clean, ctx);
        Assert.Equal(copy.Span.ToArray(), clean.Span.ToArray());
        var c = clean.Span; var o = y.Span;
        int n = c.Length;
        switch (kind)
        {
            case CorruptionKind.Gaussian:
                double m = 0, v = 0;
                for (int i = 0; i < n; i++) { double d = o[i] - c[i]; m += d; v += d * d; }
                Assert.InRange(m / n, -0.01, 0.01);
                Assert.InRange(Math.Sqrt(v / n), level * 0.97, level * 1.03);
                break;
            case CorruptionKind.Masking:
                int zeros = 0;
                for (int i = 0; i < n; i++) { if (o[i] == 0) zeros++; else Assert.Equal(c[i], o[i]); }
                Assert.InRange(zeros / (double)n, level - 0.01, level + 0.01);
                break;
            default:
                int salt = 0, pepper = 0;
                for (int i = 0; i < n; i++) { if (o[i] == 1) salt++; else if (o[i] == 0) pepper++; else Assert.Equal(c[i], o[i]); }
                Assert.InRange(salt / (double)n, level / 2 - 0.01, level / 2 + 0.01);
                Assert.InRange(pepper / (double)n, level / 2 - 0.01, level / 2 + 0.01);
                break;
        }
    }

    [Fact]
    public void CorruptionAndDropout_ActInTrainingOnly()
    {
        var o = Small(3); o.Corruption = CorruptionKind.SaltAndPepper; o.CorruptionLevel = 0.3f; o.DropoutRate = 0.3f;
        var model = new AutoencoderTrainer(o).Fit(Train);
        var a = model.Encode(Test);
        Assert.Equal(a.Span.ToArray(), model.Encode(Test).Span.ToArray());
        Assert.Equal(a.Span.ToArray(), model.Encoder.Forward(Test, false, NnContext.Create(GemmKind.Managed, 1, 77)).Span.ToArray());
        // The same rows through the training path differ (the noise and dropout are real).
        var trainingCode = model.Encoder.Forward(Corruptions.Create(o.Corruption, o.CorruptionLevel)!.Apply(Test, NnContext.Create(GemmKind.Managed, 1, 1)),
            true, NnContext.Create(GemmKind.Managed, 1, 1));
        Assert.NotEqual(a.Span.ToArray(), trainingCode.Span.ToArray());
    }

    [Fact]
    public void Denoising_ReconstructsNoisyInputBetterThanPlain()
    {
        var plain = new AutoencoderTrainer(Small()).Fit(Train);
        var o = Small(); o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 0.2f;
        var denoising = new AutoencoderTrainer(o).Fit(Train);
        double p = AutoencoderMetrics.DenoisingMse(plain, Test), d = AutoencoderMetrics.DenoisingMse(denoising, Test);
        Assert.True(d < p, $"denoising MSE {d} should be below the plain autoencoder's {p}");
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy)]
    [InlineData(LossKind.SquaredError)]
    public void DenoisingLoss_TargetsTheCleanInput_NotTheCorruptedOne(LossKind lossKind)
    {
        // Every row is the same, so the shuffle cannot change the batch; one batch holds them all. The trainer's first
        // reported loss (measured before its first step) must be L(f(corrupted x), clean x) of the untrained network,
        // with the corruption drawn from the same stream the trainer uses (the first fork of its generator).
        var row = TestData.LowRankData(1, 12);
        var x = new Matrix(16, 12);
        for (int i = 0; i < x.Rows; i++) row.Row(0).CopyTo(x.Row(i));
        var o = Small(1); o.HiddenSizes = new[] { 5 }; o.CodeSize = 3; o.BatchSize = 16; o.ValidationFraction = 0; o.Loss = lossKind;
        o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.5f;
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 12, new Rng(9));
        var (encoder2, decoder2) = AutoencoderTrainer.Build(o, 12, new Rng(9));
        var history = AutoencoderTrainer.Train(o, encoder, decoder, MinibatchSource.InMemory(x, o.Minibatch), x.Cols, new Rng(21), null, CancellationToken.None);

        var ctx = o.CreateContext(new Rng(21).Fork(1));
        var corrupted = Corruptions.Create(o.Corruption, o.CorruptionLevel)!.Apply(x, ctx);
        Assert.NotEqual(x.Span.ToArray(), corrupted.Span.ToArray());
        var output = decoder2.Forward(encoder2.Forward(corrupted, true, ctx), true, ctx);
        double Mean(Matrix target)
        {
            double s = 0;
            for (int i = 0; i < x.Rows; i++) s += Losses.SampleLoss(lossKind, output.Row(i), target.Row(i));
            return s / x.Rows;
        }
        double clean = Mean(x), noisy = Mean(corrupted);
        Assert.True(Math.Abs(clean - noisy) > 1e-3 * clean, $"the two targets should give different losses ({clean}, {noisy})");
        Assert.Equal(clean, history.Epochs[0].TrainLoss, 1e-6 * clean);
    }

    [Fact]
    public void Stacked_CancellationInTheMiddleOfAFit_StopsBeforeTheNextEpoch()
    {
        using var cts = new CancellationTokenSource();
        var reports = 0;
        var o = Small(3); o.HiddenSizes = new[] { 12 };
        var trainer = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = o, FineTuneEpochs = 3 });
        var progress = new SyncProgress<EpochReport>(_ => { if (++reports == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Train, progress, cts.Token));
        Assert.Equal(2, reports);
    }

    [Fact]
    public void L1AndKlSparsity_MakeSparserCodes_ContractiveShrinksTheJacobian()
    {
        var wide = Small(); wide.CodeSize = 12; // overcomplete for the rank-3 data
        var plain = new AutoencoderTrainer(wide).Fit(Train);
        var l1 = wide.Clone(); l1.L1Activity = 0.3f;
        var sparse = new AutoencoderTrainer(l1).Fit(Train);
        double fp = AutoencoderMetrics.CodeStatistics(plain.Encode(Test)).FractionNearZero;
        double fs = AutoencoderMetrics.CodeStatistics(sparse.Encode(Test)).FractionNearZero;
        Assert.True(fs > fp + 0.3, $"L1: fraction near zero {fs} should clearly exceed the plain code's {fp}");

        var kl = wide.Clone(); kl.CodeActivation = ActivationKind.Sigmoid; kl.KlSparsityWeight = 1f; kl.KlSparsityTarget = 0.1f;
        var klModel = new AutoencoderTrainer(kl).Fit(Train);
        double act = AutoencoderMetrics.CodeStatistics(klModel.Encode(Test)).MeanActivation;
        Assert.InRange(act, 0.08, 0.12);

        var c = wide.Clone(); c.Contractive = 0.5f;
        var contractive = new AutoencoderTrainer(c).Fit(Train);
        double jp = AutoencoderMetrics.JacobianFrobeniusSq(plain, Test), jc = AutoencoderMetrics.JacobianFrobeniusSq(contractive, Test);
        Assert.True(jc < 0.5 * jp, $"contractive ‖J‖² {jc} should be under half the plain autoencoder's {jp}");
        var meanImage = new Matrix(Test.Rows, Test.Cols);
        for (int i = 0; i < Test.Rows; i++) for (int j = 0; j < Test.Cols; j++) for (int r = 0; r < Train.Rows; r++) meanImage[i, j] += Train[r, j] / Train.Rows;
        double meanMse = AutoencoderModel.MeanSquaredError(Test, meanImage), cMse = contractive.ReconstructionMse(Test);
        Assert.True(cMse < 0.5 * meanMse, $"it must still reconstruct: MSE {cMse} should be under half the mean image's {meanMse}");
    }

    [Fact]
    public void AllTermsCombine_WithTiedWeightsDropoutAndOvercompleteDeepCodes()
    {
        var o = Small(4);
        o.HiddenSizes = new[] { 30, 16 }; o.CodeSize = 40; o.TiedWeights = true; o.DropoutRate = 0.1f;
        o.HiddenActivation = ActivationKind.Selu; o.CodeActivation = ActivationKind.Sigmoid;
        o.L1Activity = 0.01f; o.L2Activity = 0.01f; o.KlSparsityWeight = 0.1f; o.Contractive = 0.01f; o.ContractiveProbes = 2;
        o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.2f;
        var model = new AutoencoderTrainer(o).Fit(Train);
        Assert.All(model.History.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.True(model.History.Epochs[^1].TrainLoss < model.History.Epochs[0].TrainLoss);
        Assert.Equal(40, model.Encode(Test).Cols);
    }

    [Theory]
    [InlineData("sparse-l1")]
    [InlineData("sparse-kl")]
    [InlineData("contractive")]
    [InlineData("denoising")]
    [InlineData("dropout")]
    [InlineData("tied")]
    [InlineData("stacked")]
    public void SaveLoad_RoundTripPerKind(string kind)
    {
        var o = Small(2);
        switch (kind)
        {
            case "sparse-l1": o.L1Activity = 0.1f; break;
            case "sparse-kl": o.CodeActivation = ActivationKind.Sigmoid; o.KlSparsityWeight = 0.5f; break;
            case "contractive": o.Contractive = 0.1f; o.HiddenSizes = new[] { 10, 6 }; break;
            case "denoising": o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.3f; break;
            case "dropout": o.DropoutRate = 0.2f; break;
            case "tied": o.TiedWeights = true; break;
        }
        var model = kind == "stacked"
            ? new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = Tied(o), FineTuneEpochs = 1 }).Fit(Train)
            : new AutoencoderTrainer(o).Fit(Train);
        var path = Path.Combine(Path.GetTempPath(), $"ae-{kind}-{Guid.NewGuid():N}.mlae");
        try
        {
            model.Save(path);
            var back = Assert.IsType<AutoencoderModel>(AutoencoderFile.Load(path));
            Assert.Equal(model.Encode(Test).Span.ToArray(), back.Encode(Test).Span.ToArray());
            Assert.Equal(model.Reconstruct(Test).Span.ToArray(), back.Reconstruct(Test).Span.ToArray());
            Assert.Equal(model.ParameterCount, back.ParameterCount);
            Assert.Equal(model.Options.L1Activity, back.Options.L1Activity);
            Assert.Equal(model.Options.KlSparsityWeight, back.Options.KlSparsityWeight);
            Assert.Equal(model.Options.Contractive, back.Options.Contractive);
            Assert.Equal(model.Options.Corruption, back.Options.Corruption);
            Assert.Equal(model.History.Epochs.Count, back.History.Epochs.Count);
        }
        finally { File.Delete(path); }

        static AutoencoderOptions Tied(AutoencoderOptions o) { o.TiedWeights = true; return o; }
    }

    [Fact]
    public void Stacked_EqualsItsParts_AndFineTuningImprovesIt()
    {
        var o = Small(6); o.HiddenSizes = new[] { 12, 8 }; o.CodeSize = 3; o.TiedWeights = true;
        var trainer = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = o, FineTuneEpochs = 10 });
        Assert.Equal(3, trainer.LayerCount);
        var parts = trainer.FitLayers(Train);
        Assert.Equal(new[] { 12, 8, 3 }, parts.Select(p => p.CodeSize));
        Assert.Equal(LossKind.CrossEntropy, parts[0].Options.Loss);
        Assert.Equal(LossKind.SquaredError, parts[1].Options.Loss);
        var stacked = StackedAutoencoderTrainer.Stack(parts, o);
        var viaParts = parts[2].Encode(parts[1].Encode(parts[0].Encode(Test)));
        var code = stacked.Encode(Test);
        for (int i = 0; i < code.Length; i++) Assert.Equal(viaParts.Span[i], code.Span[i], 4);
        var back = parts[0].Decode(parts[1].Decode(parts[2].Decode(code)));
        var rec = stacked.Decode(code);
        for (int i = 0; i < rec.Length; i++) Assert.Equal(back.Span[i], rec.Span[i], 4);
        Assert.Equal(parts.Sum(p => p.ParameterCount), stacked.ParameterCount);
        Assert.Equal(new[] { 12, 8 }, stacked.Options.HiddenSizes);

        var fine = trainer.Fit(Train);
        Assert.Equal(3 * 6 + 10, fine.History.Epochs.Count);
        Assert.True(fine.ReconstructionMse(Test) < stacked.ReconstructionMse(Test),
            $"fine-tuned MSE {fine.ReconstructionMse(Test)} should beat the greedy stack's {stacked.ReconstructionMse(Test)}");
        // Fine-tuning works on copies: the parts are unchanged.
        Assert.Equal(viaParts.Span.ToArray(), parts[2].Encode(parts[1].Encode(parts[0].Encode(Test))).Span.ToArray());
    }

    [Theory]
    [InlineData("L1Activity")]
    [InlineData("L2Activity")]
    [InlineData("KlSparsityWeight")]
    [InlineData("KlSparsityTarget")]
    [InlineData("CodeActivation")]
    [InlineData("Contractive")]
    [InlineData("ContractiveProbes")]
    [InlineData("CorruptionLevel")]
    [InlineData("FineTuneEpochs")]
    public void VariantOptionsOutOfRange_NameTheOption(string option)
    {
        var o = new AutoencoderOptions();
        var s = new StackedAutoencoderOptions { Autoencoder = o };
        switch (option)
        {
            case "L1Activity": o.L1Activity = -0.1f; break;
            case "L2Activity": o.L2Activity = float.NaN; break;
            case "KlSparsityWeight": o.KlSparsityWeight = float.PositiveInfinity; break;
            case "KlSparsityTarget": o.KlSparsityTarget = 1f; break;
            case "CodeActivation": o.KlSparsityWeight = 0.1f; break; // KL needs a sigmoid code
            case "Contractive": o.Contractive = -1f; break;
            case "ContractiveProbes": o.ContractiveProbes = 65; break;
            case "CorruptionLevel": o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 1f; break;
            case "FineTuneEpochs": s.FineTuneEpochs = -1; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new StackedAutoencoderTrainer(s));
        Assert.Equal(option, e.ParamName);
        if (option == "CodeActivation") Assert.Contains("sigmoid", e.Message);
        if (option != "FineTuneEpochs") Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(o)).ParamName);
    }

    [Theory]
    [InlineData("gaussian:0.2", CorruptionKind.Gaussian, 0.2f)]
    [InlineData("mask:0.3", CorruptionKind.Masking, 0.3f)]
    [InlineData("salt-pepper:0.1", CorruptionKind.SaltAndPepper, 0.1f)]
    [InlineData("none", CorruptionKind.None, 0f)]
    [InlineData(" Gauss : 0.5 ", CorruptionKind.Gaussian, 0.5f, "gaussian:0.5")] // aliases, any case, spaces
    [InlineData("MASKING:0.25", CorruptionKind.Masking, 0.25f, "mask:0.25")]
    [InlineData("salt-and-pepper:0.1", CorruptionKind.SaltAndPepper, 0.1f, "salt-pepper:0.1")]
    [InlineData("SaltPepper:1e-1", CorruptionKind.SaltAndPepper, 0.1f, "salt-pepper:0.1")]
    [InlineData("none:0.7", CorruptionKind.None, 0f, "none")]
    public void CorruptionText_RoundTrips(string text, CorruptionKind kind, float level, string? formatted = null)
    {
        Assert.Equal((kind, level), Corruptions.Parse(text));
        Assert.Equal(formatted ?? text, Corruptions.Format(kind, level));
    }

    [Fact]
    public void CorruptionText_Errors_SayWhatIsExpected()
    {
        Assert.Contains("expected gaussian", Assert.Throws<ArgumentException>(() => Corruptions.Parse("blur:0.2")).Message);
        Assert.Contains("needs a level", Assert.Throws<ArgumentException>(() => Corruptions.Parse("mask")).Message);
        Assert.Contains("needs a level", Assert.Throws<ArgumentException>(() => Corruptions.Parse("gaussian:abc")).Message);
        Assert.Contains("needs a level", Assert.Throws<ArgumentException>(() => Corruptions.Parse("mask:0,3")).Message); // invariant culture
        Assert.Throws<ArgumentNullException>(() => Corruptions.Parse(null!));
    }

    [Fact]
    public void NoCorruptionOrLevelZero_CreatesNothing()
    {
        Assert.Null(Corruptions.Create(CorruptionKind.None, 0.3f));
        Assert.Null(Corruptions.Create(CorruptionKind.Masking, 0f));
        var c = Assert.IsType<InputCorruption>(Corruptions.Create(CorruptionKind.Gaussian, 0.1f));
        Assert.Equal((CorruptionKind.Gaussian, 0.1f), (c.Kind, c.Level));
    }

    [Fact]
    public void CodeStatistics_AreCountedExactly()
    {
        var s = AutoencoderMetrics.CodeStatistics(new Matrix(2, 2, new[] { 0.005f, -0.5f, 1f, 0f }));
        Assert.Equal((0.005 + 0.5 + 1) / 4, s.MeanAbsCode, 6);
        Assert.Equal(0.5, s.FractionNearZero);
        Assert.Equal((0.005 - 0.5 + 1) / 4, s.MeanActivation, 6);
        var model = new AutoencoderTrainer(Small(1)).Fit(Train);
        Assert.Equal(model.ReconstructionMse(Test), AutoencoderMetrics.DenoisingMse(model, Test, noise: 0), 10);
        Assert.True(AutoencoderMetrics.DenoisingMse(model, Test) > model.ReconstructionMse(Test));
    }
}
