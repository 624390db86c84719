using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Embedding;

/// <summary>A progress report of <see cref="Tsne.Embed"/>.</summary>
/// <param name="Iteration">Iterations done.</param>
/// <param name="Iterations">Iterations requested.</param>
/// <param name="KlDivergence">KL(P ‖ Q) at this iteration (with the exaggerated P during early exaggeration, as scikit-learn reports it).</param>
public sealed record TsneProgress(int Iteration, int Iterations, double KlDivergence);

/// <summary>The result of <see cref="Tsne.Embed"/>.</summary>
/// <param name="Embedding">N × <see cref="TsneOptions.Dimensions"/> coordinates, one row per input row.</param>
/// <param name="KlDivergence">KL(P ‖ Q) of the final layout (P without exaggeration), in nats.</param>
public sealed record TsneResult(Matrix Embedding, double KlDivergence);

/// <summary>
/// Exact t-SNE (van der Maaten &amp; Hinton): each point's neighbours in the data get probabilities from a Gaussian whose
/// width is found by binary search so that the row has the requested perplexity; the symmetrised probabilities P are
/// matched by a heavy-tailed (Student t, one degree of freedom) similarity Q between the output points, by gradient
/// descent on KL(P ‖ Q) with early exaggeration, momentum and per-coordinate adaptive gains. O(N²) time and memory per
/// iteration: a few thousand points. Single-threaded and deterministic: the same data, options and seed give the same
/// layout bit for bit.
/// </summary>
public static class Tsne
{
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const double MinGain = 0.01;

    /// <summary>Embeds the rows of <paramref name="data"/>; reports every <see cref="TsneOptions.ReportEvery"/> iterations; honours <paramref name="cancellationToken"/>.</summary>
    /// <exception cref="ArgumentException">Too few rows for the perplexity, or values that are not finite.</exception>
    public static TsneResult Embed(Matrix data, TsneOptions? options = null, IProgress<TsneProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = (options ?? new TsneOptions()).Clone();
        o.Validate();
        int n = data.Rows, d = o.Dimensions;
        var p = JointProbabilities(data, o.Perplexity, cancellationToken);
        var y = Initial(data, o);
        double lr = o.LearningRate ?? Math.Max(n / o.EarlyExaggeration / 4, 50);
        var update = new double[n * d];
        var gains = new double[n * d];
        Array.Fill(gains, 1.0);
        var grad = new double[n * d];
        var num = new double[n * n];
        double kl = double.NaN;
        for (int it = 1; it <= o.Iterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool early = it <= o.ExaggerationIterations;
            double exaggeration = early ? o.EarlyExaggeration : 1;
            double momentum = early ? o.InitialMomentum : o.FinalMomentum;
            bool report = it % o.ReportEvery == 0 || it == o.Iterations;
            kl = Gradient(p, y, n, d, exaggeration, num, grad, report);
            for (int k = 0; k < grad.Length; k++)
            {
                gains[k] = update[k] * grad[k] < 0 ? gains[k] + 0.2 : Math.Max(gains[k] * 0.8, MinGain);
                update[k] = momentum * update[k] - lr * gains[k] * grad[k];
                y[k] += update[k];
            }
            if (report && !double.IsFinite(kl))
                throw new InvalidOperationException($"t-SNE diverged: the KL divergence became {kl} at iteration {it}. Lower the learning rate.");
            if (report) progress?.Report(new TsneProgress(it, o.Iterations, kl));
        }
        // The final divergence without exaggeration, of the final layout.
        kl = Gradient(p, y, n, d, 1, num, grad, true);
        var result = new Matrix(n, d);
        for (int k = 0; k < y.Length; k++) result.Data[k] = (float)y[k];
        return new TsneResult(result, kl);
    }

