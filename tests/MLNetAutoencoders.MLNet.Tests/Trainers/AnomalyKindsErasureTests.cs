using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The trainer's restoration with erasure and with the convolutional network, and its ensembles over kinds: what they compute, their zips in plain ML.NET, their option errors.</summary>
public class AnomalyKindsErasureTests
{
    private const int Side = 8;

    /// <summary>An 8 × 8 image and its label (0 = normal: a bar across the top; 1 = anomaly: the same bar down the left side).</summary>
    public sealed class ImageRow
    {
        [VectorType(Side * Side)]
        public float[] Features { get; set; } = new float[Side * Side];

        public float Label { get; set; }
    }

    private static ImageRow[] Bars(int count, int seed, bool withAnomalies)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            bool left = withAnomalies && i % 2 == 1;
            var row = new ImageRow { Label = left ? 1 : 0 };
            int length = 4 + rng.Next(5), thick = 1 + rng.Next(2);
            for (int a = 0; a < thick; a++)
                for (int b = 0; b < length; b++) row.Features[left ? b * Side + a : a * Side + b] = 0.9f;
            for (int j = 0; j < row.Features.Length; j++) row.Features[j] = Math.Clamp(row.Features[j] + (float)(0.05 * rng.NextDouble()), 0, 1);
            return row;
        }).ToArray();
    }

    private static Numerics.Matrix Matrix(ImageRow[] rows)
    {
        var m = new Numerics.Matrix(rows.Length, Side * Side);
        for (int i = 0; i < rows.Length; i++) rows[i].Features.CopyTo(m.Row(i));
        return m;
    }

    private static AutoencoderAnomalyEstimator.Options Small(AnomalyScore score, bool conv = false)
    {
        var o = new AutoencoderAnomalyEstimator.Options { Seed = 3, Contamination = 0.05, Score = score, ImageHeight = Side, ImageWidth = Side };
        (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([16], 4, 30, 32, 1);
        if (conv) o.Autoencoder.Conv = new ConvAutoencoderOptions { ImageShape = [1, Side, Side], Channels = [4, 8] };
        return o;
    }

    public static TheoryData<string> Settings => ["erasure", "conv", "kinds", "kinds+raw"];

    private static AutoencoderAnomalyEstimator.Options Setting(string name)
    {
        var o = Small(name == "conv" || name == "erasure" ? AnomalyScore.Restoration : AnomalyScore.ReconstructionAndCodeNeighbours, conv: name == "conv");
        o.ErasureSize = 3;
        if (name.StartsWith("kinds", StringComparison.Ordinal)) o.AdditionalScores = [AnomalyScore.Restoration];
        o.InputNeighbours = name == "kinds+raw";
        return o;
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Scores_are_the_core_scorers_and_their_zips_score_the_same_in_plain_MLNet(string name)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Bars(240, 1, withAnomalies: false));
        var model = ml.AnomalyDetection.Trainers.Autoencoder(Setting(name)).Fit(train);
        if (name.StartsWith("kinds", StringComparison.Ordinal))
        {
            var e = Assert.IsType<EnsembleScorer>(model.Scorer);
            Assert.Equal([typeof(CodeAnomalyScorer), typeof(RestorationScorer)], e.Members.Select(m => m.GetType()));
            Assert.Equal(name == "kinds+raw", e.InputNeighbours is not null);
        }
        else
        {
            var r = Assert.IsType<RestorationScorer>(model.Scorer);
            Assert.Equal(5, r.ErasureMasks.Count);
            Assert.Equal(name == "conv", r.Network.Options.Conv is not null);
        }
        var rows = Bars(160, 2, withAnomalies: true);
        var test = ml.Data.LoadFromEnumerable(rows);
        var scored = model.Transform(test);
        double auc = ml.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve;
        Assert.True(auc > 0.8, $"{name}: AUC {auc:F3}");
        var direct = model.Scorer!.Score(Matrix(rows));
        var s = Scalars(scored, "Score");
        for (int i = 0; i < s.Length; i++) Assert.Equal(direct[i], s[i]);
        PlainMLNet.AssertAnomalyZipAgrees(ml, model, train.Schema, test, scored, name);
    }

    [Fact]
    public void An_ensemble_over_kinds_is_the_standardised_mean_of_single_detectors_and_the_input_neighbours()
    {
        var ml = new MLContext(seed: 1);
        var normal = Bars(200, 1, withAnomalies: false);
        var train = ml.Data.LoadFromEnumerable(normal);
        var o = Setting("kinds+raw");
        o.Seed = 5;
        var ensemble = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train);
        var members = new[] { AnomalyScore.ReconstructionAndCodeNeighbours, AnomalyScore.Restoration }.Select(score =>
        {
            var one = Small(score);
            (one.Seed, one.ErasureSize) = (5, score == AnomalyScore.Restoration ? 3 : 0);
            return ml.AnomalyDetection.Trainers.Autoencoder(one).Fit(train).Scorer!;
        }).ToArray();
        var x = Matrix(Bars(40, 3, withAnomalies: true));
        var expected = EnsembleScorer.Create(members, new KnnDistance(Matrix(normal), o.Neighbours)).Score(x);
        Assert.Equal(expected, ensemble.Scorer!.Score(x));
        // Two seeds of every score: four members.
        o.EnsembleSize = 2;
        o.InputNeighbours = false;
        Assert.Equal(4, Assert.IsType<EnsembleScorer>(ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train).Scorer).Members.Count);
    }

    [Fact]
    public void Bad_options_are_named_errors()
    {
        var ml = new MLContext(seed: 1);
        var o = Small(AnomalyScore.ReconstructionError);
        o.ErasureSize = 2;
        Assert.Contains("ErasureSize applies to Score = Restoration", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.Restoration);
        o.ErasureSize = -1;
        Assert.Contains("ErasureSize must be ≥ 0", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.Restoration);
        o.ErasureSize = 9;
        var big = Assert.Throws<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Bars(40, 1, false))));
        Assert.Contains("column 'Features'", big.Message);
        Assert.Contains("The erased square's side must be in 0–8", big.Message);
        o = Small(AnomalyScore.ReconstructionError);
        (o.AdditionalScores, o.ImageHeight) = ([AnomalyScore.Restoration], 0);
        Assert.Contains("AdditionalScores[0] = Restoration needs the images' ImageHeight and ImageWidth", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.ReconstructionError);
        o.AdditionalScores = [AnomalyScore.NegativeElbo];
        Assert.Contains("AdditionalScores[0] = NegativeElbo needs a VAE", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.ReconstructionError);
        (o.InputNeighbours, o.Streaming) = (true, new StreamingOptions { Mode = TrainingDataMode.Streaming });
        Assert.Contains("an ensemble keeps the training rows in memory", Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o)).Message);
        o = Small(AnomalyScore.ReconstructionError);
        (o.InputNeighbours, o.Neighbours) = (true, 40);
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ml.Data.LoadFromEnumerable(Bars(40, 1, false))));
        Assert.Contains("Neighbours = 40 needs at least 41 training rows", k.Message);
    }
}
