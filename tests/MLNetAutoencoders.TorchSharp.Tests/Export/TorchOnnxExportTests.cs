using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Tests.Onnx;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;
using TorchModules = TorchSharp.Modules;

namespace MLNetAutoencoders.TorchSharp.Tests.Export;

/// <summary>
/// The project's ONNX export of TorchSharp modules: for every layer type it knows, ONNX Runtime reproduces the
/// TorchSharp module's output on 1 000 rows within 1e-5 (and onnx's checker accepts the model); anything else is a
/// clear error naming the layer and the list.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchOnnxExportTests
{
    private const int Rows = 1000;

    /// <summary>Each layer type, with settings away from the defaults where PyTorch and ONNX could disagree.</summary>
    private static readonly Dictionary<string, (Func<nn.Module<Tensor, Tensor>> Make, long[] Shape)> Cases = new()
    {
        ["Sequential (nested)"] = (() => nn.Sequential(nn.Sequential(nn.Linear(10, 6), nn.ReLU()), nn.Sequential(nn.Linear(6, 3))), [10]),
        ["Linear"] = (() => nn.Linear(20, 7), [20]),
        ["Linear without bias"] = (() => nn.Linear(20, 7, hasBias: false), [20]),
        ["Conv2d stride 2, padding 1"] = (() => nn.Conv2d(2, 4, 3, stride: 2, padding: 1), [2, 11, 12]),
        ["Conv2d same padding, dilation, groups, no bias"] = (() => nn.Conv2d(4, 6, (3, 4), padding: Padding.Same, dilation: (2, 1), groups: 2, bias: false), [4, 9, 10]),
        ["Conv2d valid padding, rectangular stride"] = (() => nn.Conv2d(1, 3, (2, 3), stride: (2, 1), padding: Padding.Valid), [1, 9, 8]),
        ["ConvTranspose2d stride 2, output_padding 1"] = (() => nn.ConvTranspose2d(3, 2, 3, stride: 2, padding: 1, output_padding: 1), [3, 5, 6]),
        ["ConvTranspose2d dilation, groups"] = (() => nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 2), [4, 4, 5]),
        ["ConvTranspose2d without bias"] = (() => nn.ConvTranspose2d(2, 3, 3, stride: 2, bias: false), [2, 4, 5]),
        ["MaxPool2d ceil_mode, padding"] = (() => nn.MaxPool2d(3, stride: 2, padding: 1, ceil_mode: true), [2, 10, 9]),
        ["MaxPool2d dilation, rectangular"] = (() => nn.MaxPool2d([2, 3], [2, 1], [1, 1], [2, 1]), [2, 10, 9]),
        ["MaxPool2d ceil_mode, last window in the end padding dropped"] = (() => nn.MaxPool2d(2, stride: 2, padding: 1, ceil_mode: true), [1, 5, 7]),
        ["AvgPool2d ceil_mode, last window in the end padding dropped"] = (() => nn.AvgPool2d(2, stride: 2, padding: 1, ceil_mode: true), [1, 5, 7]),
        ["AvgPool2d ceil_mode past the padding, padding counted"] = (() => nn.AvgPool2d(3, stride: 2, padding: 1, ceil_mode: true), [2, 6, 8]),
        ["AvgPool2d count_include_pad"] = (() => nn.AvgPool2d(3, stride: 2, padding: 1), [2, 10, 9]),
        ["AvgPool2d ceil_mode, without pad"] = (() => nn.AvgPool2d(3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false), [2, 10, 9]),
        ["BatchNorm1d"] = (() => nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5, eps: 1e-3)), [6]),
        ["BatchNorm1d without affine"] = (() => nn.BatchNorm1d(6, affine: false), [6]),
        ["BatchNorm2d"] = (() => nn.BatchNorm2d(3), [3, 4, 5]),
        ["Dropout"] = (() => nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5)), [8]),
        ["Flatten"] = (() => nn.Sequential(nn.Flatten(2, 3), nn.Flatten()), [2, 3, 4]),
        ["Unflatten"] = (() => nn.Sequential(nn.Unflatten(1, [2, -1, 2]), nn.Flatten(1, 2)), [24]),
        ["Unflatten with the inferred size first"] = (() => nn.Unflatten(1, [-1, 4]), [12]),
        ["Flatten of the last dimensions, then BatchNorm1d over the channels"] = (() => nn.Sequential(nn.Flatten(2, 3), nn.BatchNorm1d(2)), [2, 3, 4]),
        ["ReLU"] = (() => nn.ReLU(), [9]),
        ["LeakyReLU"] = (() => nn.LeakyReLU(0.2), [9]),
        ["ELU"] = (() => nn.ELU(0.7), [9]),
        ["SELU"] = (() => nn.SELU(), [9]),
        ["GELU"] = (() => nn.GELU(), [9]),
        ["GELU tanh approximation"] = (() => nn.GELU(TorchModules.GELU.Approximate.tanh), [9]),
        ["Sigmoid"] = (() => nn.Sigmoid(), [9]),
        ["Tanh"] = (() => nn.Tanh(), [9]),
        ["Conv encoder and decoder"] = (() => nn.Sequential(ConvEncoder(), ConvDecoder()), [1, 12, 12]),
    };

    public static TheoryData<string> Layers => new(Cases.Keys);

    /// <summary>A small convolutional encoder for 1 × 12 × 12 images: most layer types in one module.</summary>
    internal static nn.Module<Tensor, Tensor> ConvEncoder() => nn.Sequential(
        ("conv1", nn.Conv2d(1, 6, 3, stride: 2, padding: 1)), ("bn1", nn.BatchNorm2d(6)), ("relu1", nn.ReLU()),
        ("conv2", nn.Conv2d(6, 8, 3, padding: 1)), ("act2", nn.LeakyReLU(0.1)), ("pool", nn.MaxPool2d(2)),
        ("avg", nn.AvgPool2d(2, ceil_mode: true)), ("flat", nn.Flatten()), ("drop", nn.Dropout(0.2)),
        ("code", nn.Linear(32, 5)), ("squash", nn.Tanh()));

    /// <summary>The matching decoder: 5 → 1 × 12 × 12.</summary>
    internal static nn.Module<Tensor, Tensor> ConvDecoder() => nn.Sequential(
        ("fc", nn.Linear(5, 8 * 3 * 3)), ("bn", nn.BatchNorm1d(72)), ("elu", nn.ELU()), ("view", nn.Unflatten(1, [8, 3, 3])),
        ("up1", nn.ConvTranspose2d(8, 4, 3, stride: 2, padding: 1, output_padding: 1)), ("gelu", nn.GELU()),
        ("up2", nn.ConvTranspose2d(4, 1, 4, stride: 2, padding: 1)), ("selu", nn.SELU()), ("out", nn.Sigmoid()));

    [Theory]
    [MemberData(nameof(Layers))]
    public void OnnxRuntime_reproduces_the_module_on_1000_rows(string layer)
    {
        TorchSharpAvailable.Require();
        var (make, shape) = Cases[layer];
        torch.random.manual_seed(7);
        var module = make();
        WarmBatchNorm(module, shape);
        module.eval();
        var x = Inputs(shape, seed: 11);
        var expected = Forward(module, x, shape);
        var path = Path.Combine(Path.GetTempPath(), $"torch-export-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(TorchOnnxExport.Module(module, shape), path);
            OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_exported_graph_reads_flat_rows_and_writes_flat_rows()
    {
        TorchSharpAvailable.Require();
        var model = TorchOnnxExport.Module(ConvEncoder(), [1, 12, 12]);
        var input = model.Graph.Input.Single();
        Assert.Equal(OnnxExport.DefaultInputName, input.Name);
        Assert.Equal(144, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(5, model.Graph.Output.Single().Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(2, model.Graph.Output.Single().Type.TensorType.Shape.Dim.Count);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Dropout");
    }

    [Fact]
    public void A_layer_outside_the_list_is_an_error_naming_it_and_the_list()
    {
        TorchSharpAvailable.Require();
        var e = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.Module(nn.Sequential(nn.Linear(4, 4), nn.Softplus()), [4]));
        Assert.Contains("module.1", e.Message);
        Assert.Contains("Softplus", e.Message);
        foreach (var name in TorchOnnxExport.SupportedLayers) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void A_custom_module_is_an_error_that_says_to_build_it_as_a_Sequential()
    {
        TorchSharpAvailable.Require();
        var e = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.Sequential(("body", new Custom())), "encoder"));
        Assert.Contains("encoder.body", e.Message);
        Assert.Contains(nameof(Custom), e.Message);
        Assert.Contains("Sequential of these layers", e.Message);
    }

    [Fact]
    public void Settings_without_an_ONNX_form_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        var reflect = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.Conv2d(1, 2, 3, padding: 1, padding_mode: PaddingModes.Reflect), "encoder"));
        Assert.Contains("padding mode", reflect.Message);
        var divisor = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.AvgPool2d(2, divisor_override: 3), "encoder"));
        Assert.Contains("divisor_override", divisor.Message);
        var stats = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.BatchNorm1d(3, track_running_stats: false), "decoder"));
        Assert.Contains("running statistics", stats.Message);
    }

    [Fact]
    public void Shapes_that_do_not_fit_name_the_layer()
    {
        TorchSharpAvailable.Require();
        var e = Assert.Throws<ArgumentException>(() => TorchOnnxExport.Module(nn.Sequential(("first", nn.Linear(10, 4)), ("second", nn.Linear(5, 2))), [10]));
        Assert.Contains("module_second", e.Message);
        var image = Assert.Throws<ArgumentException>(() => TorchOnnxExport.Module(nn.Conv2d(1, 2, 3), [9]));
        Assert.Contains("Conv2d", image.Message);
    }

    /// <summary>Runs batches through the module in training mode so that batch-norm layers hold non-trivial running statistics.</summary>
    internal static void WarmBatchNorm(nn.Module<Tensor, Tensor> module, long[] shape)
    {
        module.train();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int i = 0; i < 3; i++) module.forward(torch.rand([64, .. shape]) * 3 + 1);
    }

    /// <summary>Rows of uniform values in [−2, 2) (both signs, so every activation's two sides are used).</summary>
    internal static Matrix Inputs(long[] shape, int seed)
    {
        var rng = new Random(seed);
        var x = new Matrix(Rows, checked((int)shape.Aggregate(1L, (a, b) => a * b)));
        for (int i = 0; i < x.Span.Length; i++) x.Span[i] = (float)(rng.NextDouble() * 4 - 2);
        return x;
    }

    internal static Matrix Forward(nn.Module<Tensor, Tensor> module, Matrix x, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var y = module.forward(torch.tensor(x.Span.ToArray(), [x.Rows, .. shape])).reshape(x.Rows, -1).contiguous();
        return new Matrix(x.Rows, (int)y.shape[1], y.data<float>().ToArray());
    }

    private sealed class Custom() : nn.Module<Tensor, Tensor>(nameof(Custom))
    {
        public override Tensor forward(Tensor input) => input * 2;
    }
}
