using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>Inverted dropout: in training each value is zeroed with probability <see cref="Rate"/> and the rest scaled by 1/(1−rate); identity at inference.</summary>
public sealed class DropoutLayer : Layer
{
    private readonly int _size;
    private Matrix? _y, _mask;
    private bool _lastTraining;

    /// <summary>Creates a dropout layer of the given width and rate in [0, 1).</summary>
    public DropoutLayer(int size, float rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        _size = size;
        Rate = rate;
    }

    /// <summary>The drop probability.</summary>
    public float Rate { get; }

    /// <inheritdoc />
    public override int InputSize => _size;

    /// <inheritdoc />
    public override int OutputSize => _size;

    /// <inheritdoc />
    public override Matrix Forward(Matrix x, bool training, NnContext ctx)
    {
        _lastTraining = training && Rate > 0;
        if (!_lastTraining) return x;
        var y = Matrix.Ensure(ref _y, x.Rows, x.Cols);
        var mask = Matrix.Ensure(ref _mask, x.Rows, x.Cols);
        float keep = 1f / (1f - Rate);
        var xs = x.Span; var ys = y.Span; var ms = mask.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            float m = ctx.Rng.NextFloat() < Rate ? 0f : keep;
            ms[i] = m;
            ys[i] = xs[i] * m;
        }
        return y;
    }

    /// <inheritdoc />
    public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx)
    {
        if (!needInputGrad) return null;
        if (_lastTraining) System.Numerics.Tensors.TensorPrimitives.Multiply(dy.Span, _mask!.Span, dy.Span);
        return dy;
    }

    /// <inheritdoc />
    public override LayerSpec ToSpec() => new("dropout", _size, _size, Rate: Rate);
}
