using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Nn;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

/// <summary>The registry's streaming <c>Fit</c>: each kind reaches its own trainer's streaming fit.</summary>
public class AutoencoderKindsStreamingTests
{
    [Theory]
    [InlineData(AutoencoderKind.Plain)]
    [InlineData(AutoencoderKind.Stacked)]
    [InlineData(AutoencoderKind.Variational)]
    public void Fit_from_a_row_stream_trains_with_the_kinds_trainer(AutoencoderKind kind)
    {
        var data = TestData.LowRankData(48, 12, seed: 4);
        var o = AutoencoderKinds.CreateOptions(kind);
        (o.HiddenSizes, o.Epochs, o.BatchSize, o.Seed, o.Threads, o.Gemm) = ([6], 2, 16, 9, 1, GemmKind.Managed);
        var stream = new MatrixRowStream(data);
        var model = AutoencoderKinds.Fit(kind, o, stream, fineTuneEpochs: 1);
        IAutoencoder expected = kind switch
        {
            AutoencoderKind.Variational => new VaeTrainer((VaeOptions)o).Fit(new MatrixRowStream(data)),
            AutoencoderKind.Stacked => new StackedAutoencoderTrainer(new() { Autoencoder = (AutoencoderOptions)o, FineTuneEpochs = 1 }).Fit(new MatrixRowStream(data)),
            _ => new AutoencoderTrainer((AutoencoderOptions)o).Fit(new MatrixRowStream(data)),
        };
        Assert.Equal(expected.GetType(), model.GetType());
        Assert.Equal(expected.Encode(data).Span.ToArray(), model.Encode(data).Span.ToArray());
        int epochs = AutoencoderKinds.TotalEpochs(kind, o, 1);
        Assert.Equal(kind == AutoencoderKind.Stacked ? (1 + 1) * 2 + 1 : 2, epochs);
        Assert.Equal(epochs, model.History.Epochs.Count);
    }

    [Fact]
    public void Fit_from_a_row_stream_refuses_options_of_the_wrong_class_naming_both()
    {
        var stream = new MatrixRowStream(TestData.LowRankData(8, 4));
        var e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Fit(AutoencoderKind.Variational, new AutoencoderOptions(), stream));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("The vae kind trains with VaeOptions; got AutoencoderOptions.", e.Message);
        e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Fit(AutoencoderKind.Denoising, new VaeOptions(), stream));
        Assert.Contains("The denoising kind trains with AutoencoderOptions; got VaeOptions.", e.Message);
        Assert.Equal(0, stream.Passes);
    }
}
