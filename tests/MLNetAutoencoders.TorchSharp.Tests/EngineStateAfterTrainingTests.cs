using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// What the TorchSharp engine leaves behind: after training with the adversarial term the library's discriminator holds
/// the values LibTorch trained (written back with the model's weights), and disposing the engine's objects frees their
/// LibTorch tensors (the model's and the discriminator's).
/// </summary>
public class EngineStateAfterTrainingTests
{
    private static (AutoencoderOptions Options, Network Encoder, Network Decoder, AutoencoderTerms Terms, Matrix X) Adversarial()
    {
        var o = new AutoencoderOptions { HiddenSizes = [12], CodeSize = 4, Epochs = 1, BatchSize = 16, Seed = 3 };
        AutoencoderKinds.Apply(AutoencoderKind.Adversarial, o);
        o.DiscriminatorHiddenSizes = [8];
        var x = TestData.LowRankData(40, 20, seed: 5);
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 20, new Rng(o.Seed));
        return (o, encoder, decoder, AutoencoderTerms.Create(o, 20), x);
    }

    [Fact]
    public void The_trained_discriminator_is_written_back_to_the_library()
    {
        TorchSharpAvailable.Require();
        var (o, encoder, decoder, terms, x) = Adversarial();
        var discriminator = ((AdversarialRegularizer)terms.Regularizers.Single()).Discriminator.Parameters;
        var before = discriminator.Select(p => p.Value.Clone()).ToList();
        using var net = new TorchAutoencoder(o, encoder, decoder, terms);
        net.Train(MinibatchSource.InMemory(x, o.Minibatch), new Rng(o.Seed), null, default);
        for (int i = 0; i < discriminator.Count; i++)
        {
            var trained = new Matrix(discriminator[i].Value.Rows, discriminator[i].Value.Cols);
            TorchParameters.CopyTo(net.Discriminator![discriminator[i]], trained);
            Assert.False(trained.Span.SequenceEqual(before[i].Span), $"{discriminator[i].Name}: training did not change it, so the test proves nothing");
            Assert.True(trained.Span.SequenceEqual(discriminator[i].Value.Span), $"{discriminator[i].Name}: the library's copy is not the trained one");
        }
    }

    [Fact]
    public void Disposing_frees_the_models_and_the_discriminators_tensors()
    {
        TorchSharpAvailable.Require();
        var (o, encoder, decoder, terms, _) = Adversarial();
        var net = new TorchAutoencoder(o, encoder, decoder, terms);
        var model = net.Parameters.Parameters.Select(p => net.Parameters[p]).ToList();
        var discriminator = net.Discriminator!.Parameters.Select(p => net.Discriminator[p]).ToList();
        Assert.All(model.Concat(discriminator), t => Assert.False(t.IsInvalid));
        net.Dispose();
        Assert.All(model, t => Assert.True(t.IsInvalid, "a model tensor is still alive"));
        Assert.All(discriminator, t => Assert.True(t.IsInvalid, "a discriminator tensor is still alive"));
    }
}
