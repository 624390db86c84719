using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The autoencoder anomaly detector as an ML.NET trainer: Evaluate, prediction engines, model zips, bad input.</summary>
public class AnomalyTrainerTests
{
    /// <summary>A row with a label as ML.NET's anomaly evaluator wants it: 1 for an anomaly, 0 for a normal row.</summary>
    public sealed class LabelledRow
    {
        [VectorType(PixelRow.Width)]
        public float[] Features { get; set; } = new float[PixelRow.Width];

        public float Label { get; set; }
    }

    public sealed class AnomalyPrediction
    {
        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    /// <summary>Normal rows lie near the 3-dimensional manifold of <see cref="StageTestData.Rows"/>; anomalies are uniform noise in [0, 1].</summary>
    private static LabelledRow[] Mixed(int normal, int anomalies, int seed)
    {
        var rng = new Random(seed);
        var rows = Rows(normal, seed).Select(r => new LabelledRow { Features = r.Features }).ToList();
        for (int i = 0; i < anomalies; i++)
            rows.Add(new LabelledRow { Features = Enumerable.Range(0, PixelRow.Width).Select(_ => (float)rng.NextDouble()).ToArray(), Label = 1 });
        return [.. rows];
    }

    private static AutoencoderAnomalyEstimator.Options Small(AutoencoderKind kind = AutoencoderKind.Plain)
    {
        var o = AutoencoderAnomalyEstimator.Options.ForKind(kind);
        o.Seed = 3;
        o.Contamination = 0.05;
        if (o.Vae is { } v) { v.HiddenSizes = [8]; v.LatentSize = 3; v.Epochs = 150; v.BatchSize = 32; v.Threads = 1; }
        else { o.Autoencoder.HiddenSizes = [8]; o.Autoencoder.CodeSize = 3; o.Autoencoder.Epochs = 30; o.Autoencoder.BatchSize = 32; o.Autoencoder.Threads = 1; }
        return o;
    }

    [Theory]
    [InlineData(AutoencoderKind.Plain)]
    [InlineData(AutoencoderKind.Denoising)]
    [InlineData(AutoencoderKind.Variational)]
    public void Evaluate_reports_a_high_AUC_on_off_manifold_anomalies(AutoencoderKind kind)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Mixed(600, 0, 1).Select(r => new PixelRow { Features = r.Features }));
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(kind)).Fit(train);
        var test = ml.Data.LoadFromEnumerable(Mixed(300, 30, 2));
        var metrics = ml.AnomalyDetection.Evaluate(model.Transform(test), falsePositiveCount: 10);
        // The VAE reconstructs from μ through a smoother decoder, so it separates less sharply on this tiny problem.
        double bar = kind == AutoencoderKind.Variational ? 0.85 : 0.9;
        Assert.True(metrics.AreaUnderRocCurve > bar, $"{kind}: AUC {metrics.AreaUnderRocCurve:F3} (chance 0.5)");
        // The threshold is the training scores' 95th percentile: about 5 % of the normal training rows lie above it.
        var flagged = model.Transform(train).GetColumn<bool>("PredictedLabel").Count(b => b);
        Assert.InRange(flagged, 20, 40);
    }

    [Theory]
    [InlineData(AutoencoderKind.Plain)]
    [InlineData(AutoencoderKind.Variational)]
    public void Zip_loads_in_plain_MLNet_with_the_same_scores_and_the_evaluators_column_types(AutoencoderKind kind)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Mixed(600, 0, 1));
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(kind)).Fit(train);
        Assert.Equal(kind == AutoencoderKind.Variational ? AnomalyScore.NegativeElbo : AnomalyScore.ReconstructionError, model.Score);
        var test = ml.Data.LoadFromEnumerable(Mixed(200, 20, 2));
        var expected = model.Transform(test);

        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "anomaly.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        Assert.Equal(NumberDataViewType.Single, loaded.Schema["Score"].Type);
        Assert.Equal(BooleanDataViewType.Instance, loaded.Schema["PredictedLabel"].Type);
        Assert.Null(loaded.Schema.GetColumnOrNull("Score.Raw"));
        var e = Scalars(expected, "Score");
        var l = Scalars(loaded, "Score");
        float tolerance = kind == AutoencoderKind.Variational ? 1e-4f : 1e-6f; // −ELBO is a sum over the row's values, in nats
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - l[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"row {i}: {l[i]} vs {e[i]}");
        Assert.Equal(expected.GetColumn<bool>("PredictedLabel"), loaded.GetColumn<bool>("PredictedLabel"));
        Assert.Equal(ml.AnomalyDetection.Evaluate(expected).AreaUnderRocCurve, ml.AnomalyDetection.Evaluate(loaded).AreaUnderRocCurve, 6);

        var (plain, stdout) = PlainMLNet.Score(ml, zip, test, dir.Path);
        var p = Scalars(plain, "Score");
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - p[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"plain ML.NET, row {i}: {p[i]} vs {e[i]}");
        Assert.Equal(expected.GetColumn<bool>("PredictedLabel"), plain.GetColumn<bool>("PredictedLabel"));
    }

    [Fact]
    public void Prediction_engine_and_batch_agree_and_scores_are_the_reconstruction_error()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small()).Fit(ml.Data.LoadFromEnumerable(Mixed(400, 0, 1)));
        var rows = Mixed(50, 10, 4);
        var batch = Scalars(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        var engine = ml.Model.CreatePredictionEngine<LabelledRow, AnomalyPrediction>(model);
        var x = Matrix(rows.Select(r => new PixelRow { Features = r.Features }).ToArray());
        var reconstruction = model.Model!.Reconstruct(x);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.True(Math.Abs(p.Score - batch[i]) <= 1e-6f, $"row {i}: engine {p.Score}, batch {batch[i]}");
            Assert.Equal(p.Score > model.Threshold, p.PredictedLabel);
            double error = 0;
            for (int j = 0; j < x.Cols; j++) error += Math.Pow(x[i, j] - reconstruction[i, j], 2);
            Assert.Equal(error / x.Cols, batch[i], 5);
        }
    }

    [Fact]
    public void The_VAE_score_is_the_negative_ELBO_at_the_mean_close_to_the_sampled_ELBO()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Mixed(600, 0, 1).Select(r => new PixelRow { Features = r.Features }));
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Small(AutoencoderKind.Variational)).Fit(train);
        var vae = Assert.IsType<VaeModel>(model.Model);
        var x = Matrix(Rows(300, 5));
        var scores = Scalars(model.Transform(ml.Data.LoadFromEnumerable(Rows(300, 5))), "Score");
        Assert.Equal(vae.NegativeElboAtMean(x).Average(), scores.Average(), 3);
        // At z = μ the decoder sees its best code, so the mean score lies a little below the sampled −ELBO, within a nat or two.
        double sampled = vae.Evaluate(x, seed: 7).NegativeElbo;
        Assert.InRange(scores.Average(), sampled - 2.0, sampled + 0.05);
    }

    [Fact]
    public void Bad_input_and_options_are_clear_errors()
    {
        var ml = new MLContext(seed: 1);
        var o = Small();
        o.FeatureColumnName = "Pixels";
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(View(ml)));
        Assert.Contains("'Pixels'", e.Message);
        o = Small();
        o.Contamination = 0.7;
        Assert.Contains("Contamination", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small();
        o.Score = AnomalyScore.NegativeElbo;
        Assert.Contains("needs a VAE", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        var rows = Rows(100, 1);
        rows[42].Features[0] = float.NaN;
        Assert.Contains("row 42", Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(Small()).Fit(ml.Data.LoadFromEnumerable(rows))).Message);
    }
}
