using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>
/// A fully connected layer <c>y = f(x·Wᵀ + b)</c> with W stored out×in, or, for a tied decoder layer,
/// <c>y = f(x·W + b)</c> with W an encoder's in×out weight used transposed (<see cref="Transposed"/>).
/// </summary>
public sealed class DenseLayer : Layer
{
    private Matrix? _x, _y, _dx;
    private Action<Span<float>>? _activate;
    private readonly Parameter[] _params;

    /// <summary>Creates a layer with its own (zero) weight and bias; initialise with <see cref="Initializer"/>.</summary>
    public DenseLayer(string name, int input, int output, ActivationKind activation, float slope = 0.01f)
        : this(new Parameter(name + ".weight", output, input), false, new Parameter(name + ".bias", 1, output), activation, slope)
    {
    }

    /// <summary>Creates a layer around existing parameters (for tying and loading).</summary>
    public DenseLayer(Parameter weight, bool transposed, Parameter bias, ActivationKind activation, float slope = 0.01f)
    {
        Weight = weight;
        Bias = bias;
        Transposed = transposed;
        Activation = activation;
        Slope = slope;
        int outSize = transposed ? weight.Value.Cols : weight.Value.Rows;
        if (bias.Value.Rows != 1 || bias.Value.Cols != outSize)
            throw new ArgumentException($"Bias '{bias.Name}' must be 1×{outSize}; it is {bias.Value.Rows}×{bias.Value.Cols}.");
        _params = ReferenceEquals(weight, bias) ? new[] { weight } : new[] { weight, bias };
    }

    /// <summary>The weight (out×in, or in×out when <see cref="Transposed"/>).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias (1×out).</summary>
    public Parameter Bias { get; }

    /// <summary>True when the weight is stored in×out (tied to an encoder layer).</summary>
    public bool Transposed { get; }

    /// <summary>The activation.</summary>
    public ActivationKind Activation { get; }

    /// <summary>Leaky ReLU slope.</summary>
    public float Slope { get; }

    /// <inheritdoc />
    public override int InputSize => Transposed ? Weight.Value.Rows : Weight.Value.Cols;

    /// <inheritdoc />
    public override int OutputSize => Transposed ? Weight.Value.Cols : Weight.Value.Rows;

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _params;

    /// <summary>The output of the last forward call.</summary>
    public Matrix? LastOutput => _y;

    /// <summary>The input of the last forward call.</summary>
    public Matrix? LastInput => _x;

    /// <inheritdoc />
    public override Matrix Forward(Matrix x, bool training, NnContext ctx)
    {
        if (x.Cols != InputSize) throw new ArgumentException($"Layer {Weight.Name}: input has {x.Cols} columns; expected {InputSize}.");
        _x = x;
        var y = Matrix.Ensure(ref _y, x.Rows, OutputSize);
        if (ctx.Gemm is ManagedGemm managed && x.Rows > 1)
        {
            // Bias and activation inside the product's threads (the same values as the three steps below).
            managed.SgemmBiasEpilogue(false, !Transposed, y.Rows, y.Cols, x.Cols, x.Data, x.Cols, Weight.Value.Data, Weight.Value.Cols,
                y.Data, y.Cols, Bias.Value.Span, Activation == ActivationKind.Identity ? null : _activate ??= row => Activations.Forward(Activation, row, Slope));
            return y;
        }
        int rowsPerThread = NnContext.RowsPerThread(y.Cols);
        ctx.For(y.Rows, rowsPerThread, (y, Bias.Value), static (s, r0, r1) =>
        {
            for (int i = r0; i < r1; i++) s.Item2.Span.CopyTo(s.y.Row(i));
        });
        ctx.Gemm.Multiply(x, false, Weight.Value, !Transposed, y, 1f, 1f);
        if (Activation == ActivationKind.Identity) return y;
        ctx.For(y.Rows, rowsPerThread, (y, Activation, Slope), static (s, r0, r1) =>
            Activations.Forward(s.Activation, s.y.Data.AsSpan(r0 * s.y.Cols, (r1 - r0) * s.y.Cols), s.Slope));
        return y;
    }

    /// <inheritdoc />
    public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx)
    {
        var x = _x ?? throw new InvalidOperationException("Backward called before Forward.");
        if (Bias.Frozen)
        {
            if (Activation != ActivationKind.Identity)
                ctx.For(dy.Rows, NnContext.RowsPerThread(dy.Cols), (y: _y!, dy, Activation, Slope), static (s, r0, r1) =>
                {
                    int c = s.dy.Cols;
                    Activations.BackwardFromOutput(s.Activation, s.y.Data.AsSpan(r0 * c, (r1 - r0) * c), s.dy.Data.AsSpan(r0 * c, (r1 - r0) * c), s.Slope);
                });
        }
        else
        {
            // One pass over dy: f'(a) into each row's slice of the thread's columns, then that slice into the bias gradient.
            // Each column's sum runs over the rows in order, whatever the thread count.
            int colsPerThread = Math.Max(8, NnContext.MinValuesPerThread / Math.Max(1, dy.Rows));
            ctx.For(dy.Cols, colsPerThread, (y: _y!, dy, db: Bias.Grad, Activation, Slope), static (s, c0, c1) =>
            {
                int c = s.dy.Cols, w = c1 - c0;
                var acc = s.db.Data.AsSpan(c0, w);
                for (int i = 0; i < s.dy.Rows; i++)
                {
                    var g = s.dy.Data.AsSpan(i * c + c0, w);
                    if (s.Activation == ActivationKind.Relu) FastMath.ReluBackwardAccumulate(s.y.Data.AsSpan(i * c + c0, w), g, acc);
                    else
                    {
                        Activations.BackwardFromOutput(s.Activation, s.y.Data.AsSpan(i * c + c0, w), g, s.Slope);
                        TensorPrimitives.Add(acc, g, acc);
                    }
                }
            });
        }
        // Weight gradient: W out×in → dW += dyᵀ·x ; W in×out → dW += xᵀ·dy.
        if (!Weight.Frozen)
        {
            if (Transposed) ctx.Gemm.Multiply(x, true, dy, false, Weight.Grad, 1f, 1f);
            else ctx.Gemm.Multiply(dy, true, x, false, Weight.Grad, 1f, 1f);
        }
        if (!needInputGrad) return null;
        var dx = Matrix.Ensure(ref _dx, dy.Rows, InputSize);
        ctx.Gemm.Multiply(dy, false, Weight.Value, Transposed, dx, 1f, 0f);
        return dx;
    }

    /// <inheritdoc />
    public override LayerSpec ToSpec() => new("dense", InputSize, OutputSize, Activations.Name(Activation), Slope, Weight.Name, Bias.Name, Transposed);
}
