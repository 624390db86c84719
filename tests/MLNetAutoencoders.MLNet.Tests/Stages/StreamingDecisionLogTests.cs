using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Stages;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>A 256-value row: 1 024 of them are exactly 1 MB of floats.</summary>
public sealed class WideRow
{
    [VectorType(256)]
    public float[] Features { get; set; } = new float[256];
}

/// <summary>
/// The stage's choice between an in-memory copy and streaming, as the MLContext log reports it: the size of the column
/// in MB (rows × width × 4 bytes), a column of exactly the limit kept in memory, a forced mode named, a negative limit
/// refused with a message that says what is allowed. Each fit is cancelled before training: only the decision is checked.
/// </summary>
public class StreamingDecisionLogTests
{
    private static string Decision(TrainingDataMode mode, int limit, IDataView data, MLContext ml)
    {
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(AutoencoderEstimator.StageName)) lock (log) log.Add(Text(e.Message)); };
        var o = SmallAe();
        o.Streaming.Mode = mode;
        o.Streaming.InMemoryLimitMegabytes = limit;
        o.CancellationToken = new CancellationToken(canceled: true);
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(data));
        return Assert.Single(log, m => m.StartsWith("EncodeWithAutoencoder: streaming", StringComparison.Ordinal)
            || m.StartsWith("EncodeWithAutoencoder: training from", StringComparison.Ordinal));
    }

    /// <summary>The message without ML.NET's "[Source=…, Kind=…] " prefix.</summary>
    internal static string Text(string message) => message[(message.IndexOf("] ", StringComparison.Ordinal) + 2)..];

    [Fact]
    public void A_column_of_exactly_the_limit_stays_in_memory_and_one_row_more_is_streamed()
    {
        var ml = new MLContext(seed: 1);
        var megabyte = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1024).Select(_ => new WideRow()).ToArray());
        Assert.Equal("EncodeWithAutoencoder: training from an in-memory copy (1024 rows × 256 values = 1 MB, within the 1 MB in-memory limit).",
            Decision(TrainingDataMode.Auto, 1, megabyte, ml));
        var more = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 1025).Select(_ => new WideRow()).ToArray());
        Assert.Equal("EncodeWithAutoencoder: streaming the rows (1025 rows × 256 values = 1 MB, above the 1 MB in-memory limit).",
            Decision(TrainingDataMode.Auto, 1, more, ml));
        var fiveMegabytes = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 5 * 1024).Select(_ => new WideRow()).ToArray());
        Assert.Equal("EncodeWithAutoencoder: streaming the rows (5120 rows × 256 values = 5 MB, above the 4 MB in-memory limit).",
            Decision(TrainingDataMode.Auto, 4, fiveMegabytes, ml));
    }

    [Fact]
    public void A_forced_mode_is_named_as_the_reason()
    {
        var ml = new MLContext(seed: 1);
        Assert.Equal("EncodeWithAutoencoder: streaming the rows (Streaming.Mode = Streaming).", Decision(TrainingDataMode.Streaming, 512, View(ml, 20), ml));
        var again = new MLContext(seed: 1);
        Assert.Equal("EncodeWithAutoencoder: training from an in-memory copy (Streaming.Mode = InMemory).", Decision(TrainingDataMode.InMemory, 0, View(again, 20), again));
    }

    [Fact]
    public void A_negative_limit_is_refused_saying_what_is_allowed()
    {
        var ml = new MLContext(seed: 1);
        var o = SmallVae();
        o.Streaming.InMemoryLimitMegabytes = -1;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithVariationalAutoencoder(o));
        Assert.StartsWith("EncodeWithVariationalAutoencoder: Streaming.InMemoryLimitMegabytes must be ≥ 0.", e.Message);
        Assert.Equal(-1, e.ActualValue);
    }
}
