using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The networks of a VAE and its loss: trunk h(x), heads μ(h) and log σ²(h), z = μ + σ ⊙ ε, decoder g(z);
/// per sample −log p(x | z) + β·KL(N(μ, σ²) ‖ N(0, I)). Holds work buffers: not thread-safe.
/// </summary>
internal sealed class VaeNetwork
{
    private Matrix? _z, _sigma, _grad, _dMu, _dLv;

    public VaeNetwork(Network encoder, DenseLayer mean, DenseLayer logVariance, Network decoder, VaeLikelihood likelihood, float sigma)
    {
        if (mean.InputSize != encoder.OutputSize || logVariance.InputSize != encoder.OutputSize || mean.OutputSize != logVariance.OutputSize)
            throw new ArgumentException($"The μ head ({mean.InputSize}→{mean.OutputSize}) and log σ² head ({logVariance.InputSize}→{logVariance.OutputSize}) must both take the encoder's {encoder.OutputSize} outputs and give one latent width.");
        if (decoder.InputSize != mean.OutputSize || decoder.OutputSize != encoder.InputSize)
            throw new ArgumentException($"The decoder {decoder.InputSize}→{decoder.OutputSize} does not map the {mean.OutputSize}-wide latent back to the {encoder.InputSize} inputs.");
        Encoder = encoder; Mean = mean; LogVariance = logVariance; Decoder = decoder;
        Likelihood = likelihood;
        Sigma = sigma;
    }

    public Network Encoder { get; }

    public DenseLayer Mean { get; }

    public DenseLayer LogVariance { get; }

    public Network Decoder { get; }

    public VaeLikelihood Likelihood { get; }

    public float Sigma { get; }

    public int LatentSize => Mean.OutputSize;

    public IReadOnlyList<Parameter> Parameters =>
        Encoder.Parameters.Concat(Mean.Parameters).Concat(LogVariance.Parameters).Concat(Decoder.Parameters).Distinct().ToList();

    /// <summary>Builds and initialises the networks for inputs of width <paramref name="inputSize"/>.</summary>
    public static VaeNetwork Build(VaeOptions o, int inputSize, Rng rng)
    {
        DenseLayer Dense(string name, int from, int to, ActivationKind act)
        {
            var d = new DenseLayer(name, from, to, act, o.LeakyReluSlope);
            Initializer.Initialize(d, o.Init, rng);
            return d;
        }
        var widths = new List<int> { inputSize };
        widths.AddRange(o.HiddenSizes);
        var enc = new List<Layer>();
        for (int i = 0; i + 1 < widths.Count; i++) enc.Add(Dense($"encoder.{i}", widths[i], widths[i + 1], o.HiddenActivation));
        var mean = Dense("mean", widths[^1], o.LatentSize, ActivationKind.Identity);
        var logVar = Dense("logvar", widths[^1], o.LatentSize, ActivationKind.Identity);
        widths.Add(o.LatentSize);
        var dec = new List<Layer>();
        for (int j = 0; j + 1 < widths.Count; j++)
        {
            int from = widths[^(j + 1)], to = widths[^(j + 2)];
            dec.Add(Dense($"decoder.{j}", from, to, j + 2 == widths.Count ? ActivationKind.Identity : o.HiddenActivation));
        }
        return new VaeNetwork(new Network(enc), mean, logVar, new Network(dec), o.Likelihood, o.GaussianSigma);
    }

    /// <summary>
    /// Runs the loss on the batch <paramref name="x"/> with the standard-normal draws <paramref name="eps"/> (rows × latent).
    /// Returns −log p(x|z) and KL summed over the batch. With <paramref name="backward"/>, adds the gradient of the batch
    /// mean of (−log p + β·KL) into the parameters' gradients (through μ and σ: the reparameterisation).
    /// </summary>
    public (double Reconstruction, double Kl) Loss(Matrix x, Matrix eps, float beta, bool backward, NnContext ctx)
    {
        int n = x.Rows, m = LatentSize;
        if (eps.Rows != n || eps.Cols != m) throw new ArgumentException($"eps is {eps.Rows}×{eps.Cols}; expected {n}×{m}.");
        var h = Encoder.Forward(x, backward, ctx);
        var mu = Mean.Forward(h, backward, ctx);
        var lv = LogVariance.Forward(h, backward, ctx);
        var sigma = Matrix.Ensure(ref _sigma, n, m);
        TensorPrimitives.Multiply(lv.Span, 0.5f, sigma.Span);
        TensorPrimitives.Exp(sigma.Span, sigma.Span);
        var z = Matrix.Ensure(ref _z, n, m);
        TensorPrimitives.MultiplyAdd(sigma.Span, eps.Span, mu.Span, z.Span);
        double kl = GaussianKl(mu.Span, lv.Span);

        var output = Decoder.Forward(z, backward, ctx);
        var g = Matrix.Ensure(ref _grad, n, x.Cols);
        double rec = ReconstructionLoss(output, x, g, ctx);
        if (!backward) return (rec, kl);

        var dz = Decoder.Backward(g, true, ctx)!;
        var dMu = Matrix.Ensure(ref _dMu, n, m);
        var dLv = Matrix.Ensure(ref _dLv, n, m);
        float kb = beta / n;
        var dzs = dz.Span; var es = eps.Span; var dms = dMu.Span; var dls = dLv.Span;
        var mus = mu.Span; var ss = sigma.Span;
        for (int i = 0; i < dms.Length; i++)
        {
            // z = μ + σε, σ = exp(½ lv); KL = ½(μ² + σ² − 1 − lv).
            dms[i] = dzs[i] + kb * mus[i];
            dls[i] = dzs[i] * 0.5f * ss[i] * es[i] + kb * 0.5f * (ss[i] * ss[i] - 1f);
        }
        var dh = Mean.Backward(dMu, true, ctx)!;
        var dh2 = LogVariance.Backward(dLv, true, ctx)!;
        TensorPrimitives.Add(dh.Span, dh2.Span, dh.Span);
        Encoder.Backward(dh, false, ctx);
        return (rec, kl);
    }

    /// <summary>−log p(x | decoder output) summed over the batch; the batch-mean gradient goes into <paramref name="grad"/>.</summary>
    internal double ReconstructionLoss(Matrix output, Matrix x, Matrix grad, NnContext? ctx = null)
    {
        if (Likelihood == VaeLikelihood.Bernoulli) return Losses.Compute(LossKind.CrossEntropy, output, x, grad, ctx);
        float inv = 1f / (Sigma * Sigma);
        double half = Losses.Compute(LossKind.SquaredError, output, x, grad);
        TensorPrimitives.Multiply(grad.Span, inv, grad.Span);
        return half * inv + x.Rows * 0.5 * x.Cols * Math.Log(2 * Math.PI * Sigma * Sigma);
    }

    /// <summary>Analytic KL(N(μ, diag e^{lv}) ‖ N(0, I)) = ½ Σ (μ² + e^{lv} − 1 − lv).</summary>
    internal static double GaussianKl(ReadOnlySpan<float> mu, ReadOnlySpan<float> logVariance)
    {
        double s = 0;
        for (int i = 0; i < mu.Length; i++) s += 0.5 * ((double)mu[i] * mu[i] + Math.Exp(logVariance[i]) - 1 - logVariance[i]);
        return s;
    }
}
