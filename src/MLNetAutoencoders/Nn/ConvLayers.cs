using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>
/// The geometry of a 2-D convolution with a square kernel, seen from the convolution's side: an image of
/// <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/> is read by a <see cref="Kernel"/>² window moved by
/// <see cref="Stride"/> over the image padded with <see cref="Padding"/> zeros on every side, giving
/// <see cref="OutHeight"/> × <see cref="OutWidth"/> positions. A transposed convolution is the adjoint of the convolution
/// whose image is its output.
/// </summary>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Kernel">Kernel height and width.</param>
/// <param name="Stride">Step of the window.</param>
/// <param name="Padding">Zeros added on each side.</param>
public readonly record struct ConvGeometry(int Channels, int Height, int Width, int Kernel, int Stride, int Padding)
{
    /// <summary>Window positions along the height: (H + 2·padding − kernel) / stride + 1.</summary>
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Window positions along the width.</summary>
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;

    /// <summary>Window positions (<see cref="OutHeight"/> · <see cref="OutWidth"/>).</summary>
    public int Positions => OutHeight * OutWidth;

    /// <summary>Values one window reads: channels · kernel².</summary>
    public int WindowSize => Channels * Kernel * Kernel;

    /// <summary>Values of one image.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Throws naming <paramref name="layer"/> when a number is out of range or the window does not fit.</summary>
    public void Validate(string layer)
    {
        if (Channels < 1 || Height < 1 || Width < 1 || Kernel < 1 || Stride < 1 || Padding < 0)
            throw new ArgumentOutOfRangeException(layer, $"Layer {layer}: channels, height, width, kernel and stride must be ≥ 1 and padding ≥ 0 (got {Channels}, {Height}, {Width}, {Kernel}, {Stride}, {Padding}).");
        if (Height + 2 * Padding < Kernel || Width + 2 * Padding < Kernel)
            throw new ArgumentOutOfRangeException(layer, $"Layer {layer}: the {Kernel}×{Kernel} kernel is larger than the padded {Height}×{Width} image.");
    }

    /// <summary>
    /// Writes one window per row (im2col with positions as rows): row p = oh·OutWidth + ow holds, in the order
    /// channel, kernel row, kernel column, the image values the window at (oh, ow) reads (0 in the padding).
    /// </summary>
    public void ImageToRows(ReadOnlySpan<float> image, Span<float> rows)
    {
        int idx = 0;
        for (int oh = 0; oh < OutHeight; oh++)
            for (int ow = 0; ow < OutWidth; ow++)
                for (int c = 0; c < Channels; c++)
                    for (int ki = 0; ki < Kernel; ki++)
                    {
                        int ih = oh * Stride - Padding + ki;
                        bool rowIn = (uint)ih < (uint)Height;
                        int at = (c * Height + ih) * Width;
                        for (int kj = 0; kj < Kernel; kj++)
                        {
                            int iw = ow * Stride - Padding + kj;
                            rows[idx++] = rowIn && (uint)iw < (uint)Width ? image[at + iw] : 0f;
                        }
                    }
    }

    /// <summary>The adjoint of <see cref="ImageToRows"/>: clears <paramref name="image"/> and adds each window's values back where they were read.</summary>
    public void RowsToImage(ReadOnlySpan<float> rows, Span<float> image)
    {
        image.Clear();
        int idx = 0;
        for (int oh = 0; oh < OutHeight; oh++)
            for (int ow = 0; ow < OutWidth; ow++)
                for (int c = 0; c < Channels; c++)
                    for (int ki = 0; ki < Kernel; ki++)
                    {
                        int ih = oh * Stride - Padding + ki;
                        if ((uint)ih >= (uint)Height) { idx += Kernel; continue; }
                        int at = (c * Height + ih) * Width;
                        for (int kj = 0; kj < Kernel; kj++, idx++)
                        {
                            int iw = ow * Stride - Padding + kj;
                            if ((uint)iw < (uint)Width) image[at + iw] += rows[idx];
                        }
                    }
    }
}

