using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using LA = MathNet.Numerics.LinearAlgebra;

namespace MLNetAutoencoders.Tests.Anomaly;

/// <summary>The code-space scores against direct computations, the small-table adaptation rule, and their errors.</summary>
public class AnomalyScorerCoreTests
{
    private static Matrix Random(int rows, int cols, int seed, double scale = 1)
    {
        var rng = new System.Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Length; i++) m.Data[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return m;
    }

    [Fact]
    public void Neighbour_distance_matches_a_brute_force_sort_and_leaves_a_row_out_of_its_own_set()
    {
        var reference = Random(60, 4, 1);
        var knn = new KnnDistance(reference, 3);
        var probe = Random(10, 4, 2);
        double Expected(Matrix x, int i, int skip) => Enumerable.Range(0, reference.Rows).Where(r => r != skip)
            .Select(r => Math.Sqrt(Enumerable.Range(0, 4).Sum(j => Math.Pow(x[i, j] - reference[r, j], 2)))).OrderBy(d => d).Take(3).Average();
        var s = knn.Score(probe);
        for (int i = 0; i < probe.Rows; i++) Assert.Equal(Expected(probe, i, -1), s[i], 1e-5);
        var own = knn.Score(reference, leaveOneOut: true);
        for (int i = 0; i < reference.Rows; i++) Assert.Equal(Expected(reference, i, i), own[i], 1e-5);
        Assert.All(knn.Score(reference), v => Assert.True(v < own.Max())); // without leaving out, each row finds itself at 0
    }

    [Fact]
    public void Blocked_neighbour_search_equals_the_plain_loop_across_block_edges_with_ties_and_one_row()
    {
        // 2 100 reference rows and 300 probe rows cross the search's block edges (2 048 reference rows, 256 probe rows).
        var reference = Random(2100, 40, 5);
        for (int i = 0; i < 40; i++) reference.Row(i).CopyTo(reference.Row(2060 + i)); // exact ties, across blocks
        var probe = Random(300, 40, 6);
        var knn = new KnnDistance(reference, 5);
        double Plain(Matrix x, int i, int skip)
        {
            var d = new List<double>();
            for (int r = 0; r < reference.Rows; r++)
            {
                if (r == skip) continue;
                double s = 0;
                for (int j = 0; j < x.Cols; j++) { double t = x[i, j] - reference[r, j]; s += t * t; }
                d.Add(Math.Sqrt(s));
            }
            d.Sort();
            return d.Take(5).Average();
        }
        var s = knn.Score(probe);
        for (int i = 0; i < probe.Rows; i++) Assert.Equal(Plain(probe, i, -1), s[i], 1e-5);
        var own = knn.Score(reference, leaveOneOut: true);
        foreach (int i in new[] { 0, 39, 255, 256, 2047, 2048, 2061, 2099 }) Assert.Equal(Plain(reference, i, i), own[i], 1e-5);
        Assert.Equal(knn.Score(probe), s); // repeatable to the bit
        Assert.Equal(s[257], knn.Score(probe.SliceRows(257, 1))[0], 1e-6f); // one row (the dot-product path)
    }

