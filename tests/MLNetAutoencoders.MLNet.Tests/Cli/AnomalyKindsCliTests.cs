using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary><c>mlae anomaly --scorers kinds,kinds+raw</c> and <c>--erasure</c>, run as a process.</summary>
public sealed class AnomalyKindsCliTests
{
    [Fact]
    public void Ensembles_over_kinds_get_rows_beside_their_members()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var (code, stdout, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", "kinds,kinds+raw",
            "--epochs", "30", "--threads", "1", "--json");
        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;
        Assert.Equal(0, (int)json["erasure"]!);
        var rows = json["rows"]!.AsArray();
        // The members (knn on codes and the reconstruction error of one network) are fitted once and reported too.
        Assert.Equal(["ae/knn", "ae", "ae/kinds", "ae/kinds+raw"], rows.Select(r => (string)r!["method"]!));
        Assert.All(rows, r => Assert.InRange((double)r!["auroc"]!, 0.8, 1.0));
        Assert.True((double)rows[3]!["fitScoreSeconds"]! >= (double)rows[0]!["fitSeconds"]!);
    }

    [Fact]
    public void Erasure_without_restoration_is_an_error_naming_the_option()
    {
        var (code, _, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", "knn", "--erasure", "3");
        Assert.Equal(1, code);
        Assert.Contains("--erasure applies to restoration", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("geo")]
    [InlineData("kinds+geo+raw")]
    public void Transformation_prediction_on_the_table_is_an_error_naming_the_scorer(string scorer)
    {
        var (code, _, stderr) = MlaeProcess.Run("anomaly", "--dataset", "breast-cancer", "--methods", "ae", "--scorers", scorer);
        Assert.Equal(1, code);
        Assert.Contains($"--scorers {scorer} needs image rows", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("knn", "--geo-shift", "3", "--geo-shift and --geo-epochs apply to transformation prediction")]
    [InlineData("geo", "--geo-shift", "28", "--geo-shift must be ≥ 0 and smaller than the 28-pixel image side; got 28")]
    [InlineData("kinds+geo+raw", "--geo-epochs", "0", "--geo-epochs must be ≥ 1; got 0")]
    public void Transformation_prediction_settings_out_of_place_or_range_are_errors_naming_the_option(string scorer, string option, string value, string message)
    {
        var (code, _, stderr) = MlaeProcess.Run("anomaly", "--dataset", "fashion-mnist", "--methods", "denoising", "--scorers", scorer, option, value);
        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }
}
