using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Tests.Onnx;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Export;

/// <summary>
/// What the ONNX export of TorchSharp modules refuses, and how it says so: null arguments and row shapes, a graph value
/// of another width, layers whose input has the wrong rank, Flatten and Unflatten settings outside the input's
/// dimensions or across rows, float64 parameters, and settings without an ONNX form (each message names the layer and
/// the shapes); plus the names and description the exported model carries.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchOnnxExportInputCheckTests
{
    [Fact]
    public void Null_arguments_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        var b = new OnnxGraphBuilder("input", 4);
        Assert.Equal("module", Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.Module(null!, [4])).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.Append(null!, "input", nn.ReLU(), [4], "m")).ParamName);
        Assert.Equal("module", Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.Append(b, b.Input, null!, [4], "m")).ParamName);
        Assert.Equal("module", Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.CheckExportable(null!, "encoder")).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.RowSize(null!)).ParamName);
    }

    [Fact]
    public void A_row_shape_needs_dimensions_of_at_least_one()
    {
        Assert.Equal(1, TorchOnnxExport.RowSize([1]));
        Assert.Equal(24, TorchOnnxExport.RowSize([2, 3, 4]));
        var empty = Assert.Throws<ArgumentException>(() => TorchOnnxExport.RowSize([]));
        Assert.Equal("shape", empty.ParamName);
        Assert.StartsWith("A row shape needs at least one dimension, each at least 1; got [].", empty.Message);
        Assert.StartsWith("A row shape needs at least one dimension, each at least 1; got [3, 0].",
            Assert.Throws<ArgumentException>(() => TorchOnnxExport.RowSize([3, 0])).Message);
        Assert.Throws<ArgumentException>(() => TorchOnnxExport.RowSize([-1, 4]));
        Assert.Throws<OverflowException>(() => TorchOnnxExport.RowSize([long.MaxValue / 2 + 1, 2]));
    }

    [Fact]
    public void Append_refuses_a_value_of_another_width_naming_both()
    {
        TorchSharpAvailable.Require();
        var b = new OnnxGraphBuilder("input", 10);
        var e = Assert.Throws<ArgumentException>(() => TorchOnnxExport.Append(b, b.Input, nn.ReLU(), [3, 4], "m"));
        Assert.Equal("inputShape", e.ParamName);
        Assert.StartsWith("The input shape [3, 4] has 12 values per row, but 'input' has 10.", e.Message);
    }

    [Fact]
    public void Append_reads_and_writes_flat_rows_inside_a_larger_graph()
    {
        TorchSharpAvailable.Require();
        var b = new OnnxGraphBuilder("input", 12);
        var y = TorchOnnxExport.Append(b, b.Input, nn.Sequential(nn.Conv2d(1, 2, 3, padding: 1), nn.ReLU()), [1, 3, 4], "enc");
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 24L], b.ShapeOf(y));
        var flat = TorchOnnxExport.Append(b, b.Input, nn.ReLU(), [12], "plain");
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 12L], b.ShapeOf(flat));
        // A flat module reads and writes the rows as they are: no reshape or flatten around it.
        var nodes = TorchOnnxExport.Module(nn.Sequential(nn.Linear(4, 3), nn.Flatten()), [4]).Graph.Node.Select(n => n.OpType).ToList();
        Assert.DoesNotContain("Reshape", nodes);
        Assert.DoesNotContain("Flatten", nodes);
        // A row wider than an int can count is refused before anything is built.
        Assert.Throws<OverflowException>(() => TorchOnnxExport.Module(nn.ReLU(), [1L << 31]));
    }

    [Fact]
    public void The_model_carries_the_names_and_a_description()
    {
        TorchSharpAvailable.Require();
        var module = nn.Sequential(nn.Linear(4, 2));
        var model = TorchOnnxExport.Module(module, [4], "x", "y");
        Assert.Equal("x", model.Graph.Input.Single().Name);
        Assert.Equal("y", model.Graph.Output.Single().Name);
        Assert.Equal($"TorchSharp module {module.GetName()} exported by {OnnxGraphBuilder.ProducerName} {OnnxGraphBuilder.LibraryVersion}.", model.DocString);
        Assert.Equal(module.GetName(), model.Graph.Name);
    }

    [Theory]
    [InlineData("Linear on an image", "The layer module (Linear) does not fit its input [N, 1, 3, 3]: Linear is exported for inputs [N, features]; put a Flatten before it.")]
    [InlineData("Flatten across rows", "The layer module (Flatten) does not fit its input [N, 2, 3, 2]: Flatten with start_dim 0 would merge rows; the export needs start_dim ≥ 1.")]
    [InlineData("Flatten end before start", "The layer module (Flatten) does not fit its input [N, 2, 3, 2]: Flatten's end_dim (1) is before its start_dim (2).")]
    [InlineData("Flatten end_dim past the last", "The layer module (Flatten) does not fit its input [N, 2, 3, 2]: end_dim 4 is outside the input's 4 dimensions.")]
    [InlineData("Flatten start_dim before the first", "The layer module (Flatten) does not fit its input [N, 2, 3, 2]: start_dim -5 is outside the input's 4 dimensions.")]
    [InlineData("Unflatten of rows", "The layer module (Unflatten) does not fit its input [N, 12]: Unflatten of dimension 0 would split rows; the export needs dim ≥ 1.")]
    [InlineData("Unflatten to another size", "The layer module (Unflatten) does not fit its input [N, 12]: Unflatten cannot view dimension 1 of size 12 as [5, 2].")]
    [InlineData("Unflatten dim past the last", "The layer module (Unflatten) does not fit its input [N, 12]: dim 2 is outside the input's 2 dimensions.")]
    [InlineData("BatchNorm2d on rows", "The layer module (BatchNorm2d) does not fit its input [N, 12]: BatchNorm2d expects an input of rank 4.")]
    [InlineData("BatchNorm1d on an image", "The layer module (BatchNorm1d) does not fit its input [N, 2, 3, 2]: BatchNorm1d expects an input of rank 2 or 3.")]
    public void Layers_whose_input_does_not_fit_are_errors_naming_the_layer_and_the_shape(string what, string message)
    {
        TorchSharpAvailable.Require();
        var (module, shape) = what switch
        {
            "Linear on an image" => ((nn.Module)nn.Linear(9, 2), new long[] { 1, 3, 3 }),
            "Flatten across rows" => (nn.Flatten(0), [2, 3, 2]),
            "Flatten end before start" => (nn.Flatten(2, 1), [2, 3, 2]),
            "Flatten end_dim past the last" => (nn.Flatten(1, 4), [2, 3, 2]),
            "Flatten start_dim before the first" => (nn.Flatten(-5, -1), [2, 3, 2]),
            "Unflatten of rows" => (nn.Unflatten(0, [2, 6]), [12]),
            "Unflatten to another size" => (nn.Unflatten(1, [5, 2]), [12]),
            "Unflatten dim past the last" => (nn.Unflatten(2, [2, 6]), [12]),
            "BatchNorm2d on rows" => (nn.BatchNorm2d(12), [12]),
            "BatchNorm1d on an image" => (nn.BatchNorm1d(2), [2, 3, 2]),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        var e = Assert.Throws<ArgumentException>(() => TorchOnnxExport.Module(module, shape));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Float64_parameters_are_an_error_saying_to_convert_the_module()
    {
        TorchSharpAvailable.Require();
        var module = nn.Linear(4, 2);
        module.to(torch.float64);
        var e = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.Module(module, [4]));
        Assert.Equal("A parameter has type Float64; the ONNX export writes float32 models (call module.to(torch.float32)).", e.Message);
    }

    [Fact]
    public void A_setting_without_an_ONNX_form_is_an_error_naming_the_layer_by_its_path()
    {
        TorchSharpAvailable.Require();
        var e = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(
            nn.Sequential(("body", nn.Sequential(("pool", nn.AvgPool2d(2, divisor_override: 3))))), "decoder"));
        Assert.Equal("The decoder.body.pool (AvgPool2d) cannot be exported to ONNX: it has a divisor_override, which ONNX's AveragePool cannot express.", e.Message);
        var bn = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.BatchNorm2d(3, track_running_stats: false), "encoder"));
        Assert.Equal("The encoder (BatchNorm2d) cannot be exported to ONNX: it does not track running statistics, so its inference output depends on the batch.", bn.Message);
        // Every supported layer passes, nested or not.
        TorchOnnxExport.CheckExportable(nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ConvTranspose2d(2, 1, 3), nn.AvgPool2d(2), nn.MaxPool2d(2)),
            nn.BatchNorm2d(1), nn.BatchNorm1d(3), nn.Flatten(), nn.Unflatten(1, [1, 1]), nn.Dropout(), nn.Linear(2, 2), nn.ReLU(), nn.LeakyReLU(),
            nn.ELU(), nn.SELU(), nn.GELU(), nn.Sigmoid(), nn.Tanh()), "encoder");
    }

    /// <summary>BatchNorm1d on [N, C, L] (rank 3) and a partial Flatten with a negative end_dim: ONNX Runtime gives the module's output.</summary>
    [Fact]
    public void BatchNorm1d_on_channels_and_a_partial_flatten_are_reproduced_by_OnnxRuntime()
    {
        TorchSharpAvailable.Require();
        torch.random.manual_seed(3);
        var module = nn.Sequential(nn.Unflatten(1, [3, 4]), nn.BatchNorm1d(3), nn.Unflatten(2, [2, 2]), nn.Flatten(1, -2), nn.Flatten(), nn.Linear(12, 5));
        long[] shape = [12];
        TorchOnnxExportTests.WarmBatchNorm(module, shape);
        module.eval();
        var x = TorchOnnxExportTests.Inputs(shape, seed: 4);
        var expected = TorchOnnxExportTests.Forward(module, x, shape);
        Assert.Equal(5, expected.Cols);
        var path = Path.Combine(Path.GetTempPath(), $"torch-export-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(TorchOnnxExport.Module(module, shape), path);
            OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f);
        }
        finally { File.Delete(path); }
    }
}
