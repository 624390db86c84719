using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>A two-value row of the long synthetic views.</summary>
public sealed class PairRow
{
    [VectorType(2)]
    public float[] Features { get; set; } = new float[2];
}

/// <summary>Streaming fit: a new cursor every epoch, bounded shuffle buffer, hashed validation rows; the default rule; errors met while streaming.</summary>
public class StreamingTests
{
    private static AutoencoderEstimator.Options Streamed(TrainingDataMode mode = TrainingDataMode.Streaming)
    {
        var o = SmallAe();
        o.Streaming.Mode = mode;
        o.Autoencoder.ShuffleBufferRows = 64;
        o.Autoencoder.ValidationFraction = 0.2;
        return o;
    }

    private static List<string> Log(MLContext ml, string source)
    {
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(source)) lock (log) log.Add(e.Message); };
        return log;
    }

    [Fact]
    public void StreamingFit_IsBitIdenticalRunToRun_AndAsGoodAsInMemory()
    {
        float[][] Codes(TrainingDataMode mode, out double mse)
        {
            var ml = new MLContext(seed: 1);
            var data = View(ml, 600);
            var fitted = ml.Transforms.EncodeWithAutoencoder(Streamed(mode)).Fit(data);
            mse = AutoencoderMetrics.ReconstructionMse(fitted.Model, Matrix(Rows(300, 9)));
            Assert.All(fitted.Model.History.Epochs, e => Assert.NotNull(e.ValidationLoss));
            return Column(fitted.Transform(data), "Code");
        }
        var a = Codes(TrainingDataMode.Streaming, out double streamed);
        var b = Codes(TrainingDataMode.Streaming, out double again);
        AssertClose(a, b, 0f, "two streaming fits with the same seed");
        Assert.Equal(streamed, again);
        Codes(TrainingDataMode.InMemory, out double inMemory);
        Assert.InRange(streamed / inMemory, 0.8, 1.25);
    }

    [Fact]
    public void StreamingFit_OfTheVae_IsRepeatable()
    {
        float[][] Codes()
        {
            var ml = new MLContext(seed: 1);
            var o = SmallVae();
            o.Streaming.Mode = TrainingDataMode.Streaming;
            o.Vae.ShuffleBufferRows = 50;
            return Column(ml.Transforms.EncodeWithVariationalAutoencoder(o).Fit(View(ml)).Transform(View(ml)), "Code");
        }
        AssertClose(Codes(), Codes(), 0f, "two streaming VAE fits");
    }

    [Fact]
    public void Auto_KeepsSmallColumnsInMemory_StreamsAboveTheLimit_AndCountsRowsTheViewDoesNotKnow()
    {
        var ml = new MLContext(seed: 1);
        var log = Log(ml, AutoencoderEstimator.StageName);
        ml.Transforms.EncodeWithAutoencoder(Streamed(TrainingDataMode.Auto)).Fit(View(ml));
        Assert.Contains(log, m => m.Contains("training from an in-memory copy") && m.Contains("300 rows × 12 values") && m.Contains("within the 512 MB"));
        log.Clear();
        var o = Streamed(TrainingDataMode.Auto);
        o.Streaming.InMemoryLimitMegabytes = 0;
        ml.Transforms.EncodeWithAutoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows(300, 1).Select(r => r))); // a lazy sequence: no row count
        Assert.Contains(log, m => m.Contains("streaming the rows") && m.Contains("300 rows × 12 values") && m.Contains("above the 0 MB"));
    }

    [Fact]
    public void BadStreamingOptions_FailWhenTheEstimatorIsMade()
    {
        var ml = new MLContext(seed: 1);
        var o = Streamed();
        o.Streaming.InMemoryLimitMegabytes = -1;
        Assert.Equal("InMemoryLimitMegabytes", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithAutoencoder(o)).ParamName);
        o.Streaming = null!;
        Assert.Throws<ArgumentNullException>(() => ml.Transforms.EncodeWithAutoencoder(o));
        var bad = Streamed();
        bad.Autoencoder.ShuffleBufferRows = 0;
        Assert.Equal("ShuffleBufferRows", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithAutoencoder(bad)).ParamName);
    }

    [Fact]
    public void NaNInRow1234567_StopsAStreamingFitNamingTheRowAndSlot()
    {
        const int bad = 1_234_567;
        IEnumerable<PairRow> Rows()
        {
            for (int i = 0; i < 1_300_000; i++)
                yield return new PairRow { Features = [(i % 100) / 100f, i == bad ? float.NaN : 0.5f] };
        }
        var ml = new MLContext(seed: 1);
        var o = new AutoencoderEstimator.Options
        {
            Seed = 1, Streaming = new StreamingOptions { Mode = TrainingDataMode.Streaming },
            Autoencoder = new AutoencoderOptions { HiddenSizes = [], CodeSize = 1, Epochs = 1, BatchSize = 8192, ShuffleBufferRows = 1024, Threads = 1 },
        };
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(ml.Data.LoadFromEnumerable(Rows())));
        Assert.Contains($"EncodeWithAutoencoder: column 'Features', row {bad}, slot 1 is NaN", e.Message);
    }

    private static string WriteCsv(string folder, int rows, int? badRow = null)
    {
        var path = Path.Combine(folder, "rows.csv");
        using var w = new StreamWriter(path);
        var data = StageTestData.Rows(rows, 2);
        for (int i = 0; i < rows; i++)
            w.WriteLine(i == badRow ? "0.5,0.5,0.5,abc,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5" : string.Join(",", data[i].Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return path;
    }

    private static IDataView Csv(MLContext ml, string path)
        => ml.Data.LoadFromTextFile(path, [new TextLoader.Column("Features", DataKind.Single, 0, PixelRow.Width - 1)], separatorChar: ',');

    [Fact]
    public void ACorruptRowOfATextFile_StopsAStreamingFitNamingTheRow()
    {
        using var folder = new TempFolder();
        var path = WriteCsv(folder.Path, 3000, badRow: 2345);
        var ml = new MLContext(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(Streamed()).Fit(Csv(ml, path)));
        Assert.Contains("column 'Features', row 2345, slot 3 is NaN", e.Message);
        Assert.Equal(["rows.csv"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ADamagedBinaryFile_StopsAStreamingFitNamingTheRow_AndWritesNothing()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 1);
        var path = Path.Combine(folder.Path, "rows.idv");
        using (var s = File.Create(path)) ml.Data.SaveAsBinary(View(ml, 20_000), s);
        var bytes = File.ReadAllBytes(path);
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 4096; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<Exception>(() => ml.Transforms.EncodeWithAutoencoder(Streamed()).Fit(ml.Data.LoadFromBinary(path)));
        Assert.True(e is InvalidDataException or IOException or ArgumentException, e.ToString()); // which one depends on where the damage lands
        Assert.Matches(@"EncodeWithAutoencoder: (reading column 'Features' failed at row \d+|column 'Features', row \d+, slot \d+)", e.Message);
        Assert.Equal(["rows.idv"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFileThatDisappearsBetweenEpochs_StopsTheFitNamingTheFileAndRow()
    {
        using var folder = new TempFolder();
        var path = WriteCsv(folder.Path, 500);
        var ml = new MLContext(seed: 1);
        var o = Streamed();
        o.Progress = new SyncProgress<EpochReport>(r => { if (r.Epoch == 1) File.Delete(path); });
        var e = Assert.Throws<IOException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(Csv(ml, path)));
        Assert.Contains("EncodeWithAutoencoder: reading column 'Features' failed at row 0", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void Cancellation_StopsAStreamingFit()
    {
        using var cts = new CancellationTokenSource();
        var ml = new MLContext(seed: 1);
        var o = Streamed();
        o.Autoencoder.Epochs = 1000;
        o.CancellationToken = cts.Token;
        o.Progress = new SyncProgress<EpochReport>(r => { if (r.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml)));
    }

    [Fact]
    public void AnomalyTrainer_AndEncoderClassifierPretraining_Stream()
    {
        var ml = new MLContext(seed: 1);
        var log = Log(ml, "");
        var options = new AutoencoderAnomalyEstimator.Options { Seed = 2, Streaming = new StreamingOptions { Mode = TrainingDataMode.Streaming } };
        options.Autoencoder = new AutoencoderOptions { HiddenSizes = [8], CodeSize = 3, Epochs = 3, BatchSize = 32, Threads = 1, ShuffleBufferRows = 64 };
        var detector = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(View(ml));
        Assert.True(float.IsFinite(detector.Threshold));
        Assert.Equal(detector.Threshold, ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(View(ml)).Threshold);
        Assert.Contains(log, m => m.Contains("streaming the rows"));

        log.Clear();
        var pretrain = Streamed();
        var classifier = new EncoderClassifierEstimator.Options { Pretrain = pretrain, Seed = 3 };
        classifier.Classifier.Epochs = 2;
        ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(classifier)).Fit(View(ml));
        Assert.Contains(log, m => m.Contains("streaming the rows"));
    }
}
