using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// An ensemble of fitted scores (networks trained from different seeds, or scorers of different kinds, and optionally
/// the k-nearest-neighbour distance in the input space itself): each member's score is standardised by its own
/// training rows' scores (<see cref="ScoreStandardization"/>), and the ensemble's score is their mean, so members of
/// different scales weigh the same.
/// </summary>
public sealed class EnsembleScorer : IAnomalyScorer
{
    private EnsembleScorer(IAnomalyScorer[] members, ScoreStandardization[] standardizations, KnnDistance? inputNeighbours,
        ScoreStandardization? inputStandardization, float[] trainingScores)
    {
        Members = members;
        Standardizations = standardizations;
        InputNeighbours = inputNeighbours;
        InputNeighboursStandardization = inputStandardization;
        TrainingScores = trainingScores;
    }

    /// <summary>The members that score through a network (an autoencoder, or the transformation classifier).</summary>
    public IReadOnlyList<IAnomalyScorer> Members { get; }

    /// <summary>Each member's standardisation, fitted on its training scores.</summary>
    public IReadOnlyList<ScoreStandardization> Standardizations { get; }

    /// <summary>The member without a network, if any: the mean distance of a row to its k nearest training rows in the input space.</summary>
    public KnnDistance? InputNeighbours { get; }

    /// <summary>The standardisation of <see cref="InputNeighbours"/>, fitted on the training rows' leave-one-out scores; null without it.</summary>
    public ScoreStandardization? InputNeighboursStandardization { get; }

    /// <inheritdoc />
    public IAutoencoder? Model => Members.Select(m => m.Model).FirstOrDefault(m => m is not null);

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>
    /// Combines <paramref name="members"/>, all fitted on the same training rows (their training scores are averaged row
    /// by row), and, if given, <paramref name="inputNeighbours"/>, whose reference rows must be those training rows (a
    /// training row is left out of its own neighbours).
    /// </summary>
    /// <exception cref="ArgumentException">No members, or members (the input neighbours' reference included) fitted on different numbers of rows.</exception>
    public static EnsembleScorer Create(IReadOnlyList<IAnomalyScorer> members, KnnDistance? inputNeighbours = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("An ensemble needs at least one member that scores through a network.", nameof(members));
        int n = members[0].TrainingScores.Count;
        for (int k = 1; k < members.Count; k++)
            if (members[k].TrainingScores.Count != n)
                throw new ArgumentException($"Member {k} was fitted on {members[k].TrainingScores.Count} rows, member 0 on {n}; an ensemble's members share their training rows.", nameof(members));
        var scores = members.Select(m => m.TrainingScores).ToList();
        var standardizations = members.Select(m => ScoreStandardization.Fit(m.TrainingScores)).ToList();
        ScoreStandardization? inputStandardization = null;
        if (inputNeighbours is not null)
        {
            var reference = inputNeighbours.Reference;
            if (reference.Rows != n)
                throw new ArgumentException($"The input neighbours' reference has {reference.Rows} rows; the members were fitted on {n}; an ensemble's members share their training rows.", nameof(inputNeighbours));
            var own = inputNeighbours.Score(reference, leaveOneOut: true);
            inputStandardization = ScoreStandardization.Fit(own);
            scores.Add(own);
            standardizations.Add(inputStandardization.Value);
        }
        var training = MeanOfStandardized(scores, standardizations);
        return new EnsembleScorer(members.ToArray(), standardizations.Take(members.Count).ToArray(), inputNeighbours, inputStandardization, training);
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Combine(Members.Select(m => (IReadOnlyList<float>)m.Score(x)).ToList(), InputNeighbours?.Score(x));
    }

    /// <summary>
    /// The ensemble's score from its members' scores of the same rows, already computed (<see cref="Members"/> in order,
    /// then <see cref="InputNeighbours"/>' when it is a member): what <see cref="Score"/> computes from the rows.
    /// </summary>
    internal float[] Combine(IReadOnlyList<IReadOnlyList<float>> memberScores, IReadOnlyList<float>? inputNeighbourScores)
    {
        if (InputNeighbours is null) return MeanOfStandardized(memberScores, Standardizations);
        return MeanOfStandardized([.. memberScores, inputNeighbourScores ?? throw new ArgumentNullException(nameof(inputNeighbourScores))],
            [.. Standardizations, InputNeighboursStandardization!.Value]);
    }

    private static float[] MeanOfStandardized(IReadOnlyList<IReadOnlyList<float>> scores, IReadOnlyList<ScoreStandardization> standardizations)
    {
        var mean = new float[scores[0].Count];
        for (int k = 0; k < scores.Count; k++)
            for (int i = 0; i < mean.Length; i++) mean[i] += standardizations[k].Apply(scores[k][i]) / scores.Count;
        return mean;
    }
}
