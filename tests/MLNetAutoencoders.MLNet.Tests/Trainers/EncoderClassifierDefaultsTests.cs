using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Tests.Support;
using Xunit.Abstractions;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// The user's path with few labels at small scale: an autoencoder stage fitted on unlabelled Fashion-MNIST images,
/// then the encoder classifier with its defaults, against ML.NET's logistic regression on the pixels of the same rows.
/// </summary>
public class EncoderClassifierDefaultsTests(ITestOutputHelper output)
{
    [Fact]
    public void Defaults_BeatLogisticRegressionOnThePixels_WithFewLabels()
    {
        TestEnv.RequireFile(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz"), "Fashion-MNIST (Debian package dataset-fashion-mnist)");
        var train = FashionMnist.LoadTrain();
        var ml = new MLContext(seed: 0);
        // Unlabelled: images 0–2 999; labelled: 100 images (10 a class) of 20 000–39 999; scored on images 50 000–51 999.
        var unlabelled = ImageDataViews.Load(ml, train, multiclass: true, [.. Enumerable.Range(0, 3000)]);
        var pool = Enumerable.Range(20_000, 20_000).ToArray();
        var draw = PretrainingExperiment.BalancedSample([.. pool.Select(r => train.Labels![r])], 100, 7);
        var labelled = ImageDataViews.Load(ml, train, multiclass: true, [.. draw.Select(i => pool[i])]);
        var scored = ImageDataViews.Load(ml, train, multiclass: true, [.. Enumerable.Range(50_000, 2000)]);

        var encoder = ml.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 32, epochs: 5).Fit(unlabelled);
        double Accuracy(IEstimator<ITransformer> trainer) => ml.MulticlassClassification.Evaluate(
            ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(labelled).Transform(scored)).MicroAccuracy;
        double ours = Accuracy(ml.MulticlassClassification.Trainers.EncoderClassifier(encoder));
        double logreg = Accuracy(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        double previous = Accuracy(ml.MulticlassClassification.Trainers.EncoderClassifier(new EncoderClassifierEstimator.Options
        {
            Encoder = encoder,
            Classifier = new EncoderClassifierOptions { DropoutRate = 0, ValidationFraction = 0.2, EarlyStoppingPatience = 10 },
        }));
        output.WriteLine($"defaults {ours:P2}, defaults before the seventh round {previous:P2}, logistic regression {logreg:P2}");

        // The defaults chosen on Fashion-MNIST (docs/semi-supervised.md, seventh round) beat the logistic regression by
        // 3.9 points here (73.60 % against 69.70 %); the defaults before that round (no dropout, early stopping on a
        // fifth of the labels) scored 68.45 %, below it, and fail this check.
        Assert.True(ours > logreg + 0.02, $"encoder classifier {ours:P2}, logistic regression on the pixels {logreg:P2}: the defaults should win by more than 2 points");
    }
}
