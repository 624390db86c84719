using System.Runtime.InteropServices;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// GEMM through OpenBLAS's <c>cblas_sgemm</c>, resolved at run time with <see cref="NativeLibrary"/>
/// (no build-time dependency). The library's own thread count is process-wide, so it is set before each call
/// whenever it differs from this provider's.
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    private static readonly string[] Candidates =
    {
        "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.dylib", "libopenblas.dll",
    };

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, void> _setThreads;
    private readonly delegate* unmanaged<int> _getThreads;

    private OpenBlasGemm(nint lib, int threads)
    {
        _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)NativeLibrary.GetExport(lib, "cblas_sgemm");
        NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var set);
        NativeLibrary.TryGetExport(lib, "openblas_get_num_threads", out var get);
        _setThreads = (delegate* unmanaged<int, void>)set;
        _getThreads = (delegate* unmanaged<int>)get;
        Threads = threads;
        LibraryPath = "libopenblas";
    }

    /// <summary>Where the library was found.</summary>
    public string LibraryPath { get; private init; }

    /// <inheritdoc />
    public string Name => "openblas";

    /// <inheritdoc />
    public int Threads { get; }

    /// <summary>Loads OpenBLAS; null (with the reason) when it is not present.</summary>
    public static OpenBlasGemm? TryCreate(int threads, out string reason)
    {
        foreach (var name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, out var lib))
            {
                if (!NativeLibrary.TryGetExport(lib, "cblas_sgemm", out _)) continue;
                reason = "";
                return new OpenBlasGemm(lib, threads) { LibraryPath = name };
            }
        }
        reason = "none of " + string.Join(", ", Candidates) + " could be loaded";
        return null;
    }

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { ManagedGemm.ScaleC(m, n, beta, c, ldc); return; }
        ManagedGemm.CheckSizes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (_setThreads != null && (_getThreads == null || _getThreads() != Threads)) _setThreads(Threads);
        const int RowMajor = 101, NoTrans = 111, Trans = 112;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
