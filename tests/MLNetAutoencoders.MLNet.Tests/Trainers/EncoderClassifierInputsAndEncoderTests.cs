using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Hosting;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// The encoder classifier's inputs and its encoder: argument guards, the schema it promises, label keys with an empty
/// class or a key past the range, features outside [0, 1], which encoder it starts from (the given one, or one pretrained
/// on the unlabelled rows with the stage's seed), and the class names a saved model keeps. Every classifier here trains
/// for a few epochs with its settings given in full: nothing depends on the classifier's defaults.
/// </summary>
public class EncoderClassifierInputsAndEncoderTests
{
    /// <summary>Features with a label already a key of 3 classes (the enumerable loader reads the values 0–2 as the keys 1–3).</summary>
    public sealed class KeyedRow
    {
        [VectorType(PixelRow.Width)]
        public float[] Features { get; set; } = new float[PixelRow.Width];

        [KeyType(3)]
        public uint Label { get; set; }
    }

    public sealed class PixelsKeyedRow
    {
        [VectorType(PixelRow.Width)]
        public float[] Pixels { get; set; } = new float[PixelRow.Width];

        [KeyType(3)]
        public uint Label { get; set; }
    }

    public sealed class NamedRow
    {
        [VectorType(PixelRow.Width)]
        public float[] Features { get; set; } = new float[PixelRow.Width];

        public string Label { get; set; } = "";
    }

    public sealed class NarrowRow
    {
        [VectorType(6)]
        public float[] Features { get; set; } = new float[6];
    }

    private static KeyedRow[] Keyed(int count, int seed, float scale = 1) =>
        Rows(count, seed).Select(r => new KeyedRow { Features = r.Features.Select(v => v * scale).ToArray(), Label = r.Label }).ToArray();

    private static EncoderClassifierEstimator.Options Quick(AutoencoderTransformer? encoder, EncoderTrainingMode mode = EncoderTrainingMode.Probe) => new()
    {
        Encoder = encoder,
        Seed = 4,
        Classifier = new EncoderClassifierOptions { Mode = mode, Epochs = 3, BatchSize = 32, Threads = 1, LearningRate = 3e-3f },
    };

    private static AutoencoderTransformer Encoder(MLContext ml, IDataView rows, LossKind loss = LossKind.SquaredError)
    {
        var o = SmallAe();
        o.Autoencoder.Loss = loss;
        return ml.Transforms.EncodeWithAutoencoder(o).Fit(rows);
    }

    private static float[] FirstWeights(IReadOnlyList<DenseLayer> layers) => layers[0].Weight.Value.Span.ToArray();

