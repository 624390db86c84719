using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using MLNetAutoencoders.TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// The convolutional autoencoder computes the same objective on both engines: from the same initial weights and batch,
/// the managed layers, the TorchSharp engine on the same networks, and the TorchSharp modules of
/// <see cref="ConvAutoencoder.Modules"/> (what <c>mlae train --kind conv --backend torchsharp</c> trains) give the same
/// batch loss and every parameter's gradient to a relative 1e-4 (<see cref="EngineParityTests.AssertClose(Matrix, Matrix, string, double)"/>).
/// </summary>
public class ConvParityTests
{
    private static AutoencoderOptions Options(string variant)
    {
        var o = new AutoencoderOptions { Conv = new ConvAutoencoderOptions { ImageShape = [1, 8, 8], Channels = [4, 8] }, CodeSize = 5, Seed = 3 };
        switch (variant)
        {
            case "denoising-l1": o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 0.2f; o.L1Activity = 0.05f; break;
            case "squared-error-sigmoid": o.Loss = LossKind.SquaredError; o.OutputActivation = ActivationKind.Sigmoid; break;
        }
        return o;
    }

    private static (double Loss, List<Matrix> Grads, List<Parameter> Parameters, Network Encoder, Network Decoder) Managed(AutoencoderOptions o, Matrix x)
    {
        var (encoder, decoder) = AutoencoderTrainer.Build(o, x.Cols, new Rng(o.Seed));
        var parameters = encoder.Parameters.Concat(decoder.Parameters).ToList();
        Matrix? grad = null;
        double loss = AutoencoderTrainer.AddGradients(encoder, decoder, AutoencoderTerms.Create(o, x.Cols), o.Loss, x, o.CreateContext(new Rng(9)), ref grad);
        var grads = parameters.Select(p => p.Grad.Clone()).ToList();
        parameters.ForEach(p => p.Grad.Clear());
        return (loss, grads, parameters, encoder, decoder);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("denoising-l1")]
    [InlineData("squared-error-sigmoid")]
    public void EngineOnTheSameNetworks_SameLossAndGradients(string variant)
    {
        TorchSharpAvailable.Require();
        var o = Options(variant);
        var x = TestData.Blobs(24, 5);
        var (managed, grads, parameters, encoder, decoder) = Managed(o, x);

        using var torchNet = new TorchAutoencoder(o, encoder, decoder, AutoencoderTerms.Create(o, x.Cols));
        var ctx = o.CreateContext(new Rng(9));
        double torchLoss = torchNet.LossAndGradients(x, ctx);
        torchNet.Parameters.AddGradientsTo();

        EngineParityTests.AssertClose(managed, torchLoss, "loss");
        for (int i = 0; i < parameters.Count; i++) EngineParityTests.AssertClose(grads[i], parameters[i].Grad, parameters[i].Name);
    }

    [Theory]
    [InlineData(ActivationKind.Identity)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.LeakyRelu)]
    public void ConvAutoencoderModules_AreTheSameArchitecture_SameLossAndGradients(ActivationKind codeActivation)
    {
        TorchSharpAvailable.Require();
        var o = Options("plain");
        (o.CodeActivation, o.LeakyReluSlope) = (codeActivation, 0.2f);
        var x = TestData.Blobs(24, 6);
        var (managed, grads, parameters, _, _) = Managed(o, x);

        // The TorchSharp modules, with the managed weights copied in, parameter by parameter in layer order.
        var modules = ConvAutoencoder.Modules(o.Conv!, o.CodeSize, o.CodeActivation, o.LeakyReluSlope);
        using var scope = torch.NewDisposeScope();
        var encoder = modules.Encoder();
        var decoder = modules.Decoder();
        var torchParameters = encoder.parameters().Concat(decoder.parameters()).ToList();
        Assert.Equal(parameters.Count, torchParameters.Count);
        using (torch.no_grad())
            for (int i = 0; i < parameters.Count; i++)
            {
                Assert.Equal(parameters[i].Count, torchParameters[i].numel());
                torchParameters[i].copy_(torch.tensor(parameters[i].Value.Span.ToArray(), torchParameters[i].shape));
            }
        var input = torch.tensor(x.Span.ToArray(), [x.Rows, 1, 8, 8]);
        var target = torch.tensor(x.Span.ToArray(), [x.Rows, x.Cols]);
        var logits = decoder.call(encoder.call(input)).reshape(x.Rows, x.Cols);
        var loss = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.Sum);
        (loss / x.Rows).backward();

        EngineParityTests.AssertClose(managed, loss.item<float>(), "loss");
        for (int i = 0; i < parameters.Count; i++)
            EngineParityTests.AssertClose(grads[i], new Matrix(1, parameters[i].Count, torchParameters[i].grad!.data<float>().ToArray()), parameters[i].Name);
    }
}
