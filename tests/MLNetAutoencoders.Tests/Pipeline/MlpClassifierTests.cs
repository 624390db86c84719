using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Pipeline;

public class MlpClassifierTests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(0.05f)]
    public void Gradients_MatchFiniteDifferences(float l2)
    {
        var o = new MlpClassifierOptions { HiddenSizes = new[] { 5, 4 }, HiddenActivation = ActivationKind.Tanh, L2 = l2, Gemm = GemmKind.Managed };
        var rng = new Rng(4);
        var net = MlpClassifier.Build(o, 6, 3, rng);
        foreach (var d in net.DenseLayers) rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        var x = new Matrix(7, 6);
        rng.FillUniform(x.Span, -1, 1);
        var y = new[] { 0, 1, 2, 2, 1, 0, 1 };
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        foreach (var p in net.Parameters) p.Grad.Clear();
        MlpClassifier.LossAndGradients(net, x, y, l2, ctx);
        var grads = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        double Loss()
        {
            foreach (var p in net.Parameters) p.Grad.Clear();
            return MlpClassifier.LossAndGradients(net, x, y, l2, ctx);
        }
        for (int i = 0; i < net.Parameters.Count; i++)
            GradientCheck.Check(net.Parameters[i].Name, net.Parameters[i].Value.Data, grads[i], Loss);
    }

    [Fact]
    public void SoftmaxCrossEntropy_IsStableForLargeLogits()
    {
        var logits = new Matrix(2, 3, new[] { 1000f, 0f, -1000f, 0f, 0f, 0f });
        var g = new Matrix(2, 3);
        double loss = MlpClassifier.SoftmaxCrossEntropy(logits, new[] { 0, 2 }, g);
        Assert.Equal(Math.Log(3), loss, 6); // row 0 contributes 0, row 1 log 3
        Assert.Equal(0f, g[0, 0], 6);
        Assert.Equal((1 / 3.0 - 1) / 2, g[1, 2], 6);
    }

    /// <summary>Two concentric rings: not linearly separable, so only the hidden layer can solve it.</summary>
    private static (Matrix X, int[] Y) Rings(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Matrix(n, 2);
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            double r = (y[i] == 0 ? 1.0 : 2.5) + 0.2 * rng.NextGaussian();
            double t = 2 * Math.PI * rng.NextDouble();
            x[i, 0] = (float)(r * Math.Cos(t));
            x[i, 1] = (float)(r * Math.Sin(t));
        }
        return (x, y);
    }

    [Fact]
    public void LearnsANonLinearSeparableProblem_WhereLogisticRegressionCannot()
    {
        var (x, y) = Rings(400, 1);
        var (xt, yt) = Rings(200, 2);
        var o = new MlpClassifierOptions { HiddenSizes = new[] { 16 }, Epochs = 60, BatchSize = 32, LearningRate = 1e-2f, Seed = 1, Gemm = GemmKind.Managed };
        var mlp = MlpClassifier.Fit(x, y, o);
        double acc = ClassificationMetrics.Accuracy(yt, mlp.Predict(xt));
        double linear = ClassificationMetrics.Accuracy(yt, LogisticRegression.Fit(x, y).Predict(xt));
        Assert.True(acc > 0.97, $"MLP test accuracy {acc}");
        Assert.True(linear < 0.75, $"logistic regression should fail on rings ({linear})");
        Assert.True(mlp.History.Epochs[^1].TrainLoss < 0.5 * mlp.History.Epochs[0].TrainLoss);
        var p = mlp.PredictProbabilities(xt);
        for (int i = 0; i < p.Rows; i++) Assert.Equal(1.0, p.Row(i).ToArray().Sum(v => (double)v), 4);
    }

    [Fact]
    public void SameSeed_IsBitIdentical_AndArchiveRoundTrips()
    {
        var (x, y) = Rings(120, 3);
        var o = new MlpClassifierOptions { HiddenSizes = new[] { 8 }, Epochs = 3, BatchSize = 16, Seed = 9, Gemm = GemmKind.Managed };
        var a = MlpClassifier.Fit(x, y, o);
        var b = MlpClassifier.Fit(x, y, o);
        Assert.Equal(a.DecisionFunction(x).Span.ToArray(), b.DecisionFunction(x).Span.ToArray());
        var bytes = new MemoryStream();
        a.ToArchive().WriteTo(bytes);
        var c = MlpClassifier.FromArchive(ModelArchive.Read(bytes.ToArray()));
        Assert.Equal(a.DecisionFunction(x).Span.ToArray(), c.DecisionFunction(x).Span.ToArray());
        Assert.Equal(3, c.History.Epochs.Count);
    }

    [Fact]
    public void BadInput_IsRejectedWithNames()
    {
        var (x, y) = Rings(20, 3);
        Assert.Contains("20 rows", Assert.Throws<ArgumentException>(() => MlpClassifier.Fit(x, y[..5])).Message);
        Assert.Contains("at least 2 classes", Assert.Throws<ArgumentException>(() => MlpClassifier.Fit(x, new int[20])).Message);
        Assert.Equal("L2", Assert.Throws<ArgumentOutOfRangeException>(() => MlpClassifier.Fit(x, y, new MlpClassifierOptions { L2 = -1 })).ParamName);
        Assert.Equal("Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => MlpClassifier.Fit(x, y, new MlpClassifierOptions { Epochs = 0 })).ParamName);
        var mlp = MlpClassifier.Fit(x, y, new MlpClassifierOptions { Epochs = 1, HiddenSizes = new[] { 3 } });
        Assert.Contains("3 columns", Assert.Throws<ArgumentException>(() => mlp.Predict(new Matrix(2, 3))).Message);
    }
}
