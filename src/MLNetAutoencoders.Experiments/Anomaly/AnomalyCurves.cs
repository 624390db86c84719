using System.Globalization;
using MLNetAutoencoders.Imaging;

namespace MLNetAutoencoders.Anomaly;

/// <summary>ROC and precision-recall curves of <c>mlae anomaly --curves DIR</c>: one picture of each per normal class, one line per method.</summary>
internal static class AnomalyCurves
{
    /// <summary>Curves keep at most this many points (evenly spaced over the ranked rows), enough for a smooth line.</summary>
    private const int MaxPoints = 400;

    public static void Save(string folder, IReadOnlyList<(string Method, int Class, float[] Scores, bool[] Labels)> rows, IReadOnlyList<(int Class, string Name)> classes)
    {
        Directory.CreateDirectory(folder);
        foreach (var (cls, name) in classes)
        {
            var roc = new Chart { Title = $"ROC, normal class {name}", XLabel = "false-positive rate (normal rows flagged)", YLabel = "true-positive rate (anomalies flagged)" };
            var pr = new Chart { Title = $"Precision-recall, normal class {name}", XLabel = "recall (anomalies flagged)", YLabel = "precision (flagged rows that are anomalies)" };
            foreach (var r in rows.Where(r => r.Class == cls))
            {
                var (fpr, tpr, precision) = Curve(r.Scores, r.Labels);
                roc.Add(r.Method, fpr, tpr);
                pr.Add(r.Method, tpr, precision);
            }
            string stem = Path.Combine(folder, $"class-{cls.ToString(CultureInfo.InvariantCulture)}");
            roc.Save(stem + "-roc.png");
            pr.Save(stem + "-pr.png");
        }
    }

    /// <summary>False-positive rate, true-positive rate (recall) and precision after flagging the k highest scores, k = 1 … n (thinned).</summary>
    internal static (double[] Fpr, double[] Tpr, double[] Precision) Curve(float[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        int positives = labels.Count(l => l), negatives = labels.Length - positives;
        var fpr = new List<double> { 0 };
        var tpr = new List<double> { 0 };
        var precision = new List<double> { 1 };
        int step = Math.Max(1, order.Length / MaxPoints), tp = 0, fp = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (labels[order[k]]) tp++; else fp++;
            if ((k + 1) % step != 0 && k != order.Length - 1) continue;
            fpr.Add(negatives == 0 ? 0 : (double)fp / negatives);
            tpr.Add(positives == 0 ? 0 : (double)tp / positives);
            precision.Add((double)tp / (k + 1));
        }
        return (fpr.ToArray(), tpr.ToArray(), precision.ToArray());
    }
}
