using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Anomaly;

/// <summary>Deep SVDD (its gradient by finite differences, its centre, bias-free layers), restoration's transformations and score, and ensembles' standardised means.</summary>
public class DeepSvddRestorationEnsembleTests
{
    private static Matrix Random(int rows, int cols, int seed, double low = -1, double high = 1)
    {
        var rng = new System.Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Length; i++) m.Data[i] = (float)(low + rng.NextDouble() * (high - low));
        return m;
    }

    [Fact]
    public void Deep_svdd_gradient_matches_finite_differences_and_leaves_the_removed_biases_alone()
    {
        var o = new AutoencoderOptions { HiddenSizes = [5], CodeSize = 3, HiddenActivation = ActivationKind.Tanh, Threads = 1 };
        var (encoder, _) = AutoencoderTrainer.Build(o, 6, new Rng(7));
        DeepSvddScorer.RemoveBiases(encoder);
        var ctx = new NnContext(Gemm.Create(o.Gemm, 1), new Rng(1));
        var batch = Random(7, 6, 2);
        float[] centre = [0.3f, -0.2f, 0.1f];
        const float decay = 0.05f;
        Matrix? grad = null;
        foreach (var p in encoder.Parameters) p.Grad.Span.Clear();
        DeepSvddScorer.AddGradients(encoder, batch, centre, decay, ctx, ref grad);
        var analytic = encoder.Parameters.Select(p => p.Grad.Span.ToArray()).ToArray();
        double Loss()
        {
            Matrix? g = null;
            double l = DeepSvddScorer.AddGradients(encoder, batch, centre, decay, ctx, ref g);
            foreach (var p in encoder.Parameters) p.Grad.Span.Clear();
            return l;
        }
        int checkedCount = 0;
        for (int k = 0; k < encoder.Parameters.Count; k++)
        {
            var p = encoder.Parameters[k];
            if (p.Frozen)
            {
                Assert.EndsWith(".bias", p.Name);
                Assert.All(p.Value.Span.ToArray(), v => Assert.Equal(0f, v));
                continue;
            }
            for (int i = 0; i < p.Count; i += 3)
            {
                float w = p.Value.Data[i];
                const float h = 1e-2f;
                p.Value.Data[i] = w + h;
                double up = Loss();
                p.Value.Data[i] = w - h;
                double down = Loss();
                p.Value.Data[i] = w;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[k][i]) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"{p.Name}[{i}]: analytic {analytic[k][i]}, numeric {numeric}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 10);
    }

    [Fact]
    public void Deep_svdd_pulls_normal_rows_to_the_centre_and_scores_far_rows_higher()
    {
        // Normal rows: a noisy 2-dimensional pattern in 8 values; anomalies: uniform noise of the same range.
        var rng = new System.Random(3);
        var normal = new Matrix(300, 8);
        for (int i = 0; i < normal.Rows; i++)
        {
            double a = rng.NextDouble(), b = rng.NextDouble();
            for (int j = 0; j < 8; j++) normal[i, j] = (float)(0.5 + 0.4 * Math.Sin(a * 3 + j) * b + 0.02 * (rng.NextDouble() - 0.5));
        }
        var o = new AutoencoderOptions { HiddenSizes = [16], CodeSize = 4, Loss = LossKind.SquaredError, Epochs = 40, BatchSize = 32, Threads = 1, Seed = 5 };
        var scorer = DeepSvddScorer.Fit(normal, o, new DeepSvddOptions { Epochs = 30, LearningRate = 1e-3f });
        Assert.All(scorer.Centre, c => Assert.True(Math.Abs(c) >= 0.1f - 1e-6f));
        Assert.All(scorer.Network.Encoder.Parameters.Concat(scorer.Network.Decoder.Parameters).Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)),
            p => Assert.True(p.Frozen && p.Value.Span.ToArray().All(v => v == 0)));
        var losses = scorer.SvddHistory.Epochs.Select(e => e.TrainLoss).ToArray();
        Assert.True(losses[^1] < 0.5 * losses[0], $"the mean distance to the centre went from {losses[0]} to {losses[^1]}");
        Assert.Equal(scorer.Score(normal), scorer.TrainingScores);
        var anomalies = Random(100, 8, 4, 0, 1);
        var normalScores = scorer.Score(normal).Order().ToArray();
        var anomalyScores = scorer.Score(anomalies);
        Assert.True(anomalyScores.Count(s => s > normalScores[(int)(0.9 * normalScores.Length)]) > 80, "most anomalies lie beyond the 90th percentile of the normal rows");
    }

    [Fact]
    public void Deep_svdd_centre_pushes_near_zero_coordinates_out_and_bad_input_is_named()
    {
        var codes = new Matrix(2, 3, [0.05f, -0.5f, -0.02f, 0.01f, -0.3f, -0.04f]);
        Assert.Equal([0.1f, -0.4f, -0.1f], DeepSvddScorer.CentreOf(codes, 0.1f));
        var e = Assert.Throws<ArgumentException>(() => DeepSvddScorer.Fit(Random(1, 4, 1, 0, 1), new AutoencoderOptions { HiddenSizes = [4], CodeSize = 2 }));
        Assert.Contains("at least 2 training rows; got 1", e.Message);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => new DeepSvddOptions { WeightDecay = -1 }.Validate());
        Assert.Contains("WeightDecay", r.Message);
    }

    [Fact]
    public void Right_angle_transformations_are_the_symmetries_of_the_square_or_the_rectangle()
    {
        var square = ImageTransforms.RightAngles(3, 3, 9);
        Assert.Equal(8, square.Length);
        Assert.Equal(8, square.Select(t => string.Join(",", t)).Distinct().Count());
        Assert.All(square, t => Assert.Equal(Enumerable.Range(0, 9), t.Order()));
        Assert.Equal(Enumerable.Range(0, 9), square[0]);
        // A quarter turn four times is the identity; under the (anticlockwise) quarter turn pixel (0, 2) lands at (0, 0).
        var x = new Matrix(1, 9, Enumerable.Range(0, 9).Select(v => (float)v).ToArray());
        var y = x;
        for (int k = 0; k < 4; k++) y = ImageTransforms.Apply(y, square[4]);
        Assert.Equal(x.Span.ToArray(), y.Span.ToArray());
        Assert.Equal([2f, 5f, 8f, 1f, 4f, 7f, 0f, 3f, 6f], ImageTransforms.Apply(x, square[4]).Span.ToArray());
        // A rectangle keeps its shape only under the identity, the two flips and the half turn; channels move together.
        var rect = ImageTransforms.RightAngles(2, 3, 12);
        Assert.Equal(4, rect.Length);
        Assert.Equal([5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6], rect[3]);
        var e = Assert.Throws<ArgumentException>(() => ImageTransforms.RightAngles(3, 3, 10));
        Assert.Contains("Rows of 10 values are not images of 3 × 3 = 9 pixels", e.Message);
    }

    [Fact]
    public void Restoration_scores_images_that_cannot_be_turned_back_higher()
    {
        // Normal 6×6 images: a bright bar across the top rows, of random length; anomalies: the same bars on the left side.
        var normal = TransformationPredictionTests.Bars(300, top: true, seed: 5);
        var o = new AutoencoderOptions { HiddenSizes = [32], CodeSize = 8, Epochs = 40, BatchSize = 32, Threads = 1, Seed = 2 };
        var scorer = RestorationScorer.Fit(normal, o, 6, 6);
        Assert.Equal(8, scorer.Transforms.Count);
        Assert.Equal(scorer.Score(normal), scorer.TrainingScores);
        var normalScores = scorer.Score(TransformationPredictionTests.Bars(100, top: true, seed: 6));
        var anomalyScores = scorer.Score(TransformationPredictionTests.Bars(100, top: false, seed: 7));
        // A left bar is a top bar turned by a quarter and flipped: its restoration turns it the wrong way.
        double auc = normalScores.Sum(n => anomalyScores.Count(a => a > n) + 0.5 * anomalyScores.Count(a => a == n)) / (100.0 * 100);
        Assert.True(auc > 0.9, $"AUC {auc:F3}");
        var e = Assert.Throws<ArgumentException>(() => RestorationScorer.Fit(normal, o, 5, 5));
        Assert.Contains("Rows of 36 values are not images of 5 × 5", e.Message);
    }

    private sealed class Fixed(float[] training, Func<Matrix, float[]> score) : IAnomalyScorer
    {
        public IAutoencoder Model => throw new NotSupportedException();

        public IReadOnlyList<float> TrainingScores => training;

        public float[] Score(Matrix x) => score(x);
    }

    [Fact]
    public void Ensemble_averages_the_members_scores_each_standardised_on_its_training_rows()
    {
        var a = new Fixed([1, 2, 3], x => [2, 5]);
        var b = new Fixed([10, 30, 50], x => [30, 10]);
        var e = EnsembleScorer.Create([a, b]);
        // a: mean 2, sd 1 → z = 0, 3; b: mean 30, sd 20 → z = 0, −1. Means: 0, 1.
        var s = e.Score(new Matrix(2, 1));
        Assert.Equal(0f, s[0], 5);
        Assert.Equal(1f, s[1], 5);
        Assert.Equal([-1f, 0f, 1f], e.TrainingScores.ToArray());
        var bad = Assert.Throws<ArgumentException>(() => EnsembleScorer.Create([a, new Fixed([1, 2], x => [])]));
        Assert.Contains("Member 1 was fitted on 2 rows, member 0 on 3", bad.Message);
        Assert.Throws<ArgumentException>(() => EnsembleScorer.Create([]));
    }
}
