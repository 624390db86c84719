using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>
/// A layer with an explicit backward pass. <see cref="Forward"/> returns a buffer the layer owns (valid until its next
/// forward call) and remembers what the backward pass needs; <see cref="Backward"/> adds parameter gradients into
/// <see cref="Parameter.Grad"/> and returns the input gradient in a buffer it owns (or null when not asked for).
/// </summary>
public abstract class Layer
{
    /// <summary>Width of the input rows.</summary>
    public abstract int InputSize { get; }

    /// <summary>Width of the output rows.</summary>
    public abstract int OutputSize { get; }

    /// <summary>The trainable parameters this layer uses (a tied weight appears in both layers that use it).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => Array.Empty<Parameter>();

    /// <summary>Runs the layer on a batch (rows are samples).</summary>
    public abstract Matrix Forward(Matrix x, bool training, NnContext ctx);

    /// <summary>Back-propagates <paramref name="dy"/> (which the layer may overwrite) through the last forward call.</summary>
    public abstract Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx);

    /// <summary>A serialisable description (parameters referenced by name).</summary>
    public abstract LayerSpec ToSpec();
}

/// <summary>Serialisable description of a layer.</summary>
/// <param name="Kind"><c>dense</c>, <c>dropout</c>, <c>conv2d</c> or <c>conv_transpose2d</c>.</param>
/// <param name="Input">Input width.</param>
/// <param name="Output">Output width.</param>
/// <param name="Activation">Activation name (dense, convolutions).</param>
/// <param name="Slope">Leaky ReLU slope (dense, convolutions).</param>
/// <param name="Weight">Name of the weight parameter (dense, convolutions).</param>
/// <param name="Bias">Name of the bias parameter (dense, convolutions).</param>
/// <param name="Transposed">True when the stored weight is in×out (a tied decoder layer using an encoder's weight).</param>
/// <param name="Rate">Drop probability (dropout).</param>
/// <param name="Image">Channels, height, width of the convolution's image: its input (conv2d) or output (conv_transpose2d).</param>
/// <param name="Kernel">Kernel size (convolutions).</param>
/// <param name="Stride">Stride (convolutions).</param>
/// <param name="Padding">Padding (convolutions).</param>
public sealed record LayerSpec(string Kind, int Input, int Output, string? Activation = null, float Slope = 0.01f,
    string? Weight = null, string? Bias = null, bool Transposed = false, float Rate = 0f,
    int[]? Image = null, int Kernel = 0, int Stride = 0, int Padding = 0)
{
    /// <summary>The convolution geometry of a conv2d / conv_transpose2d spec.</summary>
    internal ConvGeometry Geometry => Image is { Length: 3 } i
        ? new ConvGeometry(i[0], i[1], i[2], Kernel, Stride, Padding)
        : throw new InvalidDataException($"Layer '{Weight}' ({Kind}) has no image shape [channels, height, width].");
}
