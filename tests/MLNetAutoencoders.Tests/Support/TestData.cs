using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Support;

/// <summary>Synthetic data shared by the test projects.</summary>
internal static class TestData
{
    /// <summary>Rank-3 data in [0,1]^24: x = σ(U·s) with s ~ N(0, I₃).</summary>
    internal static Matrix LowRankData(int rows, int cols = 24, ulong seed = 1)
    {
        var u = new float[cols * 3];
        new Rng(1000).FillGaussian(u); // one fixed basis: every seed draws from the same distribution
        var rng = new Rng(seed);
        var m = new Matrix(rows, cols);
        var s = new float[3];
        for (int i = 0; i < rows; i++)
        {
            rng.FillGaussian(s);
            for (int j = 0; j < cols; j++)
                m[i, j] = 1f / (1f + MathF.Exp(-(u[j * 3] * s[0] + u[j * 3 + 1] * s[1] + u[j * 3 + 2] * s[2])));
        }
        return m;
    }
}
