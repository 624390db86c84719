using Google.Protobuf;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pipeline;
using Xunit.Abstractions;
using static MLNetAutoencoders.Tests.Onnx.ExportCases;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// Fitted pipeline chains exported as one graph with <see cref="OnnxExport.Transformer"/> (column names become the ONNX
/// names) match the chain's own <see cref="ITransformer.Transform"/> in ONNX Runtime; unsupported stages are named.
/// </summary>
public sealed class ExportPipelineTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => TheoryOf(PipelineCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Chain_MatchesTransformInOnnxRuntime(string name)
    {
        var c = Build(name);
        var back = AssertRunsLikeTheLibrary(c, output);
        var kinds = Meta(back, OnnxExport.MetadataStageKinds).Split(" > ");
        var options = System.Text.Json.Nodes.JsonNode.Parse(Meta(back, OnnxExport.MetadataTrainingOptions))!.AsArray();
        Assert.Equal(kinds, options.Select(o => (string)o!["kind"]!));
        Assert.Equal(name switch
        {
            "chain-mv-pca" => ["normalizer-mean-variance", "pca"],
            "chain-mm-ae" => ["normalizer-min-max", "autoencoder"],
            "chain-mm-vae-nested" => ["normalizer-min-max", "vae"],
            _ => new[] { "normalizer-min-max", "pca" },
        }, kinds);
    }

    [Fact]
    public void IntermediateColumn_ExportsOnlyTheStagesItNeeds()
    {
        var c = Build("chain-mm-vae-nested");
        var model = (ITransformer)c.Source;
        var path = OnnxExport.ResolvePath(model, outputColumn: "Scaled");
        Assert.Equal(("Features", "Scaled", 1), (path.InputColumn, path.OutputColumn, path.Stages.Count));
        Assert.Equal(model.Transform(Table(c.Input)).GetVector("Scaled").Span.ToArray(), path.Transform(c.Input).Span.ToArray());
        Assert.Equal("normalizer-min-max", Meta(OnnxExport.Transformer(model, outputColumn: "Scaled"), OnnxExport.MetadataModelKind));
    }

    [Fact]
    public void ClassifierStage_IsNamed()
    {
        var model = (ITransformer)Build("chain-mm-pca-lr").Source;
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.Transformer(model));
        Assert.Contains("stage 2 LogisticRegressionTransformer", e.Message);
        e = Assert.Throws<NotSupportedException>(() => OnnxExport.Transformer(model, outputColumn: "Score"));
        Assert.Contains("LogisticRegressionTransformer", e.Message);
        Assert.Equal(2, OnnxExport.ResolvePath(model, outputColumn: "Code").Stages.Count);
    }

    [Fact]
    public void ColumnErrors_SayWhatIsWrong()
    {
        var model = (ITransformer)Build("chain-mv-pca").Source;
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Transformer(model, outputColumn: "Nope"));
        Assert.Contains("'Nope'", e.Message);
        Assert.Contains("'Code'", e.Message);
        e = Assert.Throws<ArgumentException>(() => OnnxExport.Transformer(model, inputColumn: "Pixels"));
        Assert.Contains("computed from column 'Features', not from 'Pixels'", e.Message);
        Assert.Throws<NotSupportedException>(() => OnnxExport.Stage(model));

        var inPlace = Ctx.Transforms.NormalizeMinMax("Features").Fit(Table(Raw));
        e = Assert.Throws<ArgumentException>(() => OnnxExport.Transformer(inPlace));
        Assert.Contains("distinct input and output names", e.Message);
    }

    [Fact]
    public void SavedPipelineFile_ExportsTheSameGraph()
    {
        var c = Build("chain-mm-ae");
        using var tmp = new OnnxTestModels.TempDir();
        var file = tmp.File("pipeline.mlae");
        Ctx.Model.Save((ITransformer)c.Source, file);
        Assert.Equal(c.Onnx.ToByteArray(), OnnxExport.Transformer(Ctx.Model.Load(file)).ToByteArray());
    }
}
