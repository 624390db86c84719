using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>Which per-feature normalisation a <see cref="NormalizingEstimator"/> learns.</summary>
public enum NormalizerKind
{
    /// <summary>Each feature's training range [min, max] maps linearly to [0, 1] (scikit-learn's MinMaxScaler; a constant feature maps to 0).</summary>
    MinMax,
    /// <summary>Each feature becomes (x − mean) / std with the population std (scikit-learn's StandardScaler; a constant feature is only centred).</summary>
    MeanVariance,
}

/// <summary>Learns a per-feature affine normalisation of a vector column (see <see cref="NormalizerKind"/>).</summary>
public sealed class NormalizingEstimator : VectorEstimator<NormalizingTransformer>
{
    /// <summary>Creates the estimator; <paramref name="inputColumnName"/> null normalises the output column in place (in the new table).</summary>
    /// <param name="kind">The normalisation.</param>
    /// <param name="outputColumnName">The column written.</param>
    /// <param name="inputColumnName">The column read (null = the output column).</param>
    /// <param name="clip">Min-max only: clamp outputs to [0, 1] (see <see cref="Clip"/>).</param>
    public NormalizingEstimator(NormalizerKind kind, string outputColumnName, string? inputColumnName = null, bool clip = true)
        : base(outputColumnName, inputColumnName)
    {
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "NormalizerKind must be MinMax or MeanVariance.");
        Kind = kind;
        Clip = clip && kind == NormalizerKind.MinMax;
    }

    /// <summary>The normalisation learnt.</summary>
    public NormalizerKind Kind { get; }

    /// <summary>
    /// Min-max only: clamp the outputs to [0, 1] (default true), so that rounding on the training rows and values
    /// outside the training range on new rows cannot leave the range a cross-entropy autoencoder needs. ML.NET and
    /// scikit-learn do not clip by default; pass false for their behaviour.
    /// </summary>
    public bool Clip { get; }

    /// <inheritdoc />
    protected override string StageName => $"Normalize{Kind}";

    /// <inheritdoc />
    protected override int OutputSize(int inputSize) => inputSize;

    /// <inheritdoc />
    protected override NormalizingTransformer FitCore(Matrix input, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
    {
        ColumnScaler scaler = Kind == NormalizerKind.MinMax ? MinMaxScaler.Fit(input) : MeanVarianceScaler.Fit(input);
        return new NormalizingTransformer(scaler, OutputColumnName, InputColumnName, Clip);
    }
}

/// <summary>A fitted per-feature normalisation <c>x' = x·Multiplier + Offset</c>.</summary>
public sealed class NormalizingTransformer : VectorTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "normalizer";

    /// <summary>Wraps a fitted scaler (<see cref="MinMaxScaler"/> or <see cref="MeanVarianceScaler"/>).</summary>
    /// <param name="scaler">The fitted scaler.</param>
    /// <param name="outputColumnName">The column written.</param>
    /// <param name="inputColumnName">The column read.</param>
    /// <param name="clip">For a <see cref="MinMaxScaler"/>: clamp outputs to its [Low, High] range.</param>
    public NormalizingTransformer(ColumnScaler scaler, string outputColumnName, string inputColumnName, bool clip = false)
        : base(outputColumnName, inputColumnName, Checked(scaler).ColumnCount, scaler.ColumnCount)
    {
        Scaler = scaler;
        Clip = clip && scaler is MinMaxScaler;
    }

    /// <summary>The fitted scaler.</summary>
    public ColumnScaler Scaler { get; }

    /// <summary>True when min-max outputs are clamped to the target range.</summary>
    public bool Clip { get; }

    /// <inheritdoc />
    protected override string StageName => Scaler is MinMaxScaler ? "NormalizeMinMax" : "NormalizeMeanVariance";

    /// <inheritdoc />
    protected override Matrix Map(Matrix input)
    {
        var y = Scaler.Transform(input);
        if (Clip && Scaler is MinMaxScaler m) System.Numerics.Tensors.TensorPrimitives.Clamp(y.Span, m.Low, m.High, y.Span);
        return y;
    }

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var a = new ModelArchive(Kind);
        switch (Scaler)
        {
            case MinMaxScaler m:
                a.Set("normalizer", NormalizerKind.MinMax);
                a.Set("low", m.Low);
                a.Set("high", m.High);
                a.Set("clip", Clip);
                a.Add("min", Row(m.DataMin));
                a.Add("max", Row(m.DataMax));
                break;
            case MeanVarianceScaler s:
                a.Set("normalizer", NormalizerKind.MeanVariance);
                a.Add("mean", Row(s.Mean));
                a.Add("scale", Row(s.Scale));
                break;
        }
        return a;
    }

    internal static NormalizingTransformer FromArchive(ModelArchive a)
    {
        var (output, input) = Columns(a);
        ColumnScaler scaler = a.GetValue<NormalizerKind>("normalizer") switch
        {
            NormalizerKind.MinMax => new MinMaxScaler(a.Get("min").Span.ToArray(), a.Get("max").Span.ToArray(), a.GetValue<float>("low"), a.GetValue<float>("high")),
            _ => new MeanVarianceScaler(a.Get("mean").Span.ToArray(), a.Get("scale").Span.ToArray()),
        };
        return new NormalizingTransformer(scaler, output, input, a.Metadata.ContainsKey("clip") && a.GetValue<bool>("clip"));
    }

    private static Matrix Row(float[] v) => new(1, v.Length, (float[])v.Clone());

    private static ColumnScaler Checked(ColumnScaler scaler)
    {
        ArgumentNullException.ThrowIfNull(scaler);
        if (scaler is not (MinMaxScaler or MeanVarianceScaler))
            throw new ArgumentException($"A {scaler.GetType().Name} cannot be saved; use MinMaxScaler or MeanVarianceScaler.", nameof(scaler));
        return scaler;
    }
}