    [Fact]
    public void Missing_settings_are_named()
    {
        var trainers = new MLContext(seed: 1).MulticlassClassification.Trainers;
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => trainers.EncoderClassifier((EncoderClassifierEstimator.Options)null!)).ParamName);
        var o = Quick(null);
        o.LabelColumnName = "";
        Assert.Contains("MulticlassClassification.Trainers.EncoderClassifier: LabelColumnName must be a column name.", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(o)).Message);
        o = Quick(null);
        o.FeatureColumnName = " ";
        Assert.Contains("MulticlassClassification.Trainers.EncoderClassifier: FeatureColumnName must be a column name.", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(o)).Message);
        o = Quick(null);
        o.Classifier = null!;
        Assert.Equal("Classifier", Assert.Throws<ArgumentNullException>(() => trainers.EncoderClassifier(o)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => trainers.EncoderClassifier(Quick(null)).Fit(null!)).ParamName);
    }

    [Fact]
    public void GetOutputSchema_promises_a_probability_vector_and_a_key_and_names_a_bad_feature_or_label_column()
    {
        var ml = new MLContext(seed: 1);
        var trainers = ml.MulticlassClassification.Trainers;
        var keyed = MLNetHostTests.Shape(ml.Data.LoadFromEnumerable(Keyed(5, 1)).Schema);
        var shape = trainers.EncoderClassifier(Quick(null)).GetOutputSchema(keyed);
        var score = shape.Single(c => c.Name == "Score");
        Assert.Equal((SchemaShape.Column.VectorKind.Vector, (DataViewType)NumberDataViewType.Single), (score.Kind, score.ItemType));
        Assert.True(shape.Single(c => c.Name == "PredictedLabel").IsKey);

        var o = Quick(null);
        o.FeatureColumnName = "Pixels";
        Assert.Contains("schema mismatch for input column 'Pixels'", Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(o).GetOutputSchema(keyed)).Message);
        o = Quick(null);
        o.LabelColumnName = "Class";
        Assert.Contains("schema mismatch for label column 'Class': expected a key (map the labels with MapValueToKey), got no such column.",
            Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(o).GetOutputSchema(keyed)).Message);
        var notKey = MLNetHostTests.Shape(View(ml, 5, 1).Schema); // Label is a UInt32 number, not a key
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(Quick(null)).GetOutputSchema(notKey));
        Assert.Contains("schema mismatch for label column 'Label': expected a key (map the labels with MapValueToKey), got UInt32.", e.Message);
    }

    public sealed class LabelOnly
    {
        public uint Label { get; set; }
    }

    [Fact]
    public void An_empty_first_class_is_named()
    {
        var ml = new MLContext(seed: 1);
        var encoder = Encoder(ml, View(ml, 60, 1));
        // The key's classes are 0, 1, 2 (from keyData); the training rows hold only 1 and 2, so class 1 of the key is empty.
        var classes = ml.Data.LoadFromEnumerable(new[] { new LabelOnly { Label = 0 }, new LabelOnly { Label = 1 }, new LabelOnly { Label = 2 } });
        var rows = Rows(30, 2).Where(r => r.Label != 0).ToArray();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: classes)
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Quick(encoder)));
        Assert.Contains("class 1 of the label column 'Label' has no rows; every class of the key needs at least one.",
            Assert.Throws<ArgumentException>(() => pipeline.Fit(ml.Data.LoadFromEnumerable(rows))).Message);
    }

    [Fact]
    public void Features_outside_0_1_train_in_every_mode_whose_encoder_takes_any_values()
    {
        var ml = new MLContext(seed: 1);
        var scaled = ml.Data.LoadFromEnumerable(Keyed(60, 2, scale: 3));
        var encoder = Encoder(ml, scaled);
        foreach (var mode in new[] { EncoderTrainingMode.Probe, EncoderTrainingMode.VirtualAdversarial, EncoderTrainingMode.Joint })
        {
            var o = Quick(encoder, mode);
            if (mode != EncoderTrainingMode.Probe) o.UnlabelledData = scaled;
            var model = ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(scaled);
            foreach (var p in Column(model.Transform(scaled), "Score"))
                Assert.Equal(1.0, p.Sum(v => (double)v), 4);
        }
        // The semi-supervised VAE reads its unlabelled rows as they are too (M1 with a Gaussian likelihood takes any values).
        var vae = SmallVae();
        vae.Vae.Likelihood = VaeLikelihood.Gaussian;
        var m2 = Quick(ml.Transforms.EncodeWithVariationalAutoencoder(vae).Fit(scaled), EncoderTrainingMode.SemiSupervisedVae);
        (m2.UnlabelledData, m2.Classifier.UnlabelledBatchSize, m2.Classifier.M2HiddenSize, m2.Classifier.M2LatentSize) = (scaled, 16, 8, 2);
        var semi = ml.MulticlassClassification.Trainers.EncoderClassifier(m2).Fit(scaled);
        Assert.All(Column(semi.Transform(scaled), "Score"), p => Assert.Equal(1.0, p.Sum(v => (double)v), 4));
    }

    [Fact]
    public void Joint_mode_with_a_cross_entropy_encoder_refuses_unlabelled_rows_outside_0_1()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Keyed(60, 2));
        var o = Quick(Encoder(ml, train, LossKind.CrossEntropy), EncoderTrainingMode.Joint);
        o.UnlabelledData = ml.Data.LoadFromEnumerable(Keyed(20, 3, scale: 3));
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(train));
        Assert.Contains("outside [0, 1], which the cross-entropy loss needs", e.Message);
    }

    [Fact]
    public void The_given_encoder_is_the_one_the_classifier_starts_from()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Keyed(60, 2));
        var encoder = Encoder(ml, View(ml, 60, 1));
        var model = ml.MulticlassClassification.Trainers.EncoderClassifier(Quick(encoder)).Fit(train);
        Assert.Equal(FirstWeights(encoder.Model.CodePath), FirstWeights(model.Model.EncoderLayers)); // a probe keeps it frozen

        var narrow = Encoder(ml, ml.Data.LoadFromEnumerable(Enumerable.Range(0, 20).Select(i => new NarrowRow { Features = [0.05f * i, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f] }).ToArray()));
        Assert.Contains("the encoder reads 6 values per row; column 'Features' has 12.",
            Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderClassifier(Quick(narrow)).Fit(train)).Message);
    }

    [Fact]
    public void Without_an_encoder_one_is_pretrained_on_the_unlabelled_rows_with_the_stages_seed()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Keyed(60, 2));
        var unlabelled = View(ml, 200, 1);
        var o = Quick(null);
        o.UnlabelledData = unlabelled;
        o.Pretrain = SmallAe(seed: 99); // its seed is replaced by the stage's (4)
        var model = ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(train);
        var expected = ml.Transforms.EncodeWithAutoencoder(SmallAe(seed: 4)).Fit(unlabelled);
        Assert.Equal(FirstWeights(expected.Model.CodePath), FirstWeights(model.Model.EncoderLayers));
    }

    [Fact]
    public void The_semi_supervised_VAE_without_an_encoder_pretrains_its_VAE_on_the_named_feature_column()
    {
        var ml = new MLContext(seed: 1);
        var rows = Keyed(60, 2).Select(r => new PixelsKeyedRow { Pixels = r.Features, Label = r.Label }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var o = new EncoderClassifierEstimator.Options
        {
            FeatureColumnName = "Pixels", UnlabelledData = data, Seed = 4,
            Classifier = new EncoderClassifierOptions
            {
                Mode = EncoderTrainingMode.SemiSupervisedVae, Epochs = 2, BatchSize = 32, Threads = 1, LearningRate = 3e-3f,
                UnlabelledBatchSize = 16, M2HiddenSize = 8, M2LatentSize = 2,
            },
        };
        var model = ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(data);
        Assert.Equal(PixelRow.Width, model.Model.FeatureCount);
        Assert.All(Column(model.Transform(data), "Score"), p => Assert.Equal(1.0, p.Sum(v => (double)v), 4));
    }

    [Fact]
    public void A_saved_model_keeps_the_class_names_of_a_text_label()
    {
        var ml = new MLContext(seed: 1);
        string[] names = ["cat", "dog", "eel"];
        var rows = Rows(60, 2).Select(r => new NamedRow { Features = r.Features, Label = names[r.Label] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var encoder = Encoder(ml, View(ml, 60, 1));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.EncoderClassifier(Quick(encoder))).Fit(data);
        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "classifier.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out _).Transform(data);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        loaded.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(names, keyValues.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.Equal(model.Transform(data).GetColumn<uint>("PredictedLabel"), loaded.GetColumn<uint>("PredictedLabel"));
    }
}
