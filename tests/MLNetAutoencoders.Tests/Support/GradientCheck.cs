using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Support;

/// <summary>
/// Central finite-difference checks of analytic gradients. The loss is evaluated in float32 arithmetic by the code
/// under test, so the step and tolerance are chosen for that: step 2e-3 (relative to nothing: inputs are O(1)),
/// and the check passes when |analytic − numeric| ≤ atol + rtol·max(|analytic|, |numeric|) for every probed entry.
/// </summary>
internal static class GradientCheck
{
    /// <summary>
    /// Probes up to <paramref name="probes"/> entries of <paramref name="values"/> (all when fewer): perturbs each by ±h,
    /// evaluates <paramref name="loss"/>, and compares the central difference with <paramref name="analytic"/>[i].
    /// </summary>
    public static void Check(string what, float[] values, ReadOnlySpan<float> analytic, Func<double> loss,
        int probes = 40, double h = 2e-3, double rtol = 2e-2, double atol = 2e-3, ulong seed = 1)
    {
        var a = analytic.ToArray();
        int n = Math.Min(values.Length, a.Length);
        var rng = new Rng(seed);
        var idx = n <= probes ? Enumerable.Range(0, n).ToArray() : rng.Permutation(n)[..probes];
        double worst = 0;
        string? failure = null;
        foreach (var i in idx)
        {
            float keep = values[i];
            values[i] = (float)(keep + h);
            double up = loss();
            values[i] = (float)(keep - h);
            double down = loss();
            values[i] = keep;
            double num = (up - down) / (2 * h);
            double err = Math.Abs(num - a[i]);
            double tol = atol + rtol * Math.Max(Math.Abs(num), Math.Abs(a[i]));
            if (err / tol > worst) worst = err / tol;
            if (err > tol && failure == null)
                failure = $"{what}[{i}]: analytic {a[i]:G6}, numeric {num:G6} (|diff| {err:G3} > tol {tol:G3})";
        }
        Assert.True(failure == null, failure);
    }
}
