using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class AutoencoderMetricsTests
{
    /// <summary>An untrained autoencoder 6 → 5 → <paramref name="code"/> (the metrics need no training).</summary>
    internal static AutoencoderModel Untrained(LossKind loss = LossKind.SquaredError, int code = 2)
    {
        var o = new AutoencoderOptions { HiddenSizes = [5], CodeSize = code, Loss = loss, Gemm = GemmKind.Managed };
        var (encoder, decoder) = AutoencoderTrainer.Build(o, 6, new Rng(3));
        return new AutoencoderModel(o, encoder, decoder, new TrainingHistory());
    }

    [Fact]
    public void RowErrors_AreEachRowsMeanSquaredError_AndTheShapesMustAgree()
    {
        var x = new Matrix(2, 3, [1, 2, 3, 0, 0, 0]);
        var e = AutoencoderMetrics.RowErrors(x, new Matrix(2, 3, [1, 2, 5, 1, 1, -1]));
        Assert.Equal((2, 1), (e.Rows, e.Cols));
        Assert.Equal(4f / 3, e[0, 0], 6);
        Assert.Equal(1f, e[1, 0], 6);
        Assert.Throws<ArgumentNullException>(() => AutoencoderMetrics.RowErrors(null!, x));
        Assert.Throws<ArgumentNullException>(() => AutoencoderMetrics.RowErrors(x, null!));
        Assert.Contains("differ in shape", Assert.Throws<ArgumentException>(() => AutoencoderMetrics.RowErrors(x, new Matrix(3, 3))).Message);
        Assert.Contains("differ in shape", Assert.Throws<ArgumentException>(() => AutoencoderMetrics.RowErrors(x, new Matrix(2, 2))).Message);
    }

    [Fact]
    public void DenoisingMse_ReconstructsTheRowsPlusSeededNoise_AndRefusesABadNoiseLevel()
    {
        var model = Untrained();
        var x = TestData.LowRankData(20, 6);
        var before = x.Span.ToArray();
        var noisy = x.Clone();
        var rng = new Rng(7);
        foreach (ref var v in noisy.Span) v += (float)(0.3f * rng.NextGaussian());
        Assert.Equal(AutoencoderModel.MeanSquaredError(x, model.Reconstruct(noisy)), AutoencoderMetrics.DenoisingMse(model, x, 0.3f, 7));
        Assert.Equal(before, x.Span.ToArray());
        foreach (float bad in new[] { -0.1f, float.NaN, float.PositiveInfinity })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => AutoencoderMetrics.DenoisingMse(model, x, bad));
            Assert.Equal("noise", e.ParamName);
            Assert.Contains("noise must be a finite number ≥ 0", e.Message);
        }
        Assert.Throws<ArgumentNullException>(() => AutoencoderMetrics.DenoisingMse(null!, x));
    }

    [Fact]
    public void CodeStatistics_CountOnlyValuesStrictlyBelowTheThreshold_AndNeedCodes()
    {
        var codes = new Matrix(1, 4, [0.01f, -0.01f, 0.0099f, 0.5f]);
        Assert.Equal(0.25, AutoencoderMetrics.CodeStatistics(codes).FractionNearZero);
        Assert.Equal(0.75, AutoencoderMetrics.CodeStatistics(codes, nearZero: 0.02f).FractionNearZero);
        Assert.Contains("no codes", Assert.Throws<ArgumentException>(() => AutoencoderMetrics.CodeStatistics(new Matrix(0, 3))).Message);
        Assert.Throws<ArgumentNullException>(() => AutoencoderMetrics.CodeStatistics(null!));
    }

    [Fact]
    public void JacobianNorm_IsNaNWithoutADenseEncoder_AndNeedsRowsOfTheInputWidth()
    {
        var model = Untrained();
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => AutoencoderMetrics.JacobianFrobeniusSq(model, new Matrix(0, 6))).Message);
        Assert.Contains("The input have 5 values per row; the model expects 6", Assert.Throws<ArgumentException>(() => AutoencoderMetrics.JacobianFrobeniusSq(model, new Matrix(2, 5))).Message);
        Assert.Throws<ArgumentNullException>(() => AutoencoderMetrics.JacobianFrobeniusSq(null!, new Matrix(2, 6)));
        var conv = new AutoencoderOptions { Conv = new ConvAutoencoderOptions { ImageShape = [1, 4, 4], Channels = [2] }, CodeSize = 2 };
        var (encoder, decoder) = AutoencoderTrainer.Build(conv, 16, new Rng(1));
        Assert.Equal(double.NaN, AutoencoderMetrics.JacobianFrobeniusSq(new AutoencoderModel(conv, encoder, decoder, new TrainingHistory()), new Matrix(2, 16)));
    }

    [Fact]
    public void Measure_GathersTheMeasurements_WithThePriorKlOnlyForMoreRowsThanCodeWidth()
    {
        var model = Untrained();
        var x = TestData.LowRankData(3, 6);
        var m = AutoencoderMetrics.Measure(model, x);
        var codes = model.Encode(x);
        Assert.Equal(model.ReconstructionMse(x), m.Mse);
        Assert.Equal(AutoencoderMetrics.ReconstructionMse(model, x), m.Mse);
        Assert.Equal(AutoencoderMetrics.DenoisingMse(model, x), m.DenoisingMse);
        Assert.Equal(AutoencoderMetrics.JacobianFrobeniusSq(model, x), m.JacobianFrobeniusSq);
        Assert.Equal(AutoencoderMetrics.CodeStatistics(codes), m.Code);
        Assert.Equal(PriorCodes.GaussianKl(codes), m.PriorKl);
        Assert.True(double.IsFinite(m.PriorKl));
        Assert.Equal(double.NaN, AutoencoderMetrics.Measure(model, TestData.LowRankData(2, 6)).PriorKl);
    }
}
