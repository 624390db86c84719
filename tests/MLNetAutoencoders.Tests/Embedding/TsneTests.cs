using System.IO.Compression;
using System.Text.Json;
using MLNetAutoencoders.Embedding;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using Xunit.Abstractions;

namespace MLNetAutoencoders.Tests.Embedding;

public class TsneTests(ITestOutputHelper output)
{
    /// <summary>scikit-learn's digits (1 797 × 64, values 0–16, label last), shipped inside python3-sklearn.</summary>
    internal const string DigitsPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

    internal static (Matrix X, int[] Labels) Digits(int rows)
    {
        TestEnv.RequireFile(DigitsPath, "scikit-learn's digits data (Debian package python3-sklearn)");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(DigitsPath), CompressionMode.Decompress));
        var x = new Matrix(rows, 64);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            var f = reader.ReadLine()!.Split(',');
            for (int j = 0; j < 64; j++) x[i, j] = float.Parse(f[j], System.Globalization.CultureInfo.InvariantCulture);
            labels[i] = (int)float.Parse(f[64], System.Globalization.CultureInfo.InvariantCulture);
        }
        return (x, labels);
    }

    private static Matrix Gaussian(int rows, int cols, ulong seed)
    {
        var m = new Matrix(rows, cols);
        new Rng(seed).FillGaussian(m.Span);
        return m;
    }

    [Theory]
    [InlineData(5.0)]
    [InlineData(30.0)]
    public void Calibration_gives_every_row_the_entropy_log_perplexity(double perplexity)
    {
        var x = Gaussian(150, 6, 3);
        // One far outlier: its row must be calibrated too (its distances are all large).
        for (int j = 0; j < 6; j++) x[0, j] = 40;
        var p = Tsne.ConditionalProbabilities(x, perplexity);
        int n = x.Rows;
        for (int i = 0; i < n; i++)
        {
            double sum = 0, entropy = 0;
            for (int j = 0; j < n; j++)
            {
                double v = p[i * n + j];
                if (j == i) Assert.Equal(0, v);
                sum += v;
                if (v > 0) entropy -= v * Math.Log(v);
            }
            Assert.Equal(1, sum, 1e-9);
            Assert.True(Math.Abs(entropy - Math.Log(perplexity)) < 1e-4, $"row {i}: entropy {entropy}, expected ln {perplexity} = {Math.Log(perplexity)}");
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_layout_and_progress_rises_to_the_end()
    {
        var x = Gaussian(60, 5, 4);
        var o = new TsneOptions { Perplexity = 10, Iterations = 120, ExaggerationIterations = 50, Init = TsneInit.Random, Seed = 9, ReportEvery = 40 };
        var reports = new List<TsneProgress>();
        var a = Tsne.Embed(x, o, new SyncProgress<TsneProgress>(reports.Add));
        var b = Tsne.Embed(x, o);
        Assert.Equal(a.Embedding.Span.ToArray(), b.Embedding.Span.ToArray());
        Assert.Equal(a.KlDivergence, b.KlDivergence);
        Assert.Equal([40, 80, 120], reports.Select(r => r.Iteration));
        var c = Tsne.Embed(x, new TsneOptions { Perplexity = 10, Iterations = 120, ExaggerationIterations = 50, Init = TsneInit.Random, Seed = 10 });
        Assert.NotEqual(a.Embedding.Span.ToArray(), c.Embedding.Span.ToArray());
    }

    [Fact]
    public void Cancellation_and_bad_options_are_reported()
    {
        var x = Gaussian(40, 3, 5);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Tsne.Embed(x, new TsneOptions { Perplexity = 5 }, null, cts.Token));
        var e = Assert.Throws<ArgumentException>(() => Tsne.Embed(x, new TsneOptions { Perplexity = 50 }));
        Assert.Contains("perplexity 50", e.Message);
        Assert.Contains("40", e.Message);
        Assert.Equal("ExaggerationIterations", Assert.Throws<ArgumentOutOfRangeException>(() => Tsne.Embed(x, new TsneOptions { Iterations = 10 })).ParamName);
        x[3, 1] = float.NaN;
        Assert.Contains("row 3", Assert.Throws<ArgumentException>(() => Tsne.Embed(x, new TsneOptions { Perplexity = 5 })).Message);
    }

    [Fact]
    public void Trustworthiness_is_one_for_the_data_itself_and_matches_a_hand_count()
    {
        var x = Gaussian(30, 4, 6);
        Assert.Equal(1.0, Trustworthiness.Compute(x, x, 5), 12);
        // Points on a line at 0, 1, 4, …, 49, laid out with the first and last swapped.
        var line = new Matrix(8, 1);
        for (int i = 0; i < 8; i++) line[i, 0] = i * i; // distances grow along the line: no ties
        var swapped = line.Clone();
        (swapped[0, 0], swapped[7, 0]) = (swapped[7, 0], swapped[0, 0]);
        // k = 1: in the layout 0 (now at 49) has neighbour 6, data rank 6 → penalty 5; 7 (now at 0) has 1, rank 6 → 5;
        // 1 has 7, rank 7 → 6; every other point keeps its data neighbour.
        double expected = 1 - (5 + 5 + 6) * 2.0 / (8 * 1 * (16 - 3 - 1));
        Assert.Equal(expected, Trustworthiness.Compute(line, swapped, 1), 12);
    }

    /// <summary>
    /// Our t-SNE on the first digits against scikit-learn 1.2's exact TSNE (same perplexity, schedule and learning rate;
    /// tsne_reference.json, from Reference/make_tsne_reference.py): the trustworthiness of our layout must be within 0.01
    /// of the worst scikit-learn run's, and our final KL divergence within 5 % of the worst scikit-learn run's.
    /// </summary>
    [Theory]
    [InlineData(TsneInit.Pca)]
    [InlineData(TsneInit.Random)]
    public void Quality_matches_scikit_learn_on_the_digits(TsneInit init)
    {
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnv.RepoRoot, "tests/MLNetAutoencoders.Tests/Reference/tsne_reference.json"))).RootElement;
        int rows = reference.GetProperty("rows").GetInt32();
        var runs = reference.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("init").GetString() == init.ToString().ToLowerInvariant()).ToList();
        double worstTrust = runs.Min(r => r.GetProperty("trustworthiness").GetDouble());
        double worstKl = runs.Max(r => r.GetProperty("kl").GetDouble());
        var (x, _) = Digits(rows);
        var result = Tsne.Embed(x, new TsneOptions { Init = init, Seed = 0 });
        double trust = Trustworthiness.Compute(x, result.Embedding, 5);
        output.WriteLine($"{init}: trustworthiness {trust:F4} (scikit-learn's worst {worstTrust:F4}), KL {result.KlDivergence:F4} (scikit-learn's worst {worstKl:F4})");
        Assert.True(trust >= worstTrust - 0.01, $"trustworthiness {trust:F4}; scikit-learn's worst {worstTrust:F4}");
        Assert.True(result.KlDivergence <= worstKl * 1.05, $"KL {result.KlDivergence:F4}; scikit-learn's worst {worstKl:F4}");
    }
}
