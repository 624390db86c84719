using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>A row of the test data: 12 pixels in (0, 1) near a 3-dimensional manifold, and a class 0–2.</summary>
public sealed class PixelRow
{
    public const int Width = 12;

    [VectorType(Width)]
    public float[] Features { get; set; } = new float[Width];

    public uint Label { get; set; }
}

/// <summary>A prediction of the multiclass chain.</summary>
public sealed class ClassPrediction
{
    [ColumnName("PredictedLabel")]
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];

    public float[] Code { get; set; } = [];
}

internal static class StageTestData
{
    /// <summary>sigmoid(U·s + class offset), s ~ N(0, I): rows small autoencoders learn in a few epochs; the class shifts the mean.</summary>
    public static PixelRow[] Rows(int count, int seed)
    {
        var rng = new Random(seed);
        var basis = new Random(7);
        var u = new float[PixelRow.Width, 3];
        for (int j = 0; j < PixelRow.Width; j++) for (int k = 0; k < 3; k++) u[j, k] = (float)(basis.NextDouble() * 2 - 1);
        var rows = new PixelRow[count];
        for (int i = 0; i < count; i++)
        {
            uint label = (uint)(i % 3);
            var s = new double[3];
            for (int k = 0; k < 3; k++) s[k] = Gaussian(rng) + (k == label ? 1.5 : 0);
            var row = new PixelRow { Label = label };
            for (int j = 0; j < PixelRow.Width; j++)
            {
                double a = 0;
                for (int k = 0; k < 3; k++) a += u[j, k] * s[k];
                row.Features[j] = (float)(1 / (1 + Math.Exp(-a)));
            }
            rows[i] = row;
        }
        return rows;
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    public static IDataView View(MLContext ml, int count = 300, int seed = 1) => ml.Data.LoadFromEnumerable(Rows(count, seed));

    public static Matrix Matrix(PixelRow[] rows)
    {
        var m = new Matrix(rows.Length, PixelRow.Width);
        for (int i = 0; i < rows.Length; i++) rows[i].Features.CopyTo(m.Row(i));
        return m;
    }

    /// <summary>A small, quick autoencoder stage: 12 → 8 → 3, 5 epochs, batch 32, one thread.</summary>
    public static AutoencoderEstimator.Options SmallAe(AutoencoderKind kind = AutoencoderKind.Plain, int? seed = 3)
    {
        var o = AutoencoderEstimator.Options.ForKind(kind);
        o.InputColumnName = "Features";
        o.OutputColumnName = "Code";
        o.Seed = seed;
        o.Autoencoder.HiddenSizes = [8];
        o.Autoencoder.CodeSize = 3;
        o.Autoencoder.Epochs = 5;
        o.Autoencoder.BatchSize = 32;
        o.Autoencoder.Threads = 1;
        o.FineTuneEpochs = 1;
        return o;
    }

    public static VariationalAutoencoderEstimator.Options SmallVae(int? seed = 3) => new()
    {
        InputColumnName = "Features",
        OutputColumnName = "Code",
        Seed = seed,
        Vae = new VaeOptions { HiddenSizes = [8], LatentSize = 3, Epochs = 5, BatchSize = 32, Threads = 1 },
    };

    /// <summary>Every value of a vector column, row by row, read through a cursor.</summary>
    public static float[][] Column(IDataView view, string name) => view.GetColumn<float[]>(name).ToArray();

    public static float[] Scalars(IDataView view, string name) => view.GetColumn<float>(name).ToArray();

    public static void AssertClose(float[][] expected, float[][] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Length, actual[i].Length);
            for (int j = 0; j < expected[i].Length; j++)
                Assert.True(Math.Abs(expected[i][j] - actual[i][j]) <= tolerance,
                    $"{what}: row {i}, slot {j}: expected {expected[i][j]}, got {actual[i][j]} (tolerance {tolerance}).");
        }
    }

    public static float[][] Rows(Matrix m) => Enumerable.Range(0, m.Rows).Select(i => m.Row(i).ToArray()).ToArray();
}
