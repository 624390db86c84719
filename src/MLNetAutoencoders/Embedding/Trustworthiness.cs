using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Embedding;

/// <summary>How well a low-dimensional layout keeps the data's local neighbourhoods.</summary>
public static class Trustworthiness
{
    /// <summary>
    /// Trustworthiness (Venna &amp; Kaski) with <paramref name="neighbors"/> neighbours, as scikit-learn defines it:
    /// 1 − 2 / (N k (2N − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢ} (r(i, j) − k), where Uᵢ are the points among i's k nearest in the
    /// layout that are not among its k nearest in the data, and r(i, j) is j's rank among i's neighbours in the data
    /// (Euclidean distances; ties broken by row order). 1 means every layout neighbour is a data neighbour.
    /// </summary>
    /// <exception cref="ArgumentException">Row counts differ, or k is not below N / 2.</exception>
    public static double Compute(Matrix data, Matrix layout, int neighbors = 5)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(layout);
        int n = data.Rows, k = neighbors;
        if (layout.Rows != n) throw new ArgumentException($"The layout has {layout.Rows} rows; the data has {n}.", nameof(layout));
        if (k < 1 || k >= n / 2.0) throw new ArgumentOutOfRangeException(nameof(neighbors), k, $"neighbors must be ≥ 1 and below N / 2 ({n / 2.0}).");
        var rank = new int[n];
        var order = new int[n];
        var dist = new float[n];
        double penalty = 0;
        for (int i = 0; i < n; i++)
        {
            Sorted(data, i, order, dist);
            for (int r = 0; r < n; r++) rank[order[r]] = r; // order[0] is i itself (distance 0): neighbours rank 1, 2, …
            Sorted(layout, i, order, dist);
            for (int r = 1; r <= k; r++)
            {
                int j = order[r];
                if (rank[j] > k) penalty += rank[j] - k;
            }
        }
        return 1 - penalty * 2.0 / (n * (double)k * (2.0 * n - 3.0 * k - 1.0));
    }

    /// <summary>Row indices by distance from row <paramref name="i"/> (i first), ties by index.</summary>
    private static void Sorted(Matrix x, int i, int[] order, float[] dist)
    {
        var xi = x.Row(i);
        for (int j = 0; j < x.Rows; j++)
        {
            order[j] = j;
            dist[j] = j == i ? float.NegativeInfinity : TensorPrimitives.Distance(xi, x.Row(j));
        }
        Array.Sort(order, (a, b) => dist[a] != dist[b] ? dist[a].CompareTo(dist[b]) : a.CompareTo(b));
    }
}
