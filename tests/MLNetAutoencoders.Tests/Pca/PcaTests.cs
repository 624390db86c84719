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
    [InlineData(8, 0, 0)]      // l = rank, no power iteration: the sketch itself must be centred exactly
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
        Assert.Contains($"PcaOptions.{option} must be", e.Message);
    }

    [Fact]
    public void Bad_inputs_are_reported()
    {
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => PcaModel.Fit(new Matrix(10, 3), new PcaOptions { Components = 4 }));
        Assert.Contains("min(rows, columns) = 3", tooMany.Message);
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() => PcaModel.Fit(new Matrix(1, 3), new PcaOptions { Components = 1 })).Message);
        Assert.Contains("at least 1 column", Assert.Throws<ArgumentException>(() => PcaModel.Fit(new Matrix(5, 0), new PcaOptions { Components = 1 })).Message);
        Assert.Throws<ArgumentNullException>(() => PcaModel.Fit(null!));
        Assert.Throws<ArgumentNullException>(() => PcaFitter.Fit(new Matrix(5, 2), null!));
        var allNaN = new Matrix(3, 1, [1f, float.NaN, 2f]); // no finite column mean at all
        Assert.Contains("PCA input: row 1, column 0", Assert.Throws<ArgumentException>(() => PcaModel.Fit(allNaN, new PcaOptions { Components = 1 })).Message);
        var x = ReferenceFixture.Matrix(Ref.GetProperty("x"));
        var bad = x.Clone();
        bad[7, 3] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => PcaModel.Fit(bad, new PcaOptions { Components = 2 }));
        Assert.Contains("row 7, column 3", nan.Message);
        var m = PcaModel.Fit(x, new PcaOptions { Components = 2 });
        Assert.Contains("PCA input: row 7, column 3", Assert.Throws<ArgumentException>(() => m.Transform(bad)).Message);
        Assert.Contains("PCA input: row 7, column 3", Assert.Throws<ArgumentException>(() => m.ReconstructionMse(bad)).Message);
        Assert.Contains("24", Assert.Throws<ArgumentException>(() => m.Transform(new Matrix(2, 5))).Message);
        Assert.Contains("fitted on 24", Assert.Throws<ArgumentException>(() => m.ReconstructionMse(new Matrix(2, 5))).Message);
        Assert.Contains("this PCA has 2 components", Assert.Throws<ArgumentException>(() => m.InverseTransform(new Matrix(2, 3))).Message);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => m.Transform(null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => m.InverseTransform(null!));
    }

    /// <summary>Naive column sums and sums of squares in double.</summary>
    private static (double[] Sums, double[] Squares) NaiveColumnSums(Matrix x)
    {
        var sums = new double[x.Cols];
        var squares = new double[x.Cols];
        for (int i = 0; i < x.Rows; i++)
            for (int j = 0; j < x.Cols; j++)
            {
                sums[j] += x[i, j];
                squares[j] += (double)x[i, j] * x[i, j];
            }
        return (sums, squares);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Column_sums_split_over_threads_equal_a_serial_sum(int threads)
    {
        // 3000×70 = 210,000 values: three row ranges of ≥ 65,536 values with 3 threads; 70 columns leave a scalar tail of 6.
        var x = new Matrix(3000, 70);
        new Rng(4).FillGaussian(x.Span);
        for (int i = 0; i < x.Rows; i++) x[i, 5] += 3f; // a column with a visible mean
        var (sums, squares) = NaiveColumnSums(x);
        var s = ColumnStats.Sums(x, threads);
        var (s2, q2) = ColumnStats.SumsAndSquares(x, threads);
        for (int j = 0; j < x.Cols; j++)
        {
            Assert.Equal(sums[j], s[j], 1e-9 * x.Rows);
            Assert.Equal(sums[j], s2[j], 1e-9 * x.Rows);
            Assert.Equal(squares[j], q2[j], 1e-9 * squares[j]);
        }
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => ColumnStats.Sums(new Matrix(0, 3), threads)).Message);
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => ColumnStats.SumsAndSquares(new Matrix(0, 3), threads)).Message);
    }

    /// <summary>Σ (x_i − m)(x_i − m)ᵀ in double, m = 0 when <paramref name="mean"/> is null.</summary>
    private static double[] NaiveScatter(Matrix x, float[]? mean)
    {
        int d = x.Cols;
        var s = new double[d * d];
        var row = new double[d];
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < d; j++) row[j] = x[i, j] - (mean?[j] ?? 0f);
            for (int a = 0; a < d; a++)
                for (int b = a; b < d; b++) s[a * d + b] += row[a] * row[b];
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b < a; b++) s[a * d + b] = s[b * d + a];
        return s;
    }

    [Theory]
    [InlineData(5000, 3)]   // two blocks of rows (4096 + 904)
    [InlineData(300, 520)]  // d ≥ 512: upper block triangle in three GEMMs, lower-left block mirrored
    public void Scatter_matches_a_direct_sum_over_row_blocks_and_column_halves(int n, int d)
    {
        var x = new Matrix(n, d);
        new Rng(8).FillGaussian(x.Span);
        var mean = new float[d];
        for (int j = 0; j < d; j++) mean[j] = 0.01f * (j % 7) - 0.02f;
        foreach (var m in new[] { mean, null })
        {
            var expected = NaiveScatter(x, m);
            var actual = PcaFitter.Scatter(x, m, Gemm.Create(GemmKind.Auto, 2));
            double scale = expected.Max(Math.Abs);
            double worst = MaxAbsDiff(expected, actual);
            Assert.True(worst <= 1e-5 * scale, $"{n}×{d}, centred {m is not null}: scatter differs by {worst} (largest entry {scale}).");
        }
    }

    [Fact]
    public void More_rows_than_one_block_give_the_same_pca_transform_and_error()
    {
        // 5000 rows: the randomised solver reads them in blocks of 2048, Transform and ReconstructionMse in chunks of 4096.
        var x = LowRank(5000, 30, 6, 17);
        var exact = PcaModel.Fit(x, new PcaOptions { Components = 4, Solver = PcaSolver.Exact });
        var rand = PcaModel.Fit(x, new PcaOptions { Components = 4, Solver = PcaSolver.Randomized, Seed = 2 });
        AssertRelative(exact.ExplainedVarianceRatio, rand.ExplainedVarianceRatio, 1e-4, "ratio");
        Assert.True(MaxAbsDiff(exact.Components.ToDoubles(), rand.Components.ToDoubles()) < 1e-3, "Randomised components differ from the exact ones.");

        var z = exact.Transform(x);
        double sq = 0;
        var code = new double[4];
        for (int i = 0; i < x.Rows; i++)
        {
            for (int r = 0; r < 4; r++)
            {
                code[r] = 0;
                for (int j = 0; j < x.Cols; j++) code[r] += ((double)x[i, j] - exact.Mean[j]) * exact.Components[r, j];
                if (i % 500 == 7) Assert.Equal(code[r], z[i, r], 1e-3 * Math.Max(1, Math.Abs(code[r])));
            }
            for (int j = 0; j < x.Cols; j++)
            {
                double back = exact.Mean[j];
                for (int r = 0; r < 4; r++) back += code[r] * exact.Components[r, j];
                sq += Math.Pow(back - x[i, j], 2);
            }
        }
        double mse = sq / x.Length;
        Assert.Equal(mse, exact.ReconstructionMse(x), 1e-4 * mse);
    }

    [Fact]
    public void Two_rows_one_component_one_thread_and_a_single_column_are_enough()
    {
        var two = new Matrix(2, 3, [1f, 2f, 3f, 3f, 2f, 7f]); // the rows differ by (2, 0, 4)
        var m = PcaModel.Fit(two, new PcaOptions { Components = 1, Threads = 1 });
        Assert.Equal(10.0, m.ExplainedVariance[0], 1e-5); // ‖difference‖² / 2 with N − 1 = 1
        Assert.Equal(1.0, m.ExplainedVarianceRatio[0], 1e-6);
        Assert.Equal(0.0, m.NoiseVariance, 1e-6); // min(N, d) − k = 1 discarded direction, without variance
        Assert.Equal([2f, 2f, 5f], m.Mean);
        var column = new Matrix(4, 1, [1f, 2f, 3f, 6f]);
        var c = PcaModel.Fit(column, new PcaOptions { Components = 1 });
        Assert.Equal(1f, c.Components[0, 0], 1e-6f);
        Assert.Equal(14.0 / 3, c.ExplainedVariance[0], 1e-5);
    }

    [Fact]
    public void Constant_data_has_zero_variance_ratios_not_NaN()
    {
        var x = new Matrix(6, 3);
        for (int i = 0; i < x.Rows; i++) { x[i, 0] = 2f; x[i, 1] = -1f; x[i, 2] = 0.5f; }
        var m = PcaModel.Fit(x, new PcaOptions { Components = 2, Solver = PcaSolver.Exact });
        Assert.Equal([0.0, 0.0], m.ExplainedVariance);
        Assert.Equal([0.0, 0.0], m.ExplainedVarianceRatio);
        Assert.Equal(0.0, m.NoiseVariance);
    }

    [Fact]
    public void Whitening_leaves_a_component_without_variance_at_zero()
    {
        var components = new Matrix(2, 2, [1f, 0f, 0f, 1f]);
        var m = new PcaModel([1f, 1f], components, [4.0, 0.0], [1.0, 0.0], [2.0, 0.0], 0, whiten: true, 5, PcaSolver.Exact);
        var z = m.Transform(new Matrix(1, 2, [3f, 5f]));
        Assert.Equal([1f, 0f], z.Span.ToArray()); // (3 − 1)/√4, and 0 rather than 4/√0
    }

    [Fact]
    public void Constructor_rejects_parts_that_do_not_fit_together()
    {
        var v = new Matrix(2, 3);
        float[] mean3 = [0f, 0f, 0f];
        double[] two = [1, 1], one = [1];
        Assert.Contains("at least one component", Assert.Throws<ArgumentException>(() => new PcaModel([], new Matrix(0, 0), [], [], [], 0, false, 2, PcaSolver.Exact)).Message);
        Assert.Contains("the mean has 2 values", Assert.Throws<ArgumentException>(() => new PcaModel([0f, 0f], v, two, two, two, 0, false, 2, PcaSolver.Exact)).Message);
        Assert.Contains("must each have 2 values", Assert.Throws<ArgumentException>(() => new PcaModel(mean3, v, one, two, two, 0, false, 2, PcaSolver.Exact)).Message);
        Assert.Throws<ArgumentException>(() => new PcaModel(mean3, v, two, one, two, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentException>(() => new PcaModel(mean3, v, two, two, one, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentNullException>(() => new PcaModel(null!, v, two, two, two, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentNullException>(() => new PcaModel(mean3, null!, two, two, two, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentNullException>(() => new PcaModel(mean3, v, null!, two, two, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentNullException>(() => new PcaModel(mean3, v, two, null!, two, 0, false, 2, PcaSolver.Exact));
        Assert.Throws<ArgumentNullException>(() => new PcaModel(mean3, v, two, two, null!, 0, false, 2, PcaSolver.Exact));
        var ok = new PcaModel(mean3, v, two, two, two, 0, false, 2, PcaSolver.Exact);
        Assert.Equal((3, 2), (ok.InputDimension, ok.ComponentCount));
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => ok.ReconstructionMse(new Matrix(0, 3))).Message);
        Assert.Equal((0, 2), (ok.Transform(new Matrix(0, 3)).Rows, ok.Transform(new Matrix(0, 3)).Cols));
    }

    [Fact]
    public void Sign_ties_make_the_first_largest_entry_positive()
    {
        double[] rows = [-0.6, 0.6, 0.1, /* second component */ 0.5, -0.5, 0.2];
        PcaFitter.FlipSigns(rows, 2, 3);
        Assert.Equal([0.6, -0.6, -0.1, 0.5, -0.5, 0.2], rows);
    }

    [Fact]
    public void Auto_solver_boundaries_are_inclusive_as_documented()
    {
        var q0 = new PcaOptions { Components = 5, PowerIterations = 0 };
        Assert.Equal(PcaSolver.Exact, q0.ResolveSolver(500, 100));        // max(N, d) ≤ 500
        Assert.Equal(PcaSolver.Randomized, q0.ResolveSolver(501, 100));
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 2000 }.ResolveSolver(3000, 2500)); // k ≥ 0.8·min(N, d)
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 1999 }.ResolveSolver(3000, 2500));
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 100 }.ResolveSolver(60000, 2048)); // d ≤ 2048
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 100 }.ResolveSolver(60000, 2049));
        var l30 = new PcaOptions { Components = 20, PowerIterations = 0 }; // ¾·d against 2·(2·0 + 2)·30 = 120
        Assert.Equal(PcaSolver.Exact, l30.ResolveSolver(60000, 160));
        Assert.Equal(PcaSolver.Randomized, l30.ResolveSolver(60000, 161));
        Assert.Equal(PcaSolver.Exact, new PcaOptions { Components = 20, PowerIterations = 0, Oversampling = 20 }.ResolveSolver(60000, 200));
        // l is capped at min(N, d) = 100 rows: ¾·540 = 405 > 2·2·100 (uncapped, 2·2·135 = 540 would pick Exact)
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 75, Oversampling = 60, PowerIterations = 0 }.ResolveSolver(100, 540));
        Assert.Equal(7, new PcaOptions { Components = 99 }.ResolvePowerIterations(60000, 1000)); // k < 0.1·min(N, d)
        Assert.Equal(4, new PcaOptions { Components = 100 }.ResolvePowerIterations(60000, 1000));
        Assert.Equal(PcaSolver.Randomized, new PcaOptions { Components = 20, Solver = PcaSolver.Randomized }.ResolveSolver(100, 100));
    }

    [Fact]
    public void Eigensolver_rejects_a_bad_count_or_a_short_matrix_and_sorts_descending()
    {
        Assert.Contains("k must be in 1..2", Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricEigen.Top(new double[4], 2, 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SymmetricEigen.Top(new double[4], 2, 3));
        Assert.Contains("needs 4 values; it has 3", Assert.Throws<ArgumentException>(() => SymmetricEigen.Top(new double[3], 2, 1)).Message);
        foreach (bool native in new[] { true, false })
        {
            var (values, vectors) = SymmetricEigen.Top([1, 0, 0, 0, 3, 0, 0, 0, 2], 3, 3, native);
            Assert.Equal([3.0, 2.0, 1.0], values.Select(v => Math.Round(v, 9)));
            Assert.Equal([0.0, 1.0, 0.0], vectors.Take(3).Select(v => Math.Round(Math.Abs(v), 9)));
            Assert.Equal([0.0, 0.0, 1.0], vectors.Skip(3).Take(3).Select(v => Math.Round(Math.Abs(v), 9)));
        }
    }

    /// <summary>A GEMM provider that counts its calls (to see that the one given is the one used).</summary>
    private sealed class CountingGemm : IGemm
    {
        private readonly IGemm _inner = Gemm.Create(GemmKind.Managed, 1);
        public int Calls;
        public string Name => "counting";
        public int Threads => 1;
        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        {
            Calls++;
            _inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
    }

    [Fact]
    public void The_given_gemm_provider_does_the_work()
    {
        var x = LowRank(200, 12, 3, 5);
        var fitGemm = new CountingGemm();
        var m = PcaModel.Fit(x, new PcaOptions { Components = 2, Gemm = fitGemm });
        Assert.True(fitGemm.Calls > 0, "Fit did not use PcaOptions.Gemm.");
        foreach (var use in new Action<IGemm>[] { g => m.Transform(x, g), g => m.InverseTransform(new Matrix(3, 2), g), g => m.Reconstruct(x, g), g => m.ReconstructionMse(x, g) })
        {
            var g = new CountingGemm();
            use(g);
            Assert.True(g.Calls > 0, "A PcaModel method did not use the GEMM provider it was given.");
        }
    }

    [Theory]
    [InlineData(PcaSolver.Exact)]
    [InlineData(PcaSolver.Randomized)]
    public void Uncentred_fits_agree_between_solvers(PcaSolver solver)
    {
        var x = LowRank(300, 20, 5, 6);
        var exact = PcaModel.Fit(x, new PcaOptions { Components = 3, Center = false, Solver = PcaSolver.Exact });
        var other = PcaModel.Fit(x, new PcaOptions { Components = 3, Center = false, Solver = solver, Seed = 4 });
        Assert.All(other.Mean, v => Assert.Equal(0f, v));
        AssertRelative(exact.ExplainedVariance, other.ExplainedVariance, 1e-4, "variance");
        Assert.True(MaxAbsDiff(exact.Components.ToDoubles(), other.Components.ToDoubles()) < 1e-3, "Uncentred components differ between solvers.");
    }

    [Fact]
    public void Randomized_completes_the_basis_when_the_data_span_fewer_directions_than_the_sketch()
    {
        // Only columns 0 and 1 vary: after two sketch columns every further one vanishes and must be replaced by a
        // random direction orthogonal to the first ones; 5 columns keep the vectorised sums on their scalar tail.
        var x = new Matrix(50, 5);
        var rng = new Rng(3);
        for (int i = 0; i < x.Rows; i++) { x[i, 0] = (float)(3 * rng.NextGaussian()); x[i, 1] = (float)rng.NextGaussian(); x[i, 4] = 2f; }
        var exact = PcaModel.Fit(x, new PcaOptions { Components = 2, Solver = PcaSolver.Exact });
        var rand = PcaModel.Fit(x, new PcaOptions { Components = 2, Solver = PcaSolver.Randomized, Oversampling = 3, PowerIterations = 0, Seed = 1 });
        AssertRelative(exact.ExplainedVariance, rand.ExplainedVariance, 1e-4, "variance");
        Assert.True(MaxAbsDiff(exact.Components.ToDoubles(), rand.Components.ToDoubles()) < 1e-4, "Randomised components differ from the exact ones.");
        var basis = new double[4 * 5];
        var w = new Matrix(5, 4, [1f, 2f, 0f, 0f, 1f, 2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f]); // columns 2–3 zero, 1 = 2·0
        var z = new Matrix(5, 4);
        PcaFitter.Orthonormalise(w, basis, z, new Rng(2));
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
            {
                double dot = 0;
                for (int i = 0; i < 5; i++) dot += basis[a * 5 + i] * basis[b * 5 + i];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-9);
            }
    }

    [Fact]
    public void Randomized_products_sum_over_every_row_block()
    {
        // Rows 0–4095 vary in columns 0–1, rows 4096–4999 in columns 2–3, all rows a little in columns 4–5: the
        // 2048-row blocks see different directions, and only products summed over all blocks find the top two.
        var x = new Matrix(5000, 6);
        var rng = new Rng(12);
        for (int i = 0; i < x.Rows; i++)
        {
            if (i < 4096) { x[i, 0] = (float)(3 * rng.NextGaussian()); x[i, 1] = (float)(2 * rng.NextGaussian()); }
            else { x[i, 2] = (float)rng.NextGaussian(); x[i, 3] = (float)(0.5 * rng.NextGaussian()); }
            x[i, 4] = (float)(0.05 * rng.NextGaussian()); x[i, 5] = (float)(0.05 * rng.NextGaussian());
        }
        var exact = PcaModel.Fit(x, new PcaOptions { Components = 2, Solver = PcaSolver.Exact });
        var rand = PcaModel.Fit(x, new PcaOptions { Components = 2, Solver = PcaSolver.Randomized, Oversampling = 2, PowerIterations = 2, Seed = 3 });
        AssertRelative(exact.ExplainedVariance, rand.ExplainedVariance, 1e-4, "variance");
        Assert.True(MaxAbsDiff(exact.Components.ToDoubles(), rand.Components.ToDoubles()) < 1e-3, "Randomised components differ from the exact ones.");
    }
}
