using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The encoder classifier's consistency (FixMatch) mode through ML.NET: the rows are 3 × 4 images; training, model zips, bad input.</summary>
public class ConsistencyTrainerTests
{
    private static (MLContext Ml, IDataView Train, EncoderClassifierEstimator.Options Options) Setup()
    {
        var ml = new MLContext(seed: 1);
        var o = new EncoderClassifierEstimator.Options
        {
            Encoder = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(View(ml, 600, 1)),
            UnlabelledData = View(ml, 400, 1),
            ImageHeight = 3,
            ImageWidth = 4,
            Seed = 4,
            Classifier = new EncoderClassifierOptions
            {
                Mode = EncoderTrainingMode.Consistency, Epochs = 30, BatchSize = 32, LearningRate = 3e-3f, UnlabelledBatchSize = 32,
                ConsistencyThreshold = 0.8f, WeakShift = 0, StrongShift = 1, CutoutSize = 1, HorizontalFlip = false,
            },
        };
        return (ml, View(ml, 120, 2), o);
    }

    [Fact]
    public void Trains_evaluates_and_the_zip_predicts_the_same_labels_in_plain_MLNet()
    {
        var (ml, train, o) = Setup();
        SemiSupervisedZipCheck.TrainsAndTheZipPredictsTheSame(ml, train, o, EncoderTrainingMode.Consistency, "consistency-mode");
    }

    [Fact]
    public void Bad_input_gets_named_errors()
    {
        var (ml, train, o) = Setup();
        var trainers = ml.MulticlassClassification.Trainers;
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);

        var none = Setup().Options;
        none.UnlabelledData = null;
        Assert.Contains("consistency mode needs UnlabelledData", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(none)).Message);

        var sizeless = Setup().Options;
        sizeless.ImageWidth = 0;
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => trainers.EncoderClassifier(sizeless)).Message;
        Assert.Contains("ImageHeight and ImageWidth", missing);
        Assert.Contains("3 × 0", missing);

        var wrong = Setup().Options;
        wrong.ImageHeight = 5;
        var mismatch = Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(wrong).Fit(keyed)).Message;
        Assert.Contains("column 'Features' has 12 values per row", mismatch);
        Assert.Contains("5 × 4", mismatch);

        o.UnlabelledData = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        Assert.Contains("no rows", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(keyed)).Message);
    }
}