/// <summary>
/// Shared work of the two convolution layers. Rows of the batch are images laid out channel × height × width; inside,
/// a batch of n images becomes a matrix of n·positions rows ("one row per pixel position", channels along the columns),
/// so each layer is one GEMM with the weight plus re-orderings that the threads share image by image.
/// </summary>
internal static class ConvOps
{
    /// <summary>For each image: its [channels, positions] block → rows [positions, channels] of <paramref name="rows"/>.</summary>
    public static void ChannelsToRows(Matrix images, int channels, int positions, Matrix rows, NnContext ctx) =>
        ctx.For(images.Rows, 1, (images, channels, positions, rows), static (s, n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                var src = s.images.Row(n);
                var dst = s.rows.Data.AsSpan(n * s.positions * s.channels, s.positions * s.channels);
                for (int c = 0; c < s.channels; c++)
                    for (int p = 0; p < s.positions; p++) dst[p * s.channels + c] = src[c * s.positions + p];
            }
        });

    /// <summary>The inverse of <see cref="ChannelsToRows"/>, adding the per-channel bias on the way when one is given.</summary>
    public static void RowsToChannels(Matrix rows, int channels, int positions, Matrix images, Matrix? bias, NnContext ctx) =>
        ctx.For(images.Rows, 1, (images, channels, positions, rows, bias), static (s, n0, n1) =>
        {
            for (int n = n0; n < n1; n++)
            {
                var src = s.rows.Data.AsSpan(n * s.positions * s.channels, s.positions * s.channels);
                var dst = s.images.Row(n);
                for (int c = 0; c < s.channels; c++)
                {
                    float b = s.bias is null ? 0f : s.bias.Data[c];
                    for (int p = 0; p < s.positions; p++) dst[c * s.positions + p] = src[p * s.channels + c] + b;
                }
            }
        });

    /// <summary>Windows of every image of <paramref name="images"/> (rows = images of <paramref name="g"/>) into <paramref name="windows"/> (n·positions × window size).</summary>
    public static void ImagesToWindows(Matrix images, ConvGeometry g, Matrix windows, NnContext ctx) =>
        ctx.For(images.Rows, 1, (images, g, windows), static (s, n0, n1) =>
        {
            int size = s.g.Positions * s.g.WindowSize;
            for (int n = n0; n < n1; n++) s.g.ImageToRows(s.images.Row(n), s.windows.Data.AsSpan(n * size, size));
        });

    /// <summary>The adjoint of <see cref="ImagesToWindows"/>: each image of <paramref name="images"/> is set to the sum of its windows' values.</summary>
    public static void WindowsToImages(Matrix windows, ConvGeometry g, Matrix images, NnContext ctx) =>
        ctx.For(images.Rows, 1, (images, g, windows), static (s, n0, n1) =>
        {
            int size = s.g.Positions * s.g.WindowSize;
            for (int n = n0; n < n1; n++) s.g.RowsToImage(s.windows.Data.AsSpan(n * size, size), s.images.Row(n));
        });

    /// <summary>Applies the activation to every row of <paramref name="y"/>.</summary>
    public static void Activate(Matrix y, ActivationKind activation, float slope, NnContext ctx) =>
        ctx.For(y.Rows, 8, (y, activation, slope), static (s, r0, r1) =>
            Activations.Forward(s.activation, s.y.Data.AsSpan(r0 * s.y.Cols, (r1 - r0) * s.y.Cols), s.slope));

    /// <summary>Multiplies <paramref name="dy"/> by the activation's derivative, written in terms of the output <paramref name="y"/>.</summary>
    public static void ActivationBackward(Matrix y, Matrix dy, ActivationKind activation, float slope, NnContext ctx) =>
        ctx.For(dy.Rows, 8, (y, dy, activation, slope), static (s, r0, r1) =>
        {
            int c = s.dy.Cols;
            Activations.BackwardFromOutput(s.activation, s.y.Data.AsSpan(r0 * c, (r1 - r0) * c), s.dy.Data.AsSpan(r0 * c, (r1 - r0) * c), s.slope);
        });

    /// <summary>Adds the column sums of <paramref name="rows"/> into <paramref name="grad"/> (1 × columns), in row order.</summary>
    public static void AddColumnSums(Matrix rows, Matrix grad, NnContext ctx) =>
        ctx.For(rows.Cols, 64, (grad, rows), static (s, c0, c1) =>
        {
            var acc = s.grad.Data.AsSpan(c0, c1 - c0);
            for (int i = 0; i < s.rows.Rows; i++) TensorPrimitives.Add(acc, s.rows.Data.AsSpan(i * s.rows.Cols + c0, c1 - c0), acc);
        });

    /// <summary>Per-channel sums over every image and position of <paramref name="images"/> (rows [channels, positions]) added into <paramref name="grad"/>.</summary>
    public static void AddChannelSums(Matrix images, int channels, int positions, Matrix grad)
    {
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int n = 0; n < images.Rows; n++) sum += TensorPrimitives.Sum(images.Data.AsSpan(n * images.Cols + c * positions, positions));
            grad.Data[c] += (float)sum;
        }
    }
}

