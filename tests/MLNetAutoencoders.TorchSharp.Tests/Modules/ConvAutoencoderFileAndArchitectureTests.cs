using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Export;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;
using TorchModules = TorchSharp.Modules;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>
/// The built-in convolutional autoencoder on TorchSharp (<see cref="ConvAutoencoder"/>): its layers for each code
/// activation, its argument checks, and its model file (fit, save, load gives the same codes; a file whose tensors do
/// not fit the architecture is an error naming the tensor).
/// </summary>
[Collection(TorchGenerator.Collection)]
public class ConvAutoencoderFileAndArchitectureTests
{
    private static ConvAutoencoderOptions Conv() => new() { ImageShape = [1, 8, 8], Channels = [2, 3] };

    private static string Layers(nn.Module m) => string.Join(" > ", m.named_children().Select(c => c.module.GetType().Name));

    [Fact]
    public void The_encoder_and_decoder_have_the_documented_layers()
    {
        TorchSharpAvailable.Require();
        using var scope = torch.NewDisposeScope();
        var modules = ConvAutoencoder.Modules(Conv(), 5);
        Assert.Equal([1L, 8, 8], modules.InputShape);
        var encoder = modules.Encoder();
        var decoder = modules.Decoder();
        Assert.Equal("Conv2d > ReLU > Conv2d > ReLU > Flatten > Linear", Layers(encoder));
        Assert.Equal("Linear > ReLU > Unflatten > ConvTranspose2d > ReLU > ConvTranspose2d", Layers(decoder));
        var convs = encoder.named_children().Select(c => c.module).OfType<TorchModules.Conv2d>().ToList();
        Assert.Equal([1L, 2], convs.Select(c => c.in_channels));
        Assert.Equal([2L, 3], convs.Select(c => c.out_channels));
        var ups = decoder.named_children().Select(c => c.module).OfType<TorchModules.ConvTranspose2d>().ToList();
        Assert.Equal([3L, 2], ups.Select(c => c.in_channels));
        Assert.Equal([2L, 1], ups.Select(c => c.out_channels));
        var code = encoder.call(torch.zeros(4, 1, 8, 8));
        Assert.Equal([4L, 5], code.shape);
        Assert.Equal([4L, 1, 8, 8], decoder.call(code).shape);
    }

    [Theory]
    [InlineData(ActivationKind.Identity, "Linear")]
    [InlineData(ActivationKind.Relu, "ReLU")]
    [InlineData(ActivationKind.LeakyRelu, "LeakyReLU")]
    [InlineData(ActivationKind.Selu, "SELU")]
    [InlineData(ActivationKind.Sigmoid, "Sigmoid")]
    [InlineData(ActivationKind.Tanh, "Tanh")]
    public void The_code_layer_ends_with_the_code_activation(ActivationKind activation, string last)
    {
        TorchSharpAvailable.Require();
        using var scope = torch.NewDisposeScope();
        var encoder = ConvAutoencoder.Modules(Conv(), 5, activation, leakyReluSlope: 0.3f).Encoder();
        var layers = encoder.named_children().Select(c => c.module).ToList();
        Assert.Equal(last, layers[^1].GetType().Name);
        Assert.Equal(activation == ActivationKind.Identity ? 6 : 7, layers.Count);
        if (layers[^1] is TorchModules.LeakyReLU leaky) Assert.Equal(0.3, leaky.negative_slope, 6);
    }

