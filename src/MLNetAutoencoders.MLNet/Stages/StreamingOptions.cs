using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>How a stage's Fit reads its training rows.</summary>
public enum TrainingDataMode
{
    /// <summary>In memory when the column holds at most <see cref="StreamingOptions.InMemoryLimitMegabytes"/>, streaming above it.</summary>
    Auto,

    /// <summary>Copy the column into one matrix once, then train from it (a full reshuffle every epoch).</summary>
    InMemory,

    /// <summary>Read the rows through a new cursor every epoch, shuffled through a bounded buffer; memory does not grow with the rows.</summary>
    Streaming,
}

/// <summary>
/// Whether an autoencoder stage or trainer trains from an in-memory copy of its input column or streams it. Streaming
/// reads one pass per epoch (plus one per epoch for the validation loss when there is a validation split) through a
/// shuffle buffer of <see cref="NetworkOptions.ShuffleBufferRows"/> rows, and holds validation rows aside by a seeded
/// hash of the row index, so nothing but the buffer and one minibatch is in memory.
/// </summary>
public sealed class StreamingOptions
{
    /// <summary>Auto (default), InMemory or Streaming.</summary>
    public TrainingDataMode Mode { get; set; } = TrainingDataMode.Auto;

    /// <summary>
    /// With <see cref="TrainingDataMode.Auto"/>: the largest column, rows × width × 4 bytes, copied into memory; larger
    /// columns are streamed. A view that does not know its row count is counted first with a cursor that reads no
    /// values. Range ≥ 0; default <see cref="AutoencoderDefaults.InMemoryLimitMegabytes"/>.
    /// </summary>
    public int InMemoryLimitMegabytes { get; set; } = AutoencoderDefaults.InMemoryLimitMegabytes;

    internal void Validate(string stage)
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, $"{stage}: unknown Streaming.Mode.");
        if (InMemoryLimitMegabytes < 0) throw new ArgumentOutOfRangeException(nameof(InMemoryLimitMegabytes), InMemoryLimitMegabytes, $"{stage}: Streaming.InMemoryLimitMegabytes must be ≥ 0.");
    }

    /// <summary>
    /// Whether to stream <paramref name="data"/>, whose training column is <paramref name="width"/> values wide; the
    /// reason for the log; the row count when the decision needed it (null when <see cref="Mode"/> decided alone).
    /// </summary>
    internal (bool Stream, string Reason, long? Rows) Decide(IDataView data, int width)
    {
        if (Mode != TrainingDataMode.Auto) return (Mode == TrainingDataMode.Streaming, $"Streaming.Mode = {Mode}", null);
        long rows = data.GetRowCount() ?? CountRows(data);
        double mb = rows * (double)width * sizeof(float) / (1 << 20);
        return (mb > InMemoryLimitMegabytes, FormattableString.Invariant($"{rows} rows × {width} values = {mb:F0} MB, {(mb > InMemoryLimitMegabytes ? "above" : "within")} the {InMemoryLimitMegabytes} MB in-memory limit"), rows);
    }

    /// <summary>The rows of <paramref name="data"/>, counted with a cursor that reads no values.</summary>
    internal static long CountRows(IDataView data)
    {
        long n = 0;
        using var cursor = data.GetRowCursor([]);
        while (cursor.MoveNext()) n++;
        return n;
    }
}
