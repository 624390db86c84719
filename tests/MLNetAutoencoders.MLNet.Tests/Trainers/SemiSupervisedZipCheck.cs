using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The check every semi-supervised mode of the encoder classifier passes through ML.NET.</summary>
internal static class SemiSupervisedZipCheck
{
    /// <summary>
    /// Fits MapValueToKey + the trainer with <paramref name="options"/> on <paramref name="train"/>; asserts accuracy above
    /// 0.6 on fresh rows, the trained mode, and that the saved zip, scored in the plain-ML.NET process, predicts the same labels and scores.
    /// </summary>
    public static void TrainsAndTheZipPredictsTheSame(MLContext ml, IDataView train, EncoderClassifierEstimator.Options options, EncoderTrainingMode mode, string what)
    {
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(options)).Fit(train);
        var test = View(ml, 300, 3);
        var scored = model.Transform(test);
        Assert.True(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy > 0.6);
        Assert.Equal(mode, model.LastTransformer.Model.Options.Mode);
        PlainMLNet.AssertClassifierZipAgrees(ml, model, train.Schema, test, what);
    }
}
