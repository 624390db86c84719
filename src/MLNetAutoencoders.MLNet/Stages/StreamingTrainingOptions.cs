namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// The settings of every estimator that trains an autoencoder on the rows of its input view, declared once: whether
/// the rows are copied into memory or streamed (<see cref="Streaming"/>), with the seed, progress and cancellation of
/// <see cref="StageTrainingOptions"/>. The autoencoder stages (<see cref="AutoencoderStageOptions"/>) and the anomaly
/// trainer derive their options from it; the encoder classifier, which holds its labelled rows in memory, does not.
/// </summary>
public abstract class StreamingTrainingOptions : StageTrainingOptions
{
    /// <summary>
    /// Train from an in-memory copy of the input column or stream it (default: in memory up to
    /// <see cref="StreamingOptions.InMemoryLimitMegabytes"/>, streaming above). The anomaly trainer, when streaming, sets
    /// its threshold from one more streamed pass that keeps one score per row.
    /// </summary>
    public StreamingOptions Streaming { get; set; } = new();

    /// <summary>Throws naming <paramref name="stage"/> when <see cref="Streaming"/> is null or out of range.</summary>
    internal void ValidateStreaming(string stage)
    {
        if (Streaming is null) throw new ArgumentNullException(nameof(Streaming), $"{stage}: Streaming must be set (new StreamingOptions() for the default).");
        Streaming.Validate(stage);
    }
}