    /// <summary>
    /// The conditional probabilities p(j | i) ∝ exp(−β_i ‖x_i − x_j‖²) (row-major N × N, zero diagonal), each β_i found by
    /// binary search so that the row's entropy is ln(<paramref name="perplexity"/>) within 1e-5 nats.
    /// </summary>
    public static double[] ConditionalProbabilities(Matrix data, double perplexity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows;
        if (!(perplexity > 1 && double.IsFinite(perplexity))) throw new ArgumentOutOfRangeException(nameof(perplexity), perplexity, "Perplexity must be a finite number > 1.");
        if (n < 3 || perplexity >= n - 1)
            throw new ArgumentException($"t-SNE with perplexity {perplexity} needs more than perplexity + 1 rows; the data has {n}. Lower the perplexity or give more rows.", nameof(data));
        data.ThrowIfNotFinite("The t-SNE input");
        var dist = SquaredDistances(data, cancellationToken);
        var p = new double[n * n];
        double target = Math.Log(perplexity);
        for (int i = 0; i < n; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var di = dist.AsSpan(i * n, n);
            var pi = p.AsSpan(i * n, n);
            // Entropy is unchanged by a shift of the distances; shifting by the nearest one keeps exp from underflowing.
            double min = double.PositiveInfinity;
            for (int j = 0; j < n; j++) if (j != i && di[j] < min) min = di[j];
            double beta = 1, lo = double.NegativeInfinity, hi = double.PositiveInfinity;
            for (int step = 0; step < 200; step++)
            {
                double sum = 0, weighted = 0;
                for (int j = 0; j < n; j++)
                {
                    if (j == i) { pi[j] = 0; continue; }
                    double s = di[j] - min, e = Math.Exp(-beta * s);
                    pi[j] = e;
                    sum += e;
                    weighted += s * e;
                }
                double entropy = Math.Log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) pi[j] /= sum;
                double diff = entropy - target;
                if (Math.Abs(diff) <= 1e-5) break;
                if (diff > 0) { lo = beta; beta = double.IsPositiveInfinity(hi) ? beta * 2 : (beta + hi) / 2; }
                else { hi = beta; beta = double.IsNegativeInfinity(lo) ? beta / 2 : (beta + lo) / 2; }
            }
        }
        return p;
    }

    /// <summary>P = (p(j|i) + p(i|j)) / 2N, floored at machine epsilon off the diagonal.</summary>
    private static double[] JointProbabilities(Matrix data, double perplexity, CancellationToken ct)
    {
        int n = data.Rows;
        var c = ConditionalProbabilities(data, perplexity, ct);
        var p = new double[n * n];
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) sum += c[i * n + j] + c[j * n + i];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) p[i * n + j] = Math.Max((c[i * n + j] + c[j * n + i]) / sum, MachineEpsilon);
        return p;
    }

    private static double[] SquaredDistances(Matrix x, CancellationToken ct)
    {
        int n = x.Rows;
        var d = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            var xi = x.Row(i);
            for (int j = i + 1; j < n; j++)
            {
                double v = TensorPrimitives.Distance(xi, x.Row(j));
                d[i * n + j] = d[j * n + i] = v * v;
            }
        }
        return d;
    }

    private static double[] Initial(Matrix data, TsneOptions o)
    {
        int n = data.Rows, d = o.Dimensions;
        var y = new double[n * d];
        if (o.Init == TsneInit.Random || d > Math.Min(n, data.Cols))
        {
            var rng = new Rng(o.Seed);
            for (int k = 0; k < y.Length; k++) y[k] = 1e-4 * rng.NextGaussian();
            return y;
        }
        var codes = PcaModel.Fit(data, new PcaOptions { Components = d, Seed = o.Seed, Threads = 1 }).Transform(data);
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) mean += codes[i, 0];
        mean /= n;
        for (int i = 0; i < n; i++) sq += (codes[i, 0] - mean) * (codes[i, 0] - mean);
        double std = Math.Sqrt(sq / n);
        double scale = std > 0 ? 1e-4 / std : 1;
        for (int k = 0; k < y.Length; k++) y[k] = codes.Data[k] * scale;
        return y;
    }

    /// <summary>
    /// Writes ∂KL/∂y into <paramref name="grad"/> for P scaled by <paramref name="exaggeration"/>; returns KL(P·exaggeration ‖ Q)
    /// when <paramref name="withKl"/> (else NaN). <paramref name="num"/> is N×N scratch (upper triangle used) for 1 / (1 + ‖y_i − y_j‖²).
    /// </summary>
    internal static double Gradient(double[] p, double[] y, int n, int d, double exaggeration, double[] num, double[] grad, bool withKl)
    {
        // Pass 1: the Student-t kernel of every pair (upper triangle) and its total; pass 2: each pair's force, applied to
        // both ends. Both passes run over pairs i < j in a fixed order, so the result is deterministic.
        double sumNum = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < d; k++) { double t = y[i * d + k] - y[j * d + k]; s += t * t; }
                double v = 1 / (1 + s);
                num[i * n + j] = v;
                sumNum += 2 * v;
            }
        }
        Array.Clear(grad);
        double kl = 0, invSum = 1 / sumNum;
        for (int i = 0; i < n; i++)
        {
            int row = i * n;
            for (int j = i + 1; j < n; j++)
            {
                double v = num[row + j], pij = exaggeration * p[row + j], q = Math.Max(v * invSum, MachineEpsilon);
                double c = 4 * (pij - q) * v;
                for (int k = 0; k < d; k++)
                {
                    double f = c * (y[i * d + k] - y[j * d + k]);
                    grad[i * d + k] += f;
                    grad[j * d + k] -= f;
                }
                if (withKl) kl += 2 * pij * Math.Log(Math.Max(pij, MachineEpsilon) / q);
            }
        }
        return withKl ? kl : double.NaN;
    }
}