    [Fact]
    public void Gaussian_score_is_the_Mahalanobis_distance_under_the_shrunk_covariance()
    {
        var x = Random(200, 3, 3);
        for (int i = 0; i < x.Rows; i++) x[i, 1] = 0.8f * x[i, 0] + 0.2f * x[i, 1]; // correlated columns
        var g = GaussianDensity.Fit(x, shrinkage: 0.25);
        var rows = Enumerable.Range(0, x.Rows).Select(i => x.Row(i).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var data = LA.Matrix<double>.Build.DenseOfRowArrays(rows);
        var mean = data.ColumnSums() / x.Rows;
        var centred = data - LA.Matrix<double>.Build.Dense(x.Rows, 3, (_, j) => mean[j]);
        var cov = centred.TransposeThisAndMultiply(centred) / (x.Rows - 1);
        var shrunk = cov * 0.75 + LA.Matrix<double>.Build.DenseDiagonal(3, 3, j => cov[j, j] * 0.25);
        var inverse = shrunk.Inverse();
        var probe = Random(5, 3, 4, 2);
        var s = g.Score(probe);
        for (int i = 0; i < probe.Rows; i++)
        {
            var d = LA.Vector<double>.Build.Dense(3, j => probe[i, j] - mean[j]);
            Assert.Equal(d * (inverse * d), s[i], 3);
        }
    }

    [Fact]
    public void Neighbour_search_uses_the_threads_it_is_given_and_one_or_two_give_the_same_scores()
    {
        // The per-row scans are independent and the k distances are recomputed exactly, so the thread count does not
        // change a score where no two reference rows tie.
        var reference = Random(2100, 30, 7);
        var probe = Random(300, 30, 8);
        var one = new KnnDistance(reference, 5);
        var two = new KnnDistance(reference, 5, threads: 2);
        Assert.Equal(1, one.Threads);
        Assert.Equal(2, two.Threads);
        Assert.Equal(one.Score(probe), two.Score(probe));
        Assert.Equal(one.Score(reference, leaveOneOut: true), two.Score(reference, leaveOneOut: true));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new KnnDistance(reference, 5, threads: 0));
        Assert.Equal("threads", e.ParamName);
        Assert.Contains("must be ≥ 1", e.Message);
    }

    [Fact]
    public void Bad_input_names_k_the_rows_and_the_constant_code_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new KnnDistance(Random(5, 2, 1), 5));
        Assert.Contains("k = 5 needs at least k + 1 = 6 training rows; there are 5", e.Message);
        var x = Random(20, 3, 1);
        for (int i = 0; i < x.Rows; i++) x[i, 2] = 1f;
        Assert.Contains("Code value 2 is constant", Assert.Throws<ArgumentException>(() => GaussianDensity.Fit(x)).Message);
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() => GaussianDensity.Fit(Random(1, 3, 1))).Message);
        Assert.Contains("shrinkage", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianDensity.Fit(Random(9, 3, 1), 1.5)).Message);
    }

    [Fact]
    public void Adaptation_narrows_to_the_input_caps_the_batch_and_adds_steps_only_to_small_tables()
    {
        var defaults = new AutoencoderOptions { CodeSize = AutoencoderDefaults.AnomalyCodeSize };
        // About 90 rows of 64 values: 256-128 → 64-64, batch 512 → 12 (an eighth), 20 epochs of 8 steps → 125 epochs (1 000 steps).
        var small = AnomalyDefaults.AdaptToRows(defaults, 90, 64);
        Assert.Equal([64, 64], small.HiddenSizes);
        Assert.Equal(8, small.CodeSize);
        Assert.Equal(12, small.BatchSize);
        Assert.Equal(125, small.Epochs);
        Assert.Equal([256, 128], defaults.HiddenSizes); // the given options are not changed
        Assert.Equal(512, defaults.BatchSize);
        // A Fashion-MNIST class (6 000 rows of 784) keeps the reference settings: the row-visit budget allows no extra epochs.
        var large = AnomalyDefaults.AdaptToRows(defaults, 6000, 784);
        Assert.Equal([256, 128], large.HiddenSizes);
        Assert.Equal((512, 20), (large.BatchSize, large.Epochs));
        // In between, extra epochs stop at the budget: 2 000 rows → at most 50 epochs.
        Assert.Equal(50, AnomalyDefaults.AdaptToRows(defaults, 2000, 30).Epochs);
        // The code is never wider than the input.
        Assert.Equal(3, AnomalyDefaults.AdaptToRows(defaults, 100, 3).CodeSize);
    }

    [Fact]
    public void Feature_contributions_add_up_to_the_row_error_and_rank_the_largest_first()
    {
        Assert.Equal([2, 0, 1], FeatureContributions.Ranking([0.2f, 0.1f, 0.7f]));
        var model = new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = [], CodeSize = 2, Epochs = 1, BatchSize = 8, Loss = MLNetAutoencoders.Nn.LossKind.SquaredError, Seed = 1 })
            .Fit(Random(16, 5, 1));
        var x = Random(4, 5, 2);
        var c = FeatureContributions.Of(model, x);
        var errors = AutoencoderMetrics.RowErrors(x, model.Reconstruct(x));
        for (int i = 0; i < x.Rows; i++) Assert.Equal(errors[i, 0], c.Row(i).ToArray().Sum(), 5);
    }
}
