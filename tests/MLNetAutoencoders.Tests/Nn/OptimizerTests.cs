using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Tests.Nn;

public class OptimizerTests
{
    [Fact]
    public void Adam_FirstStepsMatchHandComputedPyTorchFormula()
    {
        var p = new Parameter("p", 1, 2);
        p.Value.Data[0] = 1f; p.Value.Data[1] = -2f;
        var adam = new Adam(new[] { p }, 0.1f);
        double m0 = 0, v0 = 0, w = 1;
        for (int t = 1; t <= 3; t++)
        {
            double g = 2 * w;                       // d/dw of w²
            p.Grad.Data[0] = (float)g; p.Grad.Data[1] = 0.5f;
            adam.Step();
            m0 = 0.9 * m0 + 0.1 * g; v0 = 0.999 * v0 + 0.001 * g * g;
            w -= 0.1 / (1 - Math.Pow(0.9, t)) * m0 / (Math.Sqrt(v0) / Math.Sqrt(1 - Math.Pow(0.999, t)) + 1e-8);
            Assert.Equal(w, p.Value.Data[0], 5);
            Assert.Equal(0f, p.Grad.Data[0]);
        }
    }

    [Fact]
    public void Sgd_Momentum_MinimisesQuadratic()
    {
        var p = new Parameter("p", 1, 1);
        p.Value.Data[0] = 5f;
        var sgd = new Sgd(new[] { p }, 0.05f, 0.9f);
        for (int i = 0; i < 300; i++) { p.Grad.Data[0] = 2 * p.Value.Data[0]; sgd.Step(); }
        Assert.InRange(p.Value.Data[0], -1e-3f, 1e-3f);
    }

    [Fact]
    public void FrozenParameter_IsNotUpdated()
    {
        var p = new Parameter("p", 1, 1) { Frozen = true };
        p.Value.Data[0] = 3f;
        var adam = new Adam(new[] { p }, 0.1f);
        p.Grad.Data[0] = 1f;
        adam.Step();
        Assert.Equal(3f, p.Value.Data[0]);
    }

    [Fact]
    public void BadLearningRate_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new[] { new Parameter("p", 1, 1) }, -1f));
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void Sgd_FirstStepsMatchTheMomentumFormula_WithTheParametersLearningRateScale()
    {
        var p = new Parameter("p", 1, 1) { LearningRateScale = 0.5f };
        p.Value.Data[0] = 1f;
        var sgd = (Sgd)Optimizer.Create(OptimizerKind.Sgd, new[] { p, p }, 0.1f, 0.8f); // a parameter listed twice is updated once
        Assert.Equal(0.8f, sgd.Momentum);
        double u = 0, w = 1;
        for (int t = 0; t < 3; t++)
        {
            double g = 2 * w;
            p.Grad.Data[0] = (float)g;
            sgd.Step();
            u = 0.8 * u + g;
            w -= 0.1 * 0.5 * u;
            Assert.Equal(w, p.Value.Data[0], 5);
            Assert.Equal(0f, p.Grad.Data[0]);
        }
    }

    [Fact]
    public void Adam_ScalesItsStepPerParameter_AndSplitsLargeParametersAcrossThreadsWithTheSameResult()
    {
        Parameter Make()
        {
            var p = new Parameter("p", 1, 70000) { LearningRateScale = 0.25f }; // over the 2^15 values a thread takes
            for (int i = 0; i < p.Count; i++) { p.Value.Data[i] = MathF.Sin(i); p.Grad.Data[i] = MathF.Cos(i); }
            return p;
        }
        var serial = Make();
        var split = Make();
        var a = (Adam)Optimizer.Create(OptimizerKind.Adam, new[] { serial }, 0.1f);
        a.Step();
        new Adam(new[] { split }, 0.1f).Step(NnContext.Create(GemmKind.Managed, 4));
        Assert.Equal(serial.Value.Span.ToArray(), split.Value.Span.ToArray());
        Assert.Equal(MathF.Sin(1) - 0.25f * 0.1f, serial.Value.Data[1], 4); // a first Adam step moves each value by lr·scale·sign(g)
        Assert.All(split.Grad.Span.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void FrozenParameters_KeepTheirValueButLoseTheirGradient_AndZeroGradClears()
    {
        var p = new Parameter("p", 1, 1) { Frozen = true };
        p.Value.Data[0] = 3f;
        foreach (var opt in new Optimizer[] { new Sgd(new[] { p }, 0.1f), new Adam(new[] { p }, 0.1f) })
        {
            p.Grad.Data[0] = 1f;
            opt.Step();
            Assert.Equal(3f, p.Value.Data[0]);
            Assert.Equal(0f, p.Grad.Data[0]);
            p.Grad.Data[0] = 1f;
            opt.ZeroGrad();
            Assert.Equal(0f, p.Grad.Data[0]);
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void LearningRate_MustBePositiveAndFinite(float lr)
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(new[] { new Parameter("p", 1, 1) }, lr)).ParamName);
    }

    [Fact]
    public void Momentum_IsInZeroToOne()
    {
        var ps = new[] { new Parameter("p", 1, 1) };
        Assert.Equal(0f, new Sgd(ps, 0.1f, 0f).Momentum);
        foreach (float bad in new[] { 1f, -0.1f, float.NaN })
            Assert.Contains("Momentum must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(ps, 0.1f, bad)).Message);
    }
}
