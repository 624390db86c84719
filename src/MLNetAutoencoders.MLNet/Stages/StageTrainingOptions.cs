using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// The settings every estimator of this library that trains a network shares, defined once: the seed, the progress
/// callback and the cancellation token. The autoencoder stages, the anomaly trainer and the encoder classifier derive
/// their options from it.
/// </summary>
public abstract class StageTrainingOptions
{
    /// <summary>
    /// Seed of all randomness of training; null = drawn from the MLContext's seed, as ML.NET's components do. It is the
    /// one seed of the stage: it replaces the <c>Seed</c> of the nested core options (<c>NetworkOptions.Seed</c>,
    /// <c>EncoderClassifierOptions.Seed</c>), whose own value is not used here. Same type as the core's seeds: a seed from
    /// 0 to <see cref="int.MaxValue"/> gives the same numbers as that seed on the core options.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>Receives each finished epoch (epochs also go to <c>MLContext.Log</c>).</summary>
    public IProgress<EpochReport>? Progress { get; set; }

    /// <summary>Stops training with an <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }
}
