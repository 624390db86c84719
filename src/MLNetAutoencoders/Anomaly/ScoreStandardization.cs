namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// A score standardised by the training rows' scores: (s − mean) / standard deviation, so that scores of different
/// scales (a reconstruction error and a code distance) can be added with equal weight.
/// </summary>
/// <param name="Mean">The training scores' mean.</param>
/// <param name="Scale">The training scores' standard deviation (1 when they are all equal).</param>
public readonly record struct ScoreStandardization(float Mean, float Scale)
{
    /// <summary>The mean and standard deviation of <paramref name="trainingScores"/>.</summary>
    /// <exception cref="ArgumentException">No scores.</exception>
    public static ScoreStandardization Fit(IReadOnlyList<float> trainingScores)
    {
        ArgumentNullException.ThrowIfNull(trainingScores);
        if (trainingScores.Count == 0) throw new ArgumentException("No training scores to standardise with.", nameof(trainingScores));
        double m = trainingScores.Average(v => (double)v);
        double v = trainingScores.Sum(s => (s - m) * (s - m)) / Math.Max(1, trainingScores.Count - 1);
        return new((float)m, v > 0 ? (float)Math.Sqrt(v) : 1f);
    }

    /// <summary>(<paramref name="score"/> − Mean) / Scale.</summary>
    public float Apply(float score) => (score - Mean) / Scale;
}
