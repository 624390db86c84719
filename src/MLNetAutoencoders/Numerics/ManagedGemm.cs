using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// A packed, cache-blocked managed SGEMM with a 6×16 register-blocked AVX2/FMA micro-kernel
/// (portable <see cref="Vector256{T}"/> code where those instructions are missing).
/// Threads split the rows of C; every element of C is summed by one thread in the same order whatever
/// the thread count, so results are bit-identical for 1 or many threads.
/// An instance keeps its packing buffers between calls: it is not safe to call one instance from two threads at once.
/// </summary>
public sealed unsafe class ManagedGemm : IGemm
{
    private const int MR = 6, NR = 16, KC = 256, MC = 96, NC = 2048;
    /// <summary>Multiply-adds below which a product is not worth splitting across threads.</summary>
    internal const long MinWorkPerThread = 1 << 22;
    private readonly float[][] _aPack, _bPack;

    /// <summary>Creates the provider with the given number of threads (≥ 1).</summary>
    public ManagedGemm(int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        Threads = threads;
        _aPack = new float[threads][];
        _bPack = new float[threads][];
        for (int t = 0; t < threads; t++)
        {
            _aPack[t] = new float[MC * KC];
            _bPack[t] = Array.Empty<float>();
        }
    }

    /// <inheritdoc />
    public string Name => "managed";

    /// <inheritdoc />
    public int Threads { get; }

