using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The experiment's fixmatch modes: they train in consistency mode on images of the given size, and need that size.</summary>
public class FixMatchModeTests
{
    [Fact]
    public void FixMatchModes_TrainInConsistencyMode_WithTheImageSize_AndNeedIt()
    {
        var (u, _) = Manifold(200, 3);
        var (x, y) = Manifold(60, 1);
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15 }, Kinds = new[] { AutoencoderKind.Denoising }, Seeds = 1, Modes = new[] { PretrainMode.FixMatchScratch, PretrainMode.FixMatch },
            HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 2, PretrainBatchSize = 32, Gemm = GemmKind.Managed, ImageHeight = 4, ImageWidth = 6,
            ClassifierSteps = 0, Classifier = new EncoderClassifierOptions { Epochs = 4, BatchSize = 8, ValidationFraction = 0, EarlyStoppingPatience = 0, UnlabelledBatchSize = 16, ConsistencyThreshold = 0.5f },
        };
        var requests = new List<PretrainingFitRequest>();
        var runs = PretrainingExperiment.Run(u, x, y, x, y, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.Equal(new[] { "none scratch", "denoising fixmatch-scratch", "denoising fixmatch" }, runs.Select(r => $"{r.Kind} {r.Mode}"));
        Assert.Equal(new[] { EncoderInitialization.Random, EncoderInitialization.Pretrained }, requests.Skip(1).Select(r => r.Options.Initialization));
        Assert.All(requests.Skip(1), r => Assert.Equal((EncoderTrainingMode.Consistency, 4, 6), (r.Options.Mode, r.ImageHeight, r.ImageWidth)));
        Assert.Equal(PretrainMode.FixMatchScratch, PretrainingExperiment.ParseMode("fixmatch-scratch"));
        o.ImageWidth = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PretrainingExperiment.Run(u, x, y, x, y, o, PretrainingExperiment.FitClassifier));
        Assert.Equal("ImageHeight", e.ParamName);
        Assert.Contains("need ImageHeight and ImageWidth", e.Message);
    }
}