/// <summary>
/// A 2-D convolution <c>y = f(conv(x, W) + b)</c> over rows holding images (channels × height × width, row-major), as
/// PyTorch's <c>Conv2d</c> with a square kernel, no dilation and one group. The weight is stored as PyTorch lays it out,
/// [out channels, in channels, kernel, kernel] row-major (a matrix of out × in·kernel²); the bias has one value per
/// output channel. Forward: the windows of all images (im2col) times Wᵀ, one GEMM; backward: the weight gradient is
/// another GEMM with the windows, and the input gradient is the windows' gradient added back into the images.
/// </summary>
public sealed class Conv2dLayer : Layer
{
    private Matrix? _windows, _rows, _y, _dRows, _dWindows, _dx;
    private readonly Parameter[] _params;

    /// <summary>Creates a layer with its own (zero) weight and bias; initialise with <see cref="Initializer"/>.</summary>
    public Conv2dLayer(string name, ConvGeometry input, int outChannels, ActivationKind activation, float slope = 0.01f)
        : this(new Parameter(name + ".weight", outChannels, input.WindowSize), new Parameter(name + ".bias", 1, outChannels), input, activation, slope)
    {
    }

    /// <summary>Creates a layer around existing parameters (for loading).</summary>
    public Conv2dLayer(Parameter weight, Parameter bias, ConvGeometry input, ActivationKind activation, float slope = 0.01f)
    {
        input.Validate(weight.Name);
        if (weight.Value.Cols != input.WindowSize || bias.Value.Rows != 1 || bias.Value.Cols != weight.Value.Rows)
            throw new ArgumentException($"Conv2d '{weight.Name}': the weight must be out×{input.WindowSize} (out × in·kernel²) and the bias 1×out; they are {weight.Value.Rows}×{weight.Value.Cols} and {bias.Value.Rows}×{bias.Value.Cols}.");
        Weight = weight;
        Bias = bias;
        Geometry = input;
        Activation = activation;
        Slope = slope;
        _params = [weight, bias];
    }

    /// <summary>The weight, [out, in, kernel, kernel] row-major (a matrix out × in·kernel²).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias (1 × out channels).</summary>
    public Parameter Bias { get; }

    /// <summary>The input images and the window.</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels => Weight.Value.Rows;

    /// <summary>The activation.</summary>
    public ActivationKind Activation { get; }

    /// <summary>Leaky ReLU slope.</summary>
    public float Slope { get; }

    /// <inheritdoc />
    public override int InputSize => Geometry.ImageSize;

    /// <inheritdoc />
    public override int OutputSize => OutChannels * Geometry.Positions;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _params;

    /// <inheritdoc />
    public override Matrix Forward(Matrix x, bool training, NnContext ctx)
    {
        if (x.Cols != InputSize) throw new ArgumentException($"Layer {Weight.Name}: input has {x.Cols} columns; expected {InputSize} ({Geometry.Channels}×{Geometry.Height}×{Geometry.Width}).");
        int positions = Geometry.Positions;
        var windows = Matrix.Ensure(ref _windows, x.Rows * positions, Geometry.WindowSize);
        ConvOps.ImagesToWindows(x, Geometry, windows, ctx);
        var rows = Matrix.Ensure(ref _rows, x.Rows * positions, OutChannels);
        ctx.Gemm.Multiply(windows, false, Weight.Value, true, rows);
        var y = Matrix.Ensure(ref _y, x.Rows, OutputSize);
        ConvOps.RowsToChannels(rows, OutChannels, positions, y, Bias.Value, ctx);
        ConvOps.Activate(y, Activation, Slope, ctx);
        return y;
    }

