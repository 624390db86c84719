using Google.Protobuf;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx;
using Xunit.Abstractions;
using static MLNetAutoencoders.Tests.Onnx.ExportCases;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// Every autoencoder kind's encoder, exported with <see cref="OnnxExport.Encoder"/>, gives the library's own
/// <see cref="IAutoencoder.Encode"/> in ONNX Runtime on 1 000 rows (max |diff| ≤ 1e-5).
/// </summary>
public sealed class ExportAutoencoderTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => TheoryOf(AutoencoderCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encoder_MatchesEncodeInOnnxRuntime(string name)
    {
        var c = Build(name);
        var back = AssertRunsLikeTheLibrary(c, output);

        // One Gemm per dense layer on the code path, its weight and bias as initializers; dropout and the VAE's
        // log σ² head leave no trace.
        var model = (IAutoencoder)c.Source;
        int dense = model.CodePath.Count;
        Assert.Equal(dense, back.Graph.Node.Count(n => n.OpType == "Gemm"));
        Assert.Equal(2 * dense, back.Graph.Initializer.Count);
        Assert.DoesNotContain(back.Graph.Node, n => n.OpType == "Dropout");
        var options = System.Text.Json.Nodes.JsonNode.Parse(Meta(back, OnnxExport.MetadataTrainingOptions))!;
        Assert.Equal(model.CodeSize, (int)options[model is VaeModel ? "latentSize" : "codeSize"]!);
    }

    [Fact]
    public void Selu_UsesTheLibrarysConstants()
    {
        var selu = Build("ae-selu").Onnx.Graph.Node.First(n => n.OpType == "Selu");
        Assert.Equal(Activations.SeluAlpha, selu.Attribute.Single(a => a.Name == "alpha").F);
        Assert.Equal(Activations.SeluLambda, selu.Attribute.Single(a => a.Name == "gamma").F);
        var leaky = Build("ae-leaky-relu").Onnx.Graph.Node.First(n => n.OpType == "LeakyRelu");
        Assert.Equal(0.2f, leaky.Attribute.Single(a => a.Name == "alpha").F);
    }

    [Fact]
    public void ModelFileRoundTrip_ExportsTheSameGraph()
    {
        // What `mlae export-onnx` does with a file from `mlae train`: load the archive, export.
        var c = Build("ae-deep-tied-dropout");
        using var tmp = new OnnxTestModels.TempDir();
        var file = tmp.File("ae.mlae");
        ((IAutoencoder)c.Source).Save(file);
        Assert.Equal(c.Onnx.ToByteArray(), OnnxExport.Encoder(AutoencoderFile.Load(file)).ToByteArray());
    }

    [Fact]
    public void BadNames_AreRejected()
    {
        var model = (IAutoencoder)Build("ae-plain").Source;
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Encoder(model, "Features", "Features"));
        Assert.Contains("'Features'", e.Message);
        Assert.Throws<ArgumentException>(() => OnnxExport.Encoder(model, " ", "Code"));
    }
}
