using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The code-space scores, thresholds, feature contributions and bad input of the anomaly trainer.</summary>
public class AnomalyScorerTests
{
    private static readonly AnomalyScore[] CodeScores =
        [AnomalyScore.CodeNeighbours, AnomalyScore.CodeGaussian, AnomalyScore.ReconstructionAndCodeNeighbours, AnomalyScore.ReconstructionAndCodeGaussian];

    /// <summary>Normal rows near the 3-dimensional manifold of <see cref="StageTestData.Rows"/>; anomalies uniform in [0, 1].</summary>
    private static AnomalyTrainerTests.LabelledRow[] Mixed(int normal, int anomalies, int seed)
    {
        var rng = new Random(seed);
        var rows = Rows(normal, seed).Select(r => new AnomalyTrainerTests.LabelledRow { Features = r.Features }).ToList();
        for (int i = 0; i < anomalies; i++)
            rows.Add(new AnomalyTrainerTests.LabelledRow { Features = Enumerable.Range(0, PixelRow.Width).Select(_ => (float)rng.NextDouble()).ToArray(), Label = 1 });
        return [.. rows];
    }

    /// <summary>Rows of <see cref="StageTestData.Rows"/>: class 0 is normal (Label 0), classes 1 and 2, on the same manifold with a shifted mean, are the anomalies (Label 1).</summary>
    private static AnomalyTrainerTests.LabelledRow[] OnManifold(int count, int seed)
        => Rows(count, seed).Select(r => new AnomalyTrainerTests.LabelledRow { Features = r.Features, Label = r.Label == 0 ? 0 : 1 }).ToArray();

