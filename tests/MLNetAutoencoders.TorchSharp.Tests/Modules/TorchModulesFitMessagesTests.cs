using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetAutoencoders.TorchSharp.Tests.Modules.TorchModulesTestData;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>
/// What fitting a user's own modules refuses before training, with the whole message: options out of range, data the
/// loss cannot take, a decoder layer the ONNX export does not know, KL sparsity on an encoder that is an empty
/// Sequential, and modules whose shapes do not fit (multi-dimensional shapes written in full); plus the model's
/// refusal to write a library model file, and the conv modules' refusal of an unknown code activation.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesFitMessagesTests
{
    private static TorchModules Modules(Func<nn.Module<Tensor, Tensor>> encoder, Func<nn.Module<Tensor, Tensor>> decoder, long[]? inputShape = null)
        => new(encoder, decoder, inputShape);

    private static TorchModules Linear() => Modules(() => nn.Linear(Features, 3), () => nn.Linear(3, Features));

    [Fact]
    public void Options_out_of_range_are_refused_naming_the_option()
    {
        TorchSharpAvailable.Require();
        var modules = Linear();
        var o = Options(modules, 1);
        o.KlSparsityTarget = 1.5f;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => modules.Fit(o, Manifold(40, 1)));
        Assert.Equal("KlSparsityTarget", e.ParamName);
        Assert.StartsWith("KlSparsityTarget (ρ) must be in (0, 1).", e.Message);
    }

    [Fact]
    public void Data_outside_zero_one_is_refused_for_the_cross_entropy_loss_naming_the_cell()
    {
        TorchSharpAvailable.Require();
        var modules = Linear();
        var x = Manifold(40, 1);
        x.Row(2)[7] = 1.5f;
        var e = Assert.Throws<ArgumentException>(() => modules.Fit(Options(modules, 1), x));
        Assert.Equal("data", e.ParamName);
        Assert.StartsWith("Training data: row 2, column 7 is 1.5, outside [0, 1], which the cross-entropy loss needs.", e.Message);
    }

    [Fact]
    public void A_decoder_layer_the_export_does_not_know_is_refused_before_training()
    {
        TorchSharpAvailable.Require();
        var modules = Modules(() => nn.Linear(Features, 3), () => nn.Sequential(nn.Linear(3, Features), nn.Softplus()));
        var e = Assert.Throws<NotSupportedException>(() => modules.Fit(Options(modules, 1), Manifold(40, 1)));
        Assert.StartsWith("The decoder.1 is a Softplus, which the ONNX export does not know.", e.Message);
    }

    [Fact]
    public void KL_sparsity_on_an_empty_Sequential_encoder_says_what_the_encoder_ends_with()
    {
        TorchSharpAvailable.Require();
        var modules = Modules(() => nn.Sequential(nn.Linear(Features, 3), nn.Sequential()), () => nn.Linear(3, Features));
        var o = Options(modules, 1);
        (o.KlSparsityWeight, o.CodeActivation) = (0.1f, ActivationKind.Sigmoid);
        var e = Assert.Throws<NotSupportedException>(() => modules.Fit(o, Manifold(40, 1)));
        Assert.Equal("KL sparsity (KlSparsityWeight 0.1) needs code values in (0, 1): end the encoder with nn.Sigmoid(); it ends with Sequential.", e.Message);
    }

    [Fact]
    public void Shapes_that_do_not_fit_are_written_in_full_in_the_messages()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(40, 1);

        var wrongShape = Modules(() => nn.Linear(Features, 3), () => nn.Linear(3, Features), [1, 3, 3]);
        var e = Assert.Throws<ArgumentException>(() => wrongShape.Fit(Options(wrongShape, 1), x));
        Assert.StartsWith("The input shape [1, 3, 3] has 9 values per row, but the data have 12 columns.", e.Message);

        var unreadable = Modules(() => nn.Linear(5, 3), () => nn.Linear(3, Features), [3, 4]);
        Assert.StartsWith("The encoder cannot read rows of shape [3, 4]: ",
            Assert.Throws<ArgumentException>(() => unreadable.Fit(Options(unreadable, 1), x)).Message);

        var imageCode = Modules(() => nn.Sequential(nn.Linear(Features, 6), nn.Unflatten(1, [2, 3])), () => nn.Linear(4, Features));
        Assert.StartsWith("The decoder cannot read the encoder's output (shape [2, 3] per row): ",
            Assert.Throws<ArgumentException>(() => imageCode.Fit(Options(imageCode, 1), x)).Message);

        var imageOutput = Modules(() => nn.Linear(Features, 3), () => nn.Sequential(nn.Linear(3, 10), nn.Unflatten(1, [2, 5])));
        Assert.StartsWith("The decoder gives 10 values per row (shape [2, 5]); it must give one per input feature (12).",
            Assert.Throws<ArgumentException>(() => imageOutput.Fit(Options(imageOutput, 1), x)).Message);
    }

    [Fact]
    public void The_model_says_how_to_save_it_instead_of_a_library_file()
    {
        TorchSharpAvailable.Require();
        var modules = Linear();
        var model = modules.Fit(Options(modules, 1), Manifold(40, 1));
        Assert.Equal("A model of your own TorchSharp modules has no library model file: save the modules with TorchSharp (Encoder.save, Decoder.save), " +
            "or the ML.NET stage into ML.NET's model zip (as ONNX), or export it with OnnxExport.", Assert.Throws<NotSupportedException>(() => model.ToArchive()).Message);
    }

    [Fact]
    public void The_conv_modules_refuse_an_unknown_code_activation_when_built()
    {
        TorchSharpAvailable.Require();
        var modules = ConvAutoencoder.Modules(new ConvAutoencoderOptions { ImageShape = [1, 8, 8], Channels = [2] }, 4, (ActivationKind)99);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => modules.Encoder());
        Assert.StartsWith("Unknown code activation.", e.Message);
    }
}
