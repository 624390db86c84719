using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Support;

/// <summary>Synthetic data shared by the test projects.</summary>
internal static class TestData
{
    /// <summary>A rows×cols matrix of seeded uniform values in [lo, hi).</summary>
    internal static Matrix Uniform(int rows, int cols, ulong seed, float lo = -1, float hi = 1)
    {
        var m = new Matrix(rows, cols);
        new Rng(seed).FillUniform(m.Span, lo, hi);
        return m;
    }

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

    /// <summary>8×8 images (64 values a row, in [0, 1]) of one blurry spot each, of random place and width: data for the convolutional autoencoder.</summary>
    internal static Matrix Blobs(int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var m = new Matrix(rows, 64);
        for (int n = 0; n < rows; n++)
        {
            float cy = 1 + 6 * rng.NextFloat(), cx = 1 + 6 * rng.NextFloat(), s = 1 + rng.NextFloat();
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 8; x++)
                    m[n, y * 8 + x] = MathF.Exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * s * s));
        }
        return m;
    }
}
