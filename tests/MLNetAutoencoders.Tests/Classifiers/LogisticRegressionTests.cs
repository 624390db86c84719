using System.Text.Json;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Pca;
using static MLNetAutoencoders.Tests.Pca.ReferenceFixture;

namespace MLNetAutoencoders.Tests.Classifiers;

public class LogisticRegressionTests
{
    private static readonly JsonElement Ref = Load("logreg_reference.json");

    private static LogisticRegressionOptions Tight(double c) =>
        new() { C = c, GradientTolerance = 1e-7, LossTolerance = 0, MaxIterations = 500 };

    [Fact]
    public void Multinomial_matches_sklearn()
    {
        var r = Ref.GetProperty("multi");
        var x = ReferenceFixture.Matrix(r.GetProperty("x"));
        var y = Ints(r.GetProperty("y"));
        var m = LogisticRegression.Fit(x, y, Tight(r.GetProperty("c").GetDouble()));
        Assert.Equal(3, m.ClassCount);
        Assert.True(MaxAbsDiff(Doubles(r.GetProperty("coef")), m.Coefficients.ToDoubles()) < 1e-3,
            $"Coefficients differ from scikit-learn's ({m.Training})");
        Assert.True(MaxAbsDiff(Doubles(r.GetProperty("intercept")), m.Intercepts.Select(v => (double)v).ToArray()) < 1e-3);
        Assert.True(MaxAbsDiff(Doubles(r.GetProperty("proba")), m.PredictProbabilities(x).ToDoubles()) < 1e-3);
        Assert.Equal(r.GetProperty("accuracy").GetDouble(), ClassificationMetrics.Accuracy(y, m.Predict(x)));
    }

    [Fact]
    public void Binary_goes_through_the_same_softmax_and_matches_sklearn_multinomial()
    {
        var r = Ref.GetProperty("binary");
        var x = ReferenceFixture.Matrix(r.GetProperty("x"));
        var y = Ints(r.GetProperty("y"));
        var m = LogisticRegression.Fit(x, y, Tight(r.GetProperty("c").GetDouble()));
        Assert.Equal(2, m.ClassCount);
        // scikit-learn's multinomial solver reports only row 1 for two classes; at the optimum row 0 = −row 1.
        var coef = Doubles(r.GetProperty("coef"));
        for (int j = 0; j < x.Cols; j++)
        {
            Assert.Equal(coef[j], m.Coefficients[1, j], 1e-3);
            Assert.Equal(-m.Coefficients[1, j], m.Coefficients[0, j], 1e-4);
        }
        Assert.Equal(Doubles(r.GetProperty("intercept"))[0], m.Intercepts[1], 1e-3);
        Assert.True(MaxAbsDiff(Doubles(r.GetProperty("proba")), m.PredictProbabilities(x).ToDoubles()) < 1e-3);
        Assert.Equal(r.GetProperty("accuracy").GetDouble(), ClassificationMetrics.Accuracy(y, m.Predict(x)));
    }

    [Fact]
    public void Default_options_converge_close_to_the_optimum_and_predict_the_argmax()
    {
        var r = Ref.GetProperty("multi");
        var x = ReferenceFixture.Matrix(r.GetProperty("x"));
        var y = Ints(r.GetProperty("y"));
        var m = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { C = 0.5 });
        Assert.NotNull(m.Training);
        Assert.True(m.Training!.Converged, m.Training.ToString());
        Assert.True(MaxAbsDiff(Doubles(r.GetProperty("proba")), m.PredictProbabilities(x).ToDoubles()) < 1e-2);
        var p = m.PredictProbabilities(x);
        var pred = m.Predict(x);
        for (int i = 0; i < x.Rows; i++)
        {
            var row = p.Row(i).ToArray();
            Assert.Equal(1.0, row.Sum(), 1e-5);
            Assert.Equal(Array.IndexOf(row, row.Max()), pred[i]);
        }
    }

    [Fact]
    public void Without_intercept_the_intercepts_stay_zero_and_a_weaker_penalty_gives_larger_weights()
    {
        var r = Ref.GetProperty("multi");
        var x = ReferenceFixture.Matrix(r.GetProperty("x"));
        var y = Ints(r.GetProperty("y"));
        var noB = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { FitIntercept = false });
        Assert.All(noB.Intercepts, b => Assert.Equal(0f, b));
        static double Norm(LogisticRegression m) => m.Coefficients.ToDoubles().Sum(v => v * v);
        var strong = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { C = 0.001 });
        var weak = LogisticRegression.Fit(x, y, new LogisticRegressionOptions { C = 100 });
        Assert.True(Norm(strong) < 0.1 * Norm(weak), $"‖W‖² {Norm(strong)} (C = 0.001) vs {Norm(weak)} (C = 100).");
    }

    [Fact]
    public void Lbfgs_minimises_the_rosenbrock_function()
    {
        var x = new[] { -1.2, 1.0 };
        var result = Lbfgs.Minimize((p, g) =>
        {
            double a = 1 - p[0], b = p[1] - p[0] * p[0];
            g[0] = -2 * a - 400 * p[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }, x, 500, 1e-10, 0, 6);
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(1.0, x[0], 1e-6);
        Assert.Equal(1.0, x[1], 1e-6);
    }

    [Theory]
    [InlineData("C")]
    [InlineData("MaxIterations")]
    [InlineData("GradientTolerance")]
    [InlineData("LossTolerance")]
    [InlineData("History")]
    [InlineData("Threads")]
    public void Options_out_of_range_name_the_option(string option)
    {
        var o = option switch
        {
            "C" => new LogisticRegressionOptions { C = 0 },
            "MaxIterations" => new LogisticRegressionOptions { MaxIterations = 0 },
            "GradientTolerance" => new LogisticRegressionOptions { GradientTolerance = -1 },
            "LossTolerance" => new LogisticRegressionOptions { LossTolerance = double.NaN },
            "History" => new LogisticRegressionOptions { History = 0 },
            _ => new LogisticRegressionOptions { Threads = 0 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LogisticRegression.Fit(new Matrix(4, 2), [0, 1, 0, 1], o));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { C = double.NaN }.Validate());
    }

    [Fact]
    public void Bad_labels_and_features_are_reported()
    {
        var x = new Matrix(4, 2, [0, 1, 1, 0, 2, 2, 3, 1]);
        Assert.Contains("4 rows", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(x, [0, 1, 0])).Message);
        Assert.Contains("row 2", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(x, [0, 1, 5, 1], classCount: 3)).Message);
        Assert.Contains("Class 1", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(x, [0, 0, 2, 2])).Message);
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(x, [0, 0, 0, 0]));
        var bad = x.Clone();
        bad[1, 1] = float.PositiveInfinity;
        Assert.Contains("row 1, column 1", Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(bad, [0, 1, 0, 1])).Message);
        var m = LogisticRegression.Fit(x, [0, 1, 0, 1]);
        Assert.Throws<ArgumentException>(() => m.Predict(new Matrix(1, 3)));
    }
}
