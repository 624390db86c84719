using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// Both engines train every kind to the same quality: 3 epochs on the first 10 000 Fashion-MNIST training images, test
/// MSE (per pixel, on the first 2 000 test images) within 5 % of each other (the adversarial kind: the test codes' KL
/// from N(0, I) too; the convolutional networks with 8 and 16 channels). To keep the suite fast the network is 784-128-64-20 with batch 256 (the VAE: its reference
/// 784-128-20, batch 128) instead of the full reference size.
/// The fitted model is the library's own type whichever engine trained it, and records the engine.
/// </summary>
public class EngineQualityTests
{
    private static readonly Lazy<(Matrix Train, Matrix Test)> Data = new(() =>
    {
        TestEnv.RequireFile(Path.Combine(FashionMnist.ResolveDirectory(), "train-images-idx3-ubyte.gz"), "Fashion-MNIST (dataset-fashion-mnist)");
        var (train, test) = FashionMnist.Load();
        return (train.Images.SliceRows(0, 10_000), test.Images.SliceRows(0, 2_000));
    });

    public static TheoryData<AutoencoderKind> Kinds => new(AutoencoderKinds.All.Where(k => k != AutoencoderKind.Variational));

    /// <summary>Test MSE within 5 %; for the adversarial kind the test codes' distance from N(0, I) (<see cref="PriorCodes.GaussianKl"/>) too.</summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void ThreeEpochsGiveTheSameTestMse(AutoencoderKind kind)
    {
        TorchSharpAvailable.Require();
        var (train, test) = Data.Value;
        (double Mse, double PriorKl) Fit(TrainingEngine engine)
        {
            var o = AutoencoderKinds.Apply(kind, new AutoencoderOptions { Epochs = 3, BatchSize = 256, Seed = 1, Threads = 1, Engine = engine });
            // The convolutional networks narrower than the conv kind's default 32, 64 channels, to keep the suite fast.
            if (o.Conv is { } conv) conv.Channels = [8, 16];
            else o.HiddenSizes = [128, 64];
            if (kind == AutoencoderKind.Stacked) o.Epochs = 1;
            var model = (AutoencoderModel)AutoencoderKinds.Fit(kind, o, train, fineTuneEpochs: 3);
            Assert.Equal(engine.Name, model.History.Engine);
            return (model.ReconstructionMse(test), kind == AutoencoderKind.Adversarial ? PriorCodes.GaussianKl(model.Encode(test)) : double.NaN);
        }
        var managed = Fit(TrainingEngine.Managed);
        var torch = Fit(new TorchSharpEngine());
        Assert.True(Math.Abs(torch.Mse / managed.Mse - 1) <= 0.05, $"{kind}: test MSE managed {managed.Mse:F5}, TorchSharp {torch.Mse:F5} (ratio {torch.Mse / managed.Mse:F3}).");
        if (kind == AutoencoderKind.Adversarial)
            Assert.True(Math.Abs(torch.PriorKl / managed.PriorKl - 1) <= 0.05,
                $"{kind}: test codes' KL from N(0, I) managed {managed.PriorKl:F3}, TorchSharp {torch.PriorKl:F3} nats (ratio {torch.PriorKl / managed.PriorKl:F3}).");
    }

    [Fact]
    public void VaeThreeEpochsGiveTheSameTestMseAndElbo()
    {
        TorchSharpAvailable.Require();
        var (train, test) = Data.Value;
        (double Mse, double Elbo) Fit(TrainingEngine engine)
        {
            var model = new VaeTrainer(new VaeOptions { Epochs = 3, Seed = 1, Threads = 1, Engine = engine }).Fit(train);
            Assert.Equal(engine.Name, model.History.Engine);
            return (AutoencoderModel.MeanSquaredError(test, model.Reconstruct(test)), model.Evaluate(test).NegativeElbo);
        }
        var managed = Fit(TrainingEngine.Managed);
        var torch = Fit(new TorchSharpEngine());
        Assert.True(Math.Abs(torch.Mse / managed.Mse - 1) <= 0.05, $"VAE test MSE managed {managed.Mse:F5}, TorchSharp {torch.Mse:F5}.");
        Assert.True(Math.Abs(torch.Elbo / managed.Elbo - 1) <= 0.05, $"VAE test −ELBO managed {managed.Elbo:F2}, TorchSharp {torch.Elbo:F2}.");
    }
}
