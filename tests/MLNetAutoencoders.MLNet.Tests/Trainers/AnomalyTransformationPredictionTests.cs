using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Numerics;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The trainer's transformation-prediction score: the core scorer, its ensembles, its zip in plain ML.NET, its errors.</summary>
public class AnomalyTransformationPredictionTests
{
    /// <summary>A 6 × 6 image (36 values, a square the trainer recognises without ImageHeight and ImageWidth), Label 1 = anomaly.</summary>
    public sealed class ImageRow
    {
        [VectorType(36)]
        public float[] Features { get; set; } = new float[36];

        public float Label { get; set; }
    }

    /// <summary>Normal images are bars of random length and thickness across the top (Label 0), anomalies the same down the left side (Label 1).</summary>
    private static ImageRow[] Images(int normal, int anomalous, int seed)
    {
        var rng = new Random(seed);
        ImageRow Bar(bool top)
        {
            var row = new ImageRow { Label = top ? 0 : 1 };
            int length = 3 + rng.Next(4), thick = 1 + rng.Next(2);
            for (int a = 0; a < thick; a++)
                for (int b = 0; b < length; b++) row.Features[top ? a * 6 + b : b * 6 + a] = 0.9f;
            for (int j = 0; j < 36; j++) row.Features[j] = Math.Clamp(row.Features[j] + (float)(0.05 * rng.NextDouble()), 0, 1);
            return row;
        }
        return [.. Enumerable.Range(0, normal).Select(_ => Bar(true)), .. Enumerable.Range(0, anomalous).Select(_ => Bar(false))];
    }

    private static AutoencoderAnomalyEstimator.Options Geo(bool withInputNeighbours, params AnomalyScore[] more)
    {
        var o = new AutoencoderAnomalyEstimator.Options
        {
            Seed = 3, Contamination = 0.05, Score = AnomalyScore.TransformationPrediction, InputNeighbours = withInputNeighbours, AdditionalScores = more,
            Transformation = new TransformationPredictionOptions { HiddenSizes = [32, 16], Epochs = 8, BatchSize = 32 },
        };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([16], 4, 20, 32, 1);
        return o;
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    public void Transformation_prediction_and_its_ensembles_score_as_the_core_and_their_zips_agree_in_plain_MLNet(bool withInputNeighbours, int shift)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Images(250, 0, 1));
        var options = Geo(withInputNeighbours);
        options.Transformation.Shift = shift;
        var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        Assert.Null(model.Model);
        var geo = withInputNeighbours ? Assert.IsType<EnsembleScorer>(model.Scorer).Members.Single() : model.Scorer;
        var alone = Assert.IsType<TransformationPredictionScorer>(geo);
        Assert.Equal((6, 6, shift == 0 ? 8 : 72), (alone.Height, alone.Width, alone.Transforms.Count));
        var rows = Images(60, 60, 5);
        var test = ml.Data.LoadFromEnumerable(rows);
        var scored = model.Transform(test);
        double auc = ml.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve;
        Assert.True(auc > 0.9, $"AUC {auc:F3}");
        var x = new Matrix(rows.Length, 36, rows.SelectMany(r => r.Features).ToArray());
        // The trainer's member is the core scorer from the same seed.
        var core = TransformationPredictionScorer.Fit(new Matrix(250, 36, Images(250, 0, 1).SelectMany(r => r.Features).ToArray()), 6, 6, options.Transformation, seed: 3);
        Assert.Equal(core.Score(x), alone.Score(x));
        Assert.Equal(model.Scorer!.Score(x), Scalars(scored, "Score"));
        PlainMLNet.AssertAnomalyZipAgrees(ml, model, train.Schema, test, scored, $"transformation prediction{(shift > 0 ? " with shifts" : "")}{(withInputNeighbours ? " + input neighbours" : "")}");
        Assert.Contains("has no autoencoder", Assert.Throws<InvalidOperationException>(() => model.FeatureContributions(test)).Message);
    }

    [Fact]
    public void Beside_an_autoencoder_score_the_ensemble_keeps_that_autoencoder_and_its_zip_agrees()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Images(250, 0, 1));
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Geo(false, AnomalyScore.ReconstructionAndCodeNeighbours)).Fit(train);
        var ensemble = Assert.IsType<EnsembleScorer>(model.Scorer);
        Assert.Same(ensemble.Members[1].Model, model.Model);
        var test = ml.Data.LoadFromEnumerable(Images(40, 40, 7));
        var scored = model.Transform(test);
        PlainMLNet.AssertAnomalyZipAgrees(ml, model, train.Schema, test, scored, "transformation prediction + reconstruction and code neighbours");
        Assert.Equal(40 + 40, model.FeatureContributions(test).Length);
    }

    [Fact]
    public void Rows_that_are_not_images_and_bad_settings_are_named_errors()
    {
        var ml = new MLContext(seed: 1);
        var o = Geo(false);
        var notSquare = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows(40, 1))));
        Assert.Contains("column 'Features' has 12 values, not a square image, so set ImageHeight and ImageWidth", notSquare.Message);
        o.ImageHeight = 3;
        Assert.Contains("ImageHeight and ImageWidth must both be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Geo(false);
        (o.ImageHeight, o.ImageWidth) = (5, 5);
        var wrong = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Images(30, 0, 1))));
        Assert.Contains("column 'Features'", wrong.Message);
        Assert.Contains("Rows of 36 values are not images of 5 × 5", wrong.Message);
        o = Geo(false);
        o.Transformation.BatchSize = 0;
        Assert.Contains("Transformation prediction: BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Geo(false);
        o.Transformation.Shift = -2;
        Assert.Contains("Transformation prediction: Shift must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
    }
}
