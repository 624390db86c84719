using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// Whole training runs agree between the engines: a few epochs from the same seed (several batches, the last one
/// short, a validation split) give the same training and validation losses per epoch and the same codes to a relative
/// 1e-3, with Adam, with SGD and momentum, with the adversarial term (whose discriminator takes a step per batch), and
/// for the VAE; the TorchSharp engine runs with the options' thread count.
/// </summary>
public class EngineTrainingParityTests
{
    private const double Tolerance = 1e-3;

    public static TheoryData<string> Variants => new() { "adam", "sgd-momentum", "adversarial", "denoising-dropout" };

    private static AutoencoderOptions Options(string variant, TrainingEngine engine)
    {
        var o = new AutoencoderOptions
        {
            HiddenSizes = [12], CodeSize = 4, Epochs = 2, BatchSize = 16, Seed = 3, Threads = 1, ValidationFraction = 0.2, Engine = engine,
        };
        switch (variant)
        {
            case "sgd-momentum": (o.Optimizer, o.LearningRate, o.Momentum) = (OptimizerKind.Sgd, 0.05f, 0.8f); break;
            case "adversarial": AutoencoderKinds.Apply(AutoencoderKind.Adversarial, o); o.DiscriminatorHiddenSizes = [8]; break;
            case "denoising-dropout": AutoencoderKinds.Apply(AutoencoderKind.Denoising, o); o.DropoutRate = 0.2f; break;
        }
        return o;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_few_epochs_give_the_same_losses_and_codes(string variant)
    {
        TorchSharpAvailable.Require();
        var x = TestData.LowRankData(90, 20, seed: 3);
        var managed = new AutoencoderTrainer(Options(variant, TrainingEngine.Managed)).Fit(x);
        int before = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            var torchModel = new AutoencoderTrainer(Options(variant, new TorchSharpEngine())).Fit(x);
            Assert.Equal(1, torch.get_num_threads());
            AssertSameTraining(managed.History, torchModel.History, variant);
            EngineParityTests.AssertClose(managed.Encode(x), torchModel.Encode(x), variant + " codes", Tolerance);
        }
        finally { torch.set_num_threads(before); }
    }

    [Fact]
    public void A_few_VAE_epochs_give_the_same_losses_and_codes()
    {
        TorchSharpAvailable.Require();
        var x = TestData.LowRankData(90, 20, seed: 4);
        VaeOptions O(TrainingEngine e) => new() { HiddenSizes = [12], LatentSize = 3, Epochs = 2, BatchSize = 16, Seed = 2, Threads = 1, ValidationFraction = 0.2, Engine = e };
        var managed = new VaeTrainer(O(TrainingEngine.Managed)).Fit(x);
        int before = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            var torchModel = new VaeTrainer(O(new TorchSharpEngine())).Fit(x);
            Assert.Equal(1, torch.get_num_threads());
            AssertSameTraining(managed.History, torchModel.History, "VAE");
            EngineParityTests.AssertClose(managed.Encode(x), torchModel.Encode(x), "VAE codes", Tolerance);
        }
        finally { torch.set_num_threads(before); }
    }

    private static void AssertSameTraining(TrainingHistory managed, TrainingHistory torchHistory, string what)
    {
        Assert.Equal("torchsharp", torchHistory.Engine);
        Assert.Equal(managed.Epochs.Count, torchHistory.Epochs.Count);
        for (int e = 0; e < managed.Epochs.Count; e++)
        {
            var (m, t) = (managed.Epochs[e], torchHistory.Epochs[e]);
            Assert.True(Math.Abs(m.TrainLoss - t.TrainLoss) <= Tolerance * Math.Abs(m.TrainLoss), $"{what}, epoch {e + 1}: training loss managed {m.TrainLoss}, TorchSharp {t.TrainLoss}");
            double mv = m.ValidationLoss!.Value, tv = t.ValidationLoss!.Value;
            Assert.True(Math.Abs(mv - tv) <= Tolerance * Math.Abs(mv), $"{what}, epoch {e + 1}: validation loss managed {mv}, TorchSharp {tv}");
        }
    }
}
