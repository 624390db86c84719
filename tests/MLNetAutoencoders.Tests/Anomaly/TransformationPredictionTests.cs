using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Anomaly;

/// <summary>Transformation prediction: what its score computes, that it ranks images it cannot read above normal ones, its determinism and its errors.</summary>
public class TransformationPredictionTests
{
    /// <summary>6 × 6 images: a bright bar of random length and thickness across the top rows (or down the left columns), with faint noise.</summary>
    internal static Matrix Bars(int n, bool top, int seed)
    {
        var rng = new System.Random(seed);
        var m = new Matrix(n, 36);
        for (int i = 0; i < n; i++)
        {
            int length = 3 + rng.Next(4), thick = 1 + rng.Next(2);
            for (int a = 0; a < thick; a++)
                for (int b = 0; b < length; b++) m[i, top ? a * 6 + b : b * 6 + a] = 0.9f;
            for (int j = 0; j < 36; j++) m[i, j] = Math.Clamp(m[i, j] + (float)(0.05 * rng.NextDouble()), 0, 1);
        }
        return m;
    }

    private static readonly TransformationPredictionOptions Small = new() { HiddenSizes = [32, 16], Epochs = 8, BatchSize = 32 };

    private static double Auc(float[] normal, float[] anomalous)
        => normal.Sum(n => anomalous.Count(a => a > n) + 0.5 * anomalous.Count(a => a == n)) / ((double)normal.Length * anomalous.Length);

    [Fact]
    public void Images_whose_orientation_the_classifier_cannot_read_score_above_normal_ones()
    {
        var scorer = TransformationPredictionScorer.Fit(Bars(300, top: true, seed: 1), 6, 6, Small, seed: 4);
        Assert.Equal(8, scorer.Transforms.Count);
        Assert.Null(scorer.Model);
        Assert.True(scorer.History.Epochs[^1].TrainLoss < 0.5 * scorer.History.Epochs[0].TrainLoss, "the classifier did not learn the transformations");
        var normal = scorer.Score(Bars(100, top: true, seed: 2));
        // A left bar is a top bar under the transpose: the untransformed view looks transposed, the transposed one untouched.
        double auc = Auc(normal, scorer.Score(Bars(100, top: false, seed: 3)));
        Assert.True(auc > 0.95, $"left bars against top bars: AUC {auc:F3}");
        // A uniform image looks the same under every transformation: the classifier cannot tell, so each answer is a guess.
        var flat = new Matrix(1, 36);
        flat.Span.Fill(0.5f);
        float guess = scorer.Score(flat)[0];
        Assert.True(guess > normal.Max(), $"uniform image {guess} against the normal images' highest {normal.Max()}");
    }

    [Fact]
    public void The_score_is_the_summed_surprise_at_the_right_transformation()
    {
        var normal = Bars(120, top: true, seed: 1);
        var scorer = TransformationPredictionScorer.Fit(normal, 6, 6, Small, seed: 2);
        Assert.Equal(scorer.Score(normal), scorer.TrainingScores);
        var x = Bars(5, top: false, seed: 6);
        var expected = new double[x.Rows];
        var ctx = NnContext.Create();
        for (int t = 0; t < 8; t++)
        {
            var logits = scorer.Network.Predict(ImageTransforms.Apply(x, scorer.Transforms[t]), ctx);
            for (int i = 0; i < x.Rows; i++)
            {
                double max = logits.Row(i).ToArray().Max(), sum = logits.Row(i).ToArray().Sum(a => Math.Exp(a - max));
                expected[i] -= logits[i, t] - max - Math.Log(sum);
            }
        }
        var got = scorer.Score(x);
        for (int i = 0; i < x.Rows; i++) Assert.Equal(expected[i], got[i], 3);
        // A rectangle keeps only the four transformations that keep its shape.
        var wide = TransformationPredictionScorer.Fit(new Matrix(4, 12, Enumerable.Range(0, 48).Select(v => v % 7 / 7f).ToArray()), 3, 4, Small);
        Assert.Equal(4, wide.Network.OutputSize);
    }

    [Fact]
    public void The_same_seed_on_one_thread_gives_the_same_scorer_bit_for_bit()
    {
        var normal = Bars(100, top: true, seed: 1);
        var probe = Bars(20, top: false, seed: 2);
        var a = TransformationPredictionScorer.Fit(normal, 6, 6, Small, seed: 9);
        var b = TransformationPredictionScorer.Fit(normal, 6, 6, Small, seed: 9);
        var c = TransformationPredictionScorer.Fit(normal, 6, 6, Small, seed: 10);
        Assert.Equal(a.Score(probe), b.Score(probe));
        for (int k = 0; k < a.Network.Parameters.Count; k++)
            Assert.Equal(a.Network.Parameters[k].Value.Span.ToArray(), b.Network.Parameters[k].Value.Span.ToArray());
        Assert.NotEqual(a.Score(probe), c.Score(probe));
    }

