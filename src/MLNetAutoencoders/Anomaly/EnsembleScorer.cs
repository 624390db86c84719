using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// An ensemble of fitted scores (networks trained from different seeds, or scorers of different kinds): each member's
/// score is standardised by its own training rows' scores (<see cref="ScoreStandardization"/>), and the ensemble's score
/// is their mean, so members of different scales weigh the same.
/// </summary>
public sealed class EnsembleScorer : IAnomalyScorer
{
    private EnsembleScorer(IAnomalyScorer[] members, ScoreStandardization[] standardizations, float[] trainingScores)
    {
        Members = members;
        Standardizations = standardizations;
        TrainingScores = trainingScores;
    }

    /// <summary>The members.</summary>
    public IReadOnlyList<IAnomalyScorer> Members { get; }

    /// <summary>Each member's standardisation, fitted on its training scores.</summary>
    public IReadOnlyList<ScoreStandardization> Standardizations { get; }

    /// <inheritdoc />
    public IAutoencoder Model => Members[0].Model;

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>Combines <paramref name="members"/>, all fitted on the same training rows (their training scores are averaged row by row).</summary>
    /// <exception cref="ArgumentException">No members, or members fitted on different numbers of rows.</exception>
    public static EnsembleScorer Create(IReadOnlyList<IAnomalyScorer> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        int n = members[0].TrainingScores.Count;
        for (int k = 1; k < members.Count; k++)
            if (members[k].TrainingScores.Count != n)
                throw new ArgumentException($"Member {k} was fitted on {members[k].TrainingScores.Count} rows, member 0 on {n}; an ensemble's members share their training rows.", nameof(members));
        var standardizations = members.Select(m => ScoreStandardization.Fit(m.TrainingScores)).ToArray();
        var training = Combine(members.Select(m => m.TrainingScores).ToArray(), standardizations);
        return new EnsembleScorer(members.ToArray(), standardizations, training);
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Combine(Members.Select(m => (IReadOnlyList<float>)m.Score(x)).ToArray(), Standardizations);
    }

    private static float[] Combine(IReadOnlyList<float>[] scores, IReadOnlyList<ScoreStandardization> standardizations)
    {
        var mean = new float[scores[0].Count];
        for (int k = 0; k < scores.Length; k++)
            for (int i = 0; i < mean.Length; i++) mean[i] += standardizations[k].Apply(scores[k][i]) / scores.Length;
        return mean;
    }
}