    private static AutoencoderAnomalyEstimator.Options Small(AnomalyScore score)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, Contamination = 0.05, Score = score };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([8], 3, 30, 32, 1);
        return o;
    }

    [Theory]
    [InlineData(AnomalyScore.CodeNeighbours)]
    [InlineData(AnomalyScore.CodeGaussian)]
    [InlineData(AnomalyScore.ReconstructionAndCodeNeighbours)]
    [InlineData(AnomalyScore.ReconstructionAndCodeGaussian)]
    public void Code_scores_separate_anomalies_and_their_zips_score_the_same_in_plain_MLNet(AnomalyScore score)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(OnManifold(600, 1).Where(r => r.Label == 0).ToArray());
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(score)).Fit(train);
        Assert.NotNull(model.CodeScorer);
        var rows = OnManifold(300, 2);
        var test = ml.Data.LoadFromEnumerable(rows);
        var expected = model.Transform(test);
        // The anomalies lie on the normal rows' manifold, in another region of it: the reconstruction error alone barely sees them.
        double auc = ml.AnomalyDetection.Evaluate(expected).AreaUnderRocCurve;
        var baseline = ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.ReconstructionError)).Fit(train);
        double reconstruction = ml.AnomalyDetection.Evaluate(baseline.Transform(test)).AreaUnderRocCurve;
        // Alone, the code score sees them clearly; added to the reconstruction error it still lifts that score.
        bool alone = score is AnomalyScore.CodeNeighbours or AnomalyScore.CodeGaussian;
        Assert.True(alone ? auc > 0.8 && auc > reconstruction + 0.1 : auc > reconstruction + 0.05, $"{score}: AUC {auc:F3}, reconstruction error alone {reconstruction:F3}");

        // The scores are the core scorer's on the same rows.
        var x = Matrix(rows.Select(r => new PixelRow { Features = r.Features }).ToArray());
        var direct = model.CodeScorer!.Score(x);
        var e = Scalars(expected, "Score");
        for (int i = 0; i < e.Length; i++) Assert.Equal(direct[i], e[i]);
        PlainMLNet.AssertAnomalyZipAgrees(ml, model, train.Schema, test, expected, score.ToString());
    }

    [Fact]
    public void The_neighbour_score_is_the_mean_distance_to_the_k_nearest_training_codes()
    {
        var ml = new MLContext(seed: 1);
        var o = Small(AnomalyScore.CodeNeighbours);
        o.Neighbours = 3;
        var rows = Rows(120, 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(rows));
        var trainCodes = model.Model!.Encode(Matrix(rows));
        var probe = Rows(5, 9);
        var codes = model.Model!.Encode(Matrix(probe));
        var scores = Scalars(model.Transform(ml.Data.LoadFromEnumerable(probe)), "Score");
        for (int i = 0; i < probe.Length; i++)
        {
            var d = Enumerable.Range(0, trainCodes.Rows).Select(r =>
                Math.Sqrt(Enumerable.Range(0, codes.Cols).Sum(j => Math.Pow(codes[i, j] - trainCodes[r, j], 2)))).OrderBy(v => v).Take(3).Average();
            Assert.Equal(d, scores[i], 4);
        }
    }

    [Fact]
    public void Threshold_can_be_changed_and_chosen_for_a_false_positive_rate_on_validation_rows()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.ReconstructionError)).Fit(ml.Data.LoadFromEnumerable(Mixed(400, 0, 1)));
        var validation = ml.Data.LoadFromEnumerable(Mixed(400, 0, 5));
        float t = model.ThresholdForFalsePositiveRate(validation, 0.1);
        var moved = model.WithThreshold(t);
        Assert.Equal(t, moved.Threshold);
        Assert.Equal(model.Threshold, model.Threshold); // the original is unchanged
        int flagged = moved.Transform(validation).GetColumn<bool>("PredictedLabel").Count(b => b);
        Assert.InRange(flagged, 38, 41); // 10 % of 400 rows lie above the 90th percentile
        // A fresh sample of normal rows is flagged at about the chosen rate too.
        int fresh = moved.Transform(ml.Data.LoadFromEnumerable(Mixed(1000, 0, 6))).GetColumn<bool>("PredictedLabel").Count(b => b);
        Assert.InRange(fresh, 50, 160);
        var all = model.WithThreshold(float.NegativeInfinity).Transform(validation).GetColumn<bool>("PredictedLabel");
        Assert.All(all, Assert.True);
        Assert.Contains("false-positive rate", Assert.Throws<ArgumentOutOfRangeException>(() => model.ThresholdForFalsePositiveRate(validation, 1.0)).Message);
        Assert.Contains("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => model.WithThreshold(float.NaN)).Message);
    }

    [Fact]
    public void A_feature_pushed_far_out_ranks_first_in_the_contributions()
    {
        var ml = new MLContext(seed: 1);
        // The denoising kind: its network learns to pull a disturbed input back, so one far-out value moves the code little.
        var o = Small(AnomalyScore.ReconstructionError);
        AutoencoderKinds.Apply(AutoencoderKind.Denoising, o.Autoencoder);
        o.Autoencoder.Loss = Nn.LossKind.SquaredError;
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows(400, 1)));
        var probe = Rows(PixelRow.Width, 7);
        for (int i = 0; i < probe.Length; i++) probe[i].Features[i] += 2f; // row i: feature i planted far out (the values lie in [0, 1])
        var view = ml.Data.LoadFromEnumerable(probe);
        var contributions = model.FeatureContributions(view);
        var scores = Scalars(model.Transform(view), "Score");
        for (int i = 0; i < probe.Length; i++)
        {
            Assert.Equal(i, FeatureContributions.Ranking(contributions[i])[0]);
            Assert.Equal(scores[i], contributions[i].Sum(), 4); // they add up to the row's reconstruction error
        }
    }

    [Fact]
    public void Bad_training_views_are_named_errors()
    {
        var ml = new MLContext(seed: 1);
        var one = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.ReconstructionError)).Fit(ml.Data.LoadFromEnumerable(Rows(1, 1))));
        Assert.Contains("'Features' has 1 training row", one.Message);
        var same = Enumerable.Range(0, 50).Select(_ => new PixelRow { Features = Enumerable.Repeat(0.5f, PixelRow.Width).ToArray() }).ToArray();
        var constant = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.ReconstructionError)).Fit(ml.Data.LoadFromEnumerable(same)));
        Assert.Contains("every column of 'Features' is constant", constant.Message);
        var rows = Rows(60, 1);
        rows[17].Features[4] = float.NaN;
        Assert.Contains("row 17, slot 4", Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.CodeNeighbours)).Fit(ml.Data.LoadFromEnumerable(rows))).Message);
        var o = Small(AnomalyScore.CodeNeighbours);
        o.Neighbours = 10;
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows(10, 1))));
        Assert.Contains("Neighbours = 10 needs at least 11 training rows", k.Message);
        Assert.Contains("has 10", k.Message);
        o.Neighbours = 0;
        Assert.Contains("Neighbours must be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.CodeGaussian);
        o.Streaming.Mode = TrainingDataMode.Streaming;
        Assert.Contains("cannot stream", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
    }
}
