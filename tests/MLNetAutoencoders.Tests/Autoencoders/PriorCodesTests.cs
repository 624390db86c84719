using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class PriorCodesTests
{
    [Fact]
    public void Grid_LaysTheNormalQuantilesRowByRow_Z1GrowingRightAndZ2FallingDown()
    {
        const float q = 1.6448536f; // the standard normal's 0.95 quantile (0.05's is −q)
        var z = PriorCodes.Grid(2, 3);
        Assert.Equal((9, 2), (z.Rows, z.Cols));
        float[] expected =
        [
            -q, q, 0, q, q, q,
            -q, 0, 0, 0, q, 0,
            -q, -q, 0, -q, q, -q,
        ];
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], z.Span[i], 5);
        Assert.Equal(2 * 2, PriorCodes.Grid(2, 2).Rows);
        Assert.Equal(100 * 100, PriorCodes.Grid(2, 100).Rows);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(101)]
    public void Grid_StepsOutside2To100_AreRefused(int steps)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PriorCodes.Grid(2, steps));
        Assert.Contains("steps must be in 2–100", e.Message);
    }

    [Fact]
    public void Grid_NeedsATwoDimensionalCode_DrawOneRow_AndTheKlNonNullFiniteCodes()
    {
        Assert.Contains("needs a 2-D code; this model's is 3-D", Assert.Throws<InvalidOperationException>(() => PriorCodes.Grid(3, 5)).Message);
        Assert.Contains("count must be ≥ 1", Assert.Throws<ArgumentOutOfRangeException>(() => PriorCodes.Draw(0, 2)).Message);
        Assert.Throws<ArgumentNullException>(() => PriorCodes.GaussianKl(null!));
        var bad = PriorCodes.Draw(5, 2);
        bad[3, 1] = float.NaN;
        Assert.StartsWith("The codes: row 3, column 1", Assert.Throws<ArgumentException>(() => PriorCodes.GaussianKl(bad)).Message);
        var one = PriorCodes.Draw(1, 2, seed: 4);
        var expected = new float[2];
        new Rng(4).FillGaussian(expected);
        Assert.Equal(expected, one.Span.ToArray());
    }

    [Fact]
    public void Manifold_DecodesTheGrid_ForTheAutoencoderAndTheVae()
    {
        var x = TestData.LowRankData(100);
        var ae = new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = [8], CodeSize = 2, Epochs = 1, BatchSize = 32, Gemm = GemmKind.Managed }).Fit(x);
        var vae = new VaeTrainer(new VaeOptions { HiddenSizes = [8], LatentSize = 2, Epochs = 1, BatchSize = 32, Gemm = GemmKind.Managed }).Fit(x);
        Assert.Equal(ae.Decode(PriorCodes.Grid(2, 4)).Span.ToArray(), ae.Manifold(4).Span.ToArray());
        Assert.Equal(vae.Decode(PriorCodes.Grid(2, 4)).Span.ToArray(), vae.Manifold(4).Span.ToArray());
        Assert.Equal(20 * 20, vae.Manifold().Rows);
        Assert.Equal(ae.Decode(PriorCodes.Draw(3, 2, seed: 9)).Span.ToArray(), ae.Sample(3, seed: 9).Span.ToArray());
    }
}
