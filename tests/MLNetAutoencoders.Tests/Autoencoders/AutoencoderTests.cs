using MLNetAutoencoders.Tests.Support;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class AutoencoderTests
{

    private static AutoencoderOptions Small() => new()
    {
        HiddenSizes = new[] { 16 }, CodeSize = 3, Epochs = 30, BatchSize = 32, LearningRate = 3e-3f, Seed = 5, Gemm = GemmKind.Managed,
    };

    [Fact]
    public void TrainsToLowReconstructionErrorOnLowRankData()
    {
        var x = TestData.LowRankData(2000);
        var test = TestData.LowRankData(500, seed: 2);
        double baseline = AutoencoderModel.MeanSquaredError(test, MeanRows(test));
        var model = new AutoencoderTrainer(Small()).Fit(x);
        double mse = model.ReconstructionMse(test);
        Assert.True(mse < 0.1 * baseline, $"test MSE {mse} should be < 10% of predicting the mean ({baseline})");
        Assert.True(model.History.Epochs[^1].TrainLoss < model.History.Epochs[0].TrainLoss);
    }

    private static Matrix MeanRows(Matrix x)
    {
        var mean = new float[x.Cols];
        for (int i = 0; i < x.Rows; i++) for (int j = 0; j < x.Cols; j++) mean[j] += x[i, j] / x.Rows;
        var m = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++) mean.CopyTo(m.Row(i));
        return m;
    }

    [Theory]
    [InlineData(GemmKind.Managed)]
    [InlineData(GemmKind.OpenBlas)]
    public void SameSeedOneThread_GivesBitIdenticalHistoryAndCodes(GemmKind gemm)
    {
        var x = TestData.LowRankData(600);
        var o = Small(); o.Epochs = 4; o.Gemm = gemm; o.DropoutRate = 0.1f; o.ValidationFraction = 0.2;
        var a = new AutoencoderTrainer(o).Fit(x);
        var b = new AutoencoderTrainer(o).Fit(x);
        Assert.Equal(a.History.Epochs.Select(e => e.TrainLoss), b.History.Epochs.Select(e => e.TrainLoss));
        Assert.Equal(a.History.Epochs.Select(e => e.ValidationLoss), b.History.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(a.Encode(x).Span.ToArray(), b.Encode(x).Span.ToArray());
        o.Seed = 6;
        var c = new AutoencoderTrainer(o).Fit(x);
        Assert.NotEqual(a.History.Epochs[0].TrainLoss, c.History.Epochs[0].TrainLoss);
    }

    [Fact]
    public void ManagedGemm_GivesIdenticalTrainingWithOneOrTwoThreads()
    {
        var x = TestData.LowRankData(400);
        var o = Small(); o.Epochs = 2;
        var a = new AutoencoderTrainer(o).Fit(x);
        o.Threads = 2;
        var b = new AutoencoderTrainer(o).Fit(x);
        Assert.Equal(a.Encode(x).Span.ToArray(), b.Encode(x).Span.ToArray());
    }

    [Fact]
    public void SaveLoad_RoundTripGivesIdenticalCodesAndReconstructions()
    {
        var x = TestData.LowRankData(300);
        var o = Small(); o.Epochs = 2; o.TiedWeights = true; o.HiddenActivation = ActivationKind.Selu;
        var model = new AutoencoderTrainer(o).Fit(x);
        var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.mlae");
        try
        {
            model.Save(path);
            var back = AutoencoderModel.Load(path);
            Assert.Equal(model.Encode(x).Span.ToArray(), back.Encode(x).Span.ToArray());
            Assert.Equal(model.Reconstruct(x).Span.ToArray(), back.Reconstruct(x).Span.ToArray());
            Assert.Equal(model.ParameterCount, back.ParameterCount);
            Assert.True(back.Options.TiedWeights);
            Assert.Equal(model.History.Epochs.Count, back.History.Epochs.Count);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void TiedWeights_HaveAboutHalfTheParameters()
    {
        var x = TestData.LowRankData(64);
        var o = Small(); o.Epochs = 1;
        var untied = new AutoencoderTrainer(o).Fit(x);
        o.TiedWeights = true;
        var tied = new AutoencoderTrainer(o).Fit(x);
        // untied: 24·16+16 + 16·3+3 + 3·16+16 + 16·24+24 ; tied drops the two decoder weights.
        Assert.Equal(24 * 16 + 16 + 16 * 3 + 3 + 3 * 16 + 16 + 16 * 24 + 24, untied.ParameterCount);
        Assert.Equal(untied.ParameterCount - 3 * 16 - 16 * 24, tied.ParameterCount);
    }

    [Fact]
    public void Build_MirrorsTheEncoder_WithDropoutBetweenHiddenLayers_AndTheLossDecidesTheOutputActivation()
    {
        var o = new AutoencoderOptions
        {
            HiddenSizes = new[] { 6, 5 }, CodeSize = 2, DropoutRate = 0.25f, Loss = LossKind.SquaredError, LeakyReluSlope = 0.3f,
            HiddenActivation = ActivationKind.LeakyRelu, CodeActivation = ActivationKind.Sigmoid, OutputActivation = ActivationKind.Tanh,
        };
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 7, new Rng(0));
        string Describe(Layer l) => l is DenseLayer d
            ? $"{d.Weight.Name} {d.InputSize}>{d.OutputSize} {d.Activation} {d.Slope}"
            : $"dropout {((DropoutLayer)l).Rate} {l.InputSize}";
        Assert.Equal(new[] { "encoder.0.weight 7>6 LeakyRelu 0.3", "dropout 0.25 6", "encoder.1.weight 6>5 LeakyRelu 0.3", "dropout 0.25 5", "encoder.2.weight 5>2 Sigmoid 0.3" },
            encoder.Layers.Select(Describe));
        Assert.Equal(new[] { "decoder.0.weight 2>5 LeakyRelu 0.3", "dropout 0.25 5", "decoder.1.weight 5>6 LeakyRelu 0.3", "dropout 0.25 6", "decoder.2.weight 6>7 Tanh 0.3" },
            decoder.Layers.Select(Describe));
        Assert.All(encoder.DenseLayers.Concat(decoder.DenseLayers), d => Assert.Contains(d.Weight.Value.Span.ToArray(), v => v != 0));
        o.Loss = LossKind.CrossEntropy; // logits out: the loss applies the sigmoid
        Assert.Equal(ActivationKind.Identity, AutoencoderTrainer.Build(o, 7, new Rng(0)).Decoder.DenseLayers.Last().Activation);
        o.TiedWeights = true; o.DropoutRate = 0;
        var (tiedEncoder, tiedDecoder) = AutoencoderTrainer.Build(o, 7, new Rng(0));
        var pairs = tiedEncoder.DenseLayers.Reverse().Zip(tiedDecoder.DenseLayers).ToList();
        Assert.Equal(3, pairs.Count);
        Assert.All(pairs, p => Assert.True(p.Second.Transposed && ReferenceEquals(p.First.Weight, p.Second.Weight)));
        Assert.Equal(new[] { "decoder.0.bias", "decoder.1.bias", "decoder.2.bias" }, tiedDecoder.DenseLayers.Select(d => d.Bias.Name));
    }

    [Fact]
    public void EarlyStopping_StopsAndKeepsBestValidationEpoch()
    {
        var x = TestData.LowRankData(200);
        var o = Small(); o.Epochs = 200; o.ValidationFraction = 0.5; o.EarlyStoppingPatience = 3; o.HiddenSizes = new[] { 64 }; o.CodeSize = 24;
        o.LearningRate = 1e-2f;
        var model = new AutoencoderTrainer(o).Fit(x);
        var h = model.History;
        Assert.True(h.StoppedEarly, "expected early stopping within 200 epochs");
        double best = h.Epochs.Min(e => e.ValidationLoss!.Value);
        Assert.Equal(best, h.Epochs[h.BestEpoch - 1].ValidationLoss);
        Assert.Equal(h.BestEpoch + 3, h.Epochs.Count);
    }

    [Fact]
    public void EarlyStopping_ReturnsTheBestEpochsWeights_NotTheLastEpochs()
    {
        // Training is deterministic (managed GEMM, one thread), so a run of exactly BestEpoch epochs without early
        // stopping ends with the weights the early-stopped run had at its best epoch: the returned model must hold them.
        var x = TestData.LowRankData(200);
        var o = Small(); o.Epochs = 200; o.ValidationFraction = 0.5; o.EarlyStoppingPatience = 3; o.HiddenSizes = new[] { 64 }; o.CodeSize = 24;
        o.LearningRate = 1e-2f;
        var stopped = new AutoencoderTrainer(o).Fit(x);
        var h = stopped.History;
        Assert.True(h.StoppedEarly);
        Assert.True(h.Epochs[^1].ValidationLoss > h.Epochs[h.BestEpoch - 1].ValidationLoss, "the last epoch must be worse than the best for this test to mean anything");
        var p = o.Clone(); p.Epochs = h.BestEpoch; p.EarlyStoppingPatience = 0;
        var reference = new AutoencoderTrainer(p).Fit(x);
        Assert.Equal(h.Epochs.Take(h.BestEpoch).Select(e => e.ValidationLoss), reference.History.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(Params(reference), Params(stopped));
    }

    internal static float[][] Params(AutoencoderModel m) =>
        m.Encoder.Parameters.Concat(m.Decoder.Parameters).Distinct().Select(q => q.Value.Span.ToArray()).ToArray();

    [Fact]
    public void ManagedGemm_WholeTrainingRunIsBitIdenticalWithOneTwoOrThreeThreads()
    {
        // README: with more threads the managed GEMM and the element-wise kernels stay bit-identical. Batches of 128
        // rows are split across threads; dropout, corruption and a validation split exercise every training path.
        var x = TestData.LowRankData(800, 64);
        var o = Small(); o.Epochs = 3; o.BatchSize = 128; o.HiddenSizes = new[] { 48 }; o.CodeSize = 8; o.ValidationFraction = 0.2;
        o.DropoutRate = 0.1f; o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.2f; o.L1Activity = 1e-3f;
        var one = new AutoencoderTrainer(o).Fit(x);
        foreach (int threads in new[] { 2, 3 })
        {
            var t = o.Clone(); t.Threads = threads;
            var many = new AutoencoderTrainer(t).Fit(x);
            Assert.Equal(one.History.Epochs.Select(e => e.TrainLoss), many.History.Epochs.Select(e => e.TrainLoss));
            Assert.Equal(one.History.Epochs.Select(e => e.ValidationLoss), many.History.Epochs.Select(e => e.ValidationLoss));
            Assert.Equal(Params(one), Params(many));
            Assert.Equal(one.Encode(x).Span.ToArray(), many.Encode(x).Span.ToArray());
        }
    }

    [Fact]
    public void Divergence_StopsWithAnErrorThatSaysSo()
    {
        var x = TestData.LowRankData(200);
        var o = Small(); o.Loss = LossKind.SquaredError; o.Optimizer = OptimizerKind.Sgd; o.LearningRate = 1e6f;
        var e = Assert.Throws<TrainingDivergedException>(() => new AutoencoderTrainer(o).Fit(x));
        Assert.Contains("diverged", e.Message);
    }

    [Fact]
    public void Cancellation_IsHonoured()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new AutoencoderTrainer(Small()).Fit(TestData.LowRankData(100), null, cts.Token));
    }

    [Fact]
    public void Cancellation_InTheMiddleOfAFit_StopsBeforeTheNextEpoch()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<int>();
        var o = Small(); o.Epochs = 10;
        var progress = new SyncProgress(r => { reports.Add(r.Epoch); if (r.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new AutoencoderTrainer(o).Fit(TestData.LowRankData(200), progress, cts.Token));
        Assert.Equal(new[] { 1, 2 }, reports);
    }

    [Fact]
    public void Progress_IsReportedEachEpoch()
    {
        var reports = new List<EpochReport>();
        var o = Small(); o.Epochs = 3;
        new AutoencoderTrainer(o).Fit(TestData.LowRankData(100), new SyncProgress(reports.Add));
        Assert.Equal(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch));
    }

    private sealed class SyncProgress(Action<EpochReport> a) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => a(value);
    }

    [Fact]
    public void BadInput_GivesClearErrors()
    {
        var x = TestData.LowRankData(50);
        x[3, 7] = float.NaN;
        var e1 = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(Small()).Fit(x));
        Assert.Contains("row 3, column 7", e1.Message);
        var y = TestData.LowRankData(50); y[1, 2] = 2f;
        var e2 = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(Small()).Fit(y));
        Assert.Contains("outside [0, 1]", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(Small()).Fit(new Matrix(0, 24)));
        Assert.Contains("empty", e3.Message);
        var model = new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = new[] { 4 }, CodeSize = 2, Epochs = 1, BatchSize = 8 }).Fit(TestData.LowRankData(20));
        var e4 = Assert.Throws<ArgumentException>(() => model.Encode(new Matrix(2, 23)));
        Assert.Contains("expects 24", e4.Message);
    }

    [Fact]
    public void DataChecks_AcceptZeroAndOneForCrossEntropy_AndLocateTheBadValue()
    {
        var edges = new Matrix(4, 3, new float[] { 0, 1, 0.5f, 1, 0, 0.25f, 0, 0, 1, 1, 1, 0 });
        AutoencoderTrainer.ValidateData(edges, LossKind.CrossEntropy);
        edges[2, 1] = -0.5f;
        var e = Assert.Throws<ArgumentException>(() => AutoencoderTrainer.ValidateData(edges, LossKind.CrossEntropy));
        Assert.Contains("row 2, column 1 is -0.5", e.Message);
        Assert.Equal("data", e.ParamName);
        AutoencoderTrainer.ValidateData(edges, LossKind.SquaredError); // any finite value
        Assert.Contains("no features", Assert.Throws<ArgumentException>(() => AutoencoderTrainer.ValidateData(new Matrix(3, 0), LossKind.SquaredError)).Message);
    }

    [Fact]
    public void OptionsWithModules_AreRefused_WithWhereToTrainThem()
    {
        var o = Small(); o.Modules = new NoModules();
        var e = Assert.Throws<InvalidOperationException>(() => new AutoencoderTrainer(o).Fit(TestData.LowRankData(8)));
        Assert.Contains("(NoModules)", e.Message);
        Assert.Contains("options.Modules.Fit", e.Message);
    }

    private sealed class NoModules : IAutoencoderModules
    {
        public IAutoencoder Fit(AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData("CodeSize")]
    [InlineData("DropoutRate")]
    [InlineData("LearningRate")]
    [InlineData("BatchSize")]
    [InlineData("ValidationFraction")]
    [InlineData("Threads")]
    public void OptionsOutOfRange_NameTheOption(string option)
    {
        var o = new AutoencoderOptions();
        switch (option)
        {
            case "CodeSize": o.CodeSize = 0; break;
            case "DropoutRate": o.DropoutRate = 1f; break;
            case "LearningRate": o.LearningRate = 0f; break;
            case "BatchSize": o.BatchSize = 0; break;
            case "ValidationFraction": o.ValidationFraction = 1.5; break;
            case "Threads": o.Threads = 0; break;
        }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(o));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void CorruptModelFile_IsRejectedWithFileName()
    {
        var model = new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = new[] { 4 }, CodeSize = 2, Epochs = 1, BatchSize = 8 }).Fit(TestData.LowRankData(20));
        var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.mlae");
        try
        {
            model.Save(path);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(path));
            Assert.Contains(path, e.Message);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(path, bytes);
            Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Build_AddsNoDropoutLayers_WhenTheRateIsZero()
    {
        var o = new AutoencoderOptions { HiddenSizes = [6, 5], CodeSize = 2, DropoutRate = 0 };
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 7, new Rng(0));
        Assert.All(encoder.Layers.Concat(decoder.Layers), l => Assert.IsType<DenseLayer>(l));
        Assert.Equal((3, 3), (encoder.Layers.Count, decoder.Layers.Count));
    }

    /// <summary>Dense 4 → 6 → 2 → 6 → 4 with dropout ½ after the 6-wide layer of the encoder (<paramref name="inEncoder"/>) or of the decoder.</summary>
    private static (Network Encoder, Network Decoder) WithDropoutIn(bool inEncoder)
    {
        var rng = new Rng(8);
        DenseLayer Dense(string name, int from, int to, ActivationKind act)
        {
            var d = new DenseLayer(name, from, to, act);
            Initializer.Initialize(d, InitKind.Auto, rng);
            return d;
        }
        var e0 = Dense("e0", 4, 6, ActivationKind.Tanh); var e1 = Dense("e1", 6, 2, ActivationKind.Identity);
        var d0 = Dense("d0", 2, 6, ActivationKind.Tanh); var d1 = Dense("d1", 6, 4, ActivationKind.Identity);
        return inEncoder
            ? (new Network([e0, new DropoutLayer(6, 0.5f), e1]), new Network([d0, d1]))
            : (new Network([e0, e1]), new Network([d0, new DropoutLayer(6, 0.5f), d1]));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TrainingStep_RunsBothNetworksInTrainingMode_SoTheDropoutOfEachActs(bool inEncoder)
    {
        var x = TestData.LowRankData(16, 4);
        var (encoder, decoder) = WithDropoutIn(inEncoder);
        Matrix? grad = null;
        double step = AutoencoderTrainer.AddGradients(encoder, decoder, new AutoencoderTerms(null, []), LossKind.SquaredError, x, NnContext.Create(GemmKind.Managed, 1, 4), ref grad);
        double Loss(bool training)
        {
            var ctx = NnContext.Create(GemmKind.Managed, 1, 4);
            var output = decoder.Forward(encoder.Forward(x, training, ctx), training, ctx);
            return Losses.Compute(LossKind.SquaredError, output, x, new Matrix(output.Rows, output.Cols));
        }
        Assert.Equal(Loss(training: true), step);
        Assert.NotEqual(Loss(training: false), step);
    }

    [Fact]
    public void ValidationLoss_IsTheCleanLossPerRow_WithoutDropout()
    {
        // Every row is the same, so each epoch's validation loss is that row's loss under the weights of the epoch's end.
        var row = TestData.LowRankData(1).Span.ToArray();
        var x = new Matrix(40, row.Length);
        for (int i = 0; i < x.Rows; i++) row.CopyTo(x.Row(i));
        var o = Small(); o.Epochs = 1; o.Loss = LossKind.SquaredError; o.DropoutRate = 0.5f; o.HiddenSizes = [8]; o.ValidationFraction = 0.25;
        var model = new AutoencoderTrainer(o).Fit(x);
        double expected = Losses.SampleLoss(LossKind.SquaredError, model.Reconstruct(new Matrix(1, row.Length, row)).Span, row);
        Assert.Equal(expected, model.History.Epochs[0].ValidationLoss!.Value, 1e-6 * expected);
    }

    [Fact]
    public void Fit_WithoutData_IsAnArgumentNullException()
    {
        var trainer = new AutoencoderTrainer(Small());
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => trainer.Fit((Matrix)null!)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => trainer.Fit((IRowStream)null!)).ParamName);
    }

    [Fact]
    public void DataChecks_NameTheDataParameter_AndSayItIsTheTrainingData()
    {
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => AutoencoderTrainer.ValidateData(new Matrix(0, 3), LossKind.SquaredError)).ParamName);
        var x = new Matrix(2, 3);
        x[1, 2] = float.NaN;
        Assert.StartsWith("Training data: row 1, column 2", Assert.Throws<ArgumentException>(() => AutoencoderTrainer.ValidateData(x, LossKind.SquaredError)).Message);
    }

    [Fact]
    public void Terms_HoldOneRegularizerPerPositiveWeight_InOrder()
    {
        var o = new AutoencoderOptions
        {
            CodeSize = 2, CodeActivation = ActivationKind.Sigmoid, L1Activity = 0.1f, L2Activity = 0.2f, KlSparsityWeight = 0.3f, Contractive = 0.4f, Adversarial = 0.5f,
        };
        var terms = AutoencoderTerms.Create(o, 5).Regularizers;
        Assert.Equal([typeof(L1ActivityRegularizer), typeof(L2ActivityRegularizer), typeof(KlSparsityRegularizer), typeof(ContractiveRegularizer), typeof(AdversarialRegularizer)],
            terms.Select(t => t.GetType()));
        Assert.Equal(0.2f, ((L2ActivityRegularizer)terms[1]).Lambda);
        o.L1Activity = o.KlSparsityWeight = o.Contractive = o.Adversarial = 0;
        Assert.IsType<L2ActivityRegularizer>(Assert.Single(AutoencoderTerms.Create(o, 5).Regularizers));
    }
}