    /// <inheritdoc />
    public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx)
    {
        var windows = _windows ?? throw new InvalidOperationException("Backward called before Forward.");
        int positions = Geometry.Positions;
        ConvOps.ActivationBackward(_y!, dy, Activation, Slope, ctx);
        var dRows = Matrix.Ensure(ref _dRows, dy.Rows * positions, OutChannels);
        ConvOps.ChannelsToRows(dy, OutChannels, positions, dRows, ctx);
        if (!Weight.Frozen) ctx.Gemm.Multiply(dRows, true, windows, false, Weight.Grad, 1f, 1f);
        if (!Bias.Frozen) ConvOps.AddColumnSums(dRows, Bias.Grad, ctx);
        if (!needInputGrad) return null;
        var dWindows = Matrix.Ensure(ref _dWindows, dRows.Rows, Geometry.WindowSize);
        ctx.Gemm.Multiply(dRows, false, Weight.Value, false, dWindows);
        var dx = Matrix.Ensure(ref _dx, dy.Rows, InputSize);
        ConvOps.WindowsToImages(dWindows, Geometry, dx, ctx);
        return dx;
    }

    /// <inheritdoc />
    public override LayerSpec ToSpec() => new("conv2d", InputSize, OutputSize, Activations.Name(Activation), Slope, Weight.Name, Bias.Name,
        Image: [Geometry.Channels, Geometry.Height, Geometry.Width], Kernel: Geometry.Kernel, Stride: Geometry.Stride, Padding: Geometry.Padding);
}

/// <summary>
/// A 2-D transposed convolution <c>y = f(convᵀ(x, W) + b)</c>, as PyTorch's <c>ConvTranspose2d</c> with a square
/// kernel, no dilation and one group: the adjoint (gradient with respect to the input) of the convolution from its
/// output images to its input images. Output height = (H − 1)·stride − 2·padding + kernel + output padding. The weight
/// is stored as PyTorch lays it out, [in channels, out channels, kernel, kernel] row-major (a matrix of in × out·kernel²).
/// </summary>
public sealed class ConvTranspose2dLayer : Layer
{
    private Matrix? _rows, _windows, _y, _dWindows, _dRows, _dx;
    private readonly Parameter[] _params;

    /// <summary>
    /// Creates a layer with its own (zero) weight and bias reading images of <paramref name="inChannels"/> ×
    /// <paramref name="height"/> × <paramref name="width"/>; initialise with <see cref="Initializer"/>.
    /// </summary>
    public ConvTranspose2dLayer(string name, int inChannels, int height, int width, int outChannels, int kernel, int stride, int padding,
        int outputPadding, ActivationKind activation, float slope = 0.01f)
        : this(new Parameter(name + ".weight", inChannels, outChannels * kernel * kernel), new Parameter(name + ".bias", 1, outChannels),
            OutputGeometry(name, height, width, outChannels, kernel, stride, padding, outputPadding), activation, slope)
    {
    }

    /// <summary>
    /// Creates a layer around existing parameters: <paramref name="output"/> is the geometry of the output images seen
    /// as a convolution's input (its positions are the input's height and width).
    /// </summary>
    public ConvTranspose2dLayer(Parameter weight, Parameter bias, ConvGeometry output, ActivationKind activation, float slope = 0.01f)
    {
        output.Validate(weight.Name);
        if (weight.Value.Cols != output.WindowSize || bias.Value.Rows != 1 || bias.Value.Cols != output.Channels)
            throw new ArgumentException($"ConvTranspose2d '{weight.Name}': the weight must be in×{output.WindowSize} (in × out·kernel²) and the bias 1×{output.Channels}; they are {weight.Value.Rows}×{weight.Value.Cols} and {bias.Value.Rows}×{bias.Value.Cols}.");
        Weight = weight;
        Bias = bias;
        Geometry = output;
        Activation = activation;
        Slope = slope;
        _params = [weight, bias];
    }

    /// <summary>The geometry of the output for an input of <paramref name="height"/> × <paramref name="width"/>; throws naming the layer when the arguments do not fit.</summary>
    public static ConvGeometry OutputGeometry(string name, int height, int width, int outChannels, int kernel, int stride, int padding, int outputPadding)
    {
        if (outputPadding < 0 || outputPadding >= stride)
            throw new ArgumentOutOfRangeException(nameof(outputPadding), outputPadding, $"Layer {name}: output padding must be in [0, stride {stride}).");
        var g = new ConvGeometry(outChannels, (height - 1) * stride - 2 * padding + kernel + outputPadding,
            (width - 1) * stride - 2 * padding + kernel + outputPadding, kernel, stride, padding);
        g.Validate(name);
        if (g.OutHeight != height || g.OutWidth != width)
            throw new ArgumentOutOfRangeException(nameof(padding), $"Layer {name}: a {height}×{width} input with kernel {kernel}, stride {stride}, padding {padding} leaves no output.");
        return g;
    }

