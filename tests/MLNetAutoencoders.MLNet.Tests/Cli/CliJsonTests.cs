using System.Text.Json.Nodes;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Cli;
using MLNetAutoencoders.Cli.Commands;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Comparisons;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>
/// Every command that takes <c>--json</c>, run for every kind it accepts in its own process: the last line of stdout is
/// one JSON object whose numbers are all finite (or null, listed under "nonFinite"), and stderr holds no .NET tails or links.
/// </summary>
public sealed class CliJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Mlae(params string[] args) => MlaeProcess.Run(args);

    /// <summary>Runs a command that must succeed; returns its JSON line after checking every number and stderr.</summary>
    private static JsonObject Json(params string[] args)
    {
        var (code, stdout, stderr) = Mlae([.. args, "--json"]);
        Assert.True(code == 0, $"mlae {string.Join(' ', args)} failed: {stderr}");
        Clean(stderr);
        var json = (JsonObject)JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;
        AllFinite(json);
        return json;
    }

    internal static void Clean(string stderr)
    {
        foreach (var tail in new[] { "(Parameter '", "Actual value was", "System.", "Exception", "http://", "https://", "   at " })
            Assert.DoesNotContain(tail, stderr);
    }

    internal static void AllFinite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o: foreach (var (_, v) in o) AllFinite(v); break;
            case JsonArray a: foreach (var v in a) AllFinite(v); break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number: Assert.True(double.IsFinite((double)v)); break;
        }
    }

    /// <summary>200 rows of 8 × 8 images with values in [0, 1] and a label column.</summary>
    private string Csv() =>
        LabelledCsv.Write(Path.Combine(_dir, "images.csv"), TestData.LowRankData(200, 64), prefix: "p");

    public static TheoryData<string> TrainKinds() => [.. AutoencoderKinds.All.Select(AutoencoderKinds.Name)];

    [Theory]
    [MemberData(nameof(TrainKinds))]
    public void Train_ExportOnnx_AndEncode_WriteFiniteJson_ForEveryKind(string kind)
    {
        var csv = Csv();
        var model = Path.Combine(_dir, kind + ".mlae");
        var train = Json("train", "--dataset", csv, "--label-column", "label", "--kind", kind, "--hidden", "8", "--code", "3", "--epochs", "1",
            "--batch", "32", "--threads", "1", "--image-shape", "1x8x8", "--channels", "4,8", "--out", model);
        Assert.Equal(kind, (string?)train["kind"]);
        Assert.True(double.IsFinite((double)train["testMse"]!));
        // A measurement that is not a number in JSON is null and named, with what it was.
        foreach (var (key, value) in train)
            if (value is null && key != "jacobianFrobeniusSq")
                Assert.Contains((string?)train["nonFinite"]?[key], new[] { "Infinity", "-Infinity", "NaN" });

        var onnx = Json("export-onnx", "--model", model, "--out", Path.Combine(_dir, kind + ".onnx"));
        Assert.True(File.Exists((string)onnx["onnx"]!));
        var encode = Json("encode", "--model", model, "--dataset", csv, "--label-column", "label", "--out", Path.Combine(_dir, kind + ".npy"));
        Assert.Equal(40, (int)encode["rows"]!);
        var reconstruct = Json("reconstruct", "--model", model, "--dataset", csv, "--label-column", "label", "--count", "4", "--out", Path.Combine(_dir, kind + ".png"));
        Assert.Equal(4, (int)reconstruct["rows"]!);
        Assert.InRange((double)reconstruct["reconstructionMse"]!, 0, 1); // pixels in [0, 1]
    }

    [Fact]
    public void SparseL1_WithDeadCodeUnits_ReportsTheInfinitePriorKl_InsteadOfCrashing()
    {
        var json = (JsonObject)ConsoleUi.Finite(new JsonObject { ["testMse"] = 0.5, ["priorKl"] = double.PositiveInfinity, ["h"] = new JsonArray(1.0, double.NaN, float.NegativeInfinity) });
        Assert.Equal("""{"testMse":0.5,"priorKl":null,"h":[1,null,null],"nonFinite":{"priorKl":"Infinity","h[1]":"NaN","h[2]":"-Infinity"}}""",
            json.ToJsonString());
        Assert.Equal("--lr must be positive.", ConsoleUi.Clean(".NET number values such as positive and negative infinity cannot be written (see https://aka.ms/x). --lr must be positive.")
            .Split(". ")[^1]);
    }

    [Fact]
    public void Compare_WritesFiniteJson_ForEveryMethod()
    {
        var json = Json("compare", "--dataset", Csv(), "--label-column", "label", "--codes", "3", "--methods", string.Join(',', Comparison.Methods),
            "--folds", "2", "--hidden", "8", "--epochs", "1", "--batch", "32", "--threads", "1", "--no-figures");
        Assert.Equal(Comparison.Methods.Order(), json["rows"]!.AsArray().Select(r => (string)r!["method"]!).Distinct().Order());
    }

    [Fact]
    public void Pretrain_WritesFiniteJson_ForEveryKind()
    {
        var kinds = PretrainingExperiment.Kinds.Select(PretrainingExperiment.Name).ToArray();
        var json = Json("pretrain", "--dataset", Csv(), "--label-column", "label", "--labels", "20", "--kinds", string.Join(',', kinds), "--seeds", "1",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "1", "--stacked-finetune-epochs", "1", "--steps", "0", "--epochs", "2", "--batch", "8", "--threads", "1");
        Assert.Equal(kinds.Order(), json["runs"]!.AsArray().Select(r => (string)r!["kind"]!).Where(kinds.Contains).Distinct().Order());
    }

    [Fact]
    public void Anomaly_WritesFiniteJson_ForEveryMethodThatFitsATable_AndConvFailsCleanly()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var methods = AnomalyExperiment.Methods.Where(m => m != "conv").ToArray();
        var json = Json("anomaly", "--dataset", "breast-cancer", "--methods", string.Join(',', methods), "--epochs", "2", "--threads", "1");
        Assert.Equal(methods, json["rows"]!.AsArray().Select(r => (string)r!["method"]!));
        var (code, _, stderr) = Mlae("anomaly", "--dataset", "breast-cancer", "--methods", "conv", "--json");
        Assert.Equal(1, code);
        Clean(stderr);
    }

    [Fact]
    public void Map_And_Pca_WriteFiniteJson_ForEveryMethod()
    {
        var csv = Csv();
        var map = Json("map", "--dataset", csv, "--label-column", "label", "--methods", string.Join(',', MapCommand.Methods), "--code", "2", "--hidden", "8",
            "--epochs", "1", "--count", "30", "--perplexity", "5", "--iterations", "260", "--threads", "1", "--out", Path.Combine(_dir, "map.png"));
        Assert.Equal(30, (int)map["count"]!);
        var pca = Json("pca", "--dataset", csv, "--label-column", "label", "--components", "3", "--repeats", "1", "--threads", "1");
        Assert.Equal(3, (int)pca["components"]!);
    }
}
