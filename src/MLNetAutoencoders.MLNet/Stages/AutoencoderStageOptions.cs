namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>The settings every autoencoder stage shares: its columns, with the streaming of <see cref="StreamingTrainingOptions"/> and the seed, progress and cancellation of <see cref="StageTrainingOptions"/>.</summary>
public abstract class AutoencoderStageOptions : StreamingTrainingOptions
{
    /// <summary>The code column written: <c>Vector&lt;Single, code size&gt;</c>. Default <c>Code</c>.</summary>
    public string OutputColumnName { get; set; } = "Code";

    /// <summary>The column read: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
    public string InputColumnName { get; set; } = "Features";

    /// <summary>If set, a column of this name receives each row's reconstruction (<c>Vector&lt;Single, input size&gt;</c>).</summary>
    public string? ReconstructionColumnName { get; set; }

    /// <summary>
    /// If set, a column of this name receives each row's reconstruction error (a <see cref="float"/>): the mean of
    /// (x − x̂)² over the row's values, the usual anomaly score.
    /// </summary>
    public string? ErrorColumnName { get; set; }

    /// <summary>Throws naming the first column option that is empty or used twice.</summary>
    internal void ValidateColumns(string stage)
    {
        if (string.IsNullOrWhiteSpace(OutputColumnName)) throw new ArgumentException($"{stage}: {nameof(OutputColumnName)} must be a column name.", nameof(OutputColumnName));
        if (string.IsNullOrWhiteSpace(InputColumnName)) throw new ArgumentException($"{stage}: {nameof(InputColumnName)} must be a column name.", nameof(InputColumnName));
        if (ReconstructionColumnName is { } r && string.IsNullOrWhiteSpace(r)) throw new ArgumentException($"{stage}: {nameof(ReconstructionColumnName)} must be null or a column name.", nameof(ReconstructionColumnName));
        if (ErrorColumnName is { } e && string.IsNullOrWhiteSpace(e)) throw new ArgumentException($"{stage}: {nameof(ErrorColumnName)} must be null or a column name.", nameof(ErrorColumnName));
        var names = new[] { OutputColumnName, ReconstructionColumnName, ErrorColumnName }.Where(n => n != null).ToList();
        if (names.Distinct().Count() != names.Count)
            throw new ArgumentException($"{stage}: the output columns ({string.Join(", ", names)}) must have distinct names.", nameof(OutputColumnName));
    }
}
