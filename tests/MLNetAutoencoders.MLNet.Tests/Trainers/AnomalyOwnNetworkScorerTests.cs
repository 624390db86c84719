using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The trainer's Deep SVDD, restoration and ensemble scores: what they compute, their zips in plain ML.NET, their option errors.</summary>
public class AnomalyOwnNetworkScorerTests
{
    /// <summary>Rows of <see cref="StageTestData.Rows"/> (3 × 4 images): class 0 is normal (Label 0), classes 1 and 2 are the anomalies (Label 1).</summary>
    private static AnomalyTrainerTests.LabelledRow[] Labelled(int count, int seed)
        => Rows(count, seed).Select(r => new AnomalyTrainerTests.LabelledRow { Features = r.Features, Label = r.Label == 0 ? 0 : 1 }).ToArray();

    private static AutoencoderAnomalyEstimator.Options Small(AnomalyScore score, int ensemble = 1)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, Contamination = 0.05, Score = score, EnsembleSize = ensemble, ImageHeight = 3, ImageWidth = 4 };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([8], 3, 30, 32, 1);
        o.Svdd.LearningRate = 1e-3f;
        return o;
    }

    [Theory]
    [InlineData(AnomalyScore.DeepSvdd, 1)]
    [InlineData(AnomalyScore.Restoration, 1)]
    [InlineData(AnomalyScore.ReconstructionAndCodeNeighbours, 3)]
    [InlineData(AnomalyScore.ReconstructionError, 2)]
    public void Scores_are_the_core_scorers_and_their_zips_score_the_same_in_plain_MLNet(AnomalyScore score, int ensemble)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Labelled(400, 1).Where(r => r.Label == 0).ToArray());
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(score, ensemble)).Fit(train);
        var expectedType = ensemble > 1 ? typeof(EnsembleScorer) : score == AnomalyScore.DeepSvdd ? typeof(DeepSvddScorer) : typeof(RestorationScorer);
        Assert.IsType(expectedType, model.Scorer);
        if (model.Scorer is EnsembleScorer e) Assert.Equal(ensemble, e.Members.Count);
        var rows = Labelled(200, 2);
        var test = ml.Data.LoadFromEnumerable(rows);
        var scored = model.Transform(test);
        double auc = ml.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve;
        Assert.True(auc > 0.6, $"{score} × {ensemble}: AUC {auc:F3}");
        var direct = model.Scorer!.Score(Matrix(rows.Select(r => new PixelRow { Features = r.Features }).ToArray()));
        var s = Scalars(scored, "Score");
        for (int i = 0; i < s.Length; i++) Assert.Equal(direct[i], s[i]);
        PlainMLNet.AssertAnomalyZipAgrees(ml, model, train.Schema, test, scored, $"{score} × {ensemble}");
    }

    [Fact]
    public void An_ensemble_is_the_standardised_mean_of_single_detectors_with_consecutive_seeds()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Labelled(300, 1).Where(r => r.Label == 0).ToArray());
        var ensemble = ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.CodeNeighbours, 2)).Fit(train);
        var members = new[] { 3, 4 }.Select(seed =>
        {
            var o = Small(AnomalyScore.CodeNeighbours);
            o.Seed = seed;
            return ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train).Scorer!;
        }).ToArray();
        var x = Matrix(Rows(50, 4));
        var expected = EnsembleScorer.Create(members).Score(x);
        Assert.Equal(expected, ensemble.Scorer!.Score(x));
        // Two members differ: the ensemble is not one of them twice.
        Assert.NotEqual(members[0].Score(x), members[1].Score(x));
    }

    [Fact]
    public void Bad_options_are_named_errors()
    {
        var ml = new MLContext(seed: 1);
        var o = Small(AnomalyScore.Restoration);
        o.ImageHeight = 0;
        Assert.Contains("needs the images' ImageHeight and ImageWidth", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.Restoration);
        (o.ImageHeight, o.ImageWidth) = (5, 5);
        var wrong = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows(40, 1))));
        Assert.Contains("column 'Features'", wrong.Message);
        Assert.Contains("Rows of 12 values are not images of 5 × 5", wrong.Message);
        Assert.Contains("EnsembleSize must be in 1–32", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.ReconstructionError, 0))).Message);
        o = Small(AnomalyScore.DeepSvdd);
        o.Svdd.Epochs = 0;
        Assert.Contains("Deep SVDD: Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.DeepSvdd);
        o.Vae = new Autoencoders.VaeOptions();
        Assert.Contains("unset Options.Vae", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        var one = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small(AnomalyScore.DeepSvdd)).Fit(ml.Data.LoadFromEnumerable(Rows(1, 1))));
        Assert.Contains("'Features' has 1 training row", one.Message);
    }
}
