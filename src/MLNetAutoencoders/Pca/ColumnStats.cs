using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pca;

/// <summary>
/// Per-column sums (and sums of squares) of a float matrix accumulated in double precision, split over row ranges on
/// several threads, for PCA's centring and scaling.
/// </summary>
internal static class ColumnStats
{
    /// <summary>Column sums, in double.</summary>
    public static double[] Sums(Matrix x, int threads)
    {
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows; column statistics need at least one.", nameof(x));
        return Reduce(x, threads, false).Sums;
    }

    /// <summary>Column sums and column sums of squares in one pass, in double.</summary>
    public static (double[] Sums, double[] Squares) SumsAndSquares(Matrix x, int threads)
    {
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows; column statistics need at least one.", nameof(x));
        var (sums, squares) = Reduce(x, threads, true);
        return (sums, squares!);
    }

    /// <summary>Sums each column in double; with <paramref name="squares"/> also the sums of squares.</summary>
    private static (double[] Sums, double[]? Squares) Reduce(Matrix x, int threads, bool squares)
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
            for (int i = r0; i < r1; i++)
            {
                ReadOnlySpan<float> row = x.Row(i);
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
