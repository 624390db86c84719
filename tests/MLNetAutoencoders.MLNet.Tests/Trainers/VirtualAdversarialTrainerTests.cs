using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The encoder classifier's virtual adversarial mode through ML.NET: training on unlabelled rows, model zips, bad input.</summary>
public class VirtualAdversarialTrainerTests
{
    private static (MLContext Ml, IDataView Train, MLNetAutoencoders.MLNet.Stages.AutoencoderTransformer Encoder, EncoderClassifierEstimator.Options Options) Setup()
    {
        var ml = new MLContext(seed: 1);
        var encoder = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(View(ml, 600, 1));
        var o = new EncoderClassifierEstimator.Options
        {
            Encoder = encoder,
            UnlabelledData = View(ml, 400, 1),
            Seed = 4,
            Classifier = new EncoderClassifierOptions
            {
                Mode = EncoderTrainingMode.VirtualAdversarial, Epochs = 30, BatchSize = 32, LearningRate = 3e-3f, VatEpsilon = 0.5f, UnlabelledBatchSize = 32,
            },
        };
        return (ml, View(ml, 120, 2), encoder, o);
    }

    [Fact]
    public void Trains_evaluates_and_the_zip_predicts_the_same_labels_in_plain_MLNet()
    {
        var (ml, train, _, o) = Setup();
        SemiSupervisedZipCheck.TrainsAndTheZipPredictsTheSame(ml, train, o, EncoderTrainingMode.VirtualAdversarial, "VAT");
    }

    private sealed class NarrowRow
    {
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }

    private sealed class RawLabelRow
    {
        [VectorType(PixelRow.Width)] public float[] Features { get; set; } = new float[PixelRow.Width];
        public uint Label { get; set; }
    }

    private sealed class KeyLabelRow
    {
        [VectorType(PixelRow.Width)] public float[] Features { get; set; } = new float[PixelRow.Width];
        [KeyType(2)] public uint Label { get; set; }
    }

    [Fact]
    public void Bad_input_gets_named_errors()
    {
        var (ml, train, _, o) = Setup();
        var trainers = ml.MulticlassClassification.Trainers;
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);

        var none = Setup().Options;
        none.UnlabelledData = null;
        Assert.Contains("needs UnlabelledData", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(none)).Message);

        o.UnlabelledData = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        Assert.Contains("no rows", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(keyed)).Message);

        o.UnlabelledData = ml.Data.LoadFromEnumerable(new[] { new NarrowRow(), new NarrowRow() });
        var narrow = Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(keyed)).Message;
        Assert.Contains("'Features'", narrow);
        Assert.Contains("3 values per row", narrow);

        o.UnlabelledData = View(ml, 50, 1);
        var raw = ml.Data.LoadFromEnumerable(new[] { new RawLabelRow { Label = 1 }, new RawLabelRow { Label = 2 } });
        Assert.Contains("expected a key", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(raw)).Message);

        // ML.NET itself reads a value outside a key type's range as the missing key 0.
        var outside = ml.Data.LoadFromEnumerable(new[] { new KeyLabelRow { Label = 0 }, new KeyLabelRow { Label = 1 }, new KeyLabelRow { Label = 7 } });
        var message = Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(outside)).Message;
        Assert.True(message.Contains("row 2", StringComparison.Ordinal) && message.Contains("outside the key's range", StringComparison.Ordinal), message);
    }
}
