using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

public class PretrainingExperimentTests
{
    [Fact]
    public void BalancedSample_IsBalanced_Distinct_AndSeeded()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => (i * 7) % 10).ToArray();
        var a = PretrainingExperiment.BalancedSample(labels, 105, 3);
        Assert.Equal(105, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        var counts = a.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        Assert.Equal(new[] { 11, 11, 11, 11, 11, 10, 10, 10, 10, 10 }, counts);
        Assert.Equal(a, PretrainingExperiment.BalancedSample(labels, 105, 3));
        Assert.NotEqual(a, PretrainingExperiment.BalancedSample(labels, 105, 4));
        Assert.Contains("Class 0 has", Assert.Throws<ArgumentException>(() => PretrainingExperiment.BalancedSample(labels, 1000 + 10, 1)).Message);
    }

    [Fact]
    public void Summarize_GivesMeanAndSampleStd()
    {
        var runs = new[]
        {
            new PretrainingRun(100, "none", "scratch", 0, 0.6, 5, 1), new PretrainingRun(100, "none", "scratch", 1, 0.7, 5, 1),
            new PretrainingRun(100, "ae", "finetune", 0, 0.8, 5, 1), new PretrainingRun(10, "ae", "finetune", 0, 0.5, 5, 1),
        };
        var s = PretrainingExperiment.Summarize(runs);
        Assert.Equal(new[] { 10, 100, 100 }, s.Select(r => r.Labels));
        var scratch = s.Single(r => r.Mode == "scratch");
        Assert.Equal(0.65, scratch.Accuracy, 12);
        Assert.Equal(Math.Sqrt(0.005), scratch.AccuracyStd, 12);
        Assert.Equal(2, scratch.Runs);
        Assert.Equal(0, s.Single(r => r.Labels == 10).AccuracyStd);
    }

    [Fact]
    public void Run_FitsScratchProbeAndFineTunePerKind_AndReusesTheCache()
    {
        // Enough pretraining and classifier steps that every seed's classifiers learn: a barely trained softmax head is a
        // random assignment of the three clusters to classes, which can score far below chance.
        var (x, y) = Manifold(240, 1);
        var (tx, ty) = Manifold(90, 2);
        using var dir = new TempDir();
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15, 30 }, Kinds = new[] { AutoencoderKind.Plain, AutoencoderKind.Variational, AutoencoderKind.Stacked }, Seeds = 2,
            Modes = new[] { PretrainMode.Probe, PretrainMode.FineTune },
            HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 10, PretrainBatchSize = 32, Gemm = GemmKind.Managed,
            ClassifierSteps = 0, Classifier = new EncoderClassifierOptions { Epochs = 60, BatchSize = 8, LearningRate = 1e-2f, ValidationFraction = 0, EarlyStoppingPatience = 0 },
            CacheDirectory = dir.File("cache"),
        };
        var progress = new List<PretrainingProgress>();
        var runs = PretrainingExperiment.Run(x, y, tx, ty, o, new SyncProgress<PretrainingProgress>(progress.Add));
        Assert.Equal(2 * 2 * (1 + 3 * 2), runs.Count);
        Assert.All(runs.Where(r => r.Mode == "scratch"), r => Assert.Equal("none", r.Kind));
        Assert.Equal(new[] { "ae", "none", "stacked", "vae" }, runs.Select(r => r.Kind).Distinct().Order());
        // Accuracy is a count of correct test rows over the 90 test rows, and the classifiers learn: every mode's mean
        // beats chance (1/3) clearly on these well-separated classes.
        Assert.All(runs, r => Assert.Equal(Math.Round(r.Accuracy * ty.Length), r.Accuracy * ty.Length, 9));
        Assert.All(runs.GroupBy(r => r.Mode), g => Assert.True(g.Average(r => r.Accuracy) > 1.0 / Classes + 0.15,
            $"{g.Key}: mean accuracy {g.Average(r => r.Accuracy)} should clearly beat chance; runs {string.Join(", ", g.Select(r => r.Accuracy))}"));
        Assert.Equal(progress[^1].Total, progress[^1].Done);
        Assert.Equal(6, Directory.GetFiles(dir.File("cache"), "*.mlae").Length);
        var again = PretrainingExperiment.Run(x, y, tx, ty, o);
        Assert.Equal(runs.Select(r => r.Accuracy), again.Select(r => r.Accuracy));
        var s = PretrainingExperiment.Summarize(runs);
        Assert.Equal(2 * (1 + 3 * 2), s.Count);
        Assert.All(s, r => Assert.Equal(2, r.Runs));
    }

    [Fact]
    public void Run_FitsEveryMode_OnSeparateUnlabelledRows()
    {
        var (u, _) = Manifold(200, 3);
        var (x, y) = Manifold(60, 1);
        var (tx, ty) = Manifold(90, 2);
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15 }, Kinds = new[] { AutoencoderKind.Denoising }, Seeds = 1, Modes = Enum.GetValues<PretrainMode>().Where(m => m != PretrainMode.M1M2).ToArray(),
            HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 2, PretrainBatchSize = 32, Gemm = GemmKind.Managed, ImageHeight = 4, ImageWidth = 6,
            ClassifierSteps = 0, Classifier = new EncoderClassifierOptions { Epochs = 60, BatchSize = 8, LearningRate = 1e-2f, ValidationFraction = 0, EarlyStoppingPatience = 0, ReconstructionWeight = 0.05f, UnlabelledBatchSize = 16,
                // The rows are not pictures: the fixmatch modes' augmentation keeps to noise and a small cut-out.
                WeakShift = 0, StrongShift = 0, HorizontalFlip = false, CutoutSize = 2, TeacherDecay = 0.9f },
        };
        var requests = new List<PretrainingFitRequest>();
        var runs = PretrainingExperiment.Run(u, x, y, tx, ty, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.Equal(new[] { "scratch", "probe", "finetune", "discriminative", "joint", "joint-scratch", "vat", "vat-scratch", "fixmatch", "fixmatch-scratch", "conv", "fixmatch-conv", "meanteacher-conv" }, runs.Select(r => r.Mode));
        Assert.All(requests, r => Assert.Same(u, r.Unlabelled));
        Assert.Equal(new[] { EncoderTrainingMode.FineTune, EncoderTrainingMode.Probe, EncoderTrainingMode.FineTune, EncoderTrainingMode.DiscriminativeFineTune, EncoderTrainingMode.Joint, EncoderTrainingMode.Joint,
                EncoderTrainingMode.VirtualAdversarial, EncoderTrainingMode.VirtualAdversarial, EncoderTrainingMode.Consistency, EncoderTrainingMode.Consistency,
                EncoderTrainingMode.Consistency, EncoderTrainingMode.Consistency, EncoderTrainingMode.Consistency },
            requests.Select(r => r.Options.Mode));
        Assert.Equal(new[] { true, false, false, false, false, true, false, true, false, true, true, true, true }, requests.Select(r => r.Options.Initialization == EncoderInitialization.Random));
        // conv trains on the labelled images alone (weight 0); only the conv modes get the convolutions; only meanteacher-conv gets a teacher.
        Assert.Equal(new[] { 1f, 0f, 1f, 1f }, requests.Skip(9).Select(r => r.Options.ConsistencyWeight));
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2 }, requests.Select(r => r.Options.ConvolutionChannels.Length));
        Assert.Equal(new[] { 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0.9f }, requests.Select(r => r.Options.TeacherDecay));
        Assert.All(runs, r => Assert.True(r.Accuracy > 1.0 / Classes, $"{r.Mode}: {r.Accuracy}"));
    }

    [Fact]
    public void Defaults_ConsistencyOfTheConvolutionalEncoder_WithAFixedStepBudget_ForScratchToo()
    {
        var (u, _) = Manifold(200, 3);
        var (x, y) = Manifold(60, 1);
        var (tx, ty) = Manifold(90, 2);
        var d = new PretrainingExperimentOptions();
        Assert.Equal(new[] { PretrainMode.MeanTeacherConv }, d.Modes);
        Assert.Equal(new[] { AutoencoderKind.Denoising }, d.Kinds);
        Assert.Equal(new[] { 32, 64 }, d.ConvolutionChannels);
        Assert.Equal(1500, d.ClassifierSteps);
        var c = d.Classifier;
        Assert.Equal((64, 0.99f), (c.BatchSize, c.TeacherDecay));
        Assert.Equal((2, 2, 8, 0.1f, 128, 0.5f, 0.95f, 1f, 128), (c.WeakShift, c.StrongShift, c.CutoutSize, c.AugmentationNoise, c.UnlabelledBatchSize, c.DropoutRate,
            c.ConsistencyThreshold, c.ConsistencyWeight, c.ConvolutionCodeSize));
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15, 30 }, Seeds = 1, HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 2, PretrainBatchSize = 32, Gemm = GemmKind.Managed,
            ImageHeight = 4, ImageWidth = 6, ConvolutionChannels = new[] { 3 }, ClassifierSteps = 12,
            Classifier = new EncoderClassifierOptions { Epochs = 99, BatchSize = 8, LearningRate = 1e-2f, ValidationFraction = 0.2, EarlyStoppingPatience = 5, UnlabelledBatchSize = 16, ConvolutionCodeSize = 5 },
        };
        var requests = new List<PretrainingFitRequest>();
        var runs = PretrainingExperiment.Run(u, x, y, tx, ty, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.Equal(new[] { "15 none scratch", "15 denoising meanteacher-conv", "30 none scratch", "30 denoising meanteacher-conv" }, runs.Select(r => $"{r.Labels} {r.Kind} {r.Mode}"));
        // 12 steps: 6 epochs of 2 batches of 8 at N = 15, 3 epochs of 4 at N = 30, every labelled row trains, no early stopping.
        Assert.Equal(new[] { 6, 6, 3, 3 }, runs.Select(r => r.Epochs));
        Assert.All(requests, r => Assert.Equal((0.0, 0), (r.Options.ValidationFraction, r.Options.EarlyStoppingPatience)));
        Assert.Equal(new[] { "", "3", "", "3" }, requests.Select(r => string.Join(",", r.Options.ConvolutionChannels)));
        Assert.All(requests.Where((_, i) => i % 2 == 1), r => Assert.Equal((EncoderTrainingMode.Consistency, EncoderInitialization.Random), (r.Options.Mode, r.Options.Initialization)));
        Assert.All(requests, r => Assert.Empty(((AutoencoderModel)r.Autoencoder!).History.Epochs)); // the convolutional encoder needs no pretraining
        o.ClassifierSteps = -1;
        Assert.Equal("ClassifierSteps", Assert.Throws<ArgumentOutOfRangeException>(() => PretrainingExperiment.Run(u, x, y, tx, ty, o, PretrainingExperiment.FitClassifier)).ParamName);
        o.ClassifierSteps = 12;
        o.ConvolutionChannels = [];
        Assert.Equal("ConvolutionChannels", Assert.Throws<ArgumentOutOfRangeException>(() => PretrainingExperiment.Run(u, x, y, tx, ty, o, PretrainingExperiment.FitClassifier)).ParamName);
    }

    [Fact]
    public void VatScratch_RunsWithoutPretraining_AndGivesTheSameRowsAsAfterPretraining()
    {
        var (u, _) = Manifold(200, 3);
        var (x, y) = Manifold(60, 1);
        var (tx, ty) = Manifold(90, 2);
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15 }, Seeds = 1, HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 2, PretrainBatchSize = 32, Gemm = GemmKind.Managed, Modes = new[] { PretrainMode.VatScratch },
            ClassifierSteps = 0, Classifier = new EncoderClassifierOptions { Epochs = 20, BatchSize = 8, LearningRate = 1e-2f, ValidationFraction = 0, EarlyStoppingPatience = 0, UnlabelledBatchSize = 16 },
        };
        var requests = new List<PretrainingFitRequest>();
        var runs = PretrainingExperiment.Run(u, x, y, tx, ty, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.Equal(new[] { "none scratch", "denoising vat-scratch" }, runs.Select(r => $"{r.Kind} {r.Mode}"));
        // Only the architecture is used: the autoencoder is not trained.
        Assert.All(requests, r => Assert.Empty(((AutoencoderModel)r.Autoencoder!).History.Epochs));
        // With a mode that needs the pretrained weights beside it, the autoencoder is trained, and the random-start rows
        // come out the same.
        o.Modes = new[] { PretrainMode.VatScratch, PretrainMode.Probe };
        requests.Clear();
        var pretrained = PretrainingExperiment.Run(u, x, y, tx, ty, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.All(requests, r => Assert.Equal(2, ((AutoencoderModel)r.Autoencoder!).History.Epochs.Count));
        Assert.Equal(runs.Select(r => r.Accuracy), pretrained.Where(r => r.Mode != "probe").Select(r => r.Accuracy));
    }

    [Fact]
    public void M1M2_RunsOnTheVaeKindOnly_AndNeedsIt()
    {
        var (u, _) = Manifold(200, 3);
        var (x, y) = Manifold(60, 1);
        var o = new PretrainingExperimentOptions
        {
            LabelCounts = new[] { 15 }, Kinds = new[] { AutoencoderKind.Denoising, AutoencoderKind.Variational }, Seeds = 1, Modes = new[] { PretrainMode.Probe, PretrainMode.M1M2 },
            HiddenSizes = new[] { 12 }, CodeSize = 4, PretrainEpochs = 2, PretrainBatchSize = 32, Gemm = GemmKind.Managed,
            ClassifierSteps = 0, Classifier = new EncoderClassifierOptions { Epochs = 4, BatchSize = 8, ValidationFraction = 0, EarlyStoppingPatience = 0, UnlabelledBatchSize = 16, M2HiddenSize = 8, M2LatentSize = 2 },
        };
        var requests = new List<PretrainingFitRequest>();
        var runs = PretrainingExperiment.Run(u, x, y, x, y, o, (r, ct) => { requests.Add(r); return PretrainingExperiment.FitClassifier(r, ct); });
        Assert.Equal(new[] { "none scratch", "denoising probe", "vae probe", "vae m1m2" }, runs.Select(r => $"{r.Kind} {r.Mode}"));
        Assert.Equal(EncoderTrainingMode.SemiSupervisedVae, requests[^1].Options.Mode);
        Assert.IsType<VaeModel>(requests[^1].Autoencoder);
        o.Kinds = new[] { AutoencoderKind.Denoising };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PretrainingExperiment.Run(u, x, y, x, y, o, PretrainingExperiment.FitClassifier));
        Assert.Equal("Modes", e.ParamName);
        Assert.Contains("needs the vae kind", e.Message);
        Assert.Equal(PretrainMode.M1M2, PretrainingExperiment.ParseMode("m1m2"));
    }

    [Fact]
    public void Options_AreValidatedWithNames()
    {
        var (x, y) = Manifold(30, 1);
        Assert.Equal("LabelCounts", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PretrainingExperiment.Run(x, y, x, y, new PretrainingExperimentOptions { LabelCounts = Array.Empty<int>() })).ParamName);
        Assert.Equal("Modes", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PretrainingExperiment.Run(x, y, x, y, new PretrainingExperimentOptions { Modes = new[] { PretrainMode.Joint }, Kinds = [AutoencoderKind.Variational] })).ParamName);
        Assert.Equal(PretrainMode.JointScratch, PretrainingExperiment.ParseMode("joint-scratch"));
        Assert.Contains("expected probe, finetune, discriminative, joint, joint-scratch", Assert.Throws<ArgumentException>(() => PretrainingExperiment.ParseMode("full")).Message);
        Assert.Equal("CorruptionLevel", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PretrainingExperiment.Run(x, y, x, y, new PretrainingExperimentOptions { DenoisingLevel = 2, ImageHeight = 4, ImageWidth = 6 })).ParamName);
        Assert.Equal(AutoencoderKind.Denoising, PretrainingExperiment.ParseKind("denoising"));
        Assert.Equal(AutoencoderKind.Denoising, PretrainingExperiment.ParseKind("dae"));
        Assert.Equal(AutoencoderKind.Variational, PretrainingExperiment.ParseKind(" VAE "));
        Assert.Contains("Unknown autoencoder kind 'pca'; expected ae, denoising, vae, stacked.", Assert.Throws<ArgumentException>(() => PretrainingExperiment.ParseKind("pca")).Message);
        Assert.Contains("expected ae, denoising, vae, stacked", Assert.Throws<ArgumentException>(() => PretrainingExperiment.ParseKind("sparse-l1")).Message);
        Assert.Contains("expected some of ae, denoising, vae, stacked", Assert.Throws<ArgumentOutOfRangeException>(() =>
            PretrainingExperiment.Run(x, y, x, y, new PretrainingExperimentOptions { Kinds = [AutoencoderKind.SparseL1] })).Message);
    }
}
