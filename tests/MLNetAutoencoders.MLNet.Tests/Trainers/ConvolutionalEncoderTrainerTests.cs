using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The encoder classifier with a convolutional encoder through ML.NET: the rows are 3 × 4 images; training, model zips, bad input.</summary>
public class ConvolutionalEncoderTrainerTests
{
    private static (MLContext Ml, IDataView Train, EncoderClassifierEstimator.Options Options) Setup()
    {
        var ml = new MLContext(seed: 1);
        var o = new EncoderClassifierEstimator.Options
        {
            UnlabelledData = View(ml, 400, 1),
            ImageHeight = 3,
            ImageWidth = 4,
            Seed = 4,
            Classifier = new EncoderClassifierOptions
            {
                Mode = EncoderTrainingMode.Consistency, Initialization = EncoderInitialization.Random, ConvolutionChannels = [4, 8], ConvolutionCodeSize = 8,
                Epochs = 30, BatchSize = 32, LearningRate = 3e-3f, UnlabelledBatchSize = 32,
                ConsistencyThreshold = 0.8f, WeakShift = 0, StrongShift = 1, CutoutSize = 1, HorizontalFlip = false,
            },
        };
        return (ml, View(ml, 120, 2), o);
    }

    [Fact]
    public void Trains_without_a_pretrained_encoder_and_the_zip_predicts_the_same_labels_in_plain_MLNet()
    {
        var (ml, train, o) = Setup();
        SemiSupervisedZipCheck.TrainsAndTheZipPredictsTheSame(ml, train, o, EncoderTrainingMode.Consistency, "convolutional encoder");
        var model = ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train)).Model;
        Assert.IsType<Conv2dLayer>(model.Network.Layers[0]);
    }

    [Fact]
    public void With_a_moving_average_teacher_the_zip_predicts_the_same_labels_in_plain_MLNet()
    {
        var (ml, train, o) = Setup();
        o.Classifier.TeacherDecay = 0.9f;
        SemiSupervisedZipCheck.TrainsAndTheZipPredictsTheSame(ml, train, o, EncoderTrainingMode.Consistency, "convolutional encoder with a teacher");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);
        var teacher = ml.MulticlassClassification.Trainers.EncoderClassifier(o).Fit(keyed).Model;
        Assert.Equal(0.9f, teacher.Options.TeacherDecay);
        var (_, _, plain) = Setup();
        var student = ml.MulticlassClassification.Trainers.EncoderClassifier(plain).Fit(keyed).Model;
        Assert.NotEqual(student.Network.Parameters[0].Value.Span.ToArray(), teacher.Network.Parameters[0].Value.Span.ToArray());
    }

    [Fact]
    public void Bad_input_gets_named_errors()
    {
        var (ml, train, _) = Setup();
        var trainers = ml.MulticlassClassification.Trainers;
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);

        var fine = Setup().Options;
        fine.Classifier.Mode = EncoderTrainingMode.FineTune;
        Assert.Contains("set Classifier.Mode = Consistency", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(fine)).Message);

        var pretrained = Setup().Options;
        pretrained.Classifier.Initialization = EncoderInitialization.Pretrained;
        Assert.Contains("Classifier.Initialization = Random", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(pretrained)).Message);

        var decay = Setup().Options;
        decay.Classifier.TeacherDecay = 1f;
        Assert.Contains("TeacherDecay", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(decay).Fit(keyed)).Message);

        var wrong = Setup().Options;
        wrong.ImageWidth = 5;
        var mismatch = Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(wrong).Fit(keyed)).Message;
        Assert.Contains("column 'Features' has 12 values per row", mismatch);
        Assert.Contains("3 × 5", mismatch);
    }
}
