using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Tests.Onnx;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>
/// The ONNX graph of a model of own modules: with the squared-error loss the reconstruction is the decoder's output as
/// it is (no sigmoid), as ONNX Runtime shows; the graph's values are named after the encoder's and decoder's layers, and
/// the cross-entropy model's sigmoid after the reconstruction.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesOnnxGraphTests
{
    private const int Features = 12;

    private static TorchModulesModel Fit(LossKind loss)
    {
        var modules = new TorchModules(
            () => nn.Sequential(("hidden", nn.Linear(Features, 8)), ("act", nn.ReLU()), ("code", nn.Linear(8, 3))),
            () => nn.Sequential(("hidden", nn.Linear(3, 8)), ("act", nn.ReLU()), ("out", nn.Linear(8, Features))));
        return modules.Fit(new AutoencoderOptions { Modules = modules, Epochs = 1, BatchSize = 32, Seed = 9, Loss = loss }, TorchModulesTestData.Manifold(60, 3));
    }

    [Fact]
    public void With_the_squared_error_loss_OnnxRuntime_reconstructs_without_a_sigmoid()
    {
        TorchSharpAvailable.Require();
        var model = Fit(LossKind.SquaredError);
        var x = TorchModulesTestData.Manifold(100, 4);
        var path = Path.Combine(Path.GetTempPath(), $"torch-modules-mse-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(OnnxExport.Autoencoder(model, "Features", "Code", "Reconstruction"), path);
            var reconstruction = model.Reconstruct(x);
            OnnxRuntimeHarness.AssertClose(reconstruction, OnnxRuntimeHarness.Run(path, x, "Reconstruction"), 1e-5f, "reconstruction");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_graphs_values_are_named_after_the_encoder_and_decoder_layers()
    {
        TorchSharpAvailable.Require();
        var graph = OnnxExport.Autoencoder(Fit(LossKind.CrossEntropy), "Features", "Code", "Reconstruction").Graph;
        var values = graph.Node.SelectMany(n => n.Output).ToHashSet();
        foreach (var name in new[] { "encoder_hidden", "encoder_act", "encoder_code", "decoder_hidden", "decoder_act", "decoder_out", "reconstruction_sigmoid" })
            Assert.True(values.Contains(name), $"no value {name} among {string.Join(", ", values.Order())}");
    }
}
