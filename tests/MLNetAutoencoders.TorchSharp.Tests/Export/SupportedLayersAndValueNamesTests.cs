using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Export;

/// <summary>
/// The list the ONNX export publishes (<see cref="TorchOnnxExport.SupportedLayers"/>) is exactly the TorchSharp layer
/// types it accepts, and its refusal of another layer lists them separated by commas; the exported graph's values are
/// named after the module's path (the image reshape, each layer, the final flatten); a null module is reported as such
/// before any shape check.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class SupportedLayersAndValueNamesTests
{
    /// <summary>One module of each supported type, by its TorchSharp name, in the list's order.</summary>
    private static readonly (string Name, Func<nn.Module> Make)[] OneOfEach =
    [
        ("Sequential", () => nn.Sequential(nn.ReLU())), ("Linear", () => nn.Linear(2, 2)), ("Conv2d", () => nn.Conv2d(1, 1, 1)),
        ("ConvTranspose2d", () => nn.ConvTranspose2d(1, 1, 1)), ("MaxPool2d", () => nn.MaxPool2d(2)), ("AvgPool2d", () => nn.AvgPool2d(2)),
        ("BatchNorm1d", () => nn.BatchNorm1d(2)), ("BatchNorm2d", () => nn.BatchNorm2d(2)), ("Dropout", () => nn.Dropout()),
        ("Flatten", () => nn.Flatten()), ("Unflatten", () => nn.Unflatten(1, [1, 1])), ("ReLU", () => nn.ReLU()),
        ("LeakyReLU", () => nn.LeakyReLU()), ("ELU", () => nn.ELU()), ("SELU", () => nn.SELU()), ("GELU", () => nn.GELU()),
        ("Sigmoid", () => nn.Sigmoid()), ("Tanh", () => nn.Tanh()),
    ];

    [Fact]
    public void The_supported_list_names_exactly_the_layer_types_the_export_accepts()
    {
        TorchSharpAvailable.Require();
        Assert.Equal(OneOfEach.Select(c => c.Name), TorchOnnxExport.SupportedLayers);
        foreach (var (name, make) in OneOfEach)
        {
            var module = make();
            Assert.Equal(name, module.GetType().Name);
            TorchOnnxExport.CheckExportable(module, "encoder");
        }
    }

    [Fact]
    public void Another_layer_is_refused_with_the_supported_ones_listed_separated_by_commas()
    {
        TorchSharpAvailable.Require();
        var e = Assert.Throws<NotSupportedException>(() => TorchOnnxExport.CheckExportable(nn.Sequential(nn.Softplus()), "decoder"));
        Assert.Equal("The decoder.0 is a Softplus, which the ONNX export does not know. It exports a Sequential of these layers: " +
            "Sequential, Linear, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Dropout, Flatten, Unflatten, " +
            "ReLU, LeakyReLU, ELU, SELU, GELU, Sigmoid, Tanh. A custom module with its own forward() cannot be read; build it as a Sequential of these layers.",
            e.Message);
    }

    [Fact]
    public void The_graphs_values_are_named_after_the_module_path()
    {
        TorchSharpAvailable.Require();
        var model = TorchOnnxExport.Module(nn.Sequential(("conv", nn.Conv2d(1, 2, 3, padding: 1)), ("act", nn.ReLU())), [1, 4, 4]);
        var values = model.Graph.Node.SelectMany(n => n.Output).ToHashSet();
        foreach (var name in new[] { "module_image", "module_conv", "module_act", "module_flatten" })
            Assert.True(values.Contains(name), $"no value {name} among {string.Join(", ", values.Order())}");
    }

    [Fact]
    public void A_null_module_is_reported_before_the_width_check()
    {
        TorchSharpAvailable.Require();
        var b = new OnnxGraphBuilder("input", 4);
        var e = Assert.Throws<ArgumentNullException>(() => TorchOnnxExport.Append(b, b.Input, null!, [5], "m"));
        Assert.Equal("module", e.ParamName);
    }
}
