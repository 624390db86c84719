using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>Per-sample means of a VAE's objective on a dataset.</summary>
/// <param name="NegativeElbo">−ELBO = reconstruction + KL (β = 1), in nats per sample.</param>
/// <param name="Reconstruction">−log p(x | z) with one draw z ~ q(z | x) per sample.</param>
/// <param name="Kl">KL(q(z | x) ‖ N(0, I)), analytic.</param>
public sealed record VaeEvaluation(double NegativeElbo, double Reconstruction, double Kl);

/// <summary>
/// A fitted variational autoencoder. <see cref="Encode"/> gives μ(x) (deterministic); <see cref="Decode"/> gives the
/// decoder's mean (pixel probabilities for the Bernoulli likelihood); <see cref="Sample"/> decodes prior draws;
/// <see cref="Interpolate"/> decodes points between two codes. Calls are serialised (thread-safe).
/// </summary>
public sealed class VaeModel : IAutoencoder
{
    /// <summary>Model kind stored in model files.</summary>
    public const string Kind = "vae";

    private readonly object _lock = new();
    private readonly VaeNetwork _net;
    private readonly Network _meanPath, _logVariancePath;
    private NnContext? _inference;

    internal VaeModel(VaeOptions options, VaeNetwork net, TrainingHistory history)
    {
        Options = options;
        _net = net;
        History = history;
        _meanPath = new Network(net.Encoder.Layers.Append(net.Mean));
        _logVariancePath = new Network(net.Encoder.Layers.Append(net.LogVariance));
    }

    /// <summary>The options it was trained with.</summary>
    public VaeOptions Options { get; }

    /// <summary>The encoder's hidden layers (the heads sit on top).</summary>
    public Network Encoder => _net.Encoder;

    /// <summary>The μ head.</summary>
    public DenseLayer MeanHead => _net.Mean;

    /// <summary>The log σ² head.</summary>
    public DenseLayer LogVarianceHead => _net.LogVariance;

    /// <summary>The decoder (emits logits for the Bernoulli likelihood, means for the Gaussian).</summary>
    public Network Decoder => _net.Decoder;

    /// <inheritdoc />
    public TrainingHistory History { get; }

    /// <inheritdoc />
    public int InputSize => _net.Encoder.InputSize;

    /// <summary>Latent width.</summary>
    public int CodeSize => _net.LatentSize;

    /// <inheritdoc />
    public int ParameterCount => _net.Parameters.Sum(p => p.Count);

    /// <inheritdoc />
    public IReadOnlyList<DenseLayer> CodePath => _meanPath.DenseLayers.ToList();

    internal VaeNetwork Net => _net;

    private NnContext Inference => _inference ??= new NnContext(Gemm.Create(Options.Gemm, Options.Threads), new Rng(Options.Seed));

    /// <summary>μ(x) for each row of <paramref name="x"/>.</summary>
    public Matrix Encode(Matrix x)
    {
        AutoencoderModel.CheckInput(x, InputSize, "input");
        lock (_lock) return _meanPath.Predict(x, Inference);
    }

    /// <summary>log σ²(x) for each row of <paramref name="x"/>.</summary>
    public Matrix EncodeLogVariance(Matrix x)
    {
        AutoencoderModel.CheckInput(x, InputSize, "input");
        lock (_lock) return _logVariancePath.Predict(x, Inference);
    }

    /// <summary>The decoder's mean for each latent row (sigmoid of the logits for the Bernoulli likelihood).</summary>
    public Matrix Decode(Matrix codes)
    {
        AutoencoderModel.CheckInput(codes, CodeSize, "codes");
        Matrix y;
        lock (_lock) y = _net.Decoder.Predict(codes, Inference);
        if (Options.Likelihood == VaeLikelihood.Bernoulli) TensorPrimitives.Sigmoid(y.Span, y.Span);
        return y;
    }

    /// <summary>Decode(μ(x)).</summary>
    public Matrix Reconstruct(Matrix x) => Decode(Encode(x));

    /// <summary>Decodes <paramref name="count"/> draws z ~ N(0, I) from a generator seeded with <paramref name="seed"/>.</summary>
    public Matrix Sample(int count, int seed = 0) => Decode(PriorCodes.Draw(count, CodeSize, seed));

    /// <summary>
    /// Decodes <paramref name="steps"/> evenly spaced points on the segment from code <paramref name="from"/> to code
    /// <paramref name="to"/>, both ends included (one row each).
    /// </summary>
    public Matrix Interpolate(ReadOnlySpan<float> from, ReadOnlySpan<float> to, int steps)
    {
        if (from.Length != CodeSize || to.Length != CodeSize)
            throw new ArgumentException($"Codes have {from.Length} and {to.Length} values; the model's latent width is {CodeSize}.");
        if (steps < 2) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 2 (both ends are included).");
        var z = new Matrix(steps, CodeSize);
        for (int s = 0; s < steps; s++)
        {
            float t = (float)s / (steps - 1);
            var row = z.Row(s);
            for (int j = 0; j < CodeSize; j++) row[j] = (1 - t) * from[j] + t * to[j];
        }
        return Decode(z);
    }

