using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The encoder classifier as an ML.NET multiclass trainer: Evaluate, CrossValidate, prediction engines, model zips, bad input.</summary>
public class EncoderClassifierTrainerTests
{
    private static (MLContext Ml, IDataView Train, IDataView Test, MLNetAutoencoders.MLNet.Stages.AutoencoderTransformer Encoder) Setup()
    {
        var ml = new MLContext(seed: 1);
        var unlabelled = View(ml, 600, 1);
        var encoder = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(unlabelled);
        return (ml, View(ml, 300, 2), View(ml, 300, 3), encoder);
    }

    private static EncoderClassifierEstimator.Options Options(MLNetAutoencoders.MLNet.Stages.AutoencoderTransformer encoder, EncoderTrainingMode mode) => new()
    {
        Encoder = encoder,
        Seed = 4,
        Classifier = new EncoderClassifierOptions { Mode = mode, Epochs = 40, BatchSize = 32, Threads = 1, LearningRate = 3e-3f },
    };

    [Theory]
    [InlineData(EncoderTrainingMode.Probe)]
    [InlineData(EncoderTrainingMode.FineTune)]
    [InlineData(EncoderTrainingMode.DiscriminativeFineTune)]
    public void Evaluate_and_CrossValidate_work_on_the_chain(EncoderTrainingMode mode)
    {
        var (ml, train, test, encoder) = Setup();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Options(encoder, mode)));
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test));
        Assert.True(metrics.MicroAccuracy > 0.6, $"{mode}: accuracy {metrics.MicroAccuracy:P1} on 3 classes (chance 33 %)");
        var folds = ml.MulticlassClassification.CrossValidate(train, pipeline, numberOfFolds: 3);
        Assert.All(folds, f => Assert.True(f.Metrics.MicroAccuracy > 0.5, $"{mode}: fold accuracy {f.Metrics.MicroAccuracy:P1}"));
    }

    [Fact]
    public void Probe_leaves_the_encoder_untouched_and_pretraining_on_unlabelled_rows_works()
    {
        var (ml, train, _, encoder) = Setup();
        var before = encoder.Model.CodePath[0].Weight.Value.Span.ToArray();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Options(encoder, EncoderTrainingMode.Probe))).Fit(train);
        Assert.Equal(before, encoder.Model.CodePath[0].Weight.Value.Span.ToArray());

        var o = Options(null!, EncoderTrainingMode.FineTune);
        o.Encoder = null;
        o.UnlabelledData = View(ml, 600, 1);
        o.Pretrain = SmallAe();
        var pretrained = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(o)).Fit(train);
        Assert.True(ml.MulticlassClassification.Evaluate(pretrained.Transform(View(ml, 300, 3))).MicroAccuracy > 0.6);
    }

    [Fact]
    public void Zip_loads_in_plain_MLNet_with_the_same_scores_and_predicted_labels()
    {
        var (ml, train, test, encoder) = Setup();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Options(encoder, EncoderTrainingMode.FineTune)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
        var expected = model.Transform(test);
        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "classifier.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(test);
        AssertClose(Column(expected, "Score"), Column(loaded, "Score"), 1e-5f, "scores after Load");
        Assert.Equal(expected.GetColumn<uint>("PredictedLabel"), loaded.GetColumn<uint>("PredictedLabel"));

        var (plain, stdout) = PlainMLNet.Score(ml, zip, test, dir.Path);
        AssertClose(Column(expected, "Score"), Column(plain, "Score"), 1e-5f, "scores in plain ML.NET");
        Assert.Equal(expected.GetColumn<uint>("PredictedLabel"), plain.GetColumn<uint>("PredictedLabel"));
        Assert.Null(plain.Schema.GetColumnOrNull("Score.Logits"));
    }

    [Fact]
    public void Prediction_engine_matches_the_batch()
    {
        var (ml, train, test, encoder) = Setup();
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Options(encoder, EncoderTrainingMode.FineTune))).Fit(train);
        var rows = Rows(30, 3);
        var batch = Column(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Score");
        var engine = ml.Model.CreatePredictionEngine<PixelRow, ClassPrediction>(model, ignoreMissingColumns: true);
        for (int i = 0; i < rows.Length; i++) AssertClose([batch[i]], [engine.Predict(rows[i]).Score], 1e-5f, $"row {i}");
    }

    private sealed class FloatLabelRow
    {
        [VectorType(PixelRow.Width)] public float[] Features { get; set; } = new float[PixelRow.Width];

        public float Label { get; set; }
    }

    [Fact]
    public void Bad_labels_and_features_are_clear_errors()
    {
        var (ml, train, _, encoder) = Setup();
        var trainer = ml.MulticlassClassification.Trainers.EncoderClassifier(Options(encoder, EncoderTrainingMode.Probe));
        // Not a key.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow() })));
        Assert.Contains("'Label'", e.Message);
        Assert.Contains("MapValueToKey", e.Message);
        // Missing label column.
        var o = Options(encoder, EncoderTrainingMode.Probe);
        o.LabelColumnName = "Class";
        Assert.Contains("'Class'", Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(train)).Message);
        // A class of the key without rows: classes 0 and 1 only, keyed over 0..2.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var twoClasses = keyed.Transform(ml.Data.LoadFromEnumerable(Rows(300, 2).Where(r => r.Label < 2)));
        Assert.Contains("has no rows", Assert.Throws<ArgumentException>(() => trainer.Fit(twoClasses)).Message);
        // NaN in a feature.
        var rows = Rows(60, 1);
        rows[7].Features[2] = float.NaN;
        var bad = keyed.Transform(ml.Data.LoadFromEnumerable(rows));
        Assert.Contains("row 7", Assert.Throws<ArgumentException>(() => trainer.Fit(bad)).Message);
    }
    [Fact]
    public void Joint_mode_trains_with_unlabelled_rows_evaluates_and_saves()
    {
        var (ml, train, test, encoder) = Setup();
        var o = Options(encoder, EncoderTrainingMode.Joint);
        o.UnlabelledData = View(ml, 600, 1);
        o.Classifier.ReconstructionWeight = 0.02f;
        o.Classifier.UnlabelledBatchSize = 64;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(o)).Fit(train);
        var scored = model.Transform(test);
        Assert.True(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy > 0.6);
        var trained = model.LastTransformer.Model;
        Assert.Equal(EncoderTrainingMode.Joint, trained.Options.Mode);
        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "joint.zip");
        ml.Model.Save(model, train.Schema, zip);
        AssertClose(Column(scored, "Score"), Column(ml.Model.Load(zip, out _).Transform(test), "Score"), 1e-5f, "joint scores after Load");

        // The simple overload takes the unlabelled rows too; without an encoder, the trainer pretrains on them first.
        var simple = ml.MulticlassClassification.Trainers.EncoderClassifier(encoder, mode: EncoderTrainingMode.Joint, seed: 2, unlabelledData: View(ml, 200, 1));
        Assert.NotNull(ml.Transforms.Conversion.MapValueToKey("Label").Append(simple).Fit(View(ml, 60, 2)));
        var pretrain = Options(encoder, EncoderTrainingMode.Joint);
        pretrain.Encoder = null;
        pretrain.Pretrain = SmallAe(AutoencoderKind.Denoising);
        pretrain.UnlabelledData = View(ml, 200, 1);
        pretrain.Classifier.Epochs = 3;
        Assert.NotNull(ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(pretrain)).Fit(View(ml, 60, 2)));
    }

    private sealed class NarrowRow
    {
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }

    [Fact]
    public void Joint_mode_errors_name_the_missing_rows_the_weight_and_the_encoder()
    {
        var (ml, train, _, encoder) = Setup();
        var trainers = ml.MulticlassClassification.Trainers;
        var o = Options(encoder, EncoderTrainingMode.Joint);
        Assert.Contains("UnlabelledData", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(o)).Message);
        o.UnlabelledData = View(ml, 100, 1);
        o.Classifier.ReconstructionWeight = -1;
        Assert.Equal("ReconstructionWeight", Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(o)).ParamName);
        o.Classifier.ReconstructionWeight = float.NaN;
        Assert.Equal("ReconstructionWeight", Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(o)).ParamName);
        o.Classifier.ReconstructionWeight = 0.1f;
        var vae = ml.Transforms.EncodeWithVariationalAutoencoder(SmallVae()).Fit(View(ml, 100, 1));
        o.Encoder = vae;
        Assert.Contains("deterministic autoencoder", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(o)).Message);
        o.Encoder = encoder;
        o.UnlabelledData = ml.Data.LoadFromEnumerable(new[] { new NarrowRow(), new NarrowRow() });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        Assert.Contains("'Features'", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(keyed)).Message);
    }
}
