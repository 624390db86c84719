using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests;

/// <summary>Runs tests/PlainMLNet, a program with only Microsoft.ML and Microsoft.ML.OnnxTransformer, in its own process.</summary>
internal static class PlainMLNet
{
    /// <summary>
    /// Scores <paramref name="data"/> with the model zip in the plain-ML.NET process (data and result pass through binary
    /// IDataView files in <paramref name="folder"/>); fails the test if the process fails. Returns the scored view and
    /// what the process printed (the loaded stages' types).
    /// </summary>
    public static (IDataView Scored, string Output) Score(MLContext ml, string zip, IDataView data, string folder)
    {
        var input = Path.Combine(folder, "input.idv");
        var output = Path.Combine(folder, "output.idv");
        using (var s = File.Create(input)) ml.Data.SaveAsBinary(data, s);
        var (code, stdout) = Run(zip, input, output);
        Assert.True(code == 0, $"PlainMLNet exited with {code}:\n{stdout}");
        return (ml.Data.LoadFromBinary(output), stdout);
    }

    /// <summary>
    /// Saves a fitted multiclass <paramref name="model"/>, scores <paramref name="test"/> with the zip in the plain-ML.NET
    /// process, and asserts the model's own PredictedLabel of every row and its Score within 1e-5.
    /// </summary>
    public static void AssertClassifierZipAgrees(MLContext ml, ITransformer model, DataViewSchema inputSchema, IDataView test, string what)
    {
        using var dir = new TempFolder();
        var zip = System.IO.Path.Combine(dir.Path, "classifier.zip");
        ml.Model.Save(model, inputSchema, zip);
        var scored = model.Transform(test);
        var (plain, _) = Score(ml, zip, test, dir.Path);
        Assert.Equal(scored.GetColumn<uint>("PredictedLabel").ToArray(), plain.GetColumn<uint>("PredictedLabel").ToArray());
        Stages.StageTestData.AssertClose(Stages.StageTestData.Column(scored, "Score"), Stages.StageTestData.Column(plain, "Score"), 1e-5f, $"{what} scores in plain ML.NET");
    }

    /// <summary>
    /// Saves a fitted anomaly <paramref name="model"/>, scores <paramref name="test"/> with the zip in the plain-ML.NET
    /// process, and asserts the model's own PredictedLabel of every row (<paramref name="scored"/>) and its Score within
    /// 2e-3 of its scale: the ONNX graphs compute distances as ‖z‖² − 2z·c + ‖c‖² in float32, the library as Σ(z − c)².
    /// </summary>
    public static void AssertAnomalyZipAgrees(MLContext ml, ITransformer model, DataViewSchema inputSchema, IDataView test, IDataView scored, string what)
    {
        using var dir = new TempFolder();
        var zip = System.IO.Path.Combine(dir.Path, "anomaly.zip");
        ml.Model.Save(model, inputSchema, zip);
        var (plain, _) = Score(ml, zip, test, dir.Path);
        var s = Stages.StageTestData.Scalars(scored, "Score");
        var p = Stages.StageTestData.Scalars(plain, "Score");
        for (int i = 0; i < s.Length; i++) Assert.True(Math.Abs(s[i] - p[i]) <= 2e-3f * Math.Max(1, Math.Abs(s[i])), $"{what}, row {i}: plain ML.NET {p[i]} vs {s[i]}");
        Assert.Equal(scored.GetColumn<bool>("PredictedLabel"), plain.GetColumn<bool>("PredictedLabel"));
    }

    /// <summary>PlainMLNet MODEL.zip INPUT.idv OUTPUT.idv: the exit code and everything it printed.</summary>
    public static (int Code, string Output) Run(params string[] args)
    {
        var dll = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(TestEnv.RepoRoot, "tests", "PlainMLNet", "bin", c, "net10.0", "PlainMLNet.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        Assert.True(dll != null, "tests/PlainMLNet is not built: run `dotnet build MLNetAutoencoders.sln -c Release`.");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll!);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "PlainMLNet did not finish within 2 minutes.");
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>A temporary folder deleted with everything in it.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mlae-mlnet-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
