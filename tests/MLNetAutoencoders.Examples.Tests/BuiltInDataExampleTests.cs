using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNetAutoencoders.Examples.Tests;

/// <summary>
/// The examples on the built-in datasets (Fashion-MNIST, the face / non-face images) with one or a few epochs: each
/// must finish, print its figures in a sensible range and write its files. They need the data `bash scripts/setup.sh`
/// installs and fail, naming that command, without it.
/// </summary>
[Collection("examples")]
public sealed class BuiltInDataExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("builtin-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static double Number(string output, string pattern)
    {
        var m = Regex.Match(output, pattern);
        Assert.True(m.Success, $"no match for /{pattern}/ in:\n{output}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void QuickStart_TrainsTheReferenceAutoencoder()
    {
        string output = ExampleRunner.RunOk("QuickStart", _dir, "1");
        Assert.Contains("codes: 10000×20, parameters: 473636", output);
        Assert.InRange(Number(output, @"test MSE: ([\d.]+)"), 0.005, 0.04);
        Assert.True(File.Exists(Path.Combine(_dir, "quickstart.mlae")));
    }

    [Fact]
    public void MLNetPipeline_ClassifiesSavesAndPredicts()
    {
        string output = ExampleRunner.RunOk("MLNetPipeline", _dir, "1");
        Assert.InRange(Number(output, @"micro accuracy ([\d.]+) %"), 60, 100);
        Assert.Matches(@"Test image 0: predicted [\w -]+ \(true class Ankle boot\)", output);
        Assert.True(File.Exists(Path.Combine(_dir, "fashion-ae.zip")));
    }

    [Fact]
    public void AnomalyDetection_BeatsChance_AndListsTheHighestScores()
    {
        string output = ExampleRunner.RunOk("AnomalyDetection", _dir, "7", "2");
        Assert.InRange(Number(output, @"autoencoder +AUROC ([\d.]+)"), 0.7, 1);
        Assert.InRange(Number(output, @"RandomizedPca +AUROC ([\d.]+)"), 0.5, 1);
        Assert.Equal(5, Regex.Matches(output, @"test image +\d+: .* score [\d.]+").Count);
        Assert.True(File.Exists(Path.Combine(_dir, "anomaly.zip")));
    }

    [Fact]
    public void FaceNonFace_PrintsTheCrossValidatedTable()
    {
        string output = ExampleRunner.RunOk("FaceNonFace", _dir, "2");
        Assert.Matches(@"code +pca +mlnet-pca +ae +vae", output);
        foreach (int k in new[] { 1, 2, 3, 5, 10, 20 })
            Assert.Matches($@"(?m)^ *{k}( +[\d.]+ % ± [\d.]+){{4}}\s*$", output);
        Assert.InRange(Number(output, @"raw pixels \(all 625, standardised\): ([\d.]+) %"), 85, 100);
    }

    [Fact]
    public void Pretraining_ComparesScratchProbeAndFineTune_AndExports()
    {
        string output = ExampleRunner.RunOk("Pretraining", _dir, "100", "1");
        Assert.Contains("pretraining epoch 1: loss", output);
        Assert.InRange(Number(output, @"N = 100: scratch ([\d.]+) %"), 30, 100);
        Assert.InRange(Number(output, @"fine-tuned ([\d.]+) %"), 30, 100);
        Assert.True(File.Exists(Path.Combine(_dir, "pretrained-classifier.mlae")));
        Assert.True(File.Exists(Path.Combine(_dir, "pretrained-classifier.onnx")));
    }

    [Fact]
    public void FewLabels_ComparesTheDefaultsWithLogisticRegression_AndWritesTheRows()
    {
        string json = Path.Combine(_dir, "few-labels.json");
        string output = ExampleRunner.RunOk("FewLabels", _dir, "labels=20", "seeds=1", "unlabelled=300", "aeEpochs=1", "eval=selection", "candidate=defaults,previous", $"json={json}");
        Assert.Contains("seed 0: autoencoder fitted in", output);
        Assert.InRange(Number(output, @"N = 20: encoder-classifier ([\d.]+) %"), 20, 100);
        Assert.InRange(Number(output, @"N = 20: previous ([\d.]+) %"), 20, 100);
        Assert.InRange(Number(output, @"N = 20: logreg ([\d.]+) %"), 20, 100);
        Assert.Matches(@"(?m)^\| 20 \| [\d.]+ ± 0\.00 \| [\d.]+ ± 0\.00 \| [\d.]+ ± 0\.00 \|$", output);
        var rows = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["rows"]!.AsArray();
        Assert.Equal(new[] { "encoder-classifier", "previous", "logreg" }, rows.Select(r => (string)r!["mode"]!));
        var bad = ExampleRunner.Run("FewLabels", _dir, "candidate=best");
        Assert.Equal(1, bad.Code);
        Assert.Contains("candidate one or more of defaults, previous", bad.Stderr);
        Assert.Contains("seeds must be a positive whole number, not 'x'", ExampleRunner.Run("FewLabels", _dir, "seeds=x").Stderr);
    }
}
