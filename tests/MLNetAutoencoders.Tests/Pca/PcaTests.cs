using System.Text.Json;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;
using static MLNetAutoencoders.Tests.Pca.ReferenceFixture;

namespace MLNetAutoencoders.Tests.Pca;

public class PcaTests
{
    private static readonly JsonElement Ref = Load("pca_reference.json");

    private static void AssertRelative(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tol, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (relative tolerance {tol}).");
    }

    /// <summary>Compares a fitted model with one scikit-learn case of the fixture.</summary>
    private static void AssertMatchesSklearn(PcaModel m, JsonElement c, Matrix xTest, int comparedComponents)
    {
        AssertRelative(Doubles(c.GetProperty("explained_variance_ratio")), m.ExplainedVarianceRatio, 1e-4, "ratio");
        AssertRelative(Doubles(c.GetProperty("explained_variance")), m.ExplainedVariance, 1e-4, "variance");
        AssertRelative(Doubles(c.GetProperty("singular_values")), m.SingularValues, 1e-4, "singular value");
        Assert.True(MaxAbsDiff(Doubles(c.GetProperty("mean")), m.Mean.Select(v => (double)v).ToArray()) < 1e-5);
        Assert.Equal(c.GetProperty("noise_variance").GetDouble(), m.NoiseVariance, 1e-3 * c.GetProperty("noise_variance").GetDouble());
        var refComponents = Doubles(c.GetProperty("components"));
        int d = m.InputDimension;
        double worst = 0;
        for (int i = 0; i < comparedComponents * d; i++) worst = Math.Max(worst, Math.Abs(refComponents[i] - m.Components.Data[i]));
        Assert.True(worst < 1e-3, $"Components differ from scikit-learn's (with the sign convention applied) by up to {worst}.");
        double mse = m.ReconstructionMse(xTest), refMse = c.GetProperty("test_mse").GetDouble();
        Assert.True(Math.Abs(mse - refMse) <= 0.01 * refMse, $"Test MSE {mse} vs scikit-learn {refMse}.");
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(0, false)]
    [InlineData(1, false)]
    public void Exact_matches_sklearn_full(int caseIndex, bool nativeEigen)
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var c = Ref.GetProperty("cases")[caseIndex];
        int k = c.GetProperty("k").GetInt32();
        var m = PcaFitter.Fit(x, new PcaOptions { Components = k, Solver = PcaSolver.Exact }, nativeEigen);
        Assert.Equal(PcaSolver.Exact, m.Solver);
        // Only the 6 latent directions are well separated; the rest of the spectrum is near-degenerate noise.
        AssertMatchesSklearn(m, c, ReferenceFixture.Matrix(Ref.GetProperty("x_test")), Math.Min(k, 6));
    }

    [Fact]
    public void Randomized_matches_sklearn_full()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var c = Ref.GetProperty("cases")[0];
        var m = PcaModel.Fit(x, new PcaOptions { Components = 5, Solver = PcaSolver.Randomized, Seed = 3 });
        Assert.Equal(PcaSolver.Randomized, m.Solver);
        AssertMatchesSklearn(m, c, ReferenceFixture.Matrix(Ref.GetProperty("x_test")), 5);
    }

    [Fact]
    public void Exact_matches_sklearn_when_rows_are_fewer_than_columns()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("wide_x"));
        var m = PcaModel.Fit(x, new PcaOptions { Components = 5, Solver = PcaSolver.Exact });
        var c = Ref.GetProperty("wide");
        AssertRelative(Doubles(c.GetProperty("explained_variance_ratio")), m.ExplainedVarianceRatio, 1e-4, "ratio");
        AssertRelative(Doubles(c.GetProperty("explained_variance")), m.ExplainedVariance, 1e-4, "variance");
        Assert.Equal(c.GetProperty("noise_variance").GetDouble(), m.NoiseVariance, 1e-3 * c.GetProperty("noise_variance").GetDouble());
        Assert.Equal(c.GetProperty("test_mse").GetDouble(), m.ReconstructionMse(x), 1e-3 * c.GetProperty("test_mse").GetDouble());
    }

    /// <summary>An N×d matrix of exact rank r (plus an offset), with well-separated singular values.</summary>
    private static Matrix LowRank(int n, int d, int r, ulong seed)
    {
        var rng = new Rng(seed);
        var a = new Matrix(n, r);
        rng.FillGaussian(a.Span);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < r; j++) a[i, j] *= (float)Math.Pow(0.6, j) * 4;
        var b = new Matrix(r, d);
        rng.FillGaussian(b.Span);
        var x = new Matrix(n, d);
        Gemm.Create(GemmKind.Managed).Multiply(a, false, b, false, x);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i, j] += 0.1f * j;
        return x;
    }

    [Theory]
    [InlineData(5, 10, null)]
    [InlineData(8, 10, null)]  // k = rank: the sketch has more columns than the data has directions
    [InlineData(5, 0, 6)]
    public void Randomized_agrees_with_exact_on_a_low_rank_matrix(int k, int oversampling, int? powerIterations)
    {
        var x = LowRank(500, 60, 8, 11);
        var exact = PcaModel.Fit(x, new PcaOptions { Components = k, Solver = PcaSolver.Exact });
        var rand = PcaModel.Fit(x, new PcaOptions
        {
            Components = k, Solver = PcaSolver.Randomized, Oversampling = oversampling, PowerIterations = powerIterations, Seed = 5,
        });
        AssertRelative(exact.ExplainedVarianceRatio, rand.ExplainedVarianceRatio, 1e-4, "ratio");
        Assert.True(MaxAbsDiff(exact.Components.ToDoubles(), rand.Components.ToDoubles()) < 1e-3,
            "Randomised components differ from the exact ones.");
        Assert.Equal(exact.ReconstructionMse(x), rand.ReconstructionMse(x), 1e-6);
    }

    [Fact]
    public void A_large_offset_costs_no_precision()
    {
        var x = LowRank(400, 30, 6, 21);
        for (int i = 0; i < x.Length; i++) x.Data[i] += 20000f; // the mean dwarfs the spread
        var exact = PcaModel.Fit(x, new PcaOptions { Components = 4, Solver = PcaSolver.Exact });
        var rand = PcaModel.Fit(x, new PcaOptions { Components = 4, Solver = PcaSolver.Randomized, Seed = 1 });
        AssertRelative(exact.ExplainedVarianceRatio, rand.ExplainedVarianceRatio, 1e-4, "ratio");
        double diff = MaxAbsDiff(exact.Components.ToDoubles(), rand.Components.ToDoubles());
        Assert.True(diff < 1e-4, $"Components differ by {diff}.");
        var z = exact.Transform(x);
        for (int i = 0; i < 20; i++)
            for (int r = 0; r < 4; r++)
            {
                double s = 0;
                for (int j = 0; j < x.Cols; j++) s += ((double)x[i, j] - exact.Mean[j]) * exact.Components[r, j];
                Assert.Equal(s, z[i, r], 2e-3);
            }
    }

    [Fact]
    public void Components_are_orthonormal_and_follow_the_sign_convention()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        foreach (var solver in new[] { PcaSolver.Exact, PcaSolver.Randomized })
        {
            var m = PcaModel.Fit(x, new PcaOptions { Components = 10, Solver = solver });
            var v = m.Components;
            for (int a = 0; a < v.Rows; a++)
            {
                var row = v.Row(a).ToArray();
                int arg = Array.IndexOf(row, row.MaxBy(Math.Abs));
                Assert.True(row[arg] > 0, $"{solver}: component {a}'s largest-magnitude entry is negative.");
                for (int b = 0; b < v.Rows; b++)
                {
                    double dot = 0;
                    for (int j = 0; j < v.Cols; j++) dot += (double)v[a, j] * v[b, j];
                    Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
                }
            }
            for (int r = 1; r < m.ComponentCount; r++) Assert.True(m.ExplainedVariance[r] <= m.ExplainedVariance[r - 1]);
        }
    }

    [Fact]
    public void Transform_is_the_centred_projection_and_mse_matches_reconstruct()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var xt = ReferenceFixture.Matrix(Ref.GetProperty("x_test"));
        var m = PcaModel.Fit(x, new PcaOptions { Components = 4 });
        var z = m.Transform(xt);
        Assert.Equal((xt.Rows, 4), (z.Rows, z.Cols));
        for (int i = 0; i < xt.Rows; i++)
            for (int r = 0; r < 4; r++)
            {
                double s = 0;
                for (int j = 0; j < xt.Cols; j++) s += ((double)xt[i, j] - m.Mean[j]) * m.Components[r, j];
                Assert.Equal(s, z[i, r], 1e-3 * Math.Max(1, Math.Abs(s)));
            }
        var back = m.Reconstruct(xt);
        double mse = 0;
        for (int i = 0; i < xt.Length; i++) mse += Math.Pow(back.Data[i] - xt.Data[i], 2);
        Assert.Equal(mse / xt.Length, m.ReconstructionMse(xt), 1e-6 * mse / xt.Length + 1e-9);
    }

    [Fact]
    public void Whitening_gives_unit_variance_codes_and_inverts()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var plain = PcaModel.Fit(x, new PcaOptions { Components = 6 });
        var white = PcaModel.Fit(x, new PcaOptions { Components = 6, Whiten = true });
        var z = white.Transform(x);
        for (int r = 0; r < 6; r++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < z.Rows; i++) mean += z[i, r];
            mean /= z.Rows;
            for (int i = 0; i < z.Rows; i++) sq += Math.Pow(z[i, r] - mean, 2);
            Assert.Equal(0, mean, 1e-4);
            Assert.Equal(1, sq / (z.Rows - 1), 1e-3);
        }
        Assert.True(MaxAbsDiff(plain.Reconstruct(x).ToDoubles(), white.Reconstruct(x).ToDoubles()) < 1e-4);
    }

    [Theory]
    [InlineData(PcaSolver.Exact)]
    [InlineData(PcaSolver.Randomized)]
    public void Full_rank_pca_reconstructs_exactly(PcaSolver solver)
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var xt = ReferenceFixture.Matrix(Ref.GetProperty("x_test"));
        var m = PcaModel.Fit(x, new PcaOptions { Components = x.Cols, Solver = solver });
        Assert.Equal(1.0, m.ExplainedVarianceRatio.Sum(), 1e-6);
        Assert.Equal(0.0, m.NoiseVariance);
        var back = m.InverseTransform(m.Transform(xt));
        Assert.True(MaxAbsDiff(xt.ToDoubles(), back.ToDoubles()) < 1e-4, "Full-rank PCA did not reconstruct its input.");
    }

    [Fact]
    public void Uncentred_pca_keeps_a_zero_mean_and_equals_centred_pca_on_centred_data()
    {
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var centred = PcaModel.Fit(x, new PcaOptions { Components = 3 });
        var xc = x.Clone();
        for (int i = 0; i < xc.Rows; i++)
            for (int j = 0; j < xc.Cols; j++) xc[i, j] -= centred.Mean[j];
        var raw = PcaModel.Fit(xc, new PcaOptions { Components = 3, Center = false });
        Assert.All(raw.Mean, v => Assert.Equal(0f, v));
        AssertRelative(centred.ExplainedVariance, raw.ExplainedVariance, 1e-4, "variance");
        var uncentredOnRaw = PcaModel.Fit(x, new PcaOptions { Components = 3, Center = false });
        Assert.True(uncentredOnRaw.ExplainedVariance[0] > centred.ExplainedVariance[0], "Without centring the offset should dominate.");
    }

    [Fact]
    public void Randomized_is_deterministic_for_a_seed()
    {
        var x = LowRank(300, 40, 12, 2);
        var o = new PcaOptions { Components = 4, Solver = PcaSolver.Randomized, PowerIterations = 0, Oversampling = 0, Seed = 9 };
        var a = PcaModel.Fit(x, o);
        var b = PcaModel.Fit(x, o);
        Assert.Equal(a.Components.Span.ToArray(), b.Components.Span.ToArray());
        var c = PcaModel.Fit(x, new PcaOptions { Components = 4, Solver = PcaSolver.Randomized, PowerIterations = 0, Oversampling = 0, Seed = 10 });
        Assert.NotEqual(a.Components.Span.ToArray(), c.Components.Span.ToArray());
    }

    [Fact]
    public void Auto_and_power_iterations_resolve_as_documented()
    {
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 5 }.ResolveSolver(400, 300));
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 900 }.ResolveSolver(60000, 1000));
        // Fashion-MNIST, k = 20: ¾·784 = 588 ≤ 2·16·30 = 960, so the scatter is cheaper.
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 20 }.ResolveSolver(60000, 784));
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 20 }.ResolveSolver(60000, 1500));
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 5, PowerIterations = 1 }.ResolveSolver(60000, 784));
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 300 }.ResolveSolver(60000, 4000));
        Assert.Equal(7, new PcaOptions { Components = 20 }.ResolvePowerIterations(60000, 784));
        Assert.Equal(4, new PcaOptions { Components = 100 }.ResolvePowerIterations(60000, 784));
        Assert.Equal(2, new PcaOptions { Components = 100, PowerIterations = 2 }.ResolvePowerIterations(60000, 784));
    }

    [Theory]
    [InlineData("Components")]
    [InlineData("Oversampling")]
    [InlineData("PowerIterations")]
    [InlineData("Threads")]
    [InlineData("Solver")]
    public void Options_out_of_range_name_the_option(string option)
    {
        var o = option switch
        {
            "Components" => new PcaOptions { Components = 0 },
            "Oversampling" => new PcaOptions { Oversampling = -1 },
            "PowerIterations" => new PcaOptions { PowerIterations = -1 },
            "Threads" => new PcaOptions { Threads = 0 },
            _ => new PcaOptions { Solver = (PcaSolver)42 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PcaModel.Fit(new Matrix(10, 3), o));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
    }

    [Fact]
    public void Bad_inputs_are_reported()
    {
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => PcaModel.Fit(new Matrix(10, 3), new PcaOptions { Components = 4 }));
        Assert.Contains("min(rows, columns) = 3", tooMany.Message);
        Assert.Throws<ArgumentException>(() => PcaModel.Fit(new Matrix(1, 3), new PcaOptions { Components = 1 }));
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var bad = x.Clone();
        bad[7, 3] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => PcaModel.Fit(bad, new PcaOptions { Components = 2 }));
        Assert.Contains("row 7, column 3", nan.Message);
        var m = PcaModel.Fit(x, new PcaOptions { Components = 2 });
        Assert.Contains("row 7, column 3", Assert.Throws<ArgumentException>(() => m.Transform(bad)).Message);
        Assert.Contains("24", Assert.Throws<ArgumentException>(() => m.Transform(new Matrix(2, 5))).Message);
        Assert.Throws<ArgumentException>(() => m.InverseTransform(new Matrix(2, 3)));
    }
}
