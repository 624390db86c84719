using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>Weight initialisation: each scheme's distribution and scale from the layer's fan-in and fan-out, and the bias it leaves.</summary>
public class InitializerTests
{
    /// <summary>Checks that <paramref name="w"/> looks drawn from U(±bound) or N(0, std²): the spread within 4 %, and the tails a uniform or a normal has.</summary>
    private static void AssertDistribution(ReadOnlySpan<float> w, bool uniform, double scale, string what)
    {
        double mean = 0, sq = 0, max = 0;
        foreach (var v in w) { mean += v; sq += (double)v * v; max = Math.Max(max, Math.Abs(v)); }
        mean /= w.Length;
        double std = Math.Sqrt(sq / w.Length - mean * mean);
        double expectedStd = uniform ? scale / Math.Sqrt(3) : scale;
        Assert.True(Math.Abs(mean) < 0.05 * expectedStd, $"{what}: mean {mean}");
        Assert.True(Math.Abs(std / expectedStd - 1) < 0.04, $"{what}: std {std}, expected {expectedStd}");
        if (uniform) Assert.True(max <= scale && max > 0.98 * scale, $"{what}: max |w| {max}, bound {scale}");
        else Assert.True(max > 3 * scale, $"{what}: max |w| {max} is not a normal's tail for std {scale}");
    }

    [Theory]
    [InlineData(InitKind.GlorotUniform, ActivationKind.Relu, true, 0.1)]            // √(6 / (in + out)), in 400, out 200
    [InlineData(InitKind.GlorotNormal, ActivationKind.Relu, false, 0.0577350269)]   // √(2 / (in + out))
    [InlineData(InitKind.HeUniform, ActivationKind.Tanh, true, 0.1224744871)]       // √(6 / in)
    [InlineData(InitKind.HeNormal, ActivationKind.Tanh, false, 0.0707106781)]       // √(2 / in)
    [InlineData(InitKind.LecunNormal, ActivationKind.Relu, false, 0.05)]            // √(1 / in)
    [InlineData(InitKind.PyTorchDefault, ActivationKind.Selu, true, 0.05)]          // 1 / √in
    [InlineData(InitKind.Auto, ActivationKind.Relu, true, 0.1224744871)]            // He uniform
    [InlineData(InitKind.Auto, ActivationKind.LeakyRelu, true, 0.1224744871)]       // He uniform
    [InlineData(InitKind.Auto, ActivationKind.Selu, false, 0.05)]                   // LeCun normal
    [InlineData(InitKind.Auto, ActivationKind.Sigmoid, true, 0.1)]                  // Glorot uniform
    [InlineData(InitKind.Auto, ActivationKind.Identity, true, 0.1)]                 // Glorot uniform
    public void DenseWeights_FollowTheScheme_AndBiasesStartAtZero_ExceptPyTorchs(InitKind kind, ActivationKind act, bool uniform, double scale)
    {
        var layer = new DenseLayer("d", 400, 200, act);
        layer.Bias.Value.Span.Fill(7f);
        Initializer.Initialize(layer, kind, new Rng(1));
        AssertDistribution(layer.Weight.Value.Span, uniform, scale, $"{kind}/{act}");
        var bias = layer.Bias.Value.Span.ToArray();
        if (kind == InitKind.PyTorchDefault) // U(±1/√in) too
        {
            Assert.All(bias, b => Assert.InRange(Math.Abs(b), 0, scale));
            Assert.True(bias.Distinct().Count() > 190 && bias.Max() > scale / 2 && bias.Min() < -scale / 2);
        }
        else Assert.All(bias, b => Assert.Equal(0f, b));
    }

    [Fact]
    public void ConvolutionFans_AreChannelsTimesKernelArea()
    {
        // Conv2d 8 → 50 channels, 5×5 kernel: fan-in 200, fan-out 1 250. ConvTranspose2d 50 → 8: fan-in 1 250, fan-out 200.
        var conv = new Conv2dLayer("c", new ConvGeometry(8, 6, 6, 5, 1, 0), 50, ActivationKind.Tanh);
        var convT = new ConvTranspose2dLayer("t", 50, 2, 2, 8, 5, 1, 0, 0, ActivationKind.Tanh);
        foreach (var (kind, glorot) in new[] { (InitKind.GlorotUniform, true), (InitKind.HeUniform, false) })
        {
            conv.Bias.Value.Span.Fill(1f);
            Initializer.Initialize(conv, kind, new Rng(2));
            AssertDistribution(conv.Weight.Value.Span, true, Math.Sqrt(6.0 / (glorot ? 1450 : 200)), $"conv2d {kind}");
            Assert.All(conv.Bias.Value.Span.ToArray(), b => Assert.Equal(0f, b));
            Initializer.Initialize(convT, kind, new Rng(3));
            AssertDistribution(convT.Weight.Value.Span, true, Math.Sqrt(6.0 / (glorot ? 1450 : 1250)), $"conv_transpose2d {kind}");
        }
    }

    [Fact]
    public void AnUndefinedScheme_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Initializer.Initialize(new DenseLayer("d", 2, 2, ActivationKind.Relu), (InitKind)99, new Rng(1)));
        Assert.Equal("kind", e.ParamName);
    }
}
