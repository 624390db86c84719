using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;
using Xunit.Abstractions;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>
/// The trainer with its defaults on small tables (a few hundred rows or fewer), as a new user would try it: it must at
/// least match PCA reconstruction of the same rank (the defaults adapt the network and its training to the rows).
/// </summary>
public class AnomalySmallTableTests(ITestOutputHelper output)
{
    /// <summary>scikit-learn's digits (8×8 images, values 0–16), which the set-up installs with scikit-learn.</summary>
    private const string DigitsPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

    /// <summary>The AUROC of the trainer with default options (and of PCA with the code's rank) on one table.</summary>
    private (double Autoencoder, double Pca) Measure(string name, ImageDataset train, ImageDataset test, Func<int, bool> isAnomaly, bool squaredError = false)
    {
        var ml = new MLContext(seed: 1);
        var o = new MLNetAutoencoders.MLNet.Trainers.AutoencoderAnomalyEstimator.Options { Seed = 0 };
        if (squaredError) o.Autoencoder.Loss = Nn.LossKind.SquaredError;
        var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(ImageDataViews.LoadForAnomalyDetection(ml, train, isAnomaly));
        double ae = ml.AnomalyDetection.Evaluate(model.Transform(ImageDataViews.LoadForAnomalyDetection(ml, test, isAnomaly))).AreaUnderRocCurve;
        var pca = PcaModel.Fit(train.Images, new PcaOptions { Components = AutoencoderDefaults.AnomalyCodeSize, Seed = 0 });
        var errors = AutoencoderMetrics.RowErrors(test.Images, pca.Reconstruct(test.Images));
        var labels = test.RequireLabels();
        var points = Enumerable.Range(0, test.Count).Select(i => new Scored { Label = isAnomaly(labels[i]) ? 1f : 0f, Score = errors[i, 0] }).ToList();
        double p = ml.AnomalyDetection.Evaluate(ml.Data.LoadFromEnumerable(points)).AreaUnderRocCurve;
        output.WriteLine(FormattableString.Invariant($"{name}: {train.Count} training rows of {train.Dimension}; autoencoder (defaults) AUROC {ae:F4}, PCA-{AutoencoderDefaults.AnomalyCodeSize} {p:F4}"));
        return (ae, p);
    }

    public sealed class Scored
    {
        public float Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private static (Matrix X, int[] Y) Digits()
    {
        if (!File.Exists(DigitsPath)) throw new FileNotFoundException($"{DigitsPath} is missing: the set-up installs it with python3-sklearn.");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(DigitsPath), CompressionMode.Decompress));
        var rows = new List<float[]>();
        var labels = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            var v = line.Split(',').Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            rows.Add(v[..64].Select(x => x / 16f).ToArray());
            labels.Add((int)v[64]);
        }
        return (Matrix.FromRows(rows), [.. labels]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Digits_about_90_normal_rows_of_64_features(int digit)
    {
        var (x, y) = Digits();
        var normal = Enumerable.Range(0, y.Length).Where(i => y[i] == digit).ToArray();
        var train = normal[..(normal.Length / 2)];
        var others = Enumerable.Range(0, 10).Where(c => c != digit).SelectMany(c => Enumerable.Range(0, y.Length).Where(i => y[i] == c).Take(10));
        var test = normal[(normal.Length / 2)..].Concat(others).ToArray();
        var (ae, pca) = Measure($"digits, normal {digit}", new ImageDataset(x.SelectRows(train), train.Select(i => y[i]).ToArray(), 8, 8),
            new ImageDataset(x.SelectRows(test), test.Select(i => y[i]).ToArray(), 8, 8), c => c != digit);
        Assert.True(ae >= pca - 0.005, $"digit {digit}: autoencoder {ae:F4} below PCA {pca:F4}");
    }

    [Fact]
    public void Breast_cancer_benign_rows_standardised()
    {
        var all = BreastCancer.Load();
        var labels = all.RequireLabels();
        var benign = Enumerable.Range(0, all.Count).Where(i => labels[i] == 1).ToArray();
        var malignant = Enumerable.Range(0, all.Count).Where(i => labels[i] == 0).ToArray();
        var train = benign.Where((_, j) => j % 10 < 7).ToArray();
        var test = benign.Where((_, j) => j % 10 >= 7).Concat(malignant.Where((_, j) => j % 2 == 0)).ToArray();
        var x = all.Images;
        var mean = Enumerable.Range(0, x.Cols).Select(j => train.Average(i => (double)x[i, j])).ToArray();
        var sd = Enumerable.Range(0, x.Cols).Select(j => Math.Sqrt(train.Average(i => Math.Pow(x[i, j] - mean[j], 2)))).ToArray();
        ImageDataset Take(int[] rows)
        {
            var m = x.SelectRows(rows);
            for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Cols; j++) m[i, j] = (float)((m[i, j] - mean[j]) / sd[j]);
            return new ImageDataset(m, rows.Select(i => labels[i]).ToArray(), all.Width, all.Height);
        }
        var (ae, pca) = Measure("breast cancer", Take(train), Take(test), c => c == 0, squaredError: true);
        Assert.True(ae >= pca - 0.005, $"breast cancer: autoencoder {ae:F4} below PCA {pca:F4}");
    }

    [Fact]
    public void Synthetic_manifold_150_rows()
    {
        var rng = new Random(4);
        var normal = StageTestData.Matrix(StageTestData.Rows(150, 1));
        var test = StageTestData.Matrix(StageTestData.Rows(100, 2));
        var rows = Enumerable.Range(0, test.Rows).Select(i => test.Row(i).ToArray()).ToList();
        for (int i = 0; i < 20; i++) rows.Add(Enumerable.Range(0, PixelRow.Width).Select(_ => (float)rng.NextDouble()).ToArray());
        var labels = Enumerable.Range(0, rows.Count).Select(i => i < 100 ? 0 : 1).ToArray();
        var (ae, pca) = Measure("synthetic manifold", new ImageDataset(normal, new int[150], PixelRow.Width, 1),
            new ImageDataset(Matrix.FromRows(rows), labels, PixelRow.Width, 1), c => c == 1);
        Assert.True(ae >= pca - 0.005, $"synthetic: autoencoder {ae:F4} below PCA {pca:F4}");
    }
}
