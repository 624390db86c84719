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
}
