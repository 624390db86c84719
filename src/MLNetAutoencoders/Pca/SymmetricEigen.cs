using System.Runtime.InteropServices;

namespace MLNetAutoencoders.Pca;

/// <summary>
/// The largest eigenpairs of a dense symmetric matrix in double precision. Uses LAPACK's <c>dsyevr</c> from the
/// OpenBLAS library when it can be loaded (it computes only the wanted eigenpairs), otherwise MathNet.Numerics'
/// managed symmetric eigendecomposition. Both give the same pairs up to rounding; signs are fixed by the caller.
/// </summary>
internal static unsafe class SymmetricEigen
{
    private static readonly string[] LapackCandidates =
    {
        "libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "liblapack.so.3", "libopenblas.dylib", "libopenblas.dll",
    };

    /// <summary>
    /// The <paramref name="k"/> largest eigenvalues of the symmetric <paramref name="n"/>×<paramref name="n"/> matrix
    /// <paramref name="a"/> (row-major; it is overwritten), in descending order, with unit eigenvectors as rows of
    /// <c>Vectors</c> (<paramref name="k"/>×<paramref name="n"/>, row-major).
    /// </summary>
    public static (double[] Values, double[] Vectors) Top(double[] a, int n, int k, bool allowNative = true)
    {
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{n}.");
        if (a.Length < (long)n * n) throw new ArgumentException($"The matrix needs {n * n} values; it has {a.Length}.", nameof(a));
        if (allowNative && TryLapack(a, n, k, out var result)) return result;
        return Managed(a, n, k);
    }

    private static (double[] Values, double[] Vectors) Managed(double[] a, int n, int k)
    {
        // Symmetric, so row-major and column-major storage are the same matrix.
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, a);
        var evd = m.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        var vals = evd.EigenValues;
        var vecs = evd.EigenVectors;
        // MathNet sorts symmetric eigenvalues ascending; sort explicitly to be safe.
        var order = Enumerable.Range(0, n).OrderByDescending(i => vals[i].Real).ToArray();
        var values = new double[k];
        var vectors = new double[(long)k * n];
        for (int r = 0; r < k; r++)
        {
            values[r] = vals[order[r]].Real;
            for (int i = 0; i < n; i++) vectors[(long)r * n + i] = vecs[i, order[r]];
        }
        return (values, vectors);
    }

    private static bool TryLapack(double[] a, int n, int k, out (double[] Values, double[] Vectors) result)
    {
        result = default;
        nint fn = 0;
        foreach (var name in LapackCandidates)
        {
            if (NativeLibrary.TryLoad(name, out var lib) && NativeLibrary.TryGetExport(lib, "dsyevr_", out fn)) break;
            fn = 0;
        }
        if (fn == 0) return false;
        // Fortran dsyevr(JOBZ, RANGE, UPLO, N, A, LDA, VL, VU, IL, IU, ABSTOL, M, W, Z, LDZ, ISUPPZ, WORK, LWORK,
        // IWORK, LIWORK, INFO) followed by the hidden lengths of the three character arguments.
        var dsyevr = (delegate* unmanaged<byte*, byte*, byte*, int*, double*, int*, double*, double*, int*, int*, double*,
            int*, double*, double*, int*, int*, double*, int*, int*, int*, int*, nint, nint, nint, void>)fn;
        byte jobz = (byte)'V', range = (byte)'I', uplo = (byte)'L';
        int nn = n, lda = n, il = n - k + 1, iu = n, m = 0, ldz = n, info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
        double vl = 0, vu = 0, abstol = 0, workQuery = 0;
        var w = new double[n];
        var z = new double[(long)n * k];
        var isuppz = new int[2 * Math.Max(1, k)];
        fixed (double* pa = a) fixed (double* pw = w) fixed (double* pz = z) fixed (int* ps = isuppz)
        {
            dsyevr(&jobz, &range, &uplo, &nn, pa, &lda, &vl, &vu, &il, &iu, &abstol, &m, pw, pz, &ldz, ps,
                &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1, 1);
            if (info != 0) return false;
            lwork = Math.Max(1, (int)workQuery);
            liwork = Math.Max(1, iworkQuery);
            var work = new double[lwork];
            var iwork = new int[liwork];
            fixed (double* pwork = work) fixed (int* piwork = iwork)
            {
                dsyevr(&jobz, &range, &uplo, &nn, pa, &lda, &vl, &vu, &il, &iu, &abstol, &m, pw, pz, &ldz, ps,
                    pwork, &lwork, piwork, &liwork, &info, 1, 1, 1);
            }
        }
        // The matrix has been overwritten, so a failure here cannot fall back to the managed path.
        if (info != 0 || m != k) throw new InvalidOperationException($"LAPACK dsyevr failed (info {info}, {m} of {k} eigenpairs).");
        // Ascending order on return; column j of z (column-major, n rows) is the eigenvector of w[j].
        var values = new double[k];
        var vectors = new double[(long)k * n];
        for (int r = 0; r < k; r++)
        {
            int j = k - 1 - r;
            values[r] = w[j];
            Array.Copy(z, (long)j * n, vectors, (long)r * n, n);
        }
        result = (values, vectors);
        return true;
    }
}
