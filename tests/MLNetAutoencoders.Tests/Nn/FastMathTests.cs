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
    public void BceWithLogits_IsAccurateForEveryLogit()
    {
        // Each logit on its own (8 copies: one vector), against the definition in double: the loss within a few
        // float ulps of its magnitude, σ(a) − x within 2e-7 (the float32 libm accuracy the kernels promise).
        for (int k = -4000; k <= 4000; k++)
        {
            float a = k * 0.005f;
            foreach (float x in new[] { 0f, 0.3f, 1f })
            {
                float[] av = [a, a, a, a, a, a, a, a], xv = [x, x, x, x, x, x, x, x];
                var g = new float[8];
                double loss = FastMath.BceWithLogits(av, xv, g, 1f) / 8;
                double expected = Math.Max(a, 0) + Math.Log(1 + Math.Exp(-Math.Abs((double)a))) - x * (double)a;
                double sig = 1 / (1 + Math.Exp(-(double)a));
                Assert.True(Math.Abs(loss - expected) <= 4e-6, $"loss for a = {a}, x = {x}: {loss} vs {expected}");
                Assert.True(Math.Abs(g[0] - (sig - x)) <= 2e-7, $"grad for a = {a}, x = {x}: {g[0]} vs {sig - x}");
            }
        }
    }

    [Fact]
    public void BceWithLogits_OfAMillionValueRow_KeepsItsSumAccurate()
    {
        // Partial sums are moved to double every 64 vectors: a float accumulator over 128 000 values a lane would be off by 2e-5.
        int n = 8 * 64 * 2000;
        var a = new float[n]; var x = new float[n]; var g = new float[n];
        Array.Fill(x, 0.5f);
        double expected = n * Math.Log(2);
        double loss = FastMath.BceWithLogits(a, x, g, 1f);
        Assert.True(Math.Abs(loss / expected - 1) < 2e-6, $"{loss} vs {expected}");
    }

    [Fact]
    public void AdamUpdate_MatchesScalarFormula()
    {
        var rng = new Rng(8);
        int n = 37;
        var w = new float[n]; var g = new float[n]; var m = new float[n]; var v = new float[n];
        rng.FillUniform(w, -1, 1); rng.FillUniform(g, -1, 1); rng.FillUniform(m, -0.1f, 0.1f); rng.FillUniform(v, 0, 0.1f);
        foreach (int i in new[] { 3, 35 }) (g[i], m[i], v[i]) = (1e-9f, 0f, 0f); // √v far below ε: the step is set by ε (vector path and tail)
        var w0 = (float[])w.Clone(); var m0 = (float[])m.Clone(); var v0 = (float[])v.Clone(); var g0 = (float[])g.Clone();
        FastMath.AdamUpdate(w, g, m, v, 0.9f, 0.999f, 0.01f, 2f, 1e-8f);
        Assert.All(g, gi => Assert.Equal(0f, gi)); // the gradient is cleared in the same pass (vector part and tail)
        for (int i = 0; i < n; i++)
        {
            double mi = 0.9 * m0[i] + 0.1 * g0[i], vi = 0.999 * v0[i] + 0.001 * g0[i] * g0[i];
            Assert.Equal(mi, m[i], 6);
            Assert.Equal(vi, v[i], 6);
            Assert.Equal(w0[i] - 0.01 * mi / (Math.Sqrt(vi) * 2 + 1e-8), w[i], 5);
        }
    }
}
