using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using static MLNetAutoencoders.Tests.Autoencoders.RegularizerTests;

namespace MLNetAutoencoders.Tests.Autoencoders;

/// <summary>The contractive penalty's Jacobian norm beyond its values on a few rows (those are in RegularizerTests):
/// the encoder checks, chunking, frozen parameters and the probe count.</summary>
public class EncoderJacobianTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    private static ActivationKind[] Acts(int[] widths) =>
        new[] { ActivationKind.Tanh, ActivationKind.Sigmoid, ActivationKind.Tanh }[..(widths.Length - 1)];

    private static List<float[]> Grads(Network enc) => enc.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();

    private static void ClearGrads(Network enc)
    {
        foreach (var p in enc.Parameters) p.Grad.Clear();
    }

    private static void AssertClose(float[] expected, float[] actual, double relative, string what)
    {
        double diff = Math.Sqrt(expected.Zip(actual, (a, b) => ((double)a - b) * (a - b)).Sum());
        double norm = Math.Sqrt(expected.Sum(a => (double)a * a));
        Assert.True(diff <= relative * norm, $"{what}: differs by {diff} (norm {norm})");
    }

    /// <summary>Per-row values and their sum against a reference, and the gradients then in the encoder against <paramref name="grads"/>.</summary>
    private static void AssertSameRowsAndGradients(Network enc, double[] expected, double[] per, double total, List<float[]> grads, double rowTolerance, double gradTolerance)
    {
        for (int i = 0; i < per.Length; i++) Assert.True(Math.Abs(expected[i] - per[i]) <= rowTolerance * expected[i], $"row {i}: {per[i]}, expected {expected[i]}");
        Assert.Equal(expected.Sum(), total, rowTolerance * total);
        var reference = Grads(enc);
        for (int k = 0; k < grads.Count; k++) AssertClose(reference[k], grads[k], gradTolerance, enc.Parameters[k].Name);
    }

    [Fact]
    public void Constructor_RefusesNoLayers_ATiedWeight_AndLayersThatDoNotChain()
    {
        var none = Assert.Throws<ArgumentException>(() => new EncoderJacobian(new List<DenseLayer>()));
        Assert.Equal("layers", none.ParamName);
        Assert.Contains("no dense layers", none.Message);
        var tied = new DenseLayer(new Parameter("w", 4, 3), true, new Parameter("b", 1, 3), ActivationKind.Tanh);
        var t = Assert.Throws<ArgumentException>(() => new EncoderJacobian(new[] { tied }));
        Assert.Equal("layers", t.ParamName);
        Assert.Contains("Encoder layer 0 uses a transposed (tied) weight", t.Message);
        var a = new DenseLayer("a", 6, 4, ActivationKind.Tanh);
        var b = new DenseLayer("b", 5, 3, ActivationKind.Tanh);
        var gap = Assert.Throws<ArgumentException>(() => new EncoderJacobian(new[] { a, b }));
        Assert.Equal("layers", gap.ParamName);
        Assert.Contains("Encoder layer 1 takes 5 inputs but layer 0 gives 4", gap.Message);
        var chained = new EncoderJacobian(new[] { a, new DenseLayer("c", 4, 3, ActivationKind.Tanh) });
        Assert.Equal(6, chained.InputSize);
        Assert.Equal(2, chained.Layers.Count);
    }

    [Theory]
    [InlineData(new[] { 6, 4 }, 1100)] // one layer, chunks of MaxChunkRows = 512 rows: 512 + 512 + 76
    [InlineData(new[] { 6, 4, 3 }, 1100)] // Gram path (first layer narrower than the input), same chunks
    [InlineData(new[] { 3, 100, 90 }, 1000)] // direct path; 90 × 100 floats a row: chunks of 466 rows (the 4 Mi-float cap)
    public void Exact_InChunks_GivesEachRowItsOwnNorm_AndTheGradientOfTheSum(int[] widths, int rows)
    {
        var enc = Encoder(widths, Acts(widths));
        var x = Random(rows, widths[0], 31);
        var per = new double[rows];
        ClearGrads(enc);
        double total = new EncoderJacobian(enc.DenseLayers.ToList()).Exact(x, Ctx.Gemm, 0.5f, per);
        var grads = Grads(enc);
        // Reference: parts of 300 rows (each a single chunk) on a fresh instance; norms and gradients add over rows.
        var expected = new double[rows];
        ClearGrads(enc);
        var fresh = new EncoderJacobian(enc.DenseLayers.ToList());
        for (int r = 0; r < rows; r += 300)
        {
            int n = Math.Min(300, rows - r);
            fresh.Exact(x.SliceRows(r, n), Ctx.Gemm, 0.5f, expected.AsSpan(r, n));
        }
        AssertSameRowsAndGradients(enc, expected, per, total, grads, 1e-5, 1e-4);
    }

    [Fact]
    public void Estimate_DrawsItsProbesChunkByChunk_AndOverwritesPerSample()
    {
        var enc = Encoder(new[] { 6, 5, 3 }, new[] { ActivationKind.Tanh, ActivationKind.Sigmoid });
        int rows = EncoderJacobian.MaxChunkRows + 88;
        var x = Random(rows, 6, 32);
        var per = new double[rows];
        Array.Fill(per, 99.0); // stale values: the estimate replaces them
        ClearGrads(enc);
        double total = new EncoderJacobian(enc.DenseLayers.ToList()).Estimate(x, Ctx.Gemm, new Rng(41), 2, 0.5f, per);
        var grads = Grads(enc);
        // The same probes by hand: the first chunk's, then the rest's, from one generator.
        var rng = new Rng(41);
        var expected = new double[rows];
        ClearGrads(enc);
        var fresh = new EncoderJacobian(enc.DenseLayers.ToList());
        fresh.Estimate(x.SliceRows(0, EncoderJacobian.MaxChunkRows), Ctx.Gemm, rng, 2, 0.5f, expected.AsSpan(0, EncoderJacobian.MaxChunkRows));
        fresh.Estimate(x.SliceRows(EncoderJacobian.MaxChunkRows, 88), Ctx.Gemm, rng, 2, 0.5f, expected.AsSpan(EncoderJacobian.MaxChunkRows));
        AssertSameRowsAndGradients(enc, expected, per, total, grads, 1e-9, 1e-5);
    }

    [Fact]
    public void Estimate_NeedsAtLeastOneProbe_AndAveragesItsProbes()
    {
        var enc = Encoder(new[] { 6, 5, 3 }, new[] { ActivationKind.Tanh, ActivationKind.Sigmoid });
        var jac = new EncoderJacobian(enc.DenseLayers.ToList());
        var x = Random(3, 6, 34);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => jac.Estimate(x, Ctx.Gemm, new Rng(1), 0, 0f));
        Assert.Equal("probes", e.ParamName);
        Assert.Contains("probes must be ≥ 1", e.Message);
        // Two probes are the mean of two one-probe estimates drawing the same Gaussians in turn.
        var two = new double[3];
        jac.Estimate(x, Ctx.Gemm, new Rng(1), 2, 0f, two);
        var rng = new Rng(1);
        double[] first = new double[3], second = new double[3];
        jac.Estimate(x, Ctx.Gemm, rng, 1, 0f, first);
        jac.Estimate(x, Ctx.Gemm, rng, 1, 0f, second);
        for (int b = 0; b < 3; b++) Assert.Equal((first[b] + second[b]) / 2, two[b], 1e-9 * two[b]);
    }

    [Theory]
    [InlineData(new[] { 6, 4 }, 0)] // one layer, closed form
    [InlineData(new[] { 6, 4, 3 }, 0)] // Gram path
    [InlineData(new[] { 3, 5, 4, 2 }, 0)] // direct path, three layers
    [InlineData(new[] { 6, 5, 3 }, 2)] // probe estimator
    public void FrozenParameters_GetNoGradient_AndTheOthersTheSameAsUnfrozen(int[] widths, int probes)
    {
        var enc = Encoder(widths, Acts(widths));
        var x = Random(5, widths[0], 33);
        var jac = new EncoderJacobian(enc.DenseLayers.ToList());
        void Run()
        {
            ClearGrads(enc);
            if (probes == 0) jac.Exact(x, Ctx.Gemm, 0.7f);
            else jac.Estimate(x, Ctx.Gemm, new Rng(3), probes, 0.7f);
        }
        Run();
        var all = Grads(enc);
        Assert.All(all, g => Assert.Contains(g, v => v != 0));
        foreach (var frozen in enc.Parameters)
        {
            frozen.Frozen = true;
            Run();
            frozen.Frozen = false;
            var grads = Grads(enc);
            for (int k = 0; k < grads.Count; k++)
            {
                if (ReferenceEquals(enc.Parameters[k], frozen)) Assert.All(grads[k], v => Assert.Equal(0f, v));
                else AssertClose(all[k], grads[k], 1e-6, $"{enc.Parameters[k].Name} with {frozen.Name} frozen");
            }
        }
    }

    [Fact]
    public void Gradient_WithAReluLayerBeforeASmoothOne_MatchesFiniteDifferences()
    {
        // A ReLU has no second derivative, but the tanh layer after it has: the penalty still back-propagates through s''.
        var enc = Encoder(new[] { 6, 4, 3 }, new[] { ActivationKind.Relu, ActivationKind.Tanh });
        CheckGradients(new ContractiveRegularizer(0.6f, 0), enc, Random(5, 6, 35));
    }
}
