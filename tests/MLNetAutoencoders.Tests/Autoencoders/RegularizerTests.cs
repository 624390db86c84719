using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class RegularizerTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    internal static Matrix Random(int r, int c, ulong seed, float lo = -1, float hi = 1)
    {
        var m = new Matrix(r, c);
        new Rng(seed).FillUniform(m.Span, lo, hi);
        return m;
    }

    /// <summary>A dense encoder with the given widths and activations, random weights and biases.</summary>
    internal static Network Encoder(int[] widths, ActivationKind[] acts, ulong seed = 7)
    {
        var rng = new Rng(seed);
        var layers = new List<Layer>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            var d = new DenseLayer($"e{i}", widths[i], widths[i + 1], acts[i]);
            Initializer.Initialize(d, InitKind.GlorotUniform, rng);
            rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
            layers.Add(d);
        }
        return new Network(layers);
    }

    /// <summary>Batch-mean penalty of <paramref name="reg"/> (fresh forward), optionally back-propagating its gradient into the parameters.</summary>
    private static double MeanPenalty(IRegularizer reg, Network enc, Matrix x, bool backward)
    {
        var code = enc.Forward(x, backward, Ctx);
        var g = new Matrix(code.Rows, code.Cols);
        double p = reg.Apply(enc, x, code, g, Ctx);
        if (backward) enc.Backward(g, false, Ctx);
        return p / x.Rows;
    }

    /// <summary>Checks every parameter's analytic gradient of the regulariser against central differences.</summary>
    internal static void CheckGradients(IRegularizer reg, Network enc, Matrix x)
    {
        foreach (var p in enc.Parameters) p.Grad.Clear();
        double value = MeanPenalty(reg, enc, x, true);
        Assert.True(value > 0, $"penalty {value} should be positive so the check means something");
        var analytic = enc.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        Assert.Contains(analytic, a => a.Any(v => v != 0));
        int k = 0;
        foreach (var p in enc.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, analytic[k++], () => MeanPenalty(reg, enc, x, false));
    }

    [Theory]
    [InlineData(ActivationKind.Identity)]
    [InlineData(ActivationKind.Tanh)]
    public void L1Activity_GradientMatchesFiniteDifferences(ActivationKind code)
    {
        var enc = Encoder(new[] { 5, 4, 3 }, new[] { ActivationKind.Tanh, code });
        CheckGradients(new L1ActivityRegularizer(0.7f), enc, Random(6, 5, 11));
    }

    [Fact]
    public void L2Activity_GradientMatchesFiniteDifferences()
    {
        var enc = Encoder(new[] { 5, 4, 3 }, new[] { ActivationKind.Selu, ActivationKind.Identity });
        CheckGradients(new L2ActivityRegularizer(1.3f), enc, Random(6, 5, 12));
    }

    [Fact]
    public void KlSparsity_GradientMatchesFiniteDifferences_AndIsZeroAtTarget()
    {
        var enc = Encoder(new[] { 5, 4, 3 }, new[] { ActivationKind.Tanh, ActivationKind.Sigmoid });
        CheckGradients(new KlSparsityRegularizer(0.9f, 0.1f), enc, Random(6, 5, 13));
        // Codes whose batch means equal ρ have zero penalty and zero gradient.
        var code = new Matrix(2, 2, new[] { 0.05f, 0.2f, 0.15f, 0f }); // column means 0.1 and 0.1
        var g = new Matrix(2, 2);
        Assert.Equal(0, new KlSparsityRegularizer(1f, 0.1f).Apply(enc, new Matrix(2, 5), code, g, Ctx), 6);
        Assert.All(g.Span.ToArray(), v => Assert.Equal(0f, v, 5));
    }

    [Theory]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Selu)]
    [InlineData(ActivationKind.Identity)]
    public void ContractiveShallow_GradientMatchesFiniteDifferences(ActivationKind act)
    {
        var enc = Encoder(new[] { 6, 4 }, new[] { act });
        CheckGradients(new ContractiveRegularizer(0.8f, 0), enc, Random(5, 6, 14));
    }

    [Theory]
    [InlineData(new[] { 6, 4, 3 }, false)] // first layer narrower than the input: Gram path
    [InlineData(new[] { 3, 5, 4, 2 }, false)] // overcomplete first layer: direct path, three layers
    [InlineData(new[] { 6, 4, 3 }, true)] // with the forward-mode estimator (fixed probes)
    public void ContractiveDeep_GradientMatchesFiniteDifferences(int[] widths, bool estimator)
    {
        var acts = new[] { ActivationKind.Tanh, ActivationKind.Sigmoid, ActivationKind.Tanh }[..(widths.Length - 1)];
        var enc = Encoder(widths, acts);
        var x = Random(5, widths[0], 15);
        if (!estimator)
        {
            CheckGradients(new ContractiveRegularizer(0.6f, 0), enc, x);
            return;
        }
        // The estimate with a fixed probe sequence is a deterministic function of the parameters: check its gradient.
        var jac = new EncoderJacobian(enc.DenseLayers.ToList());
        double Estimate(float scale) => jac.Estimate(x, Ctx.Gemm, new Rng(99), 3, scale) / x.Rows;
        foreach (var p in enc.Parameters) p.Grad.Clear();
        Estimate(1f / x.Rows);
        var analytic = enc.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        int k = 0;
        foreach (var p in enc.Parameters) GradientCheck.Check(p.Name, p.Value.Data, analytic[k++], () => Estimate(0));
    }

    [Theory]
    [InlineData(new[] { 6, 4 })]
    [InlineData(new[] { 6, 4, 3 })]
    [InlineData(new[] { 3, 5, 4, 2 })]
    public void ExactJacobianNorm_MatchesNumericalJacobian(int[] widths)
    {
        var acts = new[] { ActivationKind.Sigmoid, ActivationKind.Tanh, ActivationKind.Selu }[..(widths.Length - 1)];
        var enc = Encoder(widths, acts);
        var x = Random(4, widths[0], 16);
        var per = new double[x.Rows];
        double total = new EncoderJacobian(enc.DenseLayers.ToList()).Exact(x, Ctx.Gemm, 0f, per);
        Assert.Equal(per.Sum(), total, 6);
        for (int b = 0; b < x.Rows; b++)
        {
            double fd = 0;
            for (int i = 0; i < x.Cols; i++)
            {
                var up = x.SliceRows(b, 1); up[0, i] += 1e-2f;
                var down = x.SliceRows(b, 1); down[0, i] -= 1e-2f;
                var fu = enc.Forward(up, false, Ctx).Clone();
                var fdn = enc.Forward(down, false, Ctx);
                for (int j = 0; j < fu.Cols; j++) { double dj = (fu[0, j] - fdn[0, j]) / 2e-2; fd += dj * dj; }
            }
            Assert.True(Math.Abs(fd - per[b]) < 2e-3 * (1 + fd), $"row {b}: exact {per[b]}, finite differences {fd}");
        }
    }

    [Fact]
    public void JacobianEstimator_IsUnbiased_ValueAndGradient()
    {
        var enc = Encoder(new[] { 6, 5, 3 }, new[] { ActivationKind.Tanh, ActivationKind.Sigmoid });
        var x = Random(3, 6, 17);
        var jac = new EncoderJacobian(enc.DenseLayers.ToList());
        var exact = new double[3];
        jac.Exact(x, Ctx.Gemm, 0f, exact);
        const int probes = 4000;
        var est = new double[3];
        jac.Estimate(x, Ctx.Gemm, new Rng(5), probes, 0f, est);
        for (int b = 0; b < 3; b++)
        {
            // Var of one probe = 2‖JᵀJ‖²_F ≤ 2‖J‖⁴_F: allow 4 standard errors of the bound.
            double tol = 4 * Math.Sqrt(2.0 / probes) * exact[b];
            Assert.True(Math.Abs(est[b] - exact[b]) < tol, $"row {b}: estimate {est[b]}, exact {exact[b]}, tolerance {tol}");
        }
        // Gradient: the mean of many estimator gradients approaches the exact gradient.
        var w = enc.DenseLayers.First().Weight;
        w.Grad.Clear();
        jac.Exact(x, Ctx.Gemm, 1f);
        var g = w.Grad.Span.ToArray();
        w.Grad.Clear();
        jac.Estimate(x, Ctx.Gemm, new Rng(6), probes, 1f);
        var ge = w.Grad.Span.ToArray();
        double diff = Math.Sqrt(g.Zip(ge, (a, b) => (a - b) * (a - b)).Sum()), norm = Math.Sqrt(g.Sum(a => a * a));
        Assert.True(diff < 0.1 * norm, $"estimator gradient differs from the exact one by {diff} (norm {norm})");
        // And a single probe is genuinely noisy (this is an estimator, not the exact value).
        var one = new double[3];
        jac.Estimate(x, Ctx.Gemm, new Rng(7), 1, 0f, one);
        Assert.NotEqual(exact[0], one[0], 3);
    }

    [Fact]
    public void SingleLayerLinearEncoder_JacobianIsTheWeightNorm()
    {
        var enc = Encoder(new[] { 7, 3 }, new[] { ActivationKind.Identity });
        var model = new AutoencoderModel(new AutoencoderOptions { HiddenSizes = Array.Empty<int>(), CodeSize = 3, Gemm = GemmKind.Managed },
            enc, Encoder(new[] { 3, 7 }, new[] { ActivationKind.Identity }), new TrainingHistory());
        double w2 = enc.DenseLayers.First().Weight.Value.Span.ToArray().Sum(v => (double)v * v);
        Assert.Equal(w2, AutoencoderMetrics.JacobianFrobeniusSq(model, Random(9, 7, 3)), 4);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    public void KlSparsity_ClampsSaturatedUnits_AndResizesForAnotherCodeWidth(float saturated)
    {
        var enc = Encoder(new[] { 5, 3 }, new[] { ActivationKind.Sigmoid });
        var reg = new KlSparsityRegularizer(0.5f, 0.2f);
        var wide = new Matrix(2, 5);
        wide.Span.Fill(0.3f);
        reg.Apply(enc, new Matrix(2, 5), wide, new Matrix(2, 5), Ctx); // buffers sized for 5 units first
        var code = new Matrix(4, 3);
        code.Span.Fill(saturated);
        var g = new Matrix(4, 3);
        double penalty = reg.Apply(enc, new Matrix(4, 5), code, g, Ctx);
        double rho = 0.2, q = saturated == 0 ? 1e-6 : 1 - 1e-6; // ρ̂ clamped to [1e-6, 1 − 1e-6]
        double kl = rho * Math.Log(rho / q) + (1 - rho) * Math.Log((1 - rho) / (1 - q));
        Assert.Equal(4 * 0.5 * 3 * kl, penalty, 1e-6 * penalty);
        float slope = (float)(0.5 * (-rho / q + (1 - rho) / (1 - q)) / 4);
        Assert.All(g.Span.ToArray(), v => Assert.Equal(slope, v, Math.Abs(slope) * 1e-5f));
    }

    [Fact]
    public void Contractive_UsesTheExactNormForOneLayer_AndFollowsANewEncoder()
    {
        var x = Random(4, 6, 21);
        var one = Encoder(new[] { 6, 3 }, new[] { ActivationKind.Tanh });
        double exact = new ContractiveRegularizer(0.5f, 0).Apply(one, x, one.Forward(x, false, Ctx), new Matrix(4, 3), Ctx);
        var probed = new ContractiveRegularizer(0.5f, 2); // probes are pointless for one layer: the exact norm is as cheap
        Assert.Equal(exact, probed.Apply(one, x, one.Forward(x, false, Ctx), new Matrix(4, 3), Ctx), 10);
        var other = Encoder(new[] { 6, 3 }, new[] { ActivationKind.Tanh }, seed: 8);
        double expected = new ContractiveRegularizer(0.5f, 0).Apply(other, x, other.Forward(x, false, Ctx), new Matrix(4, 3), Ctx);
        Assert.Equal(expected, probed.Apply(other, x, other.Forward(x, false, Ctx), new Matrix(4, 3), Ctx), 10);
        Assert.NotEqual(exact, expected, 6);
        var deep = Encoder(new[] { 6, 4, 3 }, new[] { ActivationKind.Tanh, ActivationKind.Tanh });
        double deepExact = new ContractiveRegularizer(0.5f, 0).Apply(deep, x, deep.Forward(x, false, Ctx), new Matrix(4, 3), Ctx);
        double deepProbed = new ContractiveRegularizer(0.5f, 1).Apply(deep, x, deep.Forward(x, false, Ctx), new Matrix(4, 3), Ctx);
        Assert.NotEqual(deepExact, deepProbed, 6); // two layers with probes: the (noisy) estimator, not the exact norm
    }
}
