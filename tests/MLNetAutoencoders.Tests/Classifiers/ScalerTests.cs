using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Classifiers;

public class ScalerTests
{
    private static Matrix Data()
    {
        var x = new Matrix(50, 3);
        var rng = new Rng(4);
        for (int i = 0; i < 50; i++)
        {
            x[i, 0] = (float)(10 + 3 * rng.NextGaussian());
            x[i, 1] = 0.25f; // constant column
            x[i, 2] = rng.NextFloat() * 200 - 50;
        }
        return x;
    }

    [Fact]
    public void Mean_variance_scaler_standardises_and_leaves_constant_columns_unscaled()
    {
        var x = Data();
        var s = MeanVarianceScaler.Fit(x);
        Assert.Equal(1f, s.Scale[1]);
        Assert.Equal(0.25f, s.Mean[1]);
        var z = s.Transform(x);
        foreach (var col in new[] { 0, 2 })
        {
            var v = Enumerable.Range(0, z.Rows).Select(i => (double)z[i, col]).ToArray();
            double mean = v.Average();
            Assert.Equal(0, mean, 1e-5);
            Assert.Equal(1, v.Sum(t => (t - mean) * (t - mean)) / v.Length, 1e-5); // population variance, like scikit-learn
        }
        Assert.All(Enumerable.Range(0, z.Rows), i => Assert.Equal(0f, z[i, 1]));
        var back = s.InverseTransform(z);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x.Data[i], back.Data[i], 1e-3f * Math.Max(1, Math.Abs(x.Data[i])));
        var noMean = MeanVarianceScaler.Fit(x, withMean: false);
        Assert.All(noMean.Mean, m => Assert.Equal(0f, m));
    }

    [Fact]
    public void Min_max_scaler_maps_the_training_range()
    {
        var x = Data();
        var s = MinMaxScaler.Fit(x, -1, 1);
        var z = s.Transform(x);
        foreach (var col in new[] { 0, 2 })
        {
            var v = Enumerable.Range(0, z.Rows).Select(i => z[i, col]).ToArray();
            Assert.Equal(-1f, v.Min(), 1e-5f);
            Assert.Equal(1f, v.Max(), 1e-5f);
        }
        Assert.All(Enumerable.Range(0, z.Rows), i => Assert.Equal(-1f, z[i, 1]));
        var back = s.InverseTransform(z);
        for (int i = 0; i < x.Length; i++) Assert.Equal(x.Data[i], back.Data[i], 1e-3f * Math.Max(1, Math.Abs(x.Data[i])));
    }

    [Fact]
    public void Bad_inputs_are_reported()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MinMaxScaler.Fit(Data(), 1, 1));
        Assert.Throws<ArgumentException>(() => MeanVarianceScaler.Fit(new Matrix(0, 3)));
        var bad = Data();
        bad[3, 2] = float.NaN;
        Assert.Contains("row 3, column 2", Assert.Throws<ArgumentException>(() => MeanVarianceScaler.Fit(bad)).Message);
        var s = MeanVarianceScaler.Fit(Data());
        Assert.Throws<ArgumentException>(() => s.Transform(new Matrix(2, 4)));
        Assert.Throws<ArgumentException>(() => new MeanVarianceScaler([0f], [0f]));
    }
}
