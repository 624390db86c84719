using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pca;

/// <summary>
/// The PCA solvers behind <see cref="PcaModel.Fit"/>. Neither copies the data to centre it: the exact solver centres
/// blocks of rows into a small buffer, the randomised one applies the centring as a rank-one correction to each product.
/// </summary>
internal static class PcaFitter
{
    /// <summary>Fits PCA; <paramref name="allowNativeEigen"/> = false forces the managed eigensolver (for tests).</summary>
    public static PcaModel Fit(Matrix x, PcaOptions o, bool allowNativeEigen = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        int n = x.Rows, d = x.Cols;
        if (n < 2) throw new ArgumentException($"PCA needs at least 2 rows; the matrix has {n}.", nameof(x));
        if (d < 1) throw new ArgumentException("PCA needs at least 1 column; the matrix has none.", nameof(x));
        if (o.Components > Math.Min(n, d))
            throw new ArgumentOutOfRangeException(nameof(o.Components), o.Components,
                $"PcaOptions.Components must be ≤ min(rows, columns) = {Math.Min(n, d)} for a {n}×{d} matrix.");

        var gemm = o.Gemm ?? Gemm.Create(GemmKind.Auto, o.Threads);
        var solver = o.ResolveSolver(n, d);
        // The randomised solver needs the total variance from the data; the exact one reads it off the scatter.
        var (sums, squares) = solver == PcaSolver.Randomized ? ColumnStats.SumsAndSquares(x, o.Threads) : (ColumnStats.Sums(x, o.Threads), null);
        var meanD = new double[d];
        for (int j = 0; j < d; j++) meanD[j] = sums[j] / n;
        foreach (var v in meanD)
            if (!double.IsFinite(v)) x.ThrowIfNotFinite("PCA input"); // a NaN/∞ anywhere makes its column sum non-finite
        if (!o.Center) Array.Clear(meanD);
        var mean = new float[d];
        for (int j = 0; j < d; j++) mean[j] = (float)meanD[j];

        int k = o.Components;
        double[] eig, vectors;
        double totalScatter;
        if (solver == PcaSolver.Exact)
        {
            var s = Scatter(x, o.Center ? mean : null, gemm);
            totalScatter = 0;
            for (int j = 0; j < d; j++) totalScatter += s[(long)j * d + j];
            (eig, vectors) = SymmetricEigen.Top(s, d, k, allowNativeEigen);
        }
        else
        {
            var rng = new Rng(o.Seed);
            (eig, vectors) = Randomized(x, o.Center ? mean : null, k, o.Oversampling, o.ResolvePowerIterations(n, d), gemm, rng, allowNativeEigen);
            // ‖X − 1·meanᵀ‖²_F = Σ x² − N·Σ mean², from sums in double (the cancellation costs nothing at float precision).
            totalScatter = 0;
            for (int j = 0; j < d; j++) totalScatter += squares![j] - n * meanD[j] * meanD[j];
            totalScatter = Math.Max(0, totalScatter);
        }
        FlipSigns(vectors, k, d);

        var components = new Matrix(k, d);
        for (long i = 0; i < (long)k * d; i++) components.Data[i] = (float)vectors[i];
        var variance = new double[k];
        var ratio = new double[k];
        var singular = new double[k];
        double totalVariance = totalScatter / (n - 1), explained = 0;
        for (int r = 0; r < k; r++)
        {
            double lambda = Math.Max(0, eig[r]);
            singular[r] = Math.Sqrt(lambda);
            variance[r] = lambda / (n - 1);
            ratio[r] = totalVariance > 0 ? variance[r] / totalVariance : 0;
            explained += variance[r];
        }
        int rest = Math.Min(n, d) - k;
        double noise = rest > 0 ? Math.Max(0, (totalVariance - explained) / rest) : 0;
        return new PcaModel(mean, components, variance, ratio, singular, noise, o.Whiten, n, solver);
    }

