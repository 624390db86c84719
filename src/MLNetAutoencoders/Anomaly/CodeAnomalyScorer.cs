using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>Which density of the training codes a <see cref="CodeAnomalyScorer"/> measures.</summary>
public enum CodeDensity
{
    /// <summary>The mean distance to the k nearest training codes (<see cref="KnnDistance"/>).</summary>
    NearestNeighbours,

    /// <summary>The squared Mahalanobis distance to the training codes' Gaussian (<see cref="GaussianDensity"/>).</summary>
    Gaussian,
}

/// <summary>
/// An anomaly score in an autoencoder's code space: how far a row's code lies from the training rows' codes, alone or
/// added to the reconstruction error. Combined, each of the two scores is first standardised by the training rows'
/// scores (<see cref="ScoreStandardization"/>), so neither dominates by its scale. Training rows score against the
/// other training codes (a row is not its own neighbour).
/// </summary>
public sealed class CodeAnomalyScorer : IAnomalyScorer
{
    private CodeAnomalyScorer(IAutoencoder model, KnnDistance? knn, GaussianDensity? gaussian, ScoreStandardization density, ScoreStandardization? reconstruction, float[] trainingScores)
    {
        Model = model;
        Knn = knn;
        Gaussian = gaussian;
        DensityStandardization = density;
        ReconstructionStandardization = reconstruction;
        TrainingScores = trainingScores;
    }

    /// <summary>The autoencoder whose codes are scored.</summary>
    public IAutoencoder Model { get; }

    /// <summary>The k-nearest-neighbour density, or null.</summary>
    public KnnDistance? Knn { get; }

    /// <summary>The Gaussian density, or null.</summary>
    public GaussianDensity? Gaussian { get; }

    /// <summary>The standardisation of the code score (applied only when combined with the reconstruction error).</summary>
    public ScoreStandardization DensityStandardization { get; }

    /// <summary>The standardisation of the reconstruction error when the score adds it; null for the code score alone.</summary>
    public ScoreStandardization? ReconstructionStandardization { get; }

    /// <summary>The training rows' scores (leave-one-out for the neighbours), from which a threshold is set.</summary>
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>Fits the code density (and the standardisations) on <paramref name="trainingRows"/>; the neighbour search uses <paramref name="threads"/> threads.</summary>
    /// <exception cref="ArgumentException">Fewer than two rows; k not below the number of rows; a code value constant over the rows (Gaussian).</exception>
    public static CodeAnomalyScorer Fit(IAutoencoder model, Matrix trainingRows, CodeDensity density, bool withReconstruction,
        int neighbours = AnomalyDefaults.Neighbours, double shrinkage = AnomalyDefaults.CovarianceShrinkage, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainingRows);
        if (trainingRows.Rows < 2) throw new ArgumentException($"A code-space score needs at least 2 training rows; got {trainingRows.Rows}.", nameof(trainingRows));
        var codes = model.Encode(trainingRows);
        KnnDistance? knn = null;
        GaussianDensity? gaussian = null;
        float[] d;
        if (density == CodeDensity.NearestNeighbours)
        {
            knn = new KnnDistance(codes, neighbours, threads);
            d = knn.Score(codes, leaveOneOut: true);
        }
        else
        {
            gaussian = GaussianDensity.Fit(codes, shrinkage);
            d = gaussian.Score(codes);
        }
        var ds = ScoreStandardization.Fit(d);
        if (!withReconstruction) return new CodeAnomalyScorer(model, knn, gaussian, ds, null, d);
        var r = ReconstructionErrors(model, trainingRows);
        var rs = ScoreStandardization.Fit(r);
        var combined = new float[d.Length];
        for (int i = 0; i < d.Length; i++) combined[i] = rs.Apply(r[i]) + ds.Apply(d[i]);
        return new CodeAnomalyScorer(model, knn, gaussian, ds, rs, combined);
    }

    /// <summary>The score of each row of <paramref name="x"/> (higher = more anomalous).</summary>
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var codes = Model.Encode(x);
        var d = Knn is not null ? Knn.Score(codes) : Gaussian!.Score(codes);
        if (ReconstructionStandardization is not { } rs) return d;
        var r = ReconstructionErrors(Model, x);
        for (int i = 0; i < d.Length; i++) d[i] = rs.Apply(r[i]) + DensityStandardization.Apply(d[i]);
        return d;
    }

    private static float[] ReconstructionErrors(IAutoencoder model, Matrix x)
    {
        var e = AutoencoderMetrics.RowErrors(x, model.Reconstruct(x));
        return e.Span.ToArray();
    }
}
