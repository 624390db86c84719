using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

public class FastMathTests
{
    [Fact]
    public void BceWithLogits_MatchesDoublePrecisionDefinition()
    {
        var rng = new Rng(3);
        int n = 1003; // not a multiple of the vector width: the tail path runs too
        var a = new float[n]; var x = new float[n]; var g = new float[n];
        rng.FillUniform(a, -30, 30);
        a[0] = 0; a[1] = -100; a[2] = 100; a[3] = 1e-7f; a[4] = -87.5f;
        rng.FillUniform(x, 0, 1);
        double loss = FastMath.BceWithLogits(a, x, g, 0.5f);
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            double ai = a[i], xi = x[i];
            double sp = Math.Max(ai, 0) + Math.Log(1 + Math.Exp(-Math.Abs(ai)));
            expected += sp - xi * ai;
            double sig = 1 / (1 + Math.Exp(-ai));
            Assert.True(Math.Abs(g[i] - 0.5 * (sig - xi)) < 1e-6, $"grad[{i}] for a={ai}: {g[i]} vs {0.5 * (sig - xi)}");
        }
        Assert.True(Math.Abs(loss - expected) < 1e-6 * Math.Abs(expected) + 1e-4, $"{loss} vs {expected}");
    }

    [Fact]
    public void AdamUpdate_MatchesScalarFormula()
    {
        var rng = new Rng(8);
        int n = 37;
        var w = new float[n]; var g = new float[n]; var m = new float[n]; var v = new float[n];
        rng.FillUniform(w, -1, 1); rng.FillUniform(g, -1, 1); rng.FillUniform(m, -0.1f, 0.1f); rng.FillUniform(v, 0, 0.1f);
        var w0 = (float[])w.Clone(); var m0 = (float[])m.Clone(); var v0 = (float[])v.Clone();
        FastMath.AdamUpdate(w, g, m, v, 0.9f, 0.999f, 0.01f, 2f, 1e-8f);
        for (int i = 0; i < n; i++)
        {
            double mi = 0.9 * m0[i] + 0.1 * g[i], vi = 0.999 * v0[i] + 0.001 * g[i] * g[i];
            Assert.Equal(mi, m[i], 6);
            Assert.Equal(vi, v[i], 6);
            Assert.Equal(w0[i] - 0.01 * mi / (Math.Sqrt(vi) * 2 + 1e-8), w[i], 5);
        }
    }
}
