using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>The softmax pieces of the encoder classifier: training-data checks, the stable cross-entropy, probabilities and arg-max.</summary>
internal static class Softmax
{
    /// <summary>
    /// Checks training rows and labels for a classifier named <paramref name="what"/> and returns the class count K
    /// (<paramref name="classCount"/>, or max(label) + 1).
    /// </summary>
    internal static int CheckTrainingData(Matrix x, int[] labels, int? classCount, string what)
    {
        if (x.Rows == 0) throw new ArgumentException("The training matrix has no rows.", nameof(x));
        if (labels.Length != x.Rows) throw new ArgumentException($"There are {labels.Length} labels for {x.Rows} rows.", nameof(labels));
        x.ThrowIfNotFinite(what + " features");
        int k = classCount ?? labels.Max() + 1;
        if (k < 2) throw new ArgumentException($"{what} needs at least 2 classes; got {k}.", nameof(classCount));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)k) throw new ArgumentException($"Label {labels[i]} at row {i} is outside 0..{k - 1}.", nameof(labels));
        return k;
    }

    /// <summary>
    /// Σ_i −log softmax(a_i)_{y_i} over the rows (stable: log-sum-exp in double); when <paramref name="grad"/> is given it
    /// receives (softmax(a) − onehot(y)) / rows, the gradient of the batch mean.
    /// </summary>
    internal static double SoftmaxCrossEntropy(Matrix logits, int[] labels, Matrix? grad)
    {
        int k = logits.Cols;
        var e = new double[k];
        double total = 0, inv = 1.0 / logits.Rows;
        for (int i = 0; i < logits.Rows; i++)
        {
            var a = logits.Row(i);
            double lse = LogSumExp(a, e);
            total += lse - a[labels[i]];
            if (grad is null) continue;
            var g = grad.Row(i);
            double sum = 0;
            for (int c = 0; c < k; c++) sum += e[c];
            for (int c = 0; c < k; c++) g[c] = (float)((e[c] / sum - (c == labels[i] ? 1 : 0)) * inv);
        }
        return total;
    }

    /// <summary>
    /// Σ_i KL(p_i ‖ softmax(a_i)) = Σ_i Σ_c p_ic (log p_ic − log softmax(a_i)_c) over the rows, with target
    /// probabilities <paramref name="p"/> (0 log 0 = 0); when <paramref name="grad"/> is given it receives
    /// scale × (softmax(a) − p), the gradient of scale × the sum with respect to the logits.
    /// </summary>
    internal static double KullbackLeibler(Matrix p, Matrix logits, Matrix? grad, double scale = 1)
    {
        int k = logits.Cols;
        var e = new double[k];
        double total = 0;
        for (int i = 0; i < logits.Rows; i++)
        {
            var a = logits.Row(i);
            var pi = p.Row(i);
            double lse = LogSumExp(a, e);
            for (int c = 0; c < k; c++)
                if (pi[c] > 0) total += pi[c] * (Math.Log(pi[c]) - (a[c] - lse));
            if (grad is null) continue;
            var g = grad.Row(i);
            double sum = 0;
            for (int c = 0; c < k; c++) sum += e[c];
            for (int c = 0; c < k; c++) g[c] = (float)((e[c] / sum - pi[c]) * scale);
        }
        return total;
    }

    /// <summary>Replaces each row of logits by its softmax (log-sum-exp in double); returns <paramref name="z"/>.</summary>
    internal static Matrix SoftmaxRows(Matrix z)
    {
        var e = new double[z.Cols];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            double lse = LogSumExp(row, e);
            for (int c = 0; c < row.Length; c++) row[c] = (float)Math.Exp(row[c] - lse);
        }
        return z;
    }

    /// <summary>The index of the largest value of each row (the lowest index on ties).</summary>
    internal static int[] ArgMaxRows(Matrix z)
    {
        var result = new int[z.Rows];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary>log Σ exp(z), stable (in double); leaves exp(z − max) in <paramref name="scratch"/>.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> z, Span<double> scratch)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < z.Length; c++) max = Math.Max(max, z[c]);
        double sum = 0;
        for (int c = 0; c < z.Length; c++) sum += scratch[c] = Math.Exp(z[c] - max);
        return max + Math.Log(sum);
    }

}
