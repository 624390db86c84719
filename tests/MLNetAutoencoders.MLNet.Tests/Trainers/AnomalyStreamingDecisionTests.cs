using Microsoft.ML;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Tests.Support;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// The anomaly trainer reads its rows as its <c>Streaming</c> options say, the same decision its network's stage makes:
/// when the rows are streamed it does not copy them into memory first; when they are held in memory it reads them once
/// for its checks. Watched through a view that records every cursor opened on it, against the network's stage alone.
/// </summary>
public class AnomalyStreamingDecisionTests
{
    private const int RowCount = 300;

    private static AutoencoderAnomalyEstimator.Options Small(TrainingDataMode mode, int limitMegabytes)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, AdaptToRows = false };
        o.Autoencoder.HiddenSizes = [8];
        o.Autoencoder.CodeSize = 3;
        o.Autoencoder.Epochs = 4;
        o.Autoencoder.BatchSize = 32;
        o.Autoencoder.Threads = 1;
        o.Streaming.Mode = mode;
        o.Streaming.InMemoryLimitMegabytes = limitMegabytes;
        return o;
    }

    /// <summary>The cursors that read the feature vectors while <paramref name="fit"/> runs, and the trainer's log of its decision.</summary>
    private static (int Passes, List<string> Log) Watch(MLContext ml, Action<IDataView> fit)
    {
        var view = new CountingView(View(ml, RowCount));
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source.Contains(AutoencoderAnomalyEstimator.StageName)) lock (log) log.Add(StreamingDecisionLogTests.Text(e.Message));
        };
        fit(view);
        return (view.Cursors.Count(c => c.VectorReads > 0), log);
    }

    /// <summary>The passes the network's stage makes alone with the same options.</summary>
    private static int StagePasses(AutoencoderAnomalyEstimator.Options o)
    {
        var ml = new MLContext(seed: 1);
        var stage = new AutoencoderEstimator.Options { InputColumnName = "Features", OutputColumnName = "Code", Autoencoder = o.Autoencoder, Seed = o.Seed, Streaming = o.Streaming };
        return Watch(ml, v => ml.Transforms.EncodeWithAutoencoder(stage).Fit(v)).Passes;
    }

    [Theory]
    [InlineData(TrainingDataMode.Streaming, 1024, true, "Streaming.Mode = Streaming")]
    [InlineData(TrainingDataMode.Auto, 0, true, "300 rows × 12 values = 0 MB, above the 0 MB in-memory limit")]
    [InlineData(TrainingDataMode.InMemory, 0, false, "Streaming.Mode = InMemory")]
    [InlineData(TrainingDataMode.Auto, 1, false, "300 rows × 12 values = 0 MB, within the 1 MB in-memory limit")]
    public void The_rows_are_streamed_or_read_into_memory_as_the_Streaming_options_say(TrainingDataMode mode, int limit, bool streamed, string reason)
    {
        var o = Small(mode, limit);
        int stage = StagePasses(o);
        if (streamed) Assert.True(stage >= o.Autoencoder.Epochs, $"the stage streamed {o.Autoencoder.Epochs} epochs in {stage} passes");
        else Assert.Equal(1, stage);
        var ml = new MLContext(seed: 1);
        var (passes, log) = Watch(ml, v => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(v));
        // The stage's passes, one more that scores the training rows for the threshold, and, for rows held in memory,
        // the trainer's own read for its checks; streamed rows are not copied into memory first.
        Assert.Equal(stage + (streamed ? 1 : 2), passes);
        Assert.Contains($"AnomalyDetection.Trainers.Autoencoder: {(streamed ? "streaming the rows" : "reading the rows into memory")} ({reason}).", log);
    }

    [Fact]
    public void A_score_that_keeps_the_training_rows_reads_them_whatever_the_limit()
    {
        var o = Small(TrainingDataMode.Auto, 0);
        o.Score = AnomalyScore.CodeGaussian;
        var ml = new MLContext(seed: 1);
        var (_, log) = Watch(ml, v => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(v));
        Assert.Contains("AnomalyDetection.Trainers.Autoencoder: reading the rows into memory (the score keeps the training rows).", log);
    }
}
