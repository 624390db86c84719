using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>Scores of a classifier on one labelled set (see <see cref="ClassificationMetrics.Compute"/>).</summary>
/// <param name="ClassCount">K: the confusion matrix is K×K.</param>
/// <param name="Accuracy">Fraction of rows predicted correctly.</param>
/// <param name="MacroF1">Unweighted mean of the per-class F1 over the classes that occur in the truth or the predictions.</param>
/// <param name="LogLoss">Mean cross-entropy of the probabilities (NaN when none were given).</param>
/// <param name="RocAuc">Area under the ROC curve of the class-1 probability (NaN unless K = 2, probabilities were given and both classes occur).</param>
/// <param name="ConfusionMatrix">Counts [truth, predicted].</param>
public sealed record ClassificationReport(int ClassCount, double Accuracy, double MacroF1, double LogLoss, double RocAuc, int[,] ConfusionMatrix);

/// <summary>Classification metrics computed like scikit-learn's (<c>accuracy_score</c>, <c>f1_score(average="macro")</c>, <c>log_loss</c>, <c>roc_auc_score</c>, <c>confusion_matrix</c>).</summary>
public static class ClassificationMetrics
{
    /// <summary>Probabilities are clipped to [ε, 1 − ε] (then rows renormalised) before the logarithm, as scikit-learn.</summary>
    public const double LogLossEpsilon = 1e-15;

    /// <summary>Computes every metric.</summary>
    /// <param name="truth">True class indices (≥ 0).</param>
    /// <param name="predicted">Predicted class indices, same length.</param>
    /// <param name="probabilities">Optional N×K class probabilities (for log-loss and, with K = 2, ROC AUC).</param>
    /// <param name="classCount">K; null means the largest of max(label) + 1 and the probability columns.</param>
    public static ClassificationReport Compute(int[] truth, int[] predicted, Matrix? probabilities = null, int? classCount = null)
    {
        CheckPair(truth, predicted);
        int k = classCount ?? Math.Max(Math.Max(truth.Max(), predicted.Max()) + 1, probabilities?.Cols ?? 0);
        var cm = ConfusionMatrix(truth, predicted, k);
        double logLoss = double.NaN, auc = double.NaN;
        if (probabilities is not null)
        {
            logLoss = LogLoss(truth, probabilities);
            if (probabilities.Cols == 2 && truth.Contains(0) && truth.Contains(1))
            {
                var scores = new double[truth.Length];
                for (int i = 0; i < scores.Length; i++) scores[i] = probabilities[i, 1];
                auc = RocAuc(truth, scores);
            }
        }
        return new ClassificationReport(k, Accuracy(truth, predicted), MacroF1(cm), logLoss, auc, cm);
    }

    /// <summary>Fraction of equal entries.</summary>
    public static double Accuracy(int[] truth, int[] predicted)
    {
        CheckPair(truth, predicted);
        int hits = 0;
        for (int i = 0; i < truth.Length; i++) if (truth[i] == predicted[i]) hits++;
        return (double)hits / truth.Length;
    }

    /// <summary>K×K counts, rows = truth, columns = prediction; labels must be in 0 … K−1.</summary>
    public static int[,] ConfusionMatrix(int[] truth, int[] predicted, int classCount)
    {
        CheckPair(truth, predicted);
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be at least 1.");
        var cm = new int[classCount, classCount];
        for (int i = 0; i < truth.Length; i++)
        {
            if ((uint)truth[i] >= (uint)classCount)
                throw new ArgumentException($"True label {truth[i]} at row {i} is outside 0..{classCount - 1}.", nameof(truth));
            if ((uint)predicted[i] >= (uint)classCount)
                throw new ArgumentException($"Predicted label {predicted[i]} at row {i} is outside 0..{classCount - 1}.", nameof(predicted));
            cm[truth[i], predicted[i]]++;
        }
        return cm;
    }

    /// <summary>
    /// Macro-averaged F1 from a confusion matrix: per class <c>2·TP / (2·TP + FP + FN)</c>, averaged over the classes
    /// with any true or predicted sample (scikit-learn's default label set; a class with no TP scores 0).
    /// </summary>
    public static double MacroF1(int[,] confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        int k = confusion.GetLength(0);
        double sum = 0;
        int used = 0;
        for (int c = 0; c < k; c++)
        {
            long tp = confusion[c, c], fp = 0, fn = 0;
            for (int o = 0; o < k; o++)
            {
                if (o == c) continue;
                fp += confusion[o, c];
                fn += confusion[c, o];
            }
            if (tp + fp + fn == 0) continue;
            sum += 2.0 * tp / (2.0 * tp + fp + fn);
            used++;
        }
        return used == 0 ? 0 : sum / used;
    }

    /// <summary>
    /// Mean <c>−log p[i, truth[i]]</c>, with probabilities clipped to [<see cref="LogLossEpsilon"/>, 1 − ε] and each row
    /// renormalised (scikit-learn 1.2's procedure).
    /// </summary>
    public static double LogLoss(int[] truth, Matrix probabilities)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Rows != truth.Length)
            throw new ArgumentException($"The probabilities have {probabilities.Rows} rows for {truth.Length} labels.", nameof(probabilities));
        const double eps = LogLossEpsilon;
        double sum = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if ((uint)truth[i] >= (uint)probabilities.Cols)
                throw new ArgumentException($"True label {truth[i]} at row {i} has no probability column (there are {probabilities.Cols}).", nameof(truth));
            var row = probabilities.Row(i);
            double total = 0, mine = 0;
            for (int c = 0; c < row.Length; c++)
            {
                if (float.IsNaN(row[c]))
                    throw new ArgumentException($"Probability row {i}, column {c} is NaN.", nameof(probabilities));
                double p = Math.Clamp((double)row[c], eps, 1 - eps);
                total += p;
                if (c == truth[i]) mine = p;
            }
            sum -= Math.Log(mine / total);
        }
        return sum / truth.Length;
    }

    /// <summary>
    /// Binary ROC AUC: the Mann–Whitney statistic on <paramref name="scores"/> (higher = class 1), tied scores sharing
    /// their average rank. Labels must be 0 or 1 with both present.
    /// </summary>
    public static double RocAuc(int[] truth, ReadOnlySpan<double> scores)
    {
        ArgumentNullException.ThrowIfNull(truth);
        if (scores.Length != truth.Length)
            throw new ArgumentException($"There are {scores.Length} scores for {truth.Length} labels.", nameof(scores));
        long positives = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            if (truth[i] is not (0 or 1)) throw new ArgumentException($"ROC AUC needs labels 0/1; row {i} has {truth[i]}.", nameof(truth));
            positives += truth[i];
        }
        long negatives = truth.Length - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException("ROC AUC needs both classes in the true labels.", nameof(truth));
        var order = new int[truth.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double rankSum = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && keys[end + 1] == keys[start]) end++;
            double rank = (start + end) / 2.0 + 1; // average 1-based rank of the tie group
            for (int j = start; j <= end; j++) if (truth[order[j]] == 1) rankSum += rank;
            start = end + 1;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    private static void CheckPair(int[] truth, int[] predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Length != predicted.Length)
            throw new ArgumentException($"There are {truth.Length} true labels and {predicted.Length} predictions.", nameof(predicted));
        if (truth.Length == 0) throw new ArgumentException("There are no labels to score.", nameof(truth));
    }
}
