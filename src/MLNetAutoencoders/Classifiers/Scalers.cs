using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// A per-column affine map <c>x' = x·Scale + Offset</c> with its inverse; the common part of the scalers.
/// </summary>
public abstract class ColumnScaler
{
    /// <summary>Spreads below 10·ε(double) count as zero and get scale 1, as in scikit-learn.</summary>
    private protected const double NearZero = 10 * 2.220446049250313e-16;

    private protected ColumnScaler(float[] scale, float[] offset)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(offset);
        if (scale.Length != offset.Length)
            throw new ArgumentException($"scale has {scale.Length} values and offset {offset.Length}; they must match.");
        for (int j = 0; j < scale.Length; j++)
            if (!float.IsFinite(scale[j]) || scale[j] == 0 || !float.IsFinite(offset[j]))
                throw new ArgumentException($"Column {j}: scale {scale[j]} and offset {offset[j]} must be finite and the scale non-zero.");
        Multiplier = scale;
        Offset = offset;
    }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => Multiplier.Length;

    /// <summary>Per-column factor applied by <see cref="Transform"/>.</summary>
    public float[] Multiplier { get; }

    /// <summary>Per-column term added after the factor.</summary>
    public float[] Offset { get; }

    /// <summary>Returns the scaled copy of <paramref name="x"/>.</summary>
    public Matrix Transform(Matrix x)
    {
        Check(x);
        var r = x.Clone();
        TransformInPlace(r);
        return r;
    }

    /// <summary>Scales <paramref name="x"/> in place.</summary>
    public void TransformInPlace(Matrix x)
    {
        Check(x);
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.FusedMultiplyAdd(x.Row(i), Multiplier, Offset, x.Row(i));
    }

    /// <summary>Maps scaled values back: <c>x = (x' − Offset) / Scale</c>.</summary>
    public Matrix InverseTransform(Matrix scaled)
    {
        Check(scaled);
        var r = scaled.Clone();
        for (int i = 0; i < r.Rows; i++)
        {
            TensorPrimitives.Subtract(r.Row(i), Offset, r.Row(i));
            TensorPrimitives.Divide(r.Row(i), Multiplier, r.Row(i));
        }
        return r;
    }

    private void Check(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != ColumnCount)
            throw new ArgumentException($"The input has {x.Cols} columns; the scaler was fitted on {ColumnCount}.", nameof(x));
    }

    private protected static void CheckFit(Matrix x, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows == 0) throw new ArgumentException($"{what} cannot be fitted on a matrix without rows.", nameof(x));
        x.ThrowIfNotFinite(what + " input");
    }
}

/// <summary>
/// Standardisation like scikit-learn's <c>StandardScaler</c>: <c>(x − mean) / std</c> with the population standard
/// deviation (ddof 0); a column whose std is below 10·ε(double) keeps scale 1 (it is only centred).
/// </summary>
public sealed class MeanVarianceScaler : ColumnScaler
{
    /// <summary>Creates a scaler from its statistics (for loading; <see cref="Fit"/> is the usual way).</summary>
    /// <param name="mean">Per-column value subtracted.</param>
    /// <param name="scale">Per-column divisor (non-zero).</param>
    public MeanVarianceScaler(float[] mean, float[] scale) : base(Reciprocal(scale), NegatedRatio(mean, scale))
    {
        Mean = mean;
        Scale = scale;
    }

    /// <summary>Per-column mean subtracted.</summary>
    public float[] Mean { get; }

    /// <summary>Per-column divisor (the standard deviation, or 1 for a constant column or when not scaling).</summary>
    public float[] Scale { get; }

    /// <summary>Fits column means and standard deviations (in double) to the rows of <paramref name="x"/>.</summary>
    /// <param name="x">Training rows (finite).</param>
    /// <param name="withMean">Subtract the mean (default true); otherwise the mean is 0.</param>
    /// <param name="withStd">Divide by the standard deviation (default true); otherwise the scale is 1.</param>
    public static MeanVarianceScaler Fit(Matrix x, bool withMean = true, bool withStd = true)
    {
        CheckFit(x, "MeanVarianceScaler");
        var mean = ColumnStats.Means(x, Environment.ProcessorCount);
        var squares = ColumnStats.CentredSquares(x, mean, Environment.ProcessorCount);
        var m = new float[x.Cols];
        var s = new float[x.Cols];
        for (int j = 0; j < x.Cols; j++)
        {
            m[j] = withMean ? (float)mean[j] : 0f;
            double std = Math.Sqrt(squares[j] / x.Rows);
            s[j] = withStd && std >= NearZero ? (float)std : 1f;
        }
        return new MeanVarianceScaler(m, s);
    }

