using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// What a fitted anomaly detector is made of and how its threshold is placed: the quantile by linear interpolation,
/// a row scoring exactly the threshold counted as normal, which scorer each score keeps, whether the network was
/// adapted to the rows (and the log lines that say so), and the VAE trained with the given settings on the given column.
/// </summary>
public class AnomalyThresholdAndScorerChoiceTests
{
    public sealed class PixelsRow
    {
        [VectorType(PixelRow.Width)]
        public float[] Pixels { get; set; } = new float[PixelRow.Width];
    }

    public sealed class NarrowRow
    {
        [VectorType(6)]
        public float[] Features { get; set; } = new float[6];
    }

    private static AutoencoderAnomalyEstimator.Options Quick(AnomalyScore score = AnomalyScore.ReconstructionError)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, Score = score, Contamination = 0.05 };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([8], 3, 2, 32, 1);
        return o;
    }

    /// <summary>The q quantile of the scores as order statistics interpolated linearly: sorted s, position q (n − 1).</summary>
    private static float Interpolated(float[] scores, double q)
    {
        var s = scores.OrderBy(v => v).ToArray();
        double at = q * (s.Length - 1);
        int lo = (int)Math.Floor(at);
        return lo == s.Length - 1 ? s[lo] : (float)(s[lo] + (at - lo) * (s[lo + 1] - s[lo]));
    }

    [Fact]
    public void The_threshold_for_a_false_positive_rate_interpolates_between_the_validation_scores()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Quick()).Fit(View(ml, 60, 1));
        var validation = View(ml, 11, 2);
        var scores = Scalars(model.Transform(validation), "Score");
        Assert.Equal(11, scores.Distinct().Count());
        // 1 − 0.25 = 0.75 of the way through 11 sorted scores is position 7.5: halfway between the 8th and the 9th.
        var sorted = scores.OrderBy(v => v).ToArray();
        float t = model.ThresholdForFalsePositiveRate(validation, 0.25);
        Assert.Equal(Interpolated(scores, 0.75), t);
        Assert.InRange(t, sorted[7], sorted[8]);
        Assert.NotEqual(sorted[7], t);
        Assert.NotEqual(sorted[8], t);
        Assert.Equal(Interpolated(scores, 0.9), model.ThresholdForFalsePositiveRate(validation, 0.1));
        // A rate of 0 flags none of them: the largest score.
        Assert.Equal(sorted[^1], model.ThresholdForFalsePositiveRate(validation, 0));
    }

    [Fact]
    public void A_row_scoring_exactly_the_threshold_is_normal()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Quick()).Fit(View(ml, 60, 1));
        var rows = View(ml, 11, 2);
        var scores = Scalars(model.Transform(rows), "Score");
        float median = scores.OrderBy(v => v).ElementAt(5);
        var predicted = model.WithThreshold(median).Transform(rows).GetColumn<bool>("PredictedLabel").ToArray();
        for (int i = 0; i < scores.Length; i++) Assert.Equal(scores[i] > median, predicted[i]);
        Assert.Equal(5, predicted.Count(p => p));
    }

    [Fact]
    public void Empty_normal_rows_a_NaN_threshold_and_a_column_of_another_width_are_named_errors()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Quick()).Fit(View(ml, 60, 1));
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        var e = Assert.Throws<ArgumentException>(() => model.ThresholdForFalsePositiveRate(empty, 0.1));
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: the normal rows are empty; the threshold needs at least one scored row.", e.Message);
        Assert.Equal("normalRows", e.ParamName);
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: the threshold must be a number.", Assert.Throws<ArgumentOutOfRangeException>(() => model.WithThreshold(float.NaN)).Message);
        var narrow = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new NarrowRow { Features = [0.1f * i, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f] }).ToArray());
        var w = Assert.Throws<ArgumentOutOfRangeException>(() => model.FeatureContributions(narrow));
        Assert.Contains("schema mismatch for input column 'Features'", w.Message);
        Assert.Contains("Vector<Single, 6>", w.Message);
    }

    [Fact]
    public void A_single_network_of_the_reconstruction_error_has_no_separate_scorer_the_code_scores_keep_their_own_density()
    {
        var ml = new MLContext(seed: 1);
        var train = View(ml, 60, 1);
        Assert.Null(ml.AnomalyDetection.Trainers.Autoencoder(Quick()).Fit(train).Scorer);
        var gaussian = ml.AnomalyDetection.Trainers.Autoencoder(Quick(AnomalyScore.CodeGaussian)).Fit(train).CodeScorer!;
        Assert.NotNull(gaussian.Gaussian);
        Assert.Null(gaussian.Knn);
        Assert.Null(gaussian.ReconstructionStandardization);
        var neighbours = ml.AnomalyDetection.Trainers.Autoencoder(Quick(AnomalyScore.ReconstructionAndCodeNeighbours)).Fit(train).CodeScorer!;
        Assert.NotNull(neighbours.Knn);
        Assert.Null(neighbours.Gaussian);
        Assert.NotNull(neighbours.ReconstructionStandardization);
    }

    [Fact]
    public void Two_different_rows_are_enough_to_train()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Quick()).Fit(View(ml, 2, 1));
        Assert.All(Scalars(model.Transform(View(ml, 2, 1)), "Score"), s => Assert.True(float.IsFinite(s) && s >= 0, $"score {s}"));
    }

    /// <summary>The trainer's own log lines (without ML.NET's "[Source=…] " prefix) during one fit.</summary>
    private static (AutoencoderAnomalyTransformer Model, List<string> Log) FitLogged(AutoencoderAnomalyEstimator.Options o, int rows)
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            var text = StreamingDecisionLogTests.Text(e.Message);
            if (text.StartsWith("AnomalyDetection.Trainers.Autoencoder: ", StringComparison.Ordinal)) lock (log) log.Add(text);
        };
        return (ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(View(ml, rows, 1)), log);
    }

    [Fact]
    public void Adapting_to_the_rows_is_logged_and_AdaptToRows_false_trains_the_network_as_set()
    {
        var o = Quick();
        o.Autoencoder.HiddenSizes = [32, 16];
        o.Autoencoder.Epochs = 1;
        var (adapted, log) = FitLogged(o, 40);
        // 40 rows of 12: the 32- and 16-wide layers shrink to the input's 12, the batch to 8 (at least 8, an eighth of 40 is 5),
        // and the epochs rise to 200 (5 batches per epoch, 1 000 optimizer steps).
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: adapted to 40 rows of 12: hidden 12-12, code 3, batch 8, epochs 200", log);
        var net = Assert.IsType<AutoencoderModel>(adapted.Model);
        Assert.Equal([12, 12], net.Options.HiddenSizes);
        Assert.Equal(200, net.History.Epochs.Count);

        o.AdaptToRows = false;
        var (asSet, quiet) = FitLogged(o, 40);
        Assert.DoesNotContain(quiet, m => m.Contains("adapted to", StringComparison.Ordinal));
        var plain = Assert.IsType<AutoencoderModel>(asSet.Model);
        Assert.Equal([32, 16], plain.Options.HiddenSizes);
        Assert.Single(plain.History.Epochs);
    }

    [Fact]
    public void The_threshold_is_logged_with_the_training_scores_median_and_maximum()
    {
        var (model, log) = FitLogged(Quick(), 41);
        var ml = new MLContext(seed: 1);
        var scores = Scalars(model.Transform(View(ml, 41, 1)), "Score").OrderBy(s => s).ToArray();
        Assert.Equal(Interpolated(scores, 0.95), model.Threshold);
        string expected = string.Format(CultureInfo.InvariantCulture,
            "AnomalyDetection.Trainers.Autoencoder: threshold {0:G6} (training scores: median {1:G6}, max {2:G6}; contamination 0.05)", model.Threshold, scores[20], scores[^1]);
        Assert.Contains(expected, log);
    }

    [Fact]
    public void A_VAE_detector_trains_with_its_own_settings_on_the_named_column()
    {
        var ml = new MLContext(seed: 1);
        var o = new AutoencoderAnomalyEstimator.Options
        {
            FeatureColumnName = "Pixels", Seed = 3, Score = AnomalyScore.NegativeElbo,
            Vae = new VaeOptions { HiddenSizes = [5], LatentSize = 2, Epochs = 3, BatchSize = 16, Threads = 1 },
        };
        var rows = Rows(60, 1).Select(r => new PixelsRow { Pixels = r.Features }).ToArray();
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(rows));
        var vae = Assert.IsType<VaeModel>(model.Model);
        Assert.Equal(2, vae.CodeSize);
        Assert.Equal([5], vae.Options.HiddenSizes);
        Assert.Equal(3, vae.History.Epochs.Count);
    }
}
