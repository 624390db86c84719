using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// A k-nearest-neighbour score: the mean Euclidean distance from a row to its <see cref="K"/> nearest reference rows
/// (the training rows' codes, for the anomaly detector). A reference row scored against its own set leaves itself out.
/// </summary>
public sealed class KnnDistance
{
    /// <summary>Keeps <paramref name="reference"/> (not copied) and <paramref name="k"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> below 1, or not below the number of reference rows (leave-one-out needs k + 1 rows).</exception>
    public KnnDistance(Matrix reference, int k = AnomalyDefaults.Neighbours)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The number of neighbours k must be ≥ 1.");
        if (k >= reference.Rows)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"The number of neighbours k = {k} needs at least k + 1 = {k + 1} training rows; there are {reference.Rows}.");
        Reference = reference;
        K = k;
    }

    /// <summary>The reference rows.</summary>
    public Matrix Reference { get; }

    /// <summary>The number of neighbours.</summary>
    public int K { get; }

    /// <summary>The score of each row of <paramref name="x"/>; with <paramref name="leaveOneOut"/> (x is the reference itself), row i skips reference row i.</summary>
    /// <exception cref="ArgumentException">A width other than the reference's.</exception>
    public float[] Score(Matrix x, bool leaveOneOut = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Reference.Cols) throw new ArgumentException($"Rows of width {x.Cols}; the reference rows have {Reference.Cols}.", nameof(x));
        if (leaveOneOut && x.Rows != Reference.Rows) throw new ArgumentException("Leave-one-out scores the reference rows themselves.", nameof(x));
        var scores = new float[x.Rows];
        Parallel.For(0, x.Rows, () => new double[K], (i, _, nearest) =>
        {
            nearest.AsSpan().Fill(double.PositiveInfinity);
            var row = x.Row(i);
            for (int r = 0; r < Reference.Rows; r++)
            {
                if (leaveOneOut && r == i) continue;
                var other = Reference.Row(r);
                double d = 0;
                for (int j = 0; j < row.Length; j++) { double t = row[j] - other[j]; d += t * t; }
                if (d >= nearest[K - 1]) continue;
                int p = K - 1;
                while (p > 0 && nearest[p - 1] > d) { nearest[p] = nearest[p - 1]; p--; }
                nearest[p] = d;
            }
            double s = 0;
            foreach (var d in nearest) s += Math.Sqrt(d);
            scores[i] = (float)(s / K);
            return nearest;
        }, _ => { });
        return scores;
    }
}
