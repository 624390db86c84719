using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pca;

/// <summary>
/// Per-column statistics of a float matrix accumulated in double precision, split over row ranges on several threads.
/// Shared by PCA and the scalers.
/// </summary>
internal static class ColumnStats
{
    /// <summary>Column sums, in double.</summary>
    public static double[] Sums(Matrix x, int threads)
    {
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows; column statistics need at least one.", nameof(x));
        return Reduce(x, threads, null, false).Sums;
    }

    /// <summary>Column means, in double.</summary>
    public static double[] Means(Matrix x, int threads)
    {
        var sums = Sums(x, threads);
        for (int j = 0; j < sums.Length; j++) sums[j] /= x.Rows;
        return sums;
    }

    /// <summary>Column sums of <c>(x − mean)²</c>, in double (two-pass, so constant columns give exactly 0).</summary>
    public static double[] CentredSquares(Matrix x, double[] mean, int threads)
    {
        if (mean.Length != x.Cols) throw new ArgumentException($"The mean has {mean.Length} values; the matrix has {x.Cols} columns.", nameof(mean));
        var m = new float[mean.Length];
        for (int j = 0; j < m.Length; j++) m[j] = (float)mean[j];
        // Centre on the float mean (exact for constant columns), then correct for the float rounding of the mean:
        // Σ(x − μ)² = Σ(x − m)² − n(μ − m)² where m is the float mean.
        var s = Reduce(x, threads, m, false).Sums;
        for (int j = 0; j < s.Length; j++)
        {
            double delta = mean[j] - m[j];
            s[j] = Math.Max(0, s[j] - x.Rows * delta * delta);
        }
        return s;
    }

    /// <summary>Column sums and column sums of squares in one pass, in double.</summary>
    public static (double[] Sums, double[] Squares) SumsAndSquares(Matrix x, int threads)
    {
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows; column statistics need at least one.", nameof(x));
        var (sums, squares) = Reduce(x, threads, null, true);
        return (sums, squares!);
    }

    /// <summary>Column minima and maxima.</summary>
    public static (float[] Min, float[] Max) MinMax(Matrix x)
    {
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows; column statistics need at least one.", nameof(x));
        var min = x.Row(0).ToArray();
        var max = x.Row(0).ToArray();
        for (int i = 1; i < x.Rows; i++)
        {
            TensorPrimitives.Min(min, x.Row(i), min);
            TensorPrimitives.Max(max, x.Row(i), max);
        }
        return (min, max);
    }

    /// <summary>
    /// Sums each column (or, with <paramref name="centre"/>, each column's squared deviations from it) in double;
    /// with <paramref name="squares"/> also the sums of squares.
    /// </summary>
    private static (double[] Sums, double[]? Squares) Reduce(Matrix x, int threads, float[]? centre, bool squares)
    {
        int n = x.Rows, d = x.Cols;
        int parts = Math.Clamp(Math.Min(threads, (int)((long)n * d / 65536)), 1, Math.Max(1, n));
        var partial = new double[parts][];
        var partialSquares = new double[parts][];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int r0 = (int)((long)n * p / parts), r1 = (int)((long)n * (p + 1) / parts);
            var acc = new double[d];
            var acc2 = squares ? new double[d] : null;
            var tmp = centre is null ? null : new float[d];
            for (int i = r0; i < r1; i++)
            {
                ReadOnlySpan<float> row = x.Row(i);
                if (centre is not null)
                {
                    TensorPrimitives.Subtract(row, centre, tmp);
                    TensorPrimitives.Multiply(tmp, tmp, tmp);
                    row = tmp;
                }
                AddWidened(row, acc);
                if (acc2 is not null) AddWidenedSquares(row, acc2);
            }
            partial[p] = acc;
            partialSquares[p] = acc2!;
        });
        for (int p = 1; p < parts; p++)
        {
            TensorPrimitives.Add(partial[0], partial[p], partial[0]);
            if (squares) TensorPrimitives.Add(partialSquares[0], partialSquares[p], partialSquares[0]);
        }
        return (partial[0], squares ? partialSquares[0] : null);
    }

    /// <summary><c>acc[j] += (double)v[j]²</c> (squared in double), vectorised.</summary>
    private static void AddWidenedSquares(ReadOnlySpan<float> v, Span<double> acc)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= v.Length; j += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(v.Slice(j, 8)));
                (Vector256.Create((ReadOnlySpan<double>)acc.Slice(j, 4)) + lo * lo).CopyTo(acc.Slice(j, 4));
                (Vector256.Create((ReadOnlySpan<double>)acc.Slice(j + 4, 4)) + hi * hi).CopyTo(acc.Slice(j + 4, 4));
            }
        }
        for (; j < v.Length; j++) acc[j] += (double)v[j] * v[j];
    }

    /// <summary><c>acc[j] += (double)v[j]</c>, vectorised.</summary>
    internal static void AddWidened(ReadOnlySpan<float> v, Span<double> acc)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= v.Length; j += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Create(v.Slice(j, 8)));
                (Vector256.Create((ReadOnlySpan<double>)acc.Slice(j, 4)) + lo).CopyTo(acc.Slice(j, 4));
                (Vector256.Create((ReadOnlySpan<double>)acc.Slice(j + 4, 4)) + hi).CopyTo(acc.Slice(j + 4, 4));
            }
        }
        for (; j < v.Length; j++) acc[j] += v[j];
    }
}
