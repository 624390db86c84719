using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Nn;

public class GradientTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    /// <summary>Loss of a network on x against target, with its gradients filled into the parameters and returned dx.</summary>
    private static (double Loss, Matrix Dx) LossAndGrad(Network net, Matrix x, Matrix target, LossKind loss)
    {
        foreach (var p in net.Parameters) p.Grad.Clear();
        var y = net.Forward(x, true, Ctx);
        var g = new Matrix(y.Rows, y.Cols);
        double l = Losses.Compute(loss, y, target, g) / x.Rows;
        var dx = net.Backward(g, true, Ctx)!.Clone();
        return (l, dx);
    }

    private static double LossOnly(Network net, Matrix x, Matrix target, LossKind loss)
    {
        var y = net.Forward(x, false, Ctx);
        double s = 0;
        for (int i = 0; i < y.Rows; i++) s += Losses.SampleLoss(loss, y.Row(i), target.Row(i));
        return s / x.Rows;
    }

    [Theory]
    [InlineData(ActivationKind.Identity, LossKind.SquaredError)]
    [InlineData(ActivationKind.Relu, LossKind.SquaredError)]
    [InlineData(ActivationKind.LeakyRelu, LossKind.CrossEntropy)]
    [InlineData(ActivationKind.Selu, LossKind.CrossEntropy)]
    [InlineData(ActivationKind.Sigmoid, LossKind.CrossEntropy)]
    [InlineData(ActivationKind.Tanh, LossKind.SquaredError)]
    public void DenseNetwork_GradientsMatchFiniteDifferences(ActivationKind act, LossKind loss)
    {
        var rng = new Rng(7);
        var l1 = new DenseLayer("l1", 5, 4, act, 0.1f);
        var l2 = new DenseLayer("l2", 4, 3, act == ActivationKind.Relu ? ActivationKind.Tanh : act, 0.1f);
        var l3 = new DenseLayer("l3", 3, 5, ActivationKind.Identity);
        foreach (var l in new[] { l1, l2, l3 }) { Initializer.Initialize(l, InitKind.GlorotUniform, rng); rng.FillUniform(l.Bias.Value.Span, -0.3f, 0.3f); }
        var net = new Network(new Layer[] { l1, l2, l3 });
        var x = TestData.Uniform(6, 5, 11);
        var target = TestData.Uniform(6, 5, 12, 0, 1);
        var (_, dx) = LossAndGrad(net, x, target, loss);
        foreach (var p in net.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, () => LossOnly(net, x, target, loss));
        GradientCheck.Check("input", x.Data, dx.Span, () => LossOnly(net, x, target, loss));
    }

    [Fact]
    public void TiedLayers_AccumulateBothGradients()
    {
        var rng = new Rng(5);
        var enc = new DenseLayer("enc", 6, 3, ActivationKind.Sigmoid);
        Initializer.Initialize(enc, InitKind.GlorotUniform, rng);
        var dec = new DenseLayer(enc.Weight, true, new Parameter("dec.bias", 1, 6), ActivationKind.Identity);
        var net = new Network(new Layer[] { enc, dec });
        Assert.Equal(3, net.Parameters.Count);
        var x = TestData.Uniform(4, 6, 2, 0, 1);
        LossAndGrad(net, x, x, LossKind.CrossEntropy);
        foreach (var p in net.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, () => LossOnly(net, x, x, LossKind.CrossEntropy));
    }

    [Fact]
    public void CrossEntropy_IsStableForLargeLogits_AndMatchesDefinition()
    {
        var logits = new Matrix(1, 4, new[] { 80f, -80f, 0.3f, -2f });
        var target = new Matrix(1, 4, new[] { 1f, 0f, 0.25f, 0.9f });
        var g = new Matrix(1, 4);
        double l = Losses.Compute(LossKind.CrossEntropy, logits, target, g);
        double expected = 0;
        for (int i = 0; i < 4; i++)
        {
            double a = logits.Data[i], x = target.Data[i];
            // softplus(a) − x·a with log1p for the tiny term
            expected += Math.Max(a, 0) + Math.Log(1 + Math.Exp(-Math.Abs(a))) - x * a;
        }
        Assert.True(double.IsFinite(l));
        Assert.Equal(expected, l, 4);
        Assert.Equal(1 / (1 + Math.Exp(-0.3)) - 0.25, g.Data[2], 5);
        Assert.Equal(0, g.Data[0], 5);
    }

    [Fact]
    public void Dropout_ScalesKeptUnitsAndIsIdentityAtInference()
    {
        var d = new DropoutLayer(1000, 0.3f);
        var x = new Matrix(4, 1000);
        x.Span.Fill(1f);
        var y = d.Forward(x, true, Ctx);
        int zeros = 0;
        foreach (var v in y.Span) { if (v == 0) zeros++; else Assert.Equal(1f / 0.7f, v, 5); }
        Assert.InRange(zeros / 4000.0, 0.26, 0.34);
        var g = new Matrix(4, 1000); g.Span.Fill(1f);
        var dx = d.Backward(g, true, Ctx)!;
        for (int i = 0; i < 4000; i++) Assert.Equal(y.Span[i], dx.Span[i]);
        Assert.Same(x, d.Forward(x, false, Ctx));
    }

    [Theory]
    [InlineData(" BCE ", LossKind.CrossEntropy)]
    [InlineData("cross-entropy", LossKind.CrossEntropy)]
    [InlineData("CrossEntropy", LossKind.CrossEntropy)]
    [InlineData("MSE", LossKind.SquaredError)]
    [InlineData("squared-error", LossKind.SquaredError)]
    [InlineData("squarederror", LossKind.SquaredError)]
    public void LossNames_ParseWithAliasesAnyCaseAndSpaces(string name, LossKind kind)
    {
        Assert.Equal(kind, Losses.Parse(name));
    }

    [Fact]
    public void Losses_ValuesGradientsAndShapeChecks()
    {
        Assert.Contains("Unknown loss 'l1'", Assert.Throws<ArgumentException>(() => Losses.Parse("l1")).Message);
        var a = new Matrix(2, 2, [1f, -2f, 0.5f, 3f]);
        var x = new Matrix(2, 2, [0f, 1f, 0.5f, 0.25f]);
        var g = new Matrix(2, 2);
        double se = Losses.Compute(LossKind.SquaredError, a, x, g);
        Assert.Equal(0.5 * (1 + 9 + 0 + 7.5625), se, 6);
        Assert.Equal([0.5f, -1.5f, 0f, 1.375f], g.Span.ToArray()); // (a − x) / rows
        Assert.Equal(0.5 * (1 + 9), Losses.SampleLoss(LossKind.SquaredError, a.Row(0), x.Row(0)), 6);
        double Bce(double ai, double xi) => Math.Log(1 + Math.Exp(ai)) - xi * ai;
        double ce = Losses.Compute(LossKind.CrossEntropy, a, x, g, NnContext.Create(GemmKind.Managed, 2), new double[1]); // scratch too short: allocates
        Assert.Equal(Bce(1, 0) + Bce(-2, 1) + Bce(0.5, 0.5) + Bce(3, 0.25), ce, 5);
        Assert.Equal(Bce(0.5, 0.5) + Bce(3, 0.25), Losses.SampleLoss(LossKind.CrossEntropy, a.Row(1), x.Row(1)), 6);
        Assert.Equal((float)((1 / (1 + Math.Exp(-3)) - 0.25) / 2), g[1, 1], 5);
        // one size off at a time
        foreach (var (o, t, gr) in new[] { (new Matrix(3, 2), x, new Matrix(3, 2)), (new Matrix(2, 3), x, new Matrix(2, 3)), (a, x, new Matrix(3, 2)), (a, x, new Matrix(2, 3)) })
            Assert.Contains("Loss shapes differ", Assert.Throws<ArgumentException>(() => Losses.Compute(LossKind.SquaredError, o, t, gr)).Message);
    }
}