    /// <summary>The weight, [in, out, kernel, kernel] row-major (a matrix in × out·kernel²).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias (1 × out channels).</summary>
    public Parameter Bias { get; }

    /// <summary>The output images and the window (the input's height and width are its positions).</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Input channels.</summary>
    public int InChannels => Weight.Value.Rows;

    /// <summary>Output padding (extra rows and columns at the bottom and right of the output).</summary>
    public int OutputPadding => Geometry.Height - ((Geometry.OutHeight - 1) * Geometry.Stride - 2 * Geometry.Padding + Geometry.Kernel);

    /// <summary>The activation.</summary>
    public ActivationKind Activation { get; }

    /// <summary>Leaky ReLU slope.</summary>
    public float Slope { get; }

    /// <inheritdoc />
    public override int InputSize => InChannels * Geometry.Positions;

    /// <inheritdoc />
    public override int OutputSize => Geometry.ImageSize;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _params;

    /// <inheritdoc />
    public override Matrix Forward(Matrix x, bool training, NnContext ctx)
    {
        if (x.Cols != InputSize) throw new ArgumentException($"Layer {Weight.Name}: input has {x.Cols} columns; expected {InputSize} ({InChannels}×{Geometry.OutHeight}×{Geometry.OutWidth}).");
        int positions = Geometry.Positions;
        var rows = Matrix.Ensure(ref _rows, x.Rows * positions, InChannels);
        ConvOps.ChannelsToRows(x, InChannels, positions, rows, ctx);
        var windows = Matrix.Ensure(ref _windows, rows.Rows, Geometry.WindowSize);
        ctx.Gemm.Multiply(rows, false, Weight.Value, false, windows);
        var y = Matrix.Ensure(ref _y, x.Rows, OutputSize);
        ConvOps.WindowsToImages(windows, Geometry, y, ctx);
        int area = Geometry.Height * Geometry.Width;
        ctx.For(y.Rows, 8, (y, b: Bias.Value, area), static (s, r0, r1) =>
        {
            for (int n = r0; n < r1; n++)
                for (int c = 0; c < s.b.Cols; c++)
                {
                    var plane = s.y.Data.AsSpan(n * s.y.Cols + c * s.area, s.area);
                    TensorPrimitives.Add(plane, s.b.Data[c], plane);
                }
        });
        ConvOps.Activate(y, Activation, Slope, ctx);
        return y;
    }

    /// <inheritdoc />
    public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx)
    {
        var rows = _rows ?? throw new InvalidOperationException("Backward called before Forward.");
        int positions = Geometry.Positions;
        ConvOps.ActivationBackward(_y!, dy, Activation, Slope, ctx);
        if (!Bias.Frozen) ConvOps.AddChannelSums(dy, Geometry.Channels, Geometry.Height * Geometry.Width, Bias.Grad);
        var dWindows = Matrix.Ensure(ref _dWindows, dy.Rows * positions, Geometry.WindowSize);
        ConvOps.ImagesToWindows(dy, Geometry, dWindows, ctx);
        if (!Weight.Frozen) ctx.Gemm.Multiply(rows, true, dWindows, false, Weight.Grad, 1f, 1f);
        if (!needInputGrad) return null;
        var dRows = Matrix.Ensure(ref _dRows, dWindows.Rows, InChannels);
        ctx.Gemm.Multiply(dWindows, false, Weight.Value, true, dRows);
        var dx = Matrix.Ensure(ref _dx, dy.Rows, InputSize);
        ConvOps.RowsToChannels(dRows, InChannels, positions, dx, null, ctx);
        return dx;
    }

    /// <inheritdoc />
    public override LayerSpec ToSpec() => new("conv_transpose2d", InputSize, OutputSize, Activations.Name(Activation), Slope, Weight.Name, Bias.Name,
        Image: [Geometry.Channels, Geometry.Height, Geometry.Width], Kernel: Geometry.Kernel, Stride: Geometry.Stride, Padding: Geometry.Padding);
}
