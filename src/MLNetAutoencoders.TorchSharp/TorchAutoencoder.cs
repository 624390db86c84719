using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>
/// The deterministic autoencoder's objective and training loop in LibTorch, over the library's networks: per batch the
/// loss summed over samples (cross-entropy on logits or ½‖x − x̂‖²) plus λ‖z‖₁, λ·½‖z‖², the KL sparsity penalty
/// (n·w·Σⱼ KL(ρ‖ρ̂ⱼ)) and λ‖J‖²_F, differentiated as their batch mean, as <c>AutoencoderTrainer</c> does.
/// </summary>
internal sealed class TorchAutoencoder : IDisposable
{
    private const double KlEps = 1e-6;
    private const int ProbeChunkRows = 512;
    private readonly AutoencoderOptions _o;
    private readonly Network _encoder, _decoder;
    private readonly DenseLayer[] _encoderDense;
    private readonly TorchParameters _p;

    public TorchAutoencoder(AutoencoderOptions options, Network encoder, Network decoder)
    {
        _o = options;
        _encoder = encoder;
        _decoder = decoder;
        _encoderDense = encoder.DenseLayers.ToArray();
        _p = new TorchParameters(encoder.Parameters.Concat(decoder.Parameters));
    }

    public TorchParameters Parameters => _p;

    public TrainingHistory Train(IMinibatchSource<Matrix> source, int inputSize, Rng rng, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        torch.set_num_threads(_o.Threads);
        var ctx = _o.CreateContext(rng.Fork(1));
        var terms = AutoencoderTerms.Create(_o, inputSize);
        _p.CreateOptimizer(_o.Optimizer, _o.LearningRate, _o.Momentum);

        double TrainBatch(Matrix xb)
        {
            using var scope = torch.NewDisposeScope();
            double loss = LossAndGradients(xb, terms.Corruption, ctx.Rng, ctx);
            _p.Step();
            return loss;
        }

        double ValidationLoss(Matrix xb)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = TorchLayers.Input(xb);
            var output = TorchLayers.Forward(_decoder, _p, TorchLayers.Forward(_encoder, _p, x, null), null);
            return TorchLayers.Loss(_o.Loss, output, x).to_type(ScalarType.Float64).item<double>();
        }

        return TrainingLoop.Run(source, _o.Minibatch, rng, _p.Parameters, TrainBatch, ValidationLoss, progress, cancellationToken, _p.Store);
    }

    /// <summary>
    /// One batch: the objective summed over the batch, with the gradient of its batch mean left in the tensors' gradients.
    /// Corruption, dropout masks and contractive probes are drawn from <paramref name="rng"/> in the managed engine's order.
    /// </summary>
    internal double LossAndGradients(Matrix xb, ICorruption? corruption, Rng rng, NnContext ctx)
    {
        int n = xb.Rows;
        var x = TorchLayers.Input(xb);
        var input = corruption is null ? x : TorchLayers.Input(corruption.Apply(xb, ctx));
        var code = TorchLayers.Forward(_encoder, _p, input, rng);
        var output = TorchLayers.Forward(_decoder, _p, code, rng);
        var total = TorchLayers.Loss(_o.Loss, output, x);
        if (_o.L1Activity > 0) total = total + _o.L1Activity * code.abs().sum();
        if (_o.L2Activity > 0) total = total + _o.L2Activity * 0.5f * code.pow(2).sum();
        if (_o.KlSparsityWeight > 0) total = total + KlSparsity(code, n);
        if (_o.Contractive > 0) total = total + _o.Contractive * JacobianNormSquared(input, rng);
        (total / n).backward();
        return total.item<float>();
    }

    /// <summary>n·w·Σⱼ KL(ρ ‖ ρ̂ⱼ), ρ̂ clamped to [1e-6, 1 − 1e-6] in value only (the managed gradient uses the clamped ρ̂ without zeroing it).</summary>
    private Tensor KlSparsity(Tensor code, int n)
    {
        double rho = _o.KlSparsityTarget;
        var mean = code.mean(new long[] { 0 });
        var q = mean + (mean.clamp(KlEps, 1 - KlEps) - mean).detach();
        var kl = (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum();
        return (float)(n * (double)_o.KlSparsityWeight) * kl;
    }

    /// <summary>
    /// Σ over the batch of ‖∂f(x)/∂x‖²_F for the encoder's dense chain without dropout: exactly (the closed form for one
    /// layer; otherwise the rows of J = D_L W_L ⋯ D_1 W_1 per sample, through the Gram matrix W₁W₁ᵀ when the first layer
    /// is narrower than the input), or, with <c>ContractiveProbes</c> = k ≥ 1 and two or more layers, mean_k ‖J v_k‖² with
    /// v_k ~ N(0, I) drawn from <paramref name="rng"/> per chunk of 512 rows, as the managed estimator draws them.
    /// </summary>
    private Tensor JacobianNormSquared(Tensor x, Rng rng)
    {
        var layers = _encoderDense;
        int count = layers.Length;
        var d = new Tensor[count];
        var h = x;
        for (int l = 0; l < count; l++)
        {
            h = TorchLayers.Dense(layers[l], _p, h);
            d[l] = TorchLayers.DerivativeFromOutput(layers[l].Activation, layers[l].Slope, h);
        }
        var w0 = _p[layers[0].Weight];
        if (count == 1) return (d[0].pow(2) * w0.pow(2).sum(1)).sum();
        if (_o.ContractiveProbes == 0)
        {
            // M = D_L W_L D_{L−1} ⋯ W_2 D_1 as a (batch, code, h₁) tensor; J = M W₁.
            var m = d[count - 1].unsqueeze(2) * _p[layers[count - 1].Weight].unsqueeze(0);
            for (int l = count - 2; l >= 1; l--) m = (m * d[l].unsqueeze(1)).matmul(_p[layers[l].Weight]);
            m = m * d[0].unsqueeze(1);
            return layers[0].OutputSize <= layers[0].InputSize
                ? (m.matmul(w0.matmul(w0.t())) * m).sum()
                : m.matmul(w0).pow(2).sum();
        }
        int probes = _o.ContractiveProbes, rows = (int)x.shape[0], inputs = (int)x.shape[1];
        Tensor? total = null;
        for (int r0 = 0; r0 < rows; r0 += ProbeChunkRows)
        {
            int r = Math.Min(ProbeChunkRows, rows - r0);
            for (int k = 0; k < probes; k++)
            {
                var v = new float[r * inputs];
                rng.FillGaussian(v);
                var t = torch.tensor(v, new long[] { r, inputs });
                for (int l = 0; l < count; l++) t = d[l].narrow(0, r0, r) * t.matmul(_p[layers[l].Weight].t());
                var s = t.pow(2).sum() / probes;
                total = total is null ? s : total + s;
            }
        }
        return total!;
    }

    public void Dispose() => _p.Dispose();
}
