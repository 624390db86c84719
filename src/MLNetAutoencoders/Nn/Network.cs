using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>A sequence of layers run one after another.</summary>
public sealed class Network
{
    private readonly List<Layer> _layers;

    /// <summary>Creates a network from layers whose widths chain.</summary>
    public Network(IEnumerable<Layer> layers)
    {
        _layers = layers.ToList();
        if (_layers.Count == 0) throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        for (int i = 1; i < _layers.Count; i++)
            if (_layers[i].InputSize != _layers[i - 1].OutputSize)
                throw new ArgumentException($"Layer {i} takes {_layers[i].InputSize} inputs but layer {i - 1} gives {_layers[i - 1].OutputSize}.");
    }

    /// <summary>The layers.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Input width.</summary>
    public int InputSize => _layers[0].InputSize;

    /// <summary>Output width.</summary>
    public int OutputSize => _layers[^1].OutputSize;

    /// <summary>Distinct parameters, in layer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _layers.SelectMany(l => l.Parameters).Distinct().ToList();

    /// <summary>The dense layers, in order.</summary>
    public IEnumerable<DenseLayer> DenseLayers => _layers.OfType<DenseLayer>();

    /// <summary>Runs all layers; the result is a buffer owned by the last layer.</summary>
    public Matrix Forward(Matrix x, bool training, NnContext ctx)
    {
        foreach (var l in _layers) x = l.Forward(x, training, ctx);
        return x;
    }

    /// <summary>Back-propagates through all layers (after a forward call); returns the input gradient when asked for.</summary>
    public Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx)
    {
        Matrix? g = dy;
        for (int i = _layers.Count - 1; i >= 0 && g != null; i--)
            g = _layers[i].Backward(g, i > 0 || needInputGrad, ctx);
        return g;
    }

    /// <summary>
    /// Runs the network without training behaviour over all rows of <paramref name="x"/> in chunks and returns a new matrix.
    /// </summary>
    public Matrix Predict(Matrix x, NnContext ctx, int chunk = 1024)
    {
        if (x.Cols != InputSize) throw new ArgumentException($"Input has {x.Cols} columns; the network expects {InputSize}.");
        // One chunk: run on the input itself (inference reads it and keeps no reference to change it), copying only the result.
        if (x.Rows <= chunk) return Forward(x, false, ctx).Clone();
        var result = new Matrix(x.Rows, OutputSize);
        Matrix? part = null;
        for (int r = 0; r < x.Rows; r += chunk)
        {
            int n = Math.Min(chunk, x.Rows - r);
            part = Matrix.Ensure(ref part, n, x.Cols);
            x.Data.AsSpan(r * x.Cols, n * x.Cols).CopyTo(part.Span);
            var y = Forward(part, false, ctx);
            y.Span.CopyTo(result.Data.AsSpan(r * OutputSize, n * OutputSize));
        }
        return result;
    }

    /// <summary>Serialisable descriptions of the layers.</summary>
    public IReadOnlyList<LayerSpec> ToSpecs() => _layers.Select(l => l.ToSpec()).ToList();

    /// <summary>Rebuilds a network from specs and a parameter lookup (shared names give tied parameters).</summary>
    public static Network FromSpecs(IEnumerable<LayerSpec> specs, Func<string, Parameter> parameter)
    {
        var layers = new List<Layer>();
        foreach (var s in specs)
        {
            layers.Add(s.Kind switch
            {
                "dense" => new DenseLayer(parameter(s.Weight!), s.Transposed, parameter(s.Bias!), Activations.Parse(s.Activation!), s.Slope),
                "dropout" => new DropoutLayer(s.Input, s.Rate),
                "conv2d" => new Conv2dLayer(parameter(s.Weight!), parameter(s.Bias!), s.Geometry, Activations.Parse(s.Activation!), s.Slope),
                "conv_transpose2d" => new ConvTranspose2dLayer(parameter(s.Weight!), parameter(s.Bias!), s.Geometry, Activations.Parse(s.Activation!), s.Slope),
                _ => throw new InvalidDataException($"Unknown layer kind '{s.Kind}'."),
            });
        }
        return new Network(layers);
    }
}
