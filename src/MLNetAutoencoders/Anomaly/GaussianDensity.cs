using MLNetAutoencoders.Numerics;
using LA = MathNet.Numerics.LinearAlgebra;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// A Gaussian fitted to rows (the training codes): the score of a row is its squared Mahalanobis distance
/// (z − μ)ᵀ Σ⁻¹ (z − μ) to the mean, with the covariance shrunk towards its diagonal, Σ = (1 − s)·S + s·diag(S), so that
/// it stays invertible when the codes are few or nearly collinear.
/// </summary>
public sealed class GaussianDensity
{
    private GaussianDensity(float[] mean, Matrix precision)
    {
        Mean = mean;
        Precision = precision;
    }

    /// <summary>The mean μ of the fitted rows.</summary>
    public float[] Mean { get; }

    /// <summary>The inverse of the shrunk covariance, Σ⁻¹ (symmetric, Cols × Cols).</summary>
    public Matrix Precision { get; }

    /// <summary>Fits the mean and the shrunk covariance of the rows of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than two rows, or a column that is constant across the rows (its variance is 0, so no distance can be measured along it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shrinkage"/> outside [0, 1].</exception>
    public static GaussianDensity Fit(Matrix x, double shrinkage = AnomalyDefaults.CovarianceShrinkage)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!(shrinkage is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(shrinkage), shrinkage, "Covariance shrinkage must be in [0, 1].");
        if (x.Rows < 2) throw new ArgumentException($"A Gaussian needs at least 2 rows; got {x.Rows}.", nameof(x));
        int n = x.Rows, d = x.Cols;
        var mean = new double[d];
        for (int i = 0; i < n; i++) { var r = x.Row(i); for (int j = 0; j < d; j++) mean[j] += r[j]; }
        for (int j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d, d];
        for (int i = 0; i < n; i++)
        {
            var r = x.Row(i);
            for (int a = 0; a < d; a++)
            {
                double da = r[a] - mean[a];
                for (int b = 0; b <= a; b++) cov[a, b] += da * (r[b] - mean[b]);
            }
        }
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b <= a; b++) cov[b, a] = cov[a, b] = cov[a, b] / (n - 1) * (a == b ? 1 : 1 - shrinkage);
            if (!(cov[a, a] > 1e-12)) throw new ArgumentException($"Code value {a} is constant across the {n} training rows: the Gaussian score cannot measure distances along it.", nameof(x));
        }
        var inverse = LA.Matrix<double>.Build.DenseOfArray(cov).Inverse();
        var precision = new Matrix(d, d);
        for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) precision[a, b] = (float)inverse[a, b];
        return new GaussianDensity(mean.Select(v => (float)v).ToArray(), precision);
    }

    /// <summary>The squared Mahalanobis distance of each row of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">A width other than the fitted rows'.</exception>
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = Mean.Length;
        if (x.Cols != d) throw new ArgumentException($"Rows of width {x.Cols}; the Gaussian was fitted on {d}.", nameof(x));
        var scores = new float[x.Rows];
        var centred = new double[d];
        for (int i = 0; i < x.Rows; i++)
        {
            var r = x.Row(i);
            for (int j = 0; j < d; j++) centred[j] = r[j] - Mean[j];
            double s = 0;
            for (int a = 0; a < d; a++)
            {
                double t = 0;
                var p = Precision.Row(a);
                for (int b = 0; b < d; b++) t += p[b] * centred[b];
                s += centred[a] * t;
            }
            scores[i] = (float)s;
        }
        return scores;
    }
}