    internal static void CheckSizes(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), "GEMM dimensions must be ≥ 0.");
        long needA = transA ? (long)(k - 1) * lda + m : (long)(m - 1) * lda + k;
        long needB = transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n;
        long needC = (long)(m - 1) * ldc + n;
        if ((transA ? lda < m : lda < k) || aLen < needA) throw new ArgumentException($"A is too small for op(A) {m}×{k} with lda {lda}.");
        if ((transB ? ldb < k : ldb < n) || bLen < needB) throw new ArgumentException($"B is too small for op(B) {k}×{n} with ldb {ldb}.");
        if (ldc < n || cLen < needC) throw new ArgumentException($"C is too small for {m}×{n} with ldc {ldc}.");
    }

    internal static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        CheckSizes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        ScaleC(m, n, beta, c, ldc);
        if (alpha == 0f || k == 0) return;
        Run(transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, default, null);
    }

    /// <summary>
    /// <c>C = f(bias + op(A)·op(B))</c> with <paramref name="bias"/> (length n) added to every row and
    /// <paramref name="rowEpilogue"/> applied to each row of C (n values at a time, or in column blocks), inside the
    /// product's own threads while each thread's rows are still in cache. Bit for bit the same as filling C with the
    /// bias, calling <see cref="Sgemm"/> with <c>beta = 1</c>, then applying the epilogue to C: the bias is written
    /// before the first k-block and the epilogue runs after the last, on the same values in the same order.
    /// </summary>
    internal void SgemmBiasEpilogue(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, ReadOnlySpan<float> bias, Action<Span<float>>? rowEpilogue)
    {
        if (m == 0 || n == 0) return;
        CheckSizes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (bias.Length < n) throw new ArgumentException($"The bias has {bias.Length} values; C has {n} columns.", nameof(bias));
        if (k == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                bias[..n].CopyTo(row);
                rowEpilogue?.Invoke(row);
            }
            return;
        }
        Run(transA, transB, m, n, k, 1f, a, lda, b, ldb, c, ldc, bias, rowEpilogue);
    }

    private void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, ReadOnlySpan<float> bias, Action<Span<float>>? rowEpilogue)
    {
        // Split rows of C into contiguous chunks, one per thread, aligned to MR. A small product stays on one thread:
        // below about MinWorkPerThread multiply-adds a thread's share takes less time than handing it over.
        int threads = (int)Math.Clamp((long)m * n * k / MinWorkPerThread, 1, Math.Min(Threads, (m + MR - 1) / MR));
        int chunk = ((m + threads - 1) / threads + MR - 1) / MR * MR;
        int bNeed = KC * ((Math.Min(n, NC) + NR - 1) / NR * NR);
        for (int t = 0; t < threads; t++)
            if (_bPack[t].Length < bNeed) _bPack[t] = new float[bNeed];

        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c) fixed (float* pbias = bias)
        {
            var job = new Job
            {
                A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc, M = m, N = n, K = k, TransA = transA, TransB = transB, Alpha = alpha,
                Bias = pbias, RowEpilogue = rowEpilogue,
            };
            if (threads == 1)
            {
                fixed (float* ap = _aPack[0]) fixed (float* bp = _bPack[0]) RunRows(in job, 0, m, ap, bp);
                return;
            }
            // One hand-off per product: each thread packs the panels of B it needs itself (a copy of B per thread, a
            // small fraction of its multiply-adds) and runs all k-blocks of its rows without waiting for the others.
            var local = job;
            var aPacks = _aPack;
            var bPacks = _bPack;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int r0 = t * chunk, r1 = Math.Min(m, r0 + chunk);
                if (r0 >= r1) return;
                fixed (float* ap = aPacks[t]) fixed (float* bp = bPacks[t]) RunRows(in local, r0, r1, ap, bp);
            });
        }
    }

    private struct Job
    {
        public float* A, B, C, Bias;
        public int Lda, Ldb, Ldc, M, N, K;
        public bool TransA, TransB;
        public float Alpha;
        public Action<Span<float>>? RowEpilogue;
    }

    /// <summary>Rows r0 … r1−1 of C over every column block and k-block, in the same order whatever the thread count.</summary>
    private static void RunRows(in Job j, int r0, int r1, float* aPack, float* bPack)
    {
        for (int jc = 0; jc < j.N; jc += NC)
        {
            int nc = Math.Min(NC, j.N - jc);
            for (int p0 = 0; p0 < j.K; p0 += KC)
            {
                int kc = Math.Min(KC, j.K - p0);
                PackB(j.B, j.Ldb, j.TransB, p0, kc, jc, nc, bPack);
                for (int ic = r0; ic < r1; ic += MC)
                {
                    int mc = Math.Min(MC, r1 - ic);
                    if (j.Bias != null && p0 == 0)
                        for (int r = ic; r < ic + mc; r++)
                            new ReadOnlySpan<float>(j.Bias + jc, nc).CopyTo(new Span<float>(j.C + (long)r * j.Ldc + jc, nc));
                    PackA(j.A, j.Lda, j.TransA, ic, mc, p0, kc, aPack);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* bPanel = bPack + (jr / NR) * kc * NR;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            Kernel(kc, aPack + (ir / MR) * kc * MR, bPanel, j.C + (long)(ic + ir) * j.Ldc + jc + jr, j.Ldc, j.Alpha, mr, nr);
                        }
                    }
                    if (j.RowEpilogue != null && p0 + kc == j.K)
                        for (int r = ic; r < ic + mc; r++) j.RowEpilogue(new Span<float>(j.C + (long)r * j.Ldc + jc, nc));
                }
            }
        }
    }

    private static void PackA(float* a, int lda, bool trans, int i0, int mc, int p0, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* d = dst + (ir / MR) * kc * MR;
            if (!trans)
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r < mr)
                    {
                        float* src = a + (long)(i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) d[p * MR + r] = src[p];
                    }
                    else for (int p = 0; p < kc; p++) d[p * MR + r] = 0f;
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(p0 + p) * lda + i0 + ir;
                    float* dd = d + p * MR;
                    for (int r = 0; r < mr; r++) dd[r] = src[r];
                    for (int r = mr; r < MR; r++) dd[r] = 0f;
                }
            }
        }
    }

    private static void PackB(float* b, int ldb, bool trans, int p0, int kc, int j0, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* d = dst + (jr / NR) * kc * NR;
            if (!trans)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + (long)(p0 + p) * ldb + j0 + jr;
                    float* dd = d + p * NR;
                    if (nr == NR)
                    {
                        Vector256.Store(Vector256.Load(src), dd);
                        Vector256.Store(Vector256.Load(src + 8), dd + 8);
                    }
                    else
                    {
                        for (int q = 0; q < nr; q++) dd[q] = src[q];
                        for (int q = nr; q < NR; q++) dd[q] = 0f;
                    }
                }
            }
            else
            {
                for (int q = 0; q < NR; q++)
                {
                    if (q < nr)
                    {
                        float* src = b + (long)(j0 + jr + q) * ldb + p0;
                        for (int p = 0; p < kc; p++) d[p * NR + q] = src[p];
                    }
                    else for (int p = 0; p < kc; p++) d[p * NR + q] = 0f;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fmadd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    private static void Kernel(int kc, float* a, float* b, float* c, int ldc, float alpha, int mr, int nr)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Fmadd(x, b0, c00); c01 = Fmadd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fmadd(x, b0, c10); c11 = Fmadd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fmadd(x, b0, c20); c21 = Fmadd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fmadd(x, b0, c30); c31 = Fmadd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Fmadd(x, b0, c40); c41 = Fmadd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Fmadd(x, b0, c50); c51 = Fmadd(x, b1, c51);
            a += MR;
            b += NR;
        }
        var al = Vector256.Create(alpha);
        if (mr == MR && nr == NR)
        {
            Store(c, c00, c01, al); Store(c + ldc, c10, c11, al); Store(c + 2 * ldc, c20, c21, al);
            Store(c + 3 * ldc, c30, c31, al); Store(c + 4 * ldc, c40, c41, al); Store(c + 5 * ldc, c50, c51, al);
            return;
        }
        float* tile = stackalloc float[MR * NR];
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        for (int r = 0; r < mr; r++)
            for (int q = 0; q < nr; q++)
                c[(long)r * ldc + q] += alpha * tile[r * NR + q];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> v0, Vector256<float> v1, Vector256<float> alpha)
    {
        Vector256.Store(Fmadd(alpha, v0, Vector256.Load(c)), c);
        Vector256.Store(Fmadd(alpha, v1, Vector256.Load(c + 8)), c + 8);
    }
}
