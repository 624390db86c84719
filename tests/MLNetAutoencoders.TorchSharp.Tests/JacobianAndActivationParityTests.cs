using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// The contractive penalty's paths and the activations' derivatives that <see cref="EngineParityTests"/> leaves out give
/// the same batch loss and gradients on both engines: SELU hidden and leaky-ReLU or identity codes (their derivatives
/// written from the output), a first layer wider than the input (J formed without the Gram matrix), probes over more
/// rows than one chunk; and the library's layers and activations the engine has no counterpart of are errors naming them.
/// </summary>
public class JacobianAndActivationParityTests
{
    public static TheoryData<string> Variants => new()
    {
        "selu-hidden-leaky-code", "identity-code", "wide-first-layer", "probes-over-two-chunks", "selu-code-one-layer",
    };

    private static (AutoencoderOptions Options, int Inputs, int Rows) Setup(string variant)
    {
        var o = new AutoencoderOptions { HiddenSizes = [16, 12], CodeSize = 6, Seed = 3, Contractive = 0.5f };
        int inputs = 30, rows = 48;
        switch (variant)
        {
            case "selu-hidden-leaky-code":
                (o.HiddenActivation, o.CodeActivation, o.LeakyReluSlope) = (ActivationKind.Selu, ActivationKind.LeakyRelu, 0.2f);
                break;
            case "identity-code": o.CodeActivation = ActivationKind.Identity; o.HiddenActivation = ActivationKind.LeakyRelu; break;
            case "wide-first-layer": inputs = 10; break;
            case "probes-over-two-chunks": o.ContractiveProbes = 2; rows = EncoderJacobian.MaxChunkRows + 40; break;
            case "selu-code-one-layer": o.HiddenSizes = []; o.CodeActivation = ActivationKind.Selu; break;
        }
        return (o, inputs, rows);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SameLossAndGradients(string variant)
    {
        TorchSharpAvailable.Require();
        var (o, inputs, rows) = Setup(variant);
        var x = TestData.LowRankData(rows, inputs, seed: 5);
        var (encoder, decoder) = AutoencoderTrainer.Build(o, inputs, new Rng(o.Seed));
        var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();

        Matrix? grad = null;
        double managed = AutoencoderTrainer.AddGradients(encoder, decoder, AutoencoderTerms.Create(o, inputs), o.Loss, x, o.CreateContext(new Rng(9)), ref grad);
        var managedGrads = parameters.Select(p => p.Grad.Clone()).ToList();
        parameters.ForEach(p => p.Grad.Clear());
        // The penalty alone must matter at this weight, or the comparison would not see it.
        var without = o.Clone();
        without.Contractive = 0;
        double plain = AutoencoderTrainer.AddGradients(encoder, decoder, AutoencoderTerms.Create(without, inputs), o.Loss, x, o.CreateContext(new Rng(9)), ref grad);
        parameters.ForEach(p => p.Grad.Clear());
        Assert.True(managed - plain > 1e-3 * Math.Abs(managed), $"{variant}: the contractive term ({managed - plain}) is too small to test");

        using var torchNet = new TorchAutoencoder(o, encoder, decoder, AutoencoderTerms.Create(o, inputs));
        double torchLoss = torchNet.LossAndGradients(x, o.CreateContext(new Rng(9)));
        torchNet.Parameters.AddGradientsTo();

        EngineParityTests.AssertClose(managed, torchLoss, "loss");
        for (int i = 0; i < parameters.Count; i++) EngineParityTests.AssertClose(managedGrads[i], parameters[i].Grad, parameters[i].Name);
    }

    [Fact]
    public void An_activation_or_a_layer_without_a_counterpart_is_an_error_naming_it()
    {
        TorchSharpAvailable.Require();
        using var scope = torch.NewDisposeScope();
        var t = torch.ones(2, 3);
        Assert.Equal("Activation 99 is not supported by the TorchSharp engine.",
            Assert.Throws<NotSupportedException>(() => TorchLayers.Activate((ActivationKind)99, 0.1f, t)).Message);
        Assert.Equal("Activation 99 is not supported by the TorchSharp engine.",
            Assert.Throws<NotSupportedException>(() => TorchLayers.DerivativeFromOutput((ActivationKind)99, 0.1f, t)).Message);
        using var p = new TorchParameters([]);
        var e = Assert.Throws<NotSupportedException>(() => TorchLayers.Forward(new Network([new Doubling()]), p, t, null));
        Assert.Equal("The TorchSharp engine has no counterpart of the layer Doubling.", e.Message);
    }

    /// <summary>A dropout layer of rate 0 is the identity in training and draws nothing from the generator, as the managed layer.</summary>
    [Fact]
    public void Dropout_of_rate_zero_draws_nothing()
    {
        TorchSharpAvailable.Require();
        using var scope = torch.NewDisposeScope();
        using var p = new TorchParameters([]);
        var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        var rng = new Rng(4);
        var y = TorchLayers.Forward(new Network([new DropoutLayer(3, 0f)]), p, x, rng);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, y.data<float>().ToArray());
        Assert.Equal(new Rng(4).NextFloat(), rng.NextFloat());
        // Rate 0.5: the mask draws one value per entry, zeroes some and doubles the rest.
        var rng2 = new Rng(4);
        var masked = TorchLayers.Forward(new Network([new DropoutLayer(3, 0.5f)]), p, x, rng2).data<float>().ToArray();
        var draws = new Rng(4);
        for (int i = 0; i < 6; i++) Assert.Equal(draws.NextFloat() < 0.5f ? 0f : 2f * (i + 1), masked[i]);
        Assert.Equal(draws.NextFloat(), rng2.NextFloat());
    }

    /// <summary>A layer the engine does not know.</summary>
    private sealed class Doubling : Layer
    {
        public override int InputSize => 3;
        public override int OutputSize => 3;
        public override Matrix Forward(Matrix x, bool training, NnContext ctx) => x;
        public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx) => dy;
        public override LayerSpec ToSpec() => new("doubling", 3, 3);
    }
}