    [Fact]
    public void Bad_arguments_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        Assert.Equal("conv", Assert.Throws<ArgumentNullException>(() => ConvAutoencoder.Modules(null!, 5)).ParamName);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => ConvAutoencoder.Modules(Conv(), 0));
        Assert.Equal("codeSize", size.ParamName);
        Assert.Contains("codeSize must be ≥ 1", size.Message);
        Assert.Equal(1, ConvAutoencoder.Modules(Conv(), 1).Encoder().call(torch.zeros(2, 1, 8, 8)).shape[1]);
        var odd = new ConvAutoencoderOptions { ImageShape = [1, 6, 6], Channels = [2, 3] };
        Assert.Equal("ImageShape", Assert.Throws<ArgumentOutOfRangeException>(() => ConvAutoencoder.Modules(odd, 5)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentOutOfRangeException>(() => ConvAutoencoder.Modules(Conv(), 5, (ActivationKind)99).Encoder()).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ConvAutoencoder.Fit(Conv(), null!, new Matrix(4, 64))).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => ConvAutoencoder.Save(null!, Conv(), "unused.bin")).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => ConvAutoencoder.FromArchive(null!)).ParamName);
    }

    [Fact]
    public void The_options_are_copied_so_changing_them_later_changes_nothing()
    {
        TorchSharpAvailable.Require();
        var conv = Conv();
        var modules = ConvAutoencoder.Modules(conv, 5);
        conv.Channels = [7];
        conv.ImageShape = [2, 8, 8];
        using var scope = torch.NewDisposeScope();
        Assert.Equal([1L, 8, 8], modules.InputShape);
        Assert.Equal("Conv2d > ReLU > Conv2d > ReLU > Flatten > Linear", Layers(modules.Encoder()));
    }

    [Fact]
    public void Fit_Save_Load_gives_the_same_codes_reconstructions_options_and_history()
    {
        TorchSharpAvailable.Require();
        var x = Images(64, 3);
        var options = new AutoencoderOptions { CodeSize = 4, CodeActivation = ActivationKind.Tanh, Epochs = 2, BatchSize = 16, Seed = 4, LearningRate = 1e-2f };
        var model = ConvAutoencoder.Fit(Conv(), options, x);
        Assert.Equal(4, model.CodeSize);
        Assert.Equal(2, model.History.Epochs.Count);
        Assert.Equal("Tanh", model.Encoder.named_children().Last().module.GetType().Name);
        var path = Path.Combine(Path.GetTempPath(), $"conv-ae-{Guid.NewGuid():N}.bin");
        try
        {
            ConvAutoencoder.Save(model, Conv(), path);
            var (loaded, conv) = ConvAutoencoder.Load(path);
            Assert.Equal([1, 8, 8], conv.ImageShape);
            Assert.Equal([2, 3], conv.Channels);
            Assert.Equal([1L, 8, 8], loaded.InputShape);
            Assert.Equal([4L], loaded.CodeShape);
            Assert.Equal(ActivationKind.Tanh, loaded.Options.CodeActivation);
            Assert.Equal(model.History.Epochs.Select(e => e.TrainLoss), loaded.History.Epochs.Select(e => e.TrainLoss));
            Assert.Equal(model.ParameterCount, loaded.ParameterCount);
            Assert.True(model.Encode(x).Span.SequenceEqual(loaded.Encode(x).Span), "codes after Load");
            Assert.True(model.Reconstruct(x).Span.SequenceEqual(loaded.Reconstruct(x).Span), "reconstructions after Load");
            // Loaded in eval mode: the same rows give the same codes every time.
            Assert.False(loaded.Encoder.training);
            Assert.False(loaded.Decoder.training);

            // A file whose tensor does not fit the architecture names the tensor and both sizes.
            var archive = ModelArchive.Load(path, ConvAutoencoder.Kind);
            int i = archive.Tensors.FindIndex(t => t.Key == "decoder.0.weight");
            var wrong = new Matrix(1, archive.Tensors[i].Value.Length - 1);
            archive.Tensors[i] = new(archive.Tensors[i].Key, wrong);
            archive.Save(path);
            var e = Assert.Throws<InvalidDataException>(() => ConvAutoencoder.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains($"tensor 'decoder.0.weight' has {wrong.Length} values; the architecture needs {wrong.Length + 1}.", e.Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>8 × 8 images in [0, 1]: a bright 3 × 3 square at a random place on a dim background.</summary>
    private static Matrix Images(int rows, int seed)
    {
        var rng = new Random(seed);
        var x = new Matrix(rows, 64);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Row(r);
            for (int i = 0; i < 64; i++) row[i] = (float)(rng.NextDouble() * 0.2);
            int top = rng.Next(0, 6), left = rng.Next(0, 6);
            for (int i = top; i < top + 3; i++) for (int j = left; j < left + 3; j++) row[i * 8 + j] = 0.9f;
        }
        return x;
    }
}