    /// <summary>
    /// For a two-dimensional latent space: decodes a <paramref name="steps"/>×<paramref name="steps"/> grid of codes placed
    /// at the standard normal's quantiles 0.05 … 0.95 on each axis (so the grid covers the prior evenly), row by row:
    /// z₁ grows left to right, z₂ falls top to bottom. Tile the rows with <c>ImageGrid.Tile</c> (columns = steps).
    /// </summary>
    public Matrix Manifold(int steps = 20) => Decode(PriorCodes.Grid(CodeSize, steps));

    /// <summary>
    /// The per-sample negative ELBO (β = 1), reconstruction term and KL on the rows of <paramref name="x"/>, with one
    /// draw ε per sample from a generator seeded with <paramref name="seed"/> (so repeated calls agree).
    /// </summary>
    public VaeEvaluation Evaluate(Matrix x, int seed = 0)
    {
        AutoencoderModel.CheckInput(x, InputSize, "input");
        if (x.Rows == 0) throw new ArgumentException("There are no rows to evaluate.", nameof(x));
        var rng = new Rng(seed);
        double rec = 0, kl = 0;
        Matrix? part = null, eps = null;
        lock (_lock)
        {
            for (int r = 0; r < x.Rows; r += 1024)
            {
                int n = Math.Min(1024, x.Rows - r);
                part = Matrix.Ensure(ref part, n, x.Cols);
                x.Data.AsSpan(r * x.Cols, n * x.Cols).CopyTo(part.Span);
                var e = Matrix.Ensure(ref eps, n, CodeSize);
                rng.FillGaussian(e.Span);
                var (a, b) = _net.Loss(part, e, 1f, false, Inference);
                rec += a; kl += b;
            }
        }
        return new VaeEvaluation((rec + kl) / x.Rows, rec / x.Rows, kl / x.Rows);
    }

    /// <summary>
    /// Each row's negative ELBO at the posterior mean, z = μ(x) (ε = 0, so the score is deterministic):
    /// −log p(x | decoder(μ)) + KL(q(z|x) ‖ N(0, I)), in nats. The usual VAE anomaly score; its mean over rows is close to
    /// (and for a trained model slightly below) <see cref="Evaluate"/>'s sampled −ELBO.
    /// </summary>
    public double[] NegativeElboAtMean(Matrix x)
    {
        AutoencoderModel.CheckInput(x, InputSize, "input");
        Matrix mu, lv, output;
        lock (_lock)
        {
            mu = _meanPath.Predict(x, Inference);
            lv = _logVariancePath.Predict(x, Inference);
            output = _net.Decoder.Predict(mu, Inference);
        }
        var result = new double[x.Rows];
        bool bernoulli = Options.Likelihood == VaeLikelihood.Bernoulli;
        double gaussianConstant = 0.5 * x.Cols * Math.Log(2 * Math.PI * Options.GaussianSigma * Options.GaussianSigma);
        double inv = 1.0 / (Options.GaussianSigma * Options.GaussianSigma);
        for (int i = 0; i < x.Rows; i++)
        {
            // As in training: cross-entropy on the logits, or ½‖x − a‖²/σ² plus the Gaussian's constant.
            double rec = bernoulli
                ? Losses.SampleLoss(LossKind.CrossEntropy, output.Row(i), x.Row(i))
                : Losses.SampleLoss(LossKind.SquaredError, output.Row(i), x.Row(i)) * inv + gaussianConstant;
            result[i] = rec + VaeNetwork.GaussianKl(mu.Row(i), lv.Row(i));
        }
        return result;
    }

    /// <inheritdoc />
    public void Save(string path) => ToArchive().Save(path);

    /// <inheritdoc />
    public ModelArchive ToArchive()
    {
        var a = new ModelArchive(Kind);
        a.Set("options", Options);
        a.Set("encoder", _net.Encoder.ToSpecs());
        a.Set("mean", _net.Mean.ToSpec());
        a.Set("logVariance", _net.LogVariance.ToSpec());
        a.Set("decoder", _net.Decoder.ToSpecs());
        a.Set("history", History);
        foreach (var p in _net.Parameters) a.Add(p.Name, p.Value);
        return a;
    }

    /// <summary>Loads a model saved with <see cref="Save"/>; another kind of model file, or a damaged one, is an error naming the file.</summary>
    public static VaeModel Load(string path) => ModelArchive.Load(path, Kind, FromArchive);

    /// <summary>Rebuilds a model from an archive.</summary>
    public static VaeModel FromArchive(ModelArchive a)
    {
        if (a.Kind != Kind) throw new InvalidDataException($"The archive holds a '{a.Kind}' model; expected '{Kind}'.");
        var options = a.GetValue<VaeOptions>("options");
        var lookup = AutoencoderModel.ParameterLookup(a);
        DenseLayer Head(string key) =>
            Network.FromSpecs(new[] { a.GetValue<LayerSpec>(key) }, lookup).Layers[0] as DenseLayer
            ?? throw new InvalidDataException($"The model file's '{key}' is not a dense layer.");
        var net = new VaeNetwork(Network.FromSpecs(a.GetValue<List<LayerSpec>>("encoder"), lookup), Head("mean"), Head("logVariance"),
            Network.FromSpecs(a.GetValue<List<LayerSpec>>("decoder"), lookup), options.Likelihood, options.GaussianSigma);
        return new VaeModel(options, net, a.GetValue<TrainingHistory>("history"));
    }
}
