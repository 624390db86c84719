using System.Numerics.Tensors;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// Single-precision general matrix multiply on row-major storage:
/// <c>C = alpha · op(A) · op(B) + beta · C</c>, where <c>op(A)</c> is <c>m×k</c> and <c>op(B)</c> is <c>k×n</c>.
/// </summary>
public interface IGemm
{
    /// <summary>A short name: <c>managed</c> or <c>openblas</c>.</summary>
    string Name { get; }

    /// <summary>Number of threads the provider uses for one call.</summary>
    int Threads { get; }

    /// <summary>Computes <c>C = alpha · op(A) · op(B) + beta · C</c> (row-major; <paramref name="lda"/> etc. are row strides).</summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}

/// <summary>Which GEMM provider to use.</summary>
public enum GemmKind
{
    /// <summary>OpenBLAS when its library can be loaded, otherwise the managed kernel.</summary>
    Auto,
    /// <summary>The vectorised managed kernel (always available).</summary>
    Managed,
    /// <summary>OpenBLAS's <c>cblas_sgemm</c>, loaded at run time; an error if it is missing.</summary>
    OpenBlas,
}

/// <summary>Creates GEMM providers and offers matrix-level helpers.</summary>
public static class Gemm
{
    /// <summary>Creates a provider of the given kind with the given thread count (≥ 1).</summary>
    public static IGemm Create(GemmKind kind = GemmKind.Auto, int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        return kind switch
        {
            GemmKind.Managed => new ManagedGemm(threads),
            GemmKind.OpenBlas => OpenBlasGemm.TryCreate(threads, out var why) ?? throw new InvalidOperationException(
                $"OpenBLAS was asked for but could not be loaded ({why}). Install it with: apt-get install libopenblas0-pthread"),
            _ => (IGemm?)OpenBlasGemm.TryCreate(threads, out _) ?? new ManagedGemm(threads),
        };
    }

    /// <summary>Parses <c>auto</c>, <c>managed</c> or <c>openblas</c>.</summary>
    public static GemmKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "auto" => GemmKind.Auto,
        "managed" => GemmKind.Managed,
        "openblas" => GemmKind.OpenBlas,
        _ => throw new ArgumentException($"Unknown GEMM provider '{text}'; expected auto, managed or openblas."),
    };

    /// <summary>
    /// <c>C = alpha · op(A) · op(B) + beta · C</c> on whole matrices; checks shapes. A single row of A (the one-row
    /// inference of a prediction engine) takes a vector path instead of the provider: blocked GEMM kernels pack their
    /// operands, which costs far more than the product itself when A has one row.
    /// </summary>
    public static void Multiply(this IGemm gemm, Matrix a, bool transA, Matrix b, bool transB, Matrix c, float alpha = 1, float beta = 0)
    {
        int m = transA ? a.Cols : a.Rows, k = transA ? a.Rows : a.Cols;
        int kb = transB ? b.Cols : b.Rows, n = transB ? b.Rows : b.Cols;
        if (k != kb || c.Rows != m || c.Cols != n)
            throw new ArgumentException($"Shapes do not multiply: op(A) {m}×{k}, op(B) {kb}×{n}, C {c.Rows}×{c.Cols}.");
        if (m == 1 && !transA) RowTimes(a.Data.AsSpan(0, k), b, transB, c.Data.AsSpan(0, n), alpha, beta);
        else gemm.Sgemm(transA, transB, m, n, k, alpha, a.Data, a.Cols, b.Data, b.Cols, beta, c.Data, c.Cols);
    }

    /// <summary><c>c = alpha · a · op(B) + beta · c</c> for one row <paramref name="a"/>: dot products with B's rows (op(B) = Bᵀ), or a sum of B's rows weighted by a.</summary>
    private static void RowTimes(ReadOnlySpan<float> a, Matrix b, bool transB, Span<float> c, float alpha, float beta)
    {
        if (beta == 0) c.Clear();
        else if (beta != 1) TensorPrimitives.Multiply(c, beta, c);
        if (transB)
        {
            for (int j = 0; j < c.Length; j++) c[j] += alpha * TensorPrimitives.Dot(a, b.Row(j));
            return;
        }
        for (int p = 0; p < a.Length; p++)
        {
            float w = alpha * a[p];
            if (w != 0) TensorPrimitives.MultiplyAdd(b.Row(p), w, c, c);
        }
    }
}
