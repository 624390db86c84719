using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Anomaly;

/// <summary>Restoration with an erased square, restoration with the convolutional network, and ensembles with the input-space neighbour distance as a member.</summary>
public class ErasureConvolutionKindsTests
{
    /// <summary>Images of side <paramref name="side"/>: a bright bar of random length across the top rows (<paramref name="top"/>) or down the left columns, plus a little noise.</summary>
    private static Matrix Bars(int n, bool top, int side, int seed)
    {
        var rng = new System.Random(seed);
        var m = new Matrix(n, side * side);
        for (int i = 0; i < n; i++)
        {
            int length = side / 2 + rng.Next(side / 2 + 1), thick = 1 + rng.Next(2);
            for (int a = 0; a < thick; a++)
                for (int b = 0; b < length; b++) m[i, top ? a * side + b : b * side + a] = 0.9f;
            for (int j = 0; j < side * side; j++) m[i, j] = Math.Clamp(m[i, j] + (float)(0.05 * rng.NextDouble()), 0, 1);
        }
        return m;
    }

    private static void Close(double expected, double actual) => Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    private static double Auc(float[] normal, float[] anomalies)
        => normal.Sum(v => anomalies.Count(a => a > v) + 0.5 * anomalies.Count(a => a == v)) / ((double)normal.Length * anomalies.Length);

