using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pca;
using Xunit.Abstractions;
using static MLNetAutoencoders.Tests.Onnx.ExportCases;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>PCA (plain, whitened, randomized, uncentred) and both normalisers exported and run in ONNX Runtime against the library.</summary>
public sealed class ExportLinearTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases => TheoryOf(LinearCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTransformInOnnxRuntime(string name)
    {
        var c = Build(name);
        var back = AssertRunsLikeTheLibrary(c, output);
        var ops = back.Graph.Node.Select(n => n.OpType).Where(op => op != "Identity").ToArray();
        if (c.Source is PcaModel pca)
        {
            // Sub the mean (when centred), Gemm with Vᵀ, then Mul by 1/√variance only when whitening.
            var expectedOps = new List<string>();
            if (name != "pca-uncentred") expectedOps.Add("Sub");
            expectedOps.Add("Gemm");
            if (pca.Whiten) expectedOps.Add("Mul");
            Assert.Equal(expectedOps, ops);
            var options = System.Text.Json.Nodes.JsonNode.Parse(Meta(back, OnnxExport.MetadataTrainingOptions))!;
            Assert.Equal(pca.Whiten, (bool)options["whiten"]!);
        }
        else
        {
            Assert.Equal(name == "min-max-clip" ? ["Mul", "Add", "Clip"] : ["Mul", "Add"], ops);
        }
        if (name == "min-max-clip") Assert.Contains(c.Expected.Span.ToArray(), v => v == 1f);
        if (name == "min-max") Assert.Contains(c.Expected.Span.ToArray(), v => v > 1f);
    }
}
