using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// A fitted anomaly score: higher = more anomalous. Implemented by the reconstruction error
/// (<see cref="ReconstructionScorer"/>), the code-space scores (<see cref="CodeAnomalyScorer"/>), Deep SVDD
/// (<see cref="DeepSvddScorer"/>), restoration (<see cref="RestorationScorer"/>), transformation prediction (<see cref="TransformationPredictionScorer"/>) and their ensembles (<see cref="EnsembleScorer"/>).
/// </summary>
public interface IAnomalyScorer
{
    /// <summary>The autoencoder whose outputs are scored (an ensemble's first member that has one); null for a score without an autoencoder (<see cref="TransformationPredictionScorer"/>).</summary>
    IAutoencoder? Model { get; }

    /// <summary>The training rows' scores, from which a threshold or a standardisation is set.</summary>
    IReadOnlyList<float> TrainingScores { get; }

    /// <summary>The score of each row of <paramref name="x"/>.</summary>
    float[] Score(Matrix x);
}

/// <summary>The reconstruction error, mean (x − x̂)² over a row's values, or a VAE's negative ELBO at z = μ, as an <see cref="IAnomalyScorer"/>.</summary>
public sealed class ReconstructionScorer : IAnomalyScorer
{
    private ReconstructionScorer(IAutoencoder model, bool negativeElbo, float[] trainingScores)
    {
        Model = model;
        NegativeElbo = negativeElbo;
        TrainingScores = trainingScores;
    }

    /// <inheritdoc />
    public IAutoencoder Model { get; }

    /// <summary>True when rows are scored by the VAE's negative ELBO instead of the reconstruction error.</summary>
    public bool NegativeElbo { get; }

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>Scores <paramref name="trainingRows"/> with <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="negativeElbo"/> for a model that is not a VAE.</exception>
    public static ReconstructionScorer Fit(IAutoencoder model, Matrix trainingRows, bool negativeElbo = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainingRows);
        if (negativeElbo && model is not VaeModel)
            throw new ArgumentException($"The negative ELBO is a VAE's score; this model is a {model.GetType().Name}.", nameof(negativeElbo));
        return new ReconstructionScorer(model, negativeElbo, Score(model, negativeElbo, trainingRows));
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Score(Model, NegativeElbo, x);
    }

    private static float[] Score(IAutoencoder model, bool negativeElbo, Matrix x) => negativeElbo
        ? ((VaeModel)model).NegativeElboAtMean(x).Select(v => (float)v).ToArray()
        : AutoencoderMetrics.RowErrors(x, model.Reconstruct(x)).Span.ToArray();
}
