using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// A fitted autoencoder: <see cref="Encode"/> maps rows to codes, <see cref="Decode"/> maps codes to reconstructions
/// (after the sigmoid when trained with cross-entropy). Inference is deterministic (no corruption, no dropout) and
/// thread-safe (calls are serialised).
/// </summary>
public sealed class AutoencoderModel : IAutoencoder
{
    /// <summary>Model kind stored in model files.</summary>
    public const string Kind = "autoencoder";

    private readonly object _lock = new();
    private NnContext? _inference;

    /// <summary>Wraps trained networks.</summary>
    public AutoencoderModel(AutoencoderOptions options, Network encoder, Network decoder, TrainingHistory history)
    {
        Options = options;
        Encoder = encoder;
        Decoder = decoder;
        History = history;
        if (encoder.OutputSize != decoder.InputSize || decoder.OutputSize != encoder.InputSize)
            throw new ArgumentException($"Encoder {encoder.InputSize}→{encoder.OutputSize} and decoder {decoder.InputSize}→{decoder.OutputSize} do not fit together.");
    }

    /// <summary>The options it was trained with.</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>The encoder network.</summary>
    public Network Encoder { get; }

    /// <summary>The decoder network (emits logits when the loss is cross-entropy).</summary>
    public Network Decoder { get; }

    /// <summary>Per-epoch losses and times.</summary>
    public TrainingHistory History { get; }

    /// <summary>Input width.</summary>
    public int InputSize => Encoder.InputSize;

    /// <summary>Code width.</summary>
    public int CodeSize => Encoder.OutputSize;

    /// <summary>Number of distinct trainable scalars (tied weights counted once).</summary>
    public int ParameterCount => Encoder.Parameters.Concat(Decoder.Parameters).Distinct().Sum(p => p.Count);

    /// <inheritdoc />
    /// <remarks>Empty for the convolutional autoencoder, whose encoder is not a chain of dense layers.</remarks>
    public IReadOnlyList<DenseLayer> CodePath => Encoder.Layers.All(l => l is DenseLayer or DropoutLayer) ? Encoder.DenseLayers.ToList() : [];

    private NnContext Inference => _inference ??= new NnContext(Gemm.Create(Options.Gemm, Options.Threads), new Rng(Options.Seed));

    /// <summary>Codes of the rows of <paramref name="x"/> (a new N×<see cref="CodeSize"/> matrix).</summary>
    public Matrix Encode(Matrix x)
    {
        CheckInput(x, InputSize, "input");
        lock (_lock) return Encoder.Predict(x, Inference);
    }

    /// <summary>Reconstructions from codes (sigmoid applied for cross-entropy models).</summary>
    public Matrix Decode(Matrix codes)
    {
        CheckInput(codes, CodeSize, "codes");
        Matrix y;
        lock (_lock) y = Decoder.Predict(codes, Inference);
        if (Options.Loss == LossKind.CrossEntropy) TensorPrimitives.Sigmoid(y.Span, y.Span);
        return y;
    }

    /// <summary>
    /// Decodes <paramref name="count"/> draws z ~ N(0, I) (seeded). Meaningful for the adversarial kind, whose codes were
    /// trained to follow that prior; for the other kinds it shows what the decoder makes of codes it was never shown.
    /// </summary>
    public Matrix Sample(int count, int seed = 0) => Decode(PriorCodes.Draw(count, CodeSize, seed));

    /// <summary>For a 2-D code: decodes the grid <see cref="PriorCodes.Grid"/> of <paramref name="steps"/>² codes over the prior.</summary>
    public Matrix Manifold(int steps = 20) => Decode(PriorCodes.Grid(CodeSize, steps));

    /// <summary>Decode(Encode(x)).</summary>
    public Matrix Reconstruct(Matrix x) => Decode(Encode(x));

    /// <summary>Per-pixel mean squared error between the rows of <paramref name="x"/> and their reconstructions.</summary>
    public double ReconstructionMse(Matrix x) => MeanSquaredError(x, Reconstruct(x));

    /// <summary>Mean over all values of (a − b)².</summary>
    public static double MeanSquaredError(Matrix a, Matrix b)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols) throw new ArgumentException("Matrices differ in shape.");
        double s = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            var d = TensorPrimitives.Distance(a.Row(i), b.Row(i));
            s += (double)d * d;
        }
        return s / ((double)a.Rows * a.Cols);
    }

    internal static void CheckInput(Matrix x, int width, string what)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != width) throw new ArgumentException($"The {what} have {x.Cols} values per row; the model expects {width}.");
        x.ThrowIfNotFinite("The " + what);
    }

    /// <summary>Saves to a versioned model file (written atomically).</summary>
    public void Save(string path) => ToArchive().Save(path);

    /// <summary>The model as an archive (used by pipeline files too).</summary>
    public ModelArchive ToArchive()
    {
        var a = new ModelArchive(Kind);
        a.Set("options", Options);
        a.Set("encoder", Encoder.ToSpecs());
        a.Set("decoder", Decoder.ToSpecs());
        a.Set("history", History);
        foreach (var p in Encoder.Parameters.Concat(Decoder.Parameters).Distinct()) a.Add(p.Name, p.Value);
        return a;
    }

    /// <summary>Loads a model saved with <see cref="Save"/>; errors name the file and what is wrong.</summary>
    public static AutoencoderModel Load(string path) => ModelArchive.Load(path, Kind, FromArchive);

    /// <summary>Rebuilds a model from an archive.</summary>
    public static AutoencoderModel FromArchive(ModelArchive a)
    {
        var lookup = ParameterLookup(a);
        var encoder = Network.FromSpecs(a.GetValue<List<LayerSpec>>("encoder"), lookup);
        var decoder = Network.FromSpecs(a.GetValue<List<LayerSpec>>("decoder"), lookup);
        return new AutoencoderModel(a.GetValue<AutoencoderOptions>("options"), encoder, decoder, a.GetValue<TrainingHistory>("history"));
    }

    /// <summary>A parameter lookup over an archive's tensors: each name becomes one parameter (so shared names stay tied).</summary>
    internal static Func<string, Parameter> ParameterLookup(ModelArchive a)
    {
        var parameters = new Dictionary<string, Parameter>();
        return name =>
        {
            if (parameters.TryGetValue(name, out var p)) return p;
            var m = a.Get(name);
            p = new Parameter(name, m.Rows, m.Cols);
            m.Span.CopyTo(p.Value.Span);
            return parameters[name] = p;
        };
    }
}