    [Fact]
    public void Shifts_move_the_image_mirrored_at_its_border_before_each_right_angle()
    {
        var turns = ImageTransforms.RightAngles(4, 4, 16);
        Assert.Equal(turns, ImageTransforms.RightAnglesAndShifts(4, 4, 16, 0));
        var maps = ImageTransforms.RightAnglesAndShifts(4, 4, 16, 1);
        Assert.Equal(72, maps.Length);
        Assert.Equal(turns, maps.Take(8));
        Assert.Equal(72, maps.Select(m => string.Join(",", m)).Distinct().Count());
        // Shift 2 of the list is (dy, dx) = (−1, 0): row r of the result is row r + 1 of the image, and the last row
        // mirrors the border (row 2).
        var x = new Matrix(1, 16, Enumerable.Range(0, 16).Select(v => (float)v).ToArray());
        var up = ImageTransforms.Apply(x, maps[8 * 2]).Row(0).ToArray();
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11 }, up);
        // Shift 1 is (−1, −1), then its second right angle (the left-right flip) is applied to the shifted image.
        var upLeftFlipped = ImageTransforms.Apply(x, maps[8 + 1]).Row(0).ToArray();
        Assert.Equal(new float[] { 6, 7, 6, 5 }, upLeftFlipped.Take(4));
        // Two channels move together.
        var two = ImageTransforms.RightAnglesAndShifts(4, 4, 32, 1);
        Assert.Equal(maps[17].Select(i => i + 16), two[17].Skip(16));
        Assert.Contains("A shift of 4 pixels does not fit 4 × 4 images", Assert.Throws<ArgumentException>(() => ImageTransforms.RightAnglesAndShifts(4, 4, 16, 4)).Message);
    }

    [Fact]
    public void With_shifts_the_classifier_names_72_transformations_and_stays_bit_identical()
    {
        var normal = Bars(100, top: true, seed: 1);
        var probe = Bars(20, top: false, seed: 2);
        var o = Small.Clone();
        (o.Shift, o.Epochs) = (1, 2);
        var a = TransformationPredictionScorer.Fit(normal, 6, 6, o, seed: 9);
        var b = TransformationPredictionScorer.Fit(normal, 6, 6, o, seed: 9);
        Assert.Equal((72, 72, 1), (a.Transforms.Count, a.Network.OutputSize, a.Options.Shift));
        Assert.Equal(a.Score(probe), b.Score(probe));
        Assert.NotEqual(TransformationPredictionScorer.Fit(normal, 6, 6, Small, seed: 9).Score(probe), a.Score(probe));
        double auc = Auc(a.Score(Bars(100, top: true, seed: 3)), a.Score(probe));
        Assert.True(auc > 0.9, $"left bars against top bars with shifts: AUC {auc:F3}");
    }

    [Fact]
    public void Bad_input_and_options_are_named_errors()
    {
        var normal = Bars(20, top: true, seed: 1);
        Assert.Contains("Rows of 36 values are not images of 5 × 5", Assert.Throws<ArgumentException>(() => TransformationPredictionScorer.Fit(normal, 5, 5, Small)).Message);
        Assert.Contains("at least 2 training rows; got 1", Assert.Throws<ArgumentException>(() => TransformationPredictionScorer.Fit(normal.SliceRows(0, 1), 6, 6, Small)).Message);
        var bad = normal.Clone();
        bad[3, 7] = float.NaN;
        Assert.Contains("row 3", Assert.Throws<ArgumentException>(() => TransformationPredictionScorer.Fit(bad, 6, 6, Small)).Message);
        var o = Small.Clone();
        o.Epochs = 0;
        Assert.Contains("Transformation prediction: Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => TransformationPredictionScorer.Fit(normal, 6, 6, o)).Message);
        o = Small.Clone();
        o.HiddenSizes = [8, 0];
        Assert.Contains("HiddenSizes", Assert.Throws<ArgumentOutOfRangeException>(() => TransformationPredictionScorer.Fit(normal, 6, 6, o)).Message);
        o = Small.Clone();
        o.Shift = -1;
        Assert.Contains("Transformation prediction: Shift must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => TransformationPredictionScorer.Fit(normal, 6, 6, o)).Message);
        o.Shift = 6;
        var tooFar = Assert.Throws<ArgumentOutOfRangeException>(() => TransformationPredictionScorer.Fit(normal, 6, 6, o));
        Assert.Equal("Shift", tooFar.ParamName);
        Assert.Contains("Shift must be smaller than the image's height and width (6 × 6)", tooFar.Message);
        var scorer = TransformationPredictionScorer.Fit(normal, 6, 6, Small);
        Assert.Contains("Rows of 12 values; the transformation classifier reads 36", Assert.Throws<ArgumentException>(() => scorer.Score(new Matrix(2, 12))).Message);
    }
}
