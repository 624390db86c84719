using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pca.ReferenceFixture;

namespace MLNetAutoencoders.Tests.Classifiers;

/// <summary>The eigenface experiment of docs/METHODS.md: PCA-k → standardise → logistic regression, 5-fold stratified CV.</summary>
public class FaceExperimentTests
{
    [Fact]
    public void Pca3_logistic_regression_cross_validation_matches_sklearn()
    {
        TestEnv.RequireFile(Faces.ResolvePath(), "Face data (lfw_subset.npy)");
        var faces = Faces.Load();
        var labels = faces.RequireLabels();
        double expected = Load("faces_reference.json").GetProperty("multinomial").GetProperty("3").GetDouble();

        // Average over a few fold seeds, as the reference averages over ten scikit-learn shuffles.
        var means = new List<double>();
        for (ulong seed = 0; seed < 5; seed++)
        {
            var accuracies = new List<double>();
            foreach (var (train, test) in StratifiedKFold.Split(labels, 5, seed))
            {
                var xTrain = faces.Images.SelectRows(train);
                var yTrain = train.Select(i => labels[i]).ToArray();
                var pca = PcaModel.Fit(xTrain, new PcaOptions { Components = 3 });
                var scaler = MeanVarianceScaler.Fit(pca.Transform(xTrain));
                var model = LogisticRegression.Fit(scaler.Transform(pca.Transform(xTrain)), yTrain, new LogisticRegressionOptions { C = 1 });
                var predicted = model.Predict(scaler.Transform(pca.Transform(faces.Images.SelectRows(test))));
                accuracies.Add(ClassificationMetrics.Accuracy(test.Select(i => labels[i]).ToArray(), predicted));
            }
            means.Add(accuracies.Average());
        }
        double ours = means.Average();
        Assert.True(Math.Abs(ours - expected) <= 0.03, $"Mean 5-fold accuracy {ours:P1}; scikit-learn {expected:P1}.");
    }
}
