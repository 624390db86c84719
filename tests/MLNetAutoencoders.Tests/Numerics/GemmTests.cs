using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Numerics;

public class GemmTests
{
    private static double[] Reference(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        var r = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                r[i * n + j] = alpha * s + beta * c[i * ldc + j];
            }
        return r;
    }

    public static IEnumerable<object[]> Cases()
    {
        foreach (var kind in new[] { GemmKind.Managed, GemmKind.OpenBlas })
            foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 19, 5), (13, 33, 300), (97, 40, 17), (200, 70, 513) })
                foreach (var ta in new[] { false, true })
                    foreach (var tb in new[] { false, true })
                        yield return new object[] { kind, m, n, k, ta, tb };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sgemm_MatchesDoublePrecisionReference(GemmKind kind, int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Rng((ulong)(m * 1000 + n * 10 + k));
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
        var a = new float[(ta ? k : m) * lda];
        var b = new float[(tb ? n : k) * ldb];
        var c = new float[m * ldc];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c, -1, 1);
        var expected = Reference(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, c, ldc);
        foreach (var threads in new[] { 1, 2 })
        {
            var cc = (float[])c.Clone();
            Gemm.Create(kind, threads).Sgemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 0.3f, cc, ldc);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(cc[i * ldc + j] - expected[i * n + j]) <= 1e-4 * Math.Sqrt(k) + 1e-5,
                        $"{kind} t{threads} C[{i},{j}] = {cc[i * ldc + j]}, expected {expected[i * n + j]}");
            for (int j = n; j < ldc; j++) Assert.Equal(c[j], cc[j]); // padding untouched
        }
    }

    [Fact]
    public void ManagedAndOpenBlas_AgreeOnLayerShapes()
    {
        var rng = new Rng(9);
        var x = new Matrix(512, 784); var w = new Matrix(256, 784);
        rng.FillUniform(x.Span, 0, 1); rng.FillUniform(w.Span, -0.1f, 0.1f);
        var y1 = new Matrix(512, 256); var y2 = new Matrix(512, 256);
        Gemm.Create(GemmKind.Managed, 2).Multiply(x, false, w, true, y1);
        Gemm.Create(GemmKind.OpenBlas, 2).Multiply(x, false, w, true, y2);
        for (int i = 0; i < y1.Length; i++) Assert.True(Math.Abs(y2.Data[i] - y1.Data[i]) < 1e-4, $"[{i}] {y1.Data[i]} vs {y2.Data[i]}");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Managed_IsBitIdenticalAcrossThreadCounts(bool transA, bool transB)
    {
        // k = 600: three k-blocks; n = 2100: two column blocks and a partial panel; m = 302: a partial row tile per thread.
        int m = 302, n = 2100, k = 600;
        var rng = new Rng(4);
        var a = transA ? new Matrix(k, m) : new Matrix(m, k);
        var b = transB ? new Matrix(n, k) : new Matrix(k, n);
        rng.FillUniform(a.Span, -1, 1); rng.FillUniform(b.Span, -1, 1);
        var c1 = new Matrix(m, n); var c2 = new Matrix(m, n); var c3 = new Matrix(m, n);
        rng.FillUniform(c1.Span, -1, 1);
        c1.Span.CopyTo(c2.Span); c1.Span.CopyTo(c3.Span);
        double spot = 0.3 * c1[301, 2090]; // one element of the last row tile and the last panel, in double
        for (int p = 0; p < k; p++) spot += 0.7 * (transA ? a[p, 301] : a[301, p]) * (transB ? b[2090, p] : b[p, 2090]);
        Gemm.Create(GemmKind.Managed, 1).Multiply(a, transA, b, transB, c1, 0.7f, 0.3f);
        Gemm.Create(GemmKind.Managed, 2).Multiply(a, transA, b, transB, c2, 0.7f, 0.3f);
        Gemm.Create(GemmKind.Managed, 3).Multiply(a, transA, b, transB, c3, 0.7f, 0.3f);
        Assert.Equal(c1.Span.ToArray(), c2.Span.ToArray());
        Assert.Equal(c1.Span.ToArray(), c3.Span.ToArray());
        Assert.True(Math.Abs(spot - c2[301, 2090]) < 1e-3, $"C[301, 2090] = {c2[301, 2090]}, expected {spot}");
    }

    [Theory]
    [InlineData(false, 0f)]
    [InlineData(true, 0f)]
    [InlineData(false, 1f)]
    [InlineData(true, 0.3f)]
    public void Multiply_OneRow_TakesTheVectorPathAndMatchesTheReference(bool transB, float beta)
    {
        var rng = new Rng(42);
        int n = 37, k = 300;
        var a = new Matrix(1, k);
        var b = transB ? new Matrix(n, k) : new Matrix(k, n);
        var c = new Matrix(1, n);
        rng.FillUniform(a.Data, -1, 1); rng.FillUniform(b.Data, -1, 1); rng.FillUniform(c.Data, -1, 1);
        a[0, 5] = 0; // a zero weight is skipped in the row-sum form
        var expected = Reference(false, transB, 1, n, k, 0.7f, a.Data, k, b.Data, b.Cols, beta, c.Data, n);
        Gemm.Create(GemmKind.Managed).Multiply(a, false, b, transB, c, 0.7f, beta);
        for (int j = 0; j < n; j++) Assert.True(Math.Abs(expected[j] - c[0, j]) <= 1e-4, $"column {j}: {c[0, j]} vs {expected[j]}");
    }

    [Fact]
    public void ShapeMismatch_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.Create(GemmKind.Managed).Multiply(new Matrix(2, 3), false, new Matrix(4, 5), false, new Matrix(2, 5)));
        Assert.Contains("do not multiply", e.Message);
    }

    [Fact]
    public void Rng_IsReproducibleAndGaussianHasUnitVariance()
    {
        var a = new Rng(42); var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        var g = new float[200_000];
        new Rng(1).FillGaussian(g);
        double mean = g.Average(v => (double)v), var = g.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(var, 0.98, 1.02);
    }

    [Theory]
    [InlineData(0, 0UL)]
    [InlineData(7, 7UL)]
    [InlineData(int.MaxValue, 2147483647UL)]
    [InlineData(-1, 4294967295UL)]
    [InlineData(int.MinValue, 2147483648UL)]
    public void Rng_FromAnIntSeed_IsTheGeneratorOfItsThirtyTwoBits(int seed, ulong bits)
    {
        // The options' seeds are ints; a non-negative one must give the numbers the same ulong seed gave before.
        var a = new Rng(seed); var b = new Rng(bits); var other = new Rng(bits + 1);
        var first = a.NextUInt64();
        Assert.Equal(b.NextUInt64(), first);
        Assert.NotEqual(other.NextUInt64(), first);
        for (int i = 0; i < 10; i++) Assert.Equal(b.NextUInt64(), a.NextUInt64());
    }
}
