using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// Trains each classifier of the pretraining experiment through ML.NET: the labelled rows as a view with a key label,
/// the pretrained autoencoder as an encoder stage, the unlabelled rows as a view for the joint, virtual adversarial,
/// M1+M2 and consistency modes, and <c>MulticlassClassification.Trainers.EncoderClassifier</c>; returns the fitted stage's model.
/// </summary>
internal sealed class MLNetClassifierFitter(Matrix unlabelled)
{
    private IDataView? _unlabelled;

    /// <summary>Fits one classifier of the experiment (a <see cref="PretrainingExperiment"/> fit function).</summary>
    public EncoderClassifier Fit(PretrainingFitRequest request, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: 0);
        var labelled = ImageDataViews.Load(ml, new ImageDataset(request.X, request.Labels, request.X.Cols, 1, "labelled"), multiclass: true);
        bool semi = request.Options.Mode is EncoderTrainingMode.Joint or EncoderTrainingMode.VirtualAdversarial or EncoderTrainingMode.SemiSupervisedVae or EncoderTrainingMode.Consistency;
        if (semi) _unlabelled ??= ImageDataViews.Load(ml, new ImageDataset(unlabelled, null, unlabelled.Cols, 1, "unlabelled"));
        var trainer = ml.MulticlassClassification.Trainers.EncoderClassifier(new EncoderClassifierEstimator.Options
        {
            Encoder = AutoencoderTransformer.FromModel(request.Autoencoder ?? throw new ArgumentException("The ML.NET trainer needs a pretrained autoencoder.")),
            UnlabelledData = semi ? _unlabelled : null,
            ImageHeight = request.ImageHeight,
            ImageWidth = request.ImageWidth,
            Classifier = request.Options,
            Seed = request.Options.Seed,
            CancellationToken = cancellationToken,
        });
        var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Append(trainer).Fit(labelled);
        return model.LastTransformer.Model;
    }

    /// <summary>ML.NET's <c>LbfgsMaximumEntropy</c> with its defaults on the raw features of the labelled rows; returns a predictor of class indices.</summary>
    public static Func<Matrix, int[]> LogisticRegression(Matrix x, int[] labels, int classes)
    {
        var ml = new MLContext(seed: 0);
        var labelled = ImageDataViews.Load(ml, new ImageDataset(x, labels, x.Cols, 1, "labelled"), multiclass: true);
        var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features")).Fit(labelled);
        var keys = Enumerable.Range(0, classes).Where(c => labels.Contains(c)).ToArray();
        return test =>
        {
            var scored = model.Transform(ImageDataViews.Load(ml, new ImageDataset(test, new int[test.Rows], test.Cols, 1, "test"), multiclass: true));
            return Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<uint>(scored, "PredictedLabel").Select(k => keys[(int)k - 1]).ToArray();
        };
    }
}
