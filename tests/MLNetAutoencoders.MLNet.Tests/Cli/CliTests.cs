using MLNetAutoencoders.Tests.Support;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Onnx;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>Runs the `mlae` entry point in-process (stdout captured), so these tests share console state and run one at a time.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("console")]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlae-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout) Run(params string[] args)
    {
        var entry = System.Reflection.Assembly.Load("mlae").EntryPoint!;
        var previous = Console.Out;
        var sb = new StringBuilder();
        using var writer = new StringWriter(sb);
        Console.SetOut(writer);
        try { return ((int)entry.Invoke(null, new object[] { args })!, sb.ToString()); }
        finally { Console.SetOut(previous); }
    }

    private static JsonObject LastJson(string stdout) =>
        (JsonObject)JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;

    /// <summary>A CSV of 200 rows × 16 values (rank-3 structure), scaled by <paramref name="scale"/>, with a label column.</summary>
    private string WriteCsv(float scale)
    {
        var x = TestData.LowRankData(200, 16);
        var sb = new StringBuilder(string.Join(",", Enumerable.Range(0, 16).Select(i => $"f{i}")) + ",label\n");
        for (int i = 0; i < x.Rows; i++)
            sb.Append(string.Join(",", x.Row(i).ToArray().Select(v => (v * scale).ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(i % 2).Append('\n');
        var path = Path.Combine(_dir, $"data{scale}.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public void Train_OnCsv_PrintsJsonAsLastLineAndSavesALoadableModel()
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, "m.mlae");
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "3", "--epochs", "3",
            "--batch", "32", "--threads", "1", "--out", model, "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.Equal("ae", (string?)json["kind"]);
        Assert.Equal(3, (int)json["code"]!);
        Assert.Equal(3, json["epochs"]!.AsArray().Count);
        double testMse = (double)json["testMse"]!;
        Assert.InRange(testMse, 1e-6, 0.2);
        // testMse is the held-out 20 % split's per-pixel MSE: recompute it from the saved model and the same seeded split.
        var loaded = AutoencoderModel.Load(model);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        Assert.Equal(40, test.Count);
        Assert.Equal(testMse, loaded.ReconstructionMse(test.Images), 6);
        Assert.Equal((int)json["parameters"]!, loaded.ParameterCount);
    }

    [Fact]
    public void Train_OutOfRangeInputsWithCrossEntropy_FailUnlessScaled()
    {
        var csv = WriteCsv(5f);
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1", "--json");
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("testMse", stdout);
        var (code2, stdout2) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1", "--scale", "--json");
        Assert.Equal(0, code2);
        Assert.True(double.IsFinite((double)LastJson(stdout2)["testMse"]!));
    }

    [Fact]
    public void Train_UnknownDatasetOrBadOption_ExitNonZero()
    {
        Assert.NotEqual(0, Run("train", "--dataset", Path.Combine(_dir, "missing.csv"), "--epochs", "1").Code);
        Assert.NotEqual(0, Run("train", "--dataset", WriteCsv(1f), "--hidden", "8,x", "--epochs", "1").Code);
        Assert.NotEqual(0, Run("train", "--dataset", WriteCsv(1f), "--code", "0", "--epochs", "1").Code);
    }

    [Fact]
    public void Encode_And_ExportOnnx_AgreeInOnnxRuntime()
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, "m.mlae");
        Assert.Equal(0, Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "3", "--epochs", "2", "--threads", "1", "--out", model).Code);
        var codes = Path.Combine(_dir, "codes.npy");
        Assert.Equal(0, Run("encode", "--model", model, "--dataset", csv, "--label-column", "label", "--split", "test", "--out", codes).Code);
        var onnx = Path.Combine(_dir, "enc.onnx");
        Assert.Equal(0, Run("export-onnx", "--model", model, "--out", onnx).Code);
        var fromCli = Npy.ReadMatrix(codes);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        Assert.Equal(AutoencoderModel.Load(model).Encode(test.Images).Span.ToArray(), fromCli.Span.ToArray());
        OnnxRuntimeHarness.AssertMatches(onnx, test.Images, fromCli, 1e-5f);
    }

    [Fact]
    public void Compare_RunsMLNetPipelinesForBothPcasAndAnAutoencoder_WithStratifiedFolds()
    {
        var csv = WriteCsv(1f);
        var (code, stdout) = Run("compare", "--dataset", csv, "--label-column", "label", "--codes", "2,3", "--methods", "pca,mlnet-pca,ae,raw",
            "--folds", "3", "--hidden", "8", "--epochs", "5", "--threads", "1", "--no-figures", "--json");
        Assert.Equal(0, code);
        var rows = LastJson(stdout)["rows"]!.AsArray();
        Assert.Equal(3 * 2 + 1, rows.Count); // pca, mlnet-pca, ae at two sizes, raw once
        foreach (var row in rows)
        {
            var folds = row!["foldAccuracies"]!.AsArray().Select(a => (double)a!).ToArray();
            Assert.Equal(3, folds.Length);
            Assert.Equal(folds.Average(), (double)row["accuracy"]!, 9);
        }
        // The two PCAs find the same 3-dimensional subspace, so the classifier sees the same information.
        double Accuracy(string method, int k) => (double)rows.Single(r => (string?)r!["method"] == method && (int)r["code"]! == k)!["accuracy"]!;
        Assert.Equal(Accuracy("pca", 3), Accuracy("mlnet-pca", 3), 2);
    }

    [Fact]
    public void Compare_UnknownMethod_IsAnErrorNamingIt()
    {
        var (code, _) = Run("compare", "--dataset", WriteCsv(1f), "--label-column", "label", "--methods", "pca,umap", "--folds", "2");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void Anomaly_OnTheBreastCancerTable_PrintsAurocRowsForEveryMethod()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var (code, stdout) = Run("anomaly", "--dataset", "breast-cancer", "--methods", "mlnet-pca,pca,ae", "--epochs", "50", "--threads", "1", "--json");
        Assert.Equal(0, code);
        var rows = LastJson(stdout)["rows"]!.AsArray();
        Assert.Equal(["mlnet-pca", "pca", "ae"], rows.Select(r => (string)r!["method"]!));
        // Malignant tumours are far from the benign rows the detectors were fitted on.
        Assert.All(rows.Where(r => (string)r!["method"]! != "mlnet-pca"), r => Assert.InRange((double)r!["auroc"]!, 0.85, 1.0));
        Assert.Contains("AUROC", stdout);
    }
}
