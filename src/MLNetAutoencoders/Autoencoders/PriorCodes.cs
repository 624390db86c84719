using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// Codes drawn from, or laid over, the standard normal prior N(0, I): what the VAE and the adversarial autoencoder
/// decode into new images. Also the fit of a set of codes to that prior.
/// </summary>
public static class PriorCodes
{
    /// <summary><paramref name="count"/> draws z ~ N(0, I) of width <paramref name="codeSize"/> from a generator seeded with <paramref name="seed"/>.</summary>
    public static Matrix Draw(int count, int codeSize, int seed = 0)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be ≥ 1.");
        var z = new Matrix(count, codeSize);
        new Rng(seed).FillGaussian(z.Span);
        return z;
    }

    /// <summary>
    /// A <paramref name="steps"/>×<paramref name="steps"/> grid of 2-D codes at the standard normal's quantiles 0.05 … 0.95
    /// on each axis (so the grid covers the prior evenly), row by row: z₁ grows left to right, z₂ falls top to bottom.
    /// </summary>
    public static Matrix Grid(int codeSize, int steps)
    {
        if (codeSize != 2) throw new InvalidOperationException($"A manifold grid needs a 2-D code; this model's is {codeSize}-D.");
        if (steps is < 2 or > 100) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be in 2–100.");
        var q = new float[steps];
        for (int i = 0; i < steps; i++) q[i] = (float)MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.05 + 0.9 * i / (steps - 1));
        var z = new Matrix(steps * steps, 2);
        for (int r = 0; r < steps; r++)
            for (int c = 0; c < steps; c++)
            {
                z[r * steps + c, 0] = q[c];
                z[r * steps + c, 1] = q[steps - 1 - r];
            }
        return z;
    }

    /// <summary>
    /// KL(N(μ, Σ) ‖ N(0, I)) in nats of the Gaussian fitted to the rows of <paramref name="codes"/> (sample mean μ and
    /// maximum-likelihood covariance Σ): ½ (tr Σ + μᵀμ − k − ln det Σ). 0 when the codes look like prior draws (up to
    /// sampling error); it grows when the codes are shifted, scaled or correlated. Needs more rows than columns.
    /// </summary>
    public static double GaussianKl(Matrix codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        int n = codes.Rows, k = codes.Cols;
        if (n <= k) throw new ArgumentException($"Fitting a {k}-D Gaussian needs more than {k} codes; there are {n}.", nameof(codes));
        codes.ThrowIfNotFinite("The codes");
        var mean = new double[k];
        for (int i = 0; i < n; i++) { var r = codes.Row(i); for (int j = 0; j < k; j++) mean[j] += r[j]; }
        for (int j = 0; j < k; j++) mean[j] /= n;
        var cov = new double[k, k];
        var d = new double[k];
        for (int i = 0; i < n; i++)
        {
            var r = codes.Row(i);
            for (int j = 0; j < k; j++) d[j] = r[j] - mean[j];
            for (int a = 0; a < k; a++) for (int b = 0; b <= a; b++) cov[a, b] += d[a] * d[b];
        }
        for (int a = 0; a < k; a++) for (int b = 0; b <= a; b++) cov[b, a] = cov[a, b] /= n;
        double trace = 0, meanSq = 0;
        for (int j = 0; j < k; j++) { trace += cov[j, j]; meanSq += mean[j] * mean[j]; }
        var sigma = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(cov);
        double logDet;
        try { logDet = sigma.Cholesky().DeterminantLn; }
        catch (ArgumentException) { return double.PositiveInfinity; } // singular: some direction has no spread
        return 0.5 * (trace + meanSq - k - logDet);
    }
}
