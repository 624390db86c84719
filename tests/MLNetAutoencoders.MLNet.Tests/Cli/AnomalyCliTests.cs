using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary><c>mlae anomaly --scorers</c> and <c>--curves</c>, run as a process.</summary>
public sealed class AnomalyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-anomaly-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Every_scorer_of_one_network_gets_a_row_and_the_curves_are_pictures()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var curves = Path.Combine(_dir, "curves");
        var (code, stdout, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "pca,ae", "--scorers", "reconstruction,knn,reconstruction+gaussian",
            "--epochs", "30", "--threads", "1", "--json", "--curves", curves);
        Assert.True(code == 0, stderr);
        var rows = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!["rows"]!.AsArray();
        Assert.Equal(["pca", "ae", "ae/knn", "ae/reconstruction+gaussian"], rows.Select(r => (string)r!["method"]!));
        Assert.All(rows, r => Assert.InRange((double)r!["auroc"]!, 0.8, 1.0));
        // One fit, several scores: the scorers share the network's fit time.
        Assert.Equal((double)rows[1]!["fitSeconds"]!, (double)rows[2]!["fitSeconds"]!);
        foreach (var name in new[] { "class-1-roc.png", "class-1-pr.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(curves, name));
            Assert.True(bytes.Length > 5000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', name);
        }
    }

    [Fact]
    public void Scorers_with_networks_of_their_own_get_rows_of_their_own()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var (code, stdout, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", "knn,svdd,ensemble",
            "--epochs", "30", "--threads", "1", "--json");
        Assert.True(code == 0, stderr);
        var rows = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!["rows"]!.AsArray();
        Assert.Equal(["ae/svdd", "ae/ensemble", "ae/knn"], rows.Select(r => (string)r!["method"]!));
        Assert.All(rows, r => Assert.InRange((double)r!["auroc"]!, 0.8, 1.0));
    }

    [Fact]
    public void An_unknown_scorer_is_an_error_naming_the_option_and_the_choices()
    {
        var (code, _, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", "lof");
        Assert.Equal(1, code);
        Assert.Contains("--scorers: unknown 'lof'", stderr);
        Assert.Contains("reconstruction+knn", stderr);
        Assert.Contains("svdd", stderr);
        Assert.Contains("ensemble", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void Restoration_on_the_table_is_an_error_naming_the_scorer()
    {
        var (code, _, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", "restoration");
        Assert.Equal(1, code);
        Assert.Contains("--scorers restoration needs image rows", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