    [Fact]
    public void Erasure_places_are_the_centre_and_the_quadrant_centres_moved_inside_the_image()
    {
        Assert.Equal([(11, 11), (4, 4), (4, 18), (18, 4), (18, 18)], ImageTransforms.ErasurePlaces(28, 28, 7));
        // Near the border the square is moved inside: on 6 × 6 a square of 4 centred at (1, 1) starts at (0, 0).
        Assert.Equal([(1, 1), (0, 0), (0, 2), (2, 0), (2, 2)], ImageTransforms.ErasurePlaces(6, 6, 4));
        Assert.Empty(ImageTransforms.ErasurePlaces(28, 28, 0));
        Assert.Contains("The erased square's side must be in 0–6 (the images are 6 × 8); got 7", Assert.Throws<ArgumentException>(() => ImageTransforms.ErasurePlaces(6, 8, 7)).Message);
        Assert.Throws<ArgumentException>(() => ImageTransforms.ErasurePlaces(6, 6, -1));

        // Two channels of 3 × 3: the square of side 2 at (1, 0) is erased in both.
        var mask = ImageTransforms.ErasureMask(3, 3, 18, 1, 0, 2);
        int[] zeros = [3, 4, 6, 7, 12, 13, 15, 16];
        for (int j = 0; j < 18; j++) Assert.Equal(zeros.Contains(j) ? 0f : 1f, mask[j]);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => ImageTransforms.ErasureMask(3, 3, 9, 2, 0, 2)).Message);
        var x = new Matrix(1, 18, Enumerable.Range(1, 18).Select(v => (float)v).ToArray());
        Assert.Equal(Enumerable.Range(1, 18).Select(v => zeros.Contains(v - 1) ? 0f : v), ImageTransforms.Mask(x, mask).Span.ToArray());
    }

    [Fact]
    public void Erasure_score_is_the_mean_error_over_the_turned_and_the_erased_views_and_a_seed_repeats_it_bit_for_bit()
    {
        var normal = Bars(300, top: true, side: 6, seed: 5);
        var o = new AutoencoderOptions { HiddenSizes = [32], CodeSize = 8, Epochs = 40, BatchSize = 32, Threads = 1, Seed = 2 };
        var scorer = RestorationScorer.Fit(normal, o, 6, 6, erasureSize: 2);
        Assert.Equal(2, scorer.ErasureSize);
        Assert.Equal(8, scorer.Transforms.Count);
        Assert.Equal(5, scorer.ErasureMasks.Count);
        Assert.All(scorer.ErasureMasks, m => Assert.Equal(4, m.Count(v => v == 0)));

        var x = Bars(20, top: false, side: 6, seed: 9);
        var expected = new double[x.Rows];
        var views = scorer.Transforms.Select(t => ImageTransforms.Apply(x, t)).Concat(scorer.ErasureMasks.Select(m => ImageTransforms.Mask(x, m))).ToList();
        foreach (var view in views)
        {
            var r = scorer.Network.Reconstruct(view);
            for (int i = 0; i < x.Rows; i++)
            {
                double e = 0;
                for (int j = 0; j < x.Cols; j++) e += Math.Pow(x[i, j] - r[i, j], 2);
                expected[i] += e / x.Cols / views.Count;
            }
        }
        var got = scorer.Score(x);
        for (int i = 0; i < x.Rows; i++) Close(expected[i], got[i]);

        // The same seed gives the same network and scores, bit for bit; without erasure the training differs.
        var again = RestorationScorer.Fit(normal, o, 6, 6, erasureSize: 2);
        Assert.Equal(scorer.TrainingScores, again.TrainingScores);
        Assert.Equal(scorer.Score(x), again.Score(x));
        var plain = RestorationScorer.Fit(normal, o, 6, 6);
        Assert.Empty(plain.ErasureMasks);
        Assert.NotEqual(scorer.Network.Reconstruct(x).Span.ToArray(), plain.Network.Reconstruct(x).Span.ToArray());

        // It still tells bars on the left (the top bar turned) from bars on top.
        double auc = Auc(scorer.Score(Bars(100, top: true, side: 6, seed: 6)), scorer.Score(Bars(100, top: false, side: 6, seed: 7)));
        Assert.True(auc > 0.9, $"AUC {auc:F3}");
        Assert.Contains("The erased square's side must be in 0–6", Assert.Throws<ArgumentException>(() => RestorationScorer.Fit(normal, o, 6, 6, erasureSize: 7)).Message);
    }

    [Fact]
    public void Convolutional_restoration_trains_the_convolutional_network_and_scores_turned_bars_higher()
    {
        var normal = Bars(300, top: true, side: 8, seed: 1);
        var o = new AutoencoderOptions
        {
            Conv = new ConvAutoencoderOptions { ImageShape = [1, 8, 8], Channels = [4, 8] },
            CodeSize = 6, Epochs = 30, BatchSize = 32, Threads = 1, Seed = 4,
        };
        var scorer = RestorationScorer.Fit(normal, o, 8, 8, erasureSize: 3);
        Assert.NotNull(scorer.Network.Options.Conv);
        Assert.Contains(scorer.Network.Encoder.Layers, l => l is Conv2dLayer);
        Assert.Equal(scorer.Score(normal), scorer.TrainingScores);
        double auc = Auc(scorer.Score(Bars(100, top: true, side: 8, seed: 2)), scorer.Score(Bars(100, top: false, side: 8, seed: 3)));
        Assert.True(auc > 0.9, $"AUC {auc:F3}");
    }

    private sealed class Fixed(float[] training, float[] scores) : IAnomalyScorer
    {
        public IAutoencoder Model => throw new NotSupportedException();

        public IReadOnlyList<float> TrainingScores => training;

        public float[] Score(Matrix x) => scores;
    }

    [Fact]
    public void Input_neighbours_join_the_ensemble_standardised_on_their_leave_one_out_training_distances()
    {
        var a = new Fixed([1, 2, 3], [2, 5]);
        // Training rows 0, 1, 3 (one value each), k = 1: leave-one-out distances 1, 1, 2 (mean 4/3, sd √(1/3)).
        var reference = new Matrix(3, 1, [0f, 1f, 3f]);
        var e = EnsembleScorer.Create([a], new KnnDistance(reference, 1));
        Assert.Same(reference, e.InputNeighbours!.Reference);
        Close(4.0 / 3, e.InputNeighboursStandardization!.Value.Mean);
        Close(Math.Sqrt(1.0 / 3), e.InputNeighboursStandardization!.Value.Scale);
        // Rows 0.5 and 6: distances 0.5 and 3; a's z-scores 0 and 3.
        var s = e.Score(new Matrix(2, 1, [0.5f, 6f]));
        double sd = Math.Sqrt(1.0 / 3);
        Close((0 + (0.5 - 4.0 / 3) / sd) / 2, s[0]);
        Close((3 + (3 - 4.0 / 3) / sd) / 2, s[1]);
        Close((-1 + (1 - 4.0 / 3) / sd) / 2, e.TrainingScores[0]);
        Close((1 + (2 - 4.0 / 3) / sd) / 2, e.TrainingScores[2]);
        var bad = Assert.Throws<ArgumentException>(() => EnsembleScorer.Create([a], new KnnDistance(new Matrix(4, 1, [0f, 1f, 2f, 3f]), 1)));
        Assert.Contains("The input neighbours' reference has 4 rows; the members were fitted on 3", bad.Message);
    }
}
