using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Tests.Onnx;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

/// <summary>The convolutional autoencoder on the managed engine: architecture, training, model files and ONNX export.</summary>
public class ConvAutoencoderTests
{
    private static readonly ConvAutoencoderOptions Small = new() { ImageShape = [1, 8, 8], Channels = [4, 8] };

    private static AutoencoderOptions Options(int epochs = 15) => new()
    {
        Conv = Small.Clone(), CodeSize = 4, Epochs = epochs, BatchSize = 32, LearningRate = 3e-3f, Seed = 1, Gemm = GemmKind.Managed,
    };

    [Fact]
    public void Build_GivesTheConvolutionalArchitecture()
    {
        var (encoder, decoder) = AutoencoderTrainer.Build(Options(), 64, new Rng(0));
        var c0 = Assert.IsType<Conv2dLayer>(encoder.Layers[0]);
        var c1 = Assert.IsType<Conv2dLayer>(encoder.Layers[1]);
        var code = Assert.IsType<DenseLayer>(encoder.Layers[2]);
        Assert.Equal((1, 8, 8, 4, 2, 1), (c0.Geometry.Channels, c0.Geometry.Height, c0.Geometry.Width, c0.Geometry.Kernel, c0.Geometry.Stride, c0.Geometry.Padding));
        Assert.Equal((4, 4, 4, 8), (c1.Geometry.Channels, c1.Geometry.Height, c1.Geometry.Width, c1.OutChannels));
        Assert.Equal(ActivationKind.Relu, c1.Activation);
        Assert.Equal((8 * 2 * 2, 4, ActivationKind.Identity), (code.InputSize, code.OutputSize, code.Activation));
        var d0 = Assert.IsType<DenseLayer>(decoder.Layers[0]);
        var t1 = Assert.IsType<ConvTranspose2dLayer>(decoder.Layers[1]);
        var t2 = Assert.IsType<ConvTranspose2dLayer>(decoder.Layers[2]);
        Assert.Equal((4, 32, ActivationKind.Relu), (d0.InputSize, d0.OutputSize, d0.Activation));
        Assert.Equal((8, 4, ActivationKind.Relu), (t1.InChannels, t1.Geometry.Channels, t1.Activation));
        Assert.Equal((4, 1, 8, 8, ActivationKind.Identity), (t2.InChannels, t2.Geometry.Channels, t2.Geometry.Height, t2.Geometry.Width, t2.Activation));
        // PyTorch's layouts: Conv2d [out, in, k, k], ConvTranspose2d [in, out, k, k].
        Assert.Equal((8, 4 * 16), (c1.Weight.Value.Rows, c1.Weight.Value.Cols));
        Assert.Equal((4, 1 * 16), (t2.Weight.Value.Rows, t2.Weight.Value.Cols));
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy, ActivationKind.Identity)] // logits out: the loss applies the sigmoid
    [InlineData(LossKind.SquaredError, ActivationKind.Sigmoid)]
    public void Build_NamesTheLayersInOrder_AndTheLossDecidesTheOutputActivation(LossKind loss, ActivationKind output)
    {
        var o = Options(); o.Loss = loss; o.OutputActivation = ActivationKind.Sigmoid;
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 64, new Rng(0));
        Assert.Equal(["encoder.0", "encoder.1", "encoder.2"], encoder.Layers.Select(l => l.Parameters[0].Name[..^".weight".Length]));
        Assert.Equal(["decoder.0", "decoder.1", "decoder.2"], decoder.Layers.Select(l => l.Parameters[0].Name[..^".weight".Length]));
        Assert.Equal(output, Assert.IsType<ConvTranspose2dLayer>(decoder.Layers[^1]).Activation);
    }

    [Fact]
    public void RowsOfAnotherWidthThanTheImage_AreRejectedWithTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => AutoencoderTrainer.Build(Options(), 63, new Rng(0)));
        Assert.Contains("rows have 63 values, but Conv.ImageShape 1×8×8 needs 64", e.Message);
    }

    [Fact]
    public void Training_LearnsTheImages_AndIsReproducible()
    {
        var train = TestData.Blobs(400, 1);
        var test = TestData.Blobs(100, 2);
        var model = new AutoencoderTrainer(Options()).Fit(train);
        double mean = 0;
        foreach (var v in test.Span) mean += v;
        mean /= test.Length;
        double baseline = 0;
        foreach (var v in test.Span) baseline += (v - mean) * (v - mean);
        baseline /= test.Length;
        double mse = model.ReconstructionMse(test);
        Assert.True(mse < 0.35 * baseline, $"test MSE {mse:G4} should be well below the mean image's {baseline:G4}");
        Assert.True(model.History.Epochs[^1].TrainLoss < model.History.Epochs[0].TrainLoss);
        var again = new AutoencoderTrainer(Options()).Fit(train);
        Assert.Equal(model.Encode(test).Span.ToArray(), again.Encode(test).Span.ToArray());
    }

    [Fact]
    public void ModelFile_RoundTrips()
    {
        var model = new AutoencoderTrainer(Options(2)).Fit(TestData.Blobs(64, 3));
        using var tmp = new OnnxTestModels.TempDir();
        var path = tmp.File("conv.mlae");
        model.Save(path);
        var loaded = AutoencoderModel.Load(path);
        var x = TestData.Blobs(20, 4);
        Assert.Equal(model.Reconstruct(x).Span.ToArray(), loaded.Reconstruct(x).Span.ToArray());
        Assert.Equal(new[] { 1, 8, 8 }, loaded.Options.Conv!.ImageShape);
        Assert.Empty(loaded.CodePath);
    }

    [Fact]
    public void OnnxRuntime_ReproducesCodesAndReconstructions()
    {
        var model = new AutoencoderTrainer(Options(2)).Fit(TestData.Blobs(64, 5));
        using var tmp = new OnnxTestModels.TempDir();
        var path = tmp.File("conv.onnx");
        OnnxModelFile.Save(OnnxExport.Autoencoder(model, "Pixels", "Code", "Reconstruction"), path);
        var x = TestData.Blobs(1000, 6);
        OnnxRuntimeHarness.AssertMatches(path, x, model.Encode(x), 1e-5f, "Code");
        OnnxRuntimeHarness.AssertMatches(path, x, model.Reconstruct(x), 1e-5f, "Reconstruction");
        var encoderPath = tmp.File("encoder.onnx");
        OnnxModelFile.Save(OnnxExport.Encoder(model), encoderPath);
        OnnxRuntimeHarness.AssertMatches(encoderPath, x, model.Encode(x), 1e-5f);
    }

    [Fact]
    public void BadOptions_AreClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => new AutoencoderTrainer(Options()).Fit(new Matrix(4, 60)));
        Assert.Contains("60 values", e.Message);
        Assert.Contains("1×8×8", e.Message);
        var o = Options();
        o.DropoutRate = 0.2f;
        Assert.Equal("DropoutRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(o)).ParamName);
        o = Options();
        o.Contractive = 0.1f;
        Assert.Equal("Contractive", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(o)).ParamName);
        o = Options();
        o.Conv!.ImageShape = [1, 6, 6];
        Assert.Equal("ImageShape", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(o)).ParamName);
    }
}
