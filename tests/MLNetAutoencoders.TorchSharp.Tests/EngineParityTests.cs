using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// The two engines compute the same objective: from the same initial weights, batch and random draws (corruption noise,
/// dropout masks, contractive probes, the adversarial prior draws and the VAE's ε come from one seeded generator in the
/// same order on both engines), the batch loss and every parameter's gradient agree to a relative 1e-4.
/// </summary>
public class EngineParityTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Kinds => new()
    {
        "ae", "sparse-l1", "sparse-kl", "contractive", "contractive-probes", "contractive-1-layer", "denoising", "masking",
        "salt-pepper", "dropout", "tied", "tied-dropout-l2", "stacked-layer", "squared-error-sigmoid", "tanh-selu-leaky",
    };

    /// <summary>Small options of each kind (input 30, hidden 16, 12, code 6) built from the kinds' presets.</summary>
    internal static AutoencoderOptions Options(string kind)
    {
        var o = new AutoencoderOptions { HiddenSizes = [16, 12], CodeSize = 6, Seed = 3 };
        switch (kind)
        {
            case "contractive-probes": AutoencoderKinds.Apply(AutoencoderKind.Contractive, o); o.ContractiveProbes = 3; break;
            case "contractive-1-layer": AutoencoderKinds.Apply(AutoencoderKind.Contractive, o); o.HiddenSizes = []; break;
            case "masking": o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.3f; break;
            case "salt-pepper": o.Corruption = CorruptionKind.SaltAndPepper; o.CorruptionLevel = 0.2f; break;
            case "tied-dropout-l2": o.TiedWeights = true; o.DropoutRate = 0.3f; o.L2Activity = 0.5f; break;
            case "stacked-layer":
                // The deeper layers of the greedy phase: one layer, squared error through the hidden activation.
                o = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = o }).LayerOptions(1);
                break;
            case "squared-error-sigmoid": o.Loss = LossKind.SquaredError; o.OutputActivation = ActivationKind.Sigmoid; break;
            case "tanh-selu-leaky":
                o.HiddenActivation = ActivationKind.Tanh; o.CodeActivation = ActivationKind.Sigmoid; o.Contractive = 0.5f;
                break;
            default: AutoencoderKinds.Apply(AutoencoderKinds.Parse(kind), o); break;
        }
        return o;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SameLossAndGradients(string kind)
    {
        TorchSharpAvailable.Require();
        var o = Options(kind);
        int inputs = kind == "stacked-layer" ? 16 : 30;
        var x = TestData.LowRankData(48, inputs, seed: 5);
        var (encoder, decoder) = AutoencoderTrainer.Build(o, inputs, new Rng(o.Seed));
        var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();

        Matrix? grad = null;
        double managed = AutoencoderTrainer.AddGradients(encoder, decoder, AutoencoderTerms.Create(o, inputs), o.Loss, x, o.CreateContext(new Rng(9)), ref grad);
        var managedGrads = parameters.Select(p => p.Grad.Clone()).ToList();
        parameters.ForEach(p => p.Grad.Clear());

        using var torchNet = new TorchAutoencoder(o, encoder, decoder, AutoencoderTerms.Create(o, inputs));
        var ctx = o.CreateContext(new Rng(9));
        double torchLoss = torchNet.LossAndGradients(x, ctx);
        torchNet.Parameters.AddGradientsTo();

        AssertClose(managed, torchLoss, "loss");
        for (int i = 0; i < parameters.Count; i++) AssertClose(managedGrads[i], parameters[i].Grad, parameters[i].Name);
    }

    /// <summary>
    /// The adversarial kind. The discriminator: its loss and every parameter's gradient on the batch's codes and the
    /// prior draw the batch step makes. The whole batch step (the discriminator's Adam step, then reconstruction plus
    /// adversarial term through the updated discriminator): the reconstruction, discriminator and adversarial losses,
    /// every encoder and decoder gradient, and the discriminator's update.
    /// </summary>
    [Fact]
    public void AdversarialSameLossesAndGradients()
    {
        TorchSharpAvailable.Require();
        var o = Options("adversarial");
        o.DiscriminatorHiddenSizes = [10, 8];
        var x = TestData.LowRankData(48, 30, seed: 5);
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 30, new Rng(o.Seed));
        var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();
        var managedTerms = AutoencoderTerms.Create(o, 30);
        var managedD = (AdversarialRegularizer)managedTerms.Regularizers.Single();
        var torchTerms = AutoencoderTerms.Create(o, 30);
        var torchD = ((AdversarialRegularizer)torchTerms.Regularizers.Single()).Discriminator.Parameters;
        using var torchNet = new TorchAutoencoder(o, encoder, decoder, torchTerms);

        // The discriminator's loss and gradients (no corruption or dropout: the prior is the batch's first draw).
        var code = encoder.Forward(x, true, o.CreateContext(new Rng(1)));
        var prior = new Matrix(x.Rows, o.CodeSize);
        new Rng(9).FillGaussian(prior.Span);
        double dManaged = managedD.DiscriminatorLoss(prior, code, o.CreateContext(new Rng(1)), backward: true);
        var dGrads = managedD.Discriminator.Parameters.Select(p => p.Grad.Clone()).ToList();
        managedD.Discriminator.Parameters.ToList().ForEach(p => p.Grad.Clear());
        using (var scope = torch.NewDisposeScope())
        {
            var dLoss = torchNet.DiscriminatorLoss(TorchLayers.Input(prior), TorchLayers.Input(code));
            dLoss.backward();
            AssertClose(dManaged, dLoss.item<float>(), "discriminator loss");
        }
        torchNet.Discriminator!.AddGradientsTo();
        torchNet.Discriminator.ZeroGrad();
        for (int i = 0; i < torchD.Count; i++) AssertClose(dGrads[i], torchD[i].Grad, torchD[i].Name);

        // The batch step.
        var dBefore = torchD.Select(p => p.Value.Clone()).ToList();
        var adversarial = new Recorded(managedD);
        Matrix? grad = null;
        double managed = AutoencoderTrainer.AddGradients(encoder, decoder, managedTerms with { Regularizers = [adversarial] }, o.Loss, x,
            o.CreateContext(new Rng(9)), ref grad);
        var managedGrads = parameters.Select(p => p.Grad.Clone()).ToList();
        parameters.ForEach(p => p.Grad.Clear());

        double torchLoss = torchNet.LossAndGradients(x, o.CreateContext(new Rng(9)));
        torchNet.Parameters.AddGradientsTo();
        torchNet.Discriminator.Store();
        var (dTorch, adversarialTorch) = torchNet.AdversarialLosses;

        AssertClose(managed - adversarial.Last, torchLoss - adversarialTorch, "reconstruction loss");
        AssertClose(dManaged, dTorch, "discriminator loss in the batch step");
        AssertClose(adversarial.Last, adversarialTorch, "adversarial term");
        for (int i = 0; i < parameters.Count; i++) AssertClose(managedGrads[i], parameters[i].Grad, parameters[i].Name);
        for (int i = 0; i < torchD.Count; i++)
        {
            var managedStep = managedD.Discriminator.Parameters[i].Value.Clone();
            var torchStep = torchD[i].Value.Clone();
            System.Numerics.Tensors.TensorPrimitives.Subtract(managedStep.Span, dBefore[i].Span, managedStep.Span);
            System.Numerics.Tensors.TensorPrimitives.Subtract(torchStep.Span, dBefore[i].Span, torchStep.Span);
            AssertClose(managedStep, torchStep, torchD[i].Name + " update");
        }
    }

    /// <summary>A regularizer that remembers what the one it wraps returned last.</summary>
    private sealed class Recorded(IRegularizer inner) : IRegularizer
    {
        public double Last { get; private set; }

        public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx) =>
            Last = inner.Apply(encoder, encoderInput, code, codeGrad, ctx);
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void VaeSameLossAndGradients(VaeLikelihood likelihood)
    {
        TorchSharpAvailable.Require();
        var o = new VaeOptions { HiddenSizes = [16], LatentSize = 4, Likelihood = likelihood, GaussianSigma = 0.5f, Beta = 1.5f, Seed = 2 };
        var x = TestData.LowRankData(40, 30, seed: 6);
        var net = VaeNetwork.Build(o, 30, new Rng(o.Seed));
        var eps = new Matrix(40, 4);
        new Rng(11).FillGaussian(eps.Span);

        var (rec, kl) = net.Loss(x, eps, o.Beta, true, o.CreateContext(new Rng(1)));
        var managedGrads = net.Parameters.Select(p => p.Grad.Clone()).ToList();
        foreach (var p in net.Parameters) p.Grad.Clear();

        using var torchVae = new TorchVae(o, net);
        double torchLoss = torchVae.LossAndGradients(x, eps);
        torchVae.Parameters.AddGradientsTo();

        AssertClose(rec + o.Beta * kl, torchLoss, "loss");
        for (int i = 0; i < net.Parameters.Count; i++) AssertClose(managedGrads[i], net.Parameters[i].Grad, net.Parameters[i].Name);
    }

    internal static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance * Math.Abs(expected),
            $"{what}: managed {expected}, TorchSharp {actual} (relative difference {Math.Abs(expected - actual) / Math.Abs(expected):E2})");

    /// <summary>‖a − b‖ ≤ tolerance·‖a‖ (1e-4 by default) over the whole tensor (entries near zero make element-wise ratios meaningless).</summary>
    internal static void AssertClose(Matrix expected, Matrix actual, string what, double tolerance = Tolerance)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected.Span[i], a = actual.Span[i];
            diff += (e - a) * (e - a);
            norm += e * e;
        }
        Assert.True(norm > 0, $"{what}: the managed values are zero, so the comparison would prove nothing.");
        Assert.True(Math.Sqrt(diff) <= tolerance * Math.Sqrt(norm),
            $"{what}: the engines differ, relative difference {Math.Sqrt(diff / norm):E2} (‖managed‖ = {Math.Sqrt(norm):G4}).");
    }
}