    private static float[] Reciprocal(float[] scale)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var r = new float[scale.Length];
        for (int j = 0; j < r.Length; j++) r[j] = 1f / scale[j];
        return r;
    }

    private static float[] NegatedRatio(float[] mean, float[] scale)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(scale);
        if (mean.Length != scale.Length) throw new ArgumentException($"mean has {mean.Length} values and scale {scale.Length}; they must match.");
        var r = new float[mean.Length];
        for (int j = 0; j < r.Length; j++) r[j] = -mean[j] / scale[j];
        return r;
    }
}

/// <summary>
/// Min-max scaling like scikit-learn's <c>MinMaxScaler</c>: maps each column's training range [min, max] linearly to
/// [<see cref="Low"/>, <see cref="High"/>]; a constant column gets factor (High − Low) and lands on Low.
/// </summary>
public sealed class MinMaxScaler : ColumnScaler
{
    /// <summary>Creates a scaler from its statistics (for loading; <see cref="Fit"/> is the usual way).</summary>
    /// <param name="dataMin">Per-column training minimum.</param>
    /// <param name="dataMax">Per-column training maximum (≥ the minimum).</param>
    /// <param name="low">Target of the minimum.</param>
    /// <param name="high">Target of the maximum (&gt; low).</param>
    public MinMaxScaler(float[] dataMin, float[] dataMax, float low = 0f, float high = 1f)
        : base(Factor(dataMin, dataMax, low, high), Shift(dataMin, Factor(dataMin, dataMax, low, high), low))
    {
        DataMin = dataMin;
        DataMax = dataMax;
        Low = low;
        High = high;
    }

    /// <summary>Per-column training minimum.</summary>
    public float[] DataMin { get; }

    /// <summary>Per-column training maximum.</summary>
    public float[] DataMax { get; }

    /// <summary>Lower end of the target range.</summary>
    public float Low { get; }

    /// <summary>Upper end of the target range.</summary>
    public float High { get; }

    /// <summary>Fits column minima and maxima to the rows of <paramref name="x"/>.</summary>
    /// <param name="x">Training rows (finite).</param>
    /// <param name="low">Target of each column's minimum (default 0).</param>
    /// <param name="high">Target of each column's maximum (default 1, &gt; low).</param>
    public static MinMaxScaler Fit(Matrix x, float low = 0f, float high = 1f)
    {
        CheckFit(x, "MinMaxScaler");
        var (min, max) = ColumnStats.MinMax(x);
        return new MinMaxScaler(min, max, low, high);
    }

    private static float[] Factor(float[] dataMin, float[] dataMax, float low, float high)
    {
        ArgumentNullException.ThrowIfNull(dataMin);
        ArgumentNullException.ThrowIfNull(dataMax);
        if (!(high > low) || !float.IsFinite(low) || !float.IsFinite(high))
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The target range must be finite with high > low; got [{low}, {high}].");
        if (dataMin.Length != dataMax.Length)
            throw new ArgumentException($"dataMin has {dataMin.Length} values and dataMax {dataMax.Length}; they must match.");
        var f = new float[dataMin.Length];
        for (int j = 0; j < f.Length; j++)
        {
            double range = (double)dataMax[j] - dataMin[j];
            if (range < 0) throw new ArgumentException($"Column {j}: max {dataMax[j]} is below min {dataMin[j]}.");
            f[j] = (float)((high - low) / (range < NearZero ? 1 : range));
        }
        return f;
    }

    private static float[] Shift(float[] dataMin, float[] factor, float low)
    {
        var s = new float[dataMin.Length];
        for (int j = 0; j < s.Length; j++) s[j] = (float)(low - (double)dataMin[j] * factor[j]);
        return s;
    }
}
