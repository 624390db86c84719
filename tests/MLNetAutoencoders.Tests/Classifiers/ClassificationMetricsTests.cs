using System.Text.Json;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Pca;
using static MLNetAutoencoders.Tests.Pca.ReferenceFixture;

namespace MLNetAutoencoders.Tests.Classifiers;

public class ClassificationMetricsTests
{
    private static readonly JsonElement Ref = Load("metrics_reference.json");

    [Fact]
    public void Multiclass_metrics_match_sklearn()
    {
        var r = Ref.GetProperty("multi");
        var truth = Ints(r.GetProperty("truth"));
        var pred = Ints(r.GetProperty("pred"));
        var report = ClassificationMetrics.Compute(truth, pred, ReferenceFixture.Matrix(r.GetProperty("proba")));
        Assert.Equal(3, report.ClassCount);
        Assert.Equal(r.GetProperty("accuracy").GetDouble(), report.Accuracy, 1e-12);
        Assert.Equal(r.GetProperty("macro_f1").GetDouble(), report.MacroF1, 1e-12);
        Assert.Equal(r.GetProperty("log_loss").GetDouble(), report.LogLoss, 1e-9);
        Assert.True(double.IsNaN(report.RocAuc));
        var cm = Ints(r.GetProperty("confusion"));
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) Assert.Equal(cm[a * 3 + b], report.ConfusionMatrix[a, b]);
    }

    [Fact]
    public void Binary_metrics_match_sklearn_including_tied_scores()
    {
        var r = Ref.GetProperty("binary");
        var truth = Ints(r.GetProperty("truth"));
        var scores = Doubles(r.GetProperty("scores"));
        Assert.True(scores.Distinct().Count() < scores.Length, "The fixture should contain tied scores.");
        Assert.Equal(r.GetProperty("roc_auc").GetDouble(), ClassificationMetrics.RocAuc(truth, scores), 1e-12);
        var report = ClassificationMetrics.Compute(truth, Ints(r.GetProperty("pred")), ReferenceFixture.Matrix(r.GetProperty("proba")));
        Assert.Equal(r.GetProperty("roc_auc").GetDouble(), report.RocAuc, 1e-6); // from float probabilities
        Assert.Equal(r.GetProperty("log_loss").GetDouble(), report.LogLoss, 1e-9);
        Assert.Equal(r.GetProperty("macro_f1").GetDouble(), report.MacroF1, 1e-12);
    }

    [Fact]
    public void Hand_checked_values()
    {
        // Perfect ranking → AUC 1; reversed → 0; all tied → 0.5.
        int[] t = [0, 0, 1, 1];
        Assert.Equal(1.0, ClassificationMetrics.RocAuc(t, [0.1, 0.2, 0.8, 0.9]));
        Assert.Equal(0.0, ClassificationMetrics.RocAuc(t, [0.9, 0.8, 0.2, 0.1]));
        Assert.Equal(0.5, ClassificationMetrics.RocAuc(t, [0.5, 0.5, 0.5, 0.5]));
        // Class 2 only predicted (never true) still counts in the macro average with F1 = 0.
        var cm = ClassificationMetrics.ConfusionMatrix([0, 1, 1], [0, 1, 2], 3);
        Assert.Equal((1.0 + 2.0 / 3.0 + 0.0) / 3.0, ClassificationMetrics.MacroF1(cm), 1e-12);
        // A class absent from both is left out of the average.
        Assert.Equal(1.0, ClassificationMetrics.MacroF1(ClassificationMetrics.ConfusionMatrix([0, 2], [0, 2], 3)));
        // Log-loss clips zero probabilities at 1e-15.
        var p = new Matrix(1, 2, [1f, 0f]);
        Assert.Equal(-Math.Log(1e-15), ClassificationMetrics.LogLoss([1], p), 1e-6);
    }

    [Fact]
    public void Bad_inputs_are_reported()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([0, 1], [0]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([], []));
        Assert.Contains("row 1", Assert.Throws<ArgumentException>(() => ClassificationMetrics.ConfusionMatrix([0, 4], [0, 1], 2)).Message);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.RocAuc([1, 1], [0.2, 0.3]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.RocAuc([0, 2], [0.2, 0.3]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.LogLoss([0, 1, 1], new Matrix(2, 2)));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.LogLoss([0, 2], new Matrix(2, 2, [0.5f, 0.5f, 0.5f, 0.5f])));
    }
}