    /// <summary>
    /// The d×d scatter <c>Σ (x_i − m)(x_i − m)ᵀ</c> in double (row-major), with <paramref name="mean"/> = null meaning
    /// no centring. Blocks of rows are centred into a buffer and multiplied with float GEMM; the block products are
    /// summed in double, so rounding grows with the block size only.
    /// </summary>
    internal static double[] Scatter(Matrix x, float[]? mean, IGemm gemm)
    {
        int n = x.Rows, d = x.Cols;
        int block = Math.Clamp(4_000_000 / d, 256, 4096);
        // Only the upper block triangle of each product is computed (a hand-made SYRK): with two column blocks that is
        // three GEMMs doing 3/4 of the work; the lower-left block is mirrored at the end.
        int split = d >= 512 ? 2 : 1, h = d / 2;
        var acc = new double[(long)d * d];
        var product = new float[(long)d * d];
        var buffer = mean is null ? null : new float[(long)Math.Min(block, n) * d];
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            var a = x.Data.AsMemory(start * d, rows * d);
            if (buffer is not null)
            {
                var src = a;
                Parallel.For(0, gemm.Threads, new ParallelOptions { MaxDegreeOfParallelism = gemm.Threads }, t =>
                {
                    for (int i = rows * t / gemm.Threads; i < rows * (t + 1) / gemm.Threads; i++)
                        TensorPrimitives.Subtract(src.Span.Slice(i * d, d), mean, buffer.AsSpan(i * d, d));
                });
                a = buffer.AsMemory(0, rows * d);
            }
            var s = a.Span;
            if (split == 1)
                gemm.Sgemm(true, false, d, d, rows, 1f, s, d, s, d, 0f, product, d);
            else
            {
                gemm.Sgemm(true, false, h, h, rows, 1f, s, d, s, d, 0f, product, d);
                gemm.Sgemm(true, false, h, d - h, rows, 1f, s, d, s[h..], d, 0f, product.AsSpan(h), d);
                gemm.Sgemm(true, false, d - h, d - h, rows, 1f, s[h..], d, s[h..], d, 0f, product.AsSpan(h * d + h), d);
            }
            ColumnStats.AddWidened(product, acc);
        }
        if (split == 2)
            for (int i = h; i < d; i++)
                for (int j = 0; j < h; j++) acc[(long)i * d + j] = acc[(long)j * d + i];
        return acc;
    }

    /// <summary>
    /// Randomised PCA on the transpose (Halko et al., algorithm 4.4 applied to X_cᵀ): a Gaussian N×l sketch gives
    /// <c>Z = orth(X_cᵀΩ)</c>; each power iteration sets <c>Z = orth(X_cᵀ(X_c Z))</c>; then the eigenpairs of
    /// <c>(X_c Z)ᵀ(X_c Z)</c> rotate Z into the components. 2q + 2 products with X, like scikit-learn's randomized_svd,
    /// done block by block of rows so that each power iteration reads X from memory once.
    /// </summary>
    private static (double[] Values, double[] Vectors) Randomized(Matrix x, float[]? mean, int k, int oversampling,
        int powerIterations, IGemm gemm, Rng rng, bool allowNativeEigen)
    {
        int d = x.Cols;
        int l = Math.Min(k + oversampling, Math.Min(x.Rows, d));
        var w = new Matrix(d, l);
        var z = new Matrix(d, l);
        var basis = new double[(long)l * d]; // Z's columns, as rows, in double
        Pass(x, mean, z, gemm, w, null, rng);
        Orthonormalise(w, basis, z, rng);
        for (int it = 0; it < powerIterations; it++)
        {
            Pass(x, mean, z, gemm, w, null, null);
            Orthonormalise(w, basis, z, rng);
        }
        var gram = new double[l * l];
        Pass(x, mean, z, gemm, null, gram, null);
        var (values, small) = SymmetricEigen.Top(gram, l, k, allowNativeEigen);
        var vectors = new double[(long)k * d];
        for (int r = 0; r < k; r++)
        {
            var dest = vectors.AsSpan(r * d, d);
            for (int j = 0; j < l; j++)
                TensorPrimitives.MultiplyAdd(basis.AsSpan(j * d, d), small[(long)r * l + j], dest, dest);
        }
        return (values, vectors);
    }

    /// <summary>
    /// One pass over the rows of X in blocks, with <c>Y = X_c·Z</c> (or, given <paramref name="sketch"/>, a fresh
    /// Gaussian Y) computed per block: accumulates <c>w = X_cᵀ·Y</c> (d×l) and/or <c>gram += YᵀY</c> (l×l, double).
    /// X_c = X − 1·meanᵀ is never formed: the centring is a rank-one correction of each product (tests show no loss of
    /// accuracy even when the mean is thousands of times the spread, as the rounding errors average out).
    /// </summary>
    private static void Pass(Matrix x, float[]? mean, Matrix z, IGemm gemm, Matrix? w, double[]? gram, Rng? sketch)
    {
        int n = x.Rows, d = x.Cols, l = z.Cols;
        int block = Math.Clamp((1 << 22) / d, 64, 2048);
        var y = new float[block * l];
        var shift = new float[l];
        if (mean is not null && sketch is null)
        {
            var s = new double[l];
            for (int i = 0; i < d; i++)
                for (int j = 0; j < l; j++) s[j] += (double)mean[i] * z[i, j];
            for (int j = 0; j < l; j++) shift[j] = (float)s[j];
        }
        var colSums = new double[l];
        var gramBlock = gram is null ? null : new float[l * l];
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            ReadOnlySpan<float> xb = x.Data.AsSpan(start * d, rows * d);
            var yb = y.AsSpan(0, rows * l);
            if (sketch is not null) sketch.FillGaussian(yb);
            else
            {
                gemm.Sgemm(false, false, rows, l, d, 1f, xb, d, z.Data, l, 0f, yb, l);
                if (mean is not null)
                    for (int i = 0; i < rows; i++) TensorPrimitives.Subtract(yb.Slice(i * l, l), shift, yb.Slice(i * l, l));
            }
            if (w is not null)
            {
                gemm.Sgemm(true, false, d, l, rows, 1f, xb, d, yb, l, start == 0 ? 0f : 1f, w.Data, l);
                if (mean is not null)
                    for (int i = 0; i < rows; i++) ColumnStats.AddWidened(yb.Slice(i * l, l), colSums);
            }
            if (gramBlock is not null)
            {
                gemm.Sgemm(true, false, l, l, rows, 1f, yb, l, yb, l, 0f, gramBlock, l);
                ColumnStats.AddWidened(gramBlock, gram);
            }
        }
        if (w is not null && mean is not null)
        {
            var s = new float[l];
            for (int j = 0; j < l; j++) s[j] = (float)colSums[j];
            for (int i = 0; i < d; i++) TensorPrimitives.MultiplyAdd(s, -mean[i], w.Row(i), w.Row(i));
        }
    }

    /// <summary>
    /// Modified Gram–Schmidt with one re-orthogonalisation pass, in double, on the columns of <paramref name="w"/>
    /// (d×l). The orthonormal columns go to <paramref name="basis"/> (as rows) and to <paramref name="z"/> (float d×l).
    /// A column that vanishes (the data has lower rank) is replaced by a random direction, so the basis stays complete.
    /// </summary>
    internal static void Orthonormalise(Matrix w, double[] basis, Matrix z, Rng rng)
    {
        int d = w.Rows, l = w.Cols;
        for (int j = 0; j < l; j++)
        {
            var v = basis.AsSpan(j * d, d);
            for (int i = 0; i < d; i++) v[i] = w[i, j];
            for (int attempt = 0; ; attempt++)
            {
                double before = Math.Sqrt(TensorPrimitives.Dot<double>(v, v));
                for (int pass = 0; pass < 2; pass++)
                    for (int p = 0; p < j; p++)
                    {
                        var q = basis.AsSpan(p * d, d);
                        TensorPrimitives.MultiplyAdd(q, -TensorPrimitives.Dot<double>(q, v), v, v);
                    }
                double norm = Math.Sqrt(TensorPrimitives.Dot<double>(v, v));
                if (norm > 1e-12 * before && norm > 0)
                {
                    TensorPrimitives.Multiply(v, 1 / norm, v);
                    break;
                }
                if (attempt == 3) throw new InvalidOperationException("Could not complete an orthonormal basis (internal error).");
                for (int i = 0; i < d; i++) v[i] = rng.NextGaussian();
            }
            for (int i = 0; i < d; i++) z[i, j] = (float)v[i];
        }
    }

    /// <summary>Makes the entry of largest magnitude in each row positive (the first one on ties).</summary>
    internal static void FlipSigns(double[] vectors, int k, int d)
    {
        for (int r = 0; r < k; r++)
        {
            var row = vectors.AsSpan(r * d, d);
            int best = 0;
            for (int i = 1; i < d; i++)
                if (Math.Abs(row[i]) > Math.Abs(row[best])) best = i;
            if (row[best] < 0) TensorPrimitives.Negate(row, row);
        }
    }
}
