using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Hosting;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// The anomaly trainer's options at their boundaries (the last value allowed is accepted, the first one past it is a
/// named error), its argument guards, <c>ForKind</c>, and the schema it promises before training.
/// </summary>
public class AnomalyOptionBoundaryTests
{
    private static AutoencoderAnomalyEstimator.Options Quick(AnomalyScore score = AnomalyScore.ReconstructionError)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, Score = score };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([8], 3, 2, 32, 1);
        return o;
    }

    private static AutoencoderAnomalyEstimator Make(AutoencoderAnomalyEstimator.Options o) => new MLContext(seed: 1).AnomalyDetection.Trainers.Autoencoder(o);

    private static string Refused<T>(AutoencoderAnomalyEstimator.Options o) where T : Exception => Assert.Throws<T>(() => Make(o)).Message;

    [Fact]
    public void Contamination_0_and_just_below_one_half_are_accepted_one_half_is_refused()
    {
        foreach (double c in new[] { 0, 0.4999 })
        {
            var o = Quick();
            o.Contamination = c;
            Assert.Equal(c, Make(o).Settings.Contamination);
        }
        foreach (double c in new[] { 0.5, -1e-9, double.NaN })
        {
            var o = Quick();
            o.Contamination = c;
            Assert.Contains("AnomalyDetection.Trainers.Autoencoder: Contamination must be in [0, 0.5).", Refused<ArgumentOutOfRangeException>(o));
        }
    }

    [Fact]
    public void With_contamination_0_the_threshold_is_the_largest_training_score()
    {
        var ml = new MLContext(seed: 1);
        var o = Quick();
        o.Contamination = 0;
        var train = View(ml, 80, 1);
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train);
        var scores = Scalars(model.Transform(train), "Score");
        Assert.Equal(scores.Max(), model.Threshold);
        Assert.DoesNotContain(true, model.Transform(train).GetColumn<bool>("PredictedLabel"));
    }

    [Fact]
    public void Neighbours_1_is_accepted_and_used_0_is_refused()
    {
        var ml = new MLContext(seed: 1);
        var o = Quick(AnomalyScore.CodeNeighbours);
        o.Neighbours = 1;
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(View(ml, 40, 1));
        Assert.Equal(1, model.CodeScorer!.Knn!.K);
        o.Neighbours = 0;
        Assert.Contains("Neighbours must be ≥ 1", Refused<ArgumentOutOfRangeException>(o));
    }

    [Fact]
    public void EnsembleSize_1_to_32_is_accepted_0_and_33_are_refused_and_an_ensemble_cannot_stream()
    {
        foreach (int n in new[] { 1, AutoencoderAnomalyEstimator.Options.MaxEnsembleSize })
        {
            var o = Quick();
            o.EnsembleSize = n;
            Assert.Equal(n, Make(o).Settings.EnsembleSize);
        }
        foreach (int n in new[] { 0, AutoencoderAnomalyEstimator.Options.MaxEnsembleSize + 1 })
        {
            var o = Quick();
            o.EnsembleSize = n;
            Assert.Contains("EnsembleSize must be in 1–32.", Refused<ArgumentOutOfRangeException>(o));
        }
        var streamed = Quick();
        streamed.EnsembleSize = 2;
        streamed.Streaming.Mode = TrainingDataMode.Streaming;
        Assert.Contains("an ensemble keeps the training rows in memory; it cannot stream them.", Refused<ArgumentOutOfRangeException>(streamed));
        streamed.EnsembleSize = 1;
        Assert.Equal(TrainingDataMode.Streaming, Make(streamed).Settings.Streaming.Mode); // one network of the reconstruction error may stream
    }

    [Fact]
    public void Restoration_accepts_a_one_pixel_side_and_refuses_a_missing_height_or_width()
    {
        var o = Quick(AnomalyScore.Restoration);
        (o.ImageHeight, o.ImageWidth) = (1, 1);
        Assert.Equal(1, Make(o).Settings.ImageHeight);
        foreach (var (h, w) in new[] { (0, 4), (3, 0) })
        {
            o = Quick(AnomalyScore.Restoration);
            (o.ImageHeight, o.ImageWidth) = (h, w);
            Assert.Contains($"Score = Restoration needs the images' ImageHeight and ImageWidth (≥ 1); got {h} × {w}.", Refused<ArgumentOutOfRangeException>(o));
        }
    }

    [Fact]
    public void Missing_or_unknown_settings_are_named()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => ml.AnomalyDetection.Trainers.Autoencoder((AutoencoderAnomalyEstimator.Options)null!)).ParamName);
        var o = Quick();
        o.FeatureColumnName = " ";
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: FeatureColumnName must be a column name.", Refused<ArgumentException>(o));
        o = Quick();
        o.Score = (AnomalyScore)99;
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: unknown Score.", Refused<ArgumentOutOfRangeException>(o));
        o = Quick(AnomalyScore.DeepSvdd);
        o.Svdd = null!;
        Assert.Equal("options.Svdd", Assert.Throws<ArgumentNullException>(() => Make(o)).ParamName);
    }

    [Fact]
    public void Null_views_are_argument_errors()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => Make(Quick()).Fit(null!)).ParamName);
        var model = Make(Quick()).Fit(View(ml, 40, 1));
        Assert.Equal("normalRows", Assert.Throws<ArgumentNullException>(() => model.ThresholdForFalsePositiveRate(null!, 0.1)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => model.FeatureContributions(null!)).ParamName);
    }

    [Theory]
    [InlineData(AutoencoderKind.Plain)]
    [InlineData(AutoencoderKind.Denoising)]
    [InlineData(AutoencoderKind.Tied)]
    [InlineData(AutoencoderKind.Stacked)]
    [InlineData(AutoencoderKind.SparseL1)]
    public void ForKind_applies_the_kinds_preset_with_the_anomaly_code_size(AutoencoderKind kind)
    {
        var o = AutoencoderAnomalyEstimator.Options.ForKind(kind);
        var expected = AutoencoderKinds.Apply(kind, new AutoencoderOptions());
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, o.Autoencoder.CodeSize);
        Assert.Equal(expected.Corruption, o.Autoencoder.Corruption);
        Assert.Equal(expected.CorruptionLevel, o.Autoencoder.CorruptionLevel);
        Assert.Equal(expected.TiedWeights, o.Autoencoder.TiedWeights);
        Assert.Equal(expected.L1Activity, o.Autoencoder.L1Activity);
        Assert.Equal(expected.CodeActivation, o.Autoencoder.CodeActivation);
        Assert.Equal(kind == AutoencoderKind.Stacked, o.Stacked);
        Assert.Null(o.Vae);
        Assert.Equal(AnomalyScore.ReconstructionError, o.Score);
    }

    [Fact]
    public void ForKind_of_the_kinds_with_a_term_sets_that_term()
    {
        Assert.Equal(CorruptionKind.Gaussian, AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.Denoising).Autoencoder.Corruption);
        Assert.True(AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.Tied).Autoencoder.TiedWeights);
        Assert.True(AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.SparseL1).Autoencoder.L1Activity > 0);
        var vae = AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.Variational);
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, vae.Vae!.LatentSize);
        Assert.Equal(AnomalyScore.NegativeElbo, vae.Score);
        Assert.False(vae.Stacked);
    }

    [Fact]
    public void GetOutputSchema_promises_a_scalar_Single_Score_and_a_Boolean_PredictedLabel_and_names_a_bad_column()
    {
        var ml = new MLContext(seed: 1);
        var shape = Make(Quick()).GetOutputSchema(MLNetHostTests.Shape(View(ml, 5, 1).Schema));
        var score = shape.Single(c => c.Name == "Score");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        var label = shape.Single(c => c.Name == "PredictedLabel");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, label.Kind);
        Assert.Equal(BooleanDataViewType.Instance, label.ItemType);
        var o = Quick();
        o.FeatureColumnName = "Pixels";
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Make(o).GetOutputSchema(MLNetHostTests.Shape(View(ml, 5, 1).Schema)));
        Assert.Contains("schema mismatch for input column 'Pixels'", e.Message);
    }
}
