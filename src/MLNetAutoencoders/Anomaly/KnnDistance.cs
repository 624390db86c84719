using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// A k-nearest-neighbour score: the mean Euclidean distance from a row to its <see cref="K"/> nearest reference rows
/// (the training rows' codes, for the anomaly detector). A reference row scored against its own set leaves itself out.
/// </summary>
/// <remarks>
/// The search computes the squared distances of a block of rows to a block of reference rows at once, as
/// ‖a‖² + ‖b‖² − 2 a·b with the products from one matrix multiply (GEMM), so memory stays bounded by the two block
/// sizes; it keeps the k smallest per row, then recomputes those k distances exactly (in double precision, as a plain
/// loop over the coordinates would) for the score. The result equals the plain loop's to float rounding. Two reference
/// rows whose distances to a row differ by less than the products' float rounding may be ranked either way; the score
/// then changes by no more than that difference. The blocks are fixed in size and the score's k distances are summed in
/// one fixed order, so the same rows on one thread give the same scores, bit for bit.
/// </remarks>
public sealed class KnnDistance
{
    private const int QueryBlock = 256;
    private const int ReferenceBlock = 2048;
    private readonly float[] _referenceNorms;

    /// <summary>
    /// Keeps <paramref name="reference"/> (not copied: do not change it afterwards) with its rows' squared norms,
    /// <paramref name="k"/>, and the number of threads the search may use (its matrix products and its per-row scans).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> below 1, or not below the number of reference rows (leave-one-out needs k + 1 rows); <paramref name="threads"/> below 1.</exception>
    public KnnDistance(Matrix reference, int k = AnomalyDefaults.Neighbours, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "The number of neighbours k must be ≥ 1.");
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "The number of threads must be ≥ 1.");
        if (k >= reference.Rows)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"The number of neighbours k = {k} needs at least k + 1 = {k + 1} training rows; there are {reference.Rows}.");
        Reference = reference;
        K = k;
        Threads = threads;
        _referenceNorms = SquaredNorms(reference); // once, not at every Score call (a prediction engine's calls are one row each)
    }

    /// <summary>The reference rows.</summary>
    public Matrix Reference { get; }

    /// <summary>The number of neighbours.</summary>
    public int K { get; }

    /// <summary>The number of threads the search uses.</summary>
    public int Threads { get; }

    /// <summary>The score of each row of <paramref name="x"/>; with <paramref name="leaveOneOut"/> (x is the reference itself), row i skips reference row i.</summary>
    /// <exception cref="ArgumentException">A width other than the reference's.</exception>
    public float[] Score(Matrix x, bool leaveOneOut = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Reference.Cols) throw new ArgumentException($"Rows of width {x.Cols}; the reference rows have {Reference.Cols}.", nameof(x));
        if (leaveOneOut && x.Rows != Reference.Rows) throw new ArgumentException("Leave-one-out scores the reference rows themselves.", nameof(x));
        int n = Reference.Rows, cols = x.Cols, k = K;
        var refNorms = _referenceNorms;
        var rowNorms = ReferenceEquals(x, Reference) ? refNorms : SquaredNorms(x);
        int qb = Math.Min(QueryBlock, x.Rows), rb = Math.Min(ReferenceBlock, n);
        var gemm = qb > 1 ? Gemm.Create(GemmKind.Auto, Threads) : null;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
        var products = new float[qb * rb];
        var nearest = new float[qb * k];
        var index = new int[qb * k];
        var scores = new float[x.Rows];
        for (int q0 = 0; q0 < x.Rows; q0 += qb)
        {
            int qn = Math.Min(qb, x.Rows - q0);
            nearest.AsSpan().Fill(float.PositiveInfinity);
            index.AsSpan().Fill(-1);
            for (int r0 = 0; r0 < n; r0 += rb)
            {
                int rn = Math.Min(rb, n - r0);
                if (gemm is not null)
                    gemm.Sgemm(false, true, qn, rn, cols, -2f, x.Data.AsSpan(q0 * cols, qn * cols), cols,
                        Reference.Data.AsSpan(r0 * cols, rn * cols), cols, 0f, products, rb);
                else // one row (a prediction engine's): dot products, no GEMM packing
                    for (int r = 0; r < rn; r++) products[r] = -2f * TensorPrimitives.Dot(x.Row(q0), Reference.Row(r0 + r));
                Parallel.For(0, qn, parallel, i =>
                {
                    var best = nearest.AsSpan(i * k, k);
                    var at = index.AsSpan(i * k, k);
                    var p = products.AsSpan(i * rb, rn);
                    float own = rowNorms[q0 + i];
                    int self = leaveOneOut ? q0 + i - r0 : -1;
                    for (int r = 0; r < rn; r++)
                    {
                        float d = own + refNorms[r0 + r] + p[r];
                        if (d >= best[k - 1] || r == self) continue;
                        int s = k - 1;
                        while (s > 0 && best[s - 1] > d) { best[s] = best[s - 1]; at[s] = at[s - 1]; s--; }
                        best[s] = d;
                        at[s] = r0 + r;
                    }
                });
            }
            Parallel.For(0, qn, parallel, i =>
            {
                var row = x.Row(q0 + i);
                double s = 0;
                foreach (int r in index.AsSpan(i * k, k))
                    s += r < 0 ? double.NaN : Math.Sqrt(SquaredDistance(row, Reference.Row(r))); // < 0: NaN distances
                scores[q0 + i] = (float)(s / k);
            });
        }
        return scores;
    }

    private static float[] SquaredNorms(Matrix m)
    {
        var norms = new float[m.Rows];
        for (int i = 0; i < m.Rows; i++)
        {
            double s = 0;
            foreach (float v in m.Row(i)) s += (double)v * v;
            norms[i] = (float)s;
        }
        return norms;
    }

    private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double d = 0;
        for (int j = 0; j < a.Length; j++) { double t = a[j] - b[j]; d += t * t; }
        return d;
    }
}
