using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>
/// The deterministic autoencoder's objective and training loop in LibTorch, over the library's networks: per batch the
/// loss summed over samples (cross-entropy on logits or ½‖x − x̂‖²) plus λ‖z‖₁, λ·½‖z‖², the KL sparsity penalty
/// (n·w·Σⱼ KL(ρ‖ρ̂ⱼ)), λ‖J‖²_F and the adversarial term, differentiated as their batch mean, as <c>AutoencoderTrainer</c>
/// does. The adversarial term's discriminator (the library's network the regularizer built) is copied into tensors of
/// its own with an optimiser of its own, and written back with the model's weights.
/// </summary>
internal sealed class TorchAutoencoder : IDisposable
{
    private readonly AutoencoderOptions _o;
    private readonly Network _encoder, _decoder;
    private readonly DenseLayer[] _encoderDense;
    private readonly TorchParameters _p;
    private readonly AutoencoderTerms _terms;
    private readonly AdversarialRegularizer? _adversarial;
    private readonly TorchParameters? _d;

    /// <summary>Copies the networks' weights (and the discriminator's, with its optimiser, when <paramref name="terms"/> has the adversarial term) into tensors.</summary>
    public TorchAutoencoder(AutoencoderOptions options, Network encoder, Network decoder, AutoencoderTerms terms)
    {
        _o = options;
        _encoder = encoder;
        _decoder = decoder;
        _terms = terms;
        _encoderDense = encoder.DenseLayers.ToArray();
        _p = new TorchParameters(encoder.Parameters.Concat(decoder.Parameters));
        _adversarial = terms.Regularizers.OfType<AdversarialRegularizer>().SingleOrDefault();
        if (_adversarial is null) return;
        _d = new TorchParameters(_adversarial.Discriminator.Parameters);
        _d.CreateOptimizer(options.Optimizer, _adversarial.LearningRate, options.Momentum);
    }

    public TorchParameters Parameters => _p;

    /// <summary>The adversarial term's discriminator tensors (null without the term).</summary>
    public TorchParameters? Discriminator => _d;

    /// <summary>The last training batch's discriminator loss (its mean cross-entropy) and adversarial term (λ·Σ −log σ(D(z))).</summary>
    public (double Discriminator, double Adversarial) AdversarialLosses { get; private set; }

    public TrainingHistory Train(IMinibatchSource<Matrix> source, Rng rng, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        torch.set_num_threads(_o.Threads);
        // Only the context's generator is used here (noise, masks, probes, ε): a managed GEMM keeps OpenBLAS and its
        // threads out of the process that LibTorch runs in.
        var ctx = new NnContext(new ManagedGemm(), rng.Fork(1));
        _p.CreateOptimizer(_o.Optimizer, _o.LearningRate, _o.Momentum);

        double TrainBatch(Matrix xb)
        {
            using var scope = torch.NewDisposeScope();
            double loss = LossAndGradients(xb, ctx);
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

        void Store()
        {
            _p.Store();
            _d?.Store();
        }

        return TrainingLoop.Run(source, _o.Minibatch, rng, _p.Parameters, TrainBatch, ValidationLoss, progress, cancellationToken, Store);
    }

    /// <summary>
    /// One batch: the objective summed over the batch, with the gradient of its batch mean left in the tensors' gradients.
    /// Corruption, dropout masks, contractive probes and the adversarial term's prior draw come from the context's
    /// generator in the managed engine's order; the adversarial term first takes its discriminator's optimiser step.
    /// </summary>
    internal double LossAndGradients(Matrix xb, NnContext ctx)
    {
        int n = xb.Rows;
        var rng = ctx.Rng;
        var x = TorchLayers.Input(xb);
        var input = _terms.Corruption is null ? x : TorchLayers.Input(_terms.Corruption.Apply(xb, ctx));
        var code = TorchLayers.Forward(_encoder, _p, input, rng);
        var output = TorchLayers.Forward(_decoder, _p, code, rng);
        var total = TorchLayers.Loss(_o.Loss, output, x);
        if (_o.L1Activity > 0) total = total + _o.L1Activity * code.abs().sum();
        if (_o.L2Activity > 0) total = total + _o.L2Activity * 0.5f * code.pow(2).sum();
        if (_o.KlSparsityWeight > 0) total = total + KlSparsity(code, n);
        if (_o.Contractive > 0) total = total + _o.Contractive * JacobianNormSquared(input, rng);
        if (_adversarial is not null) total = total + AdversarialTerm(code, rng);
        (total / n).backward();
        _d?.ZeroGrad(); // the term's gradients in the discriminator are not the discriminator's to use
        return total.item<float>();
    }

    /// <summary>
    /// As the managed regularizer: one optimiser step of the discriminator on a fresh N(0, I) draw (label 1) and the
    /// codes as constants (label 0), then λ·Σ −log σ(D(z)) through the updated discriminator.
    /// </summary>
    private Tensor AdversarialTerm(Tensor code, Rng rng)
    {
        var prior = new float[code.shape[0] * code.shape[1]];
        rng.FillGaussian(prior);
        var dLoss = DiscriminatorLoss(torch.tensor(prior, code.shape), code.detach());
        dLoss.backward();
        _d!.Step();
        var logits = TorchLayers.Forward(_adversarial!.Discriminator, _d, code, null);
        var term = _adversarial.Weight * TorchLayers.Loss(LossKind.CrossEntropy, logits, torch.ones_like(logits));
        AdversarialLosses = (dLoss.item<float>(), term.item<float>());
        return term;
    }

    /// <summary>The discriminator's mean binary cross-entropy over <paramref name="prior"/> (label 1) and <paramref name="code"/> (label 0).</summary>
    internal Tensor DiscriminatorLoss(Tensor prior, Tensor code)
    {
        var logits = TorchLayers.Forward(_adversarial!.Discriminator, _d!, torch.cat([prior, code]), null);
        var labels = torch.cat([torch.ones(prior.shape[0], 1), torch.zeros(code.shape[0], 1)]);
        return nn.functional.binary_cross_entropy_with_logits(logits, labels);
    }

    /// <summary>n·w·Σⱼ KL(ρ ‖ ρ̂ⱼ) (see <see cref="KlDivergenceSum"/>).</summary>
    private Tensor KlSparsity(Tensor code, int n) =>
        (float)(n * (double)_o.KlSparsityWeight) * KlDivergenceSum(code, _o.KlSparsityTarget);

    /// <summary>
    /// Σⱼ KL(ρ ‖ ρ̂ⱼ) over the columns of the (rows × units) <paramref name="code"/>, ρ̂ⱼ its column means, clamped to
    /// [ε, 1 − ε] (ε = <see cref="KlSparsityRegularizer.Eps"/>) in value only: the gradient at a saturated unit is the
    /// penalty's derivative at the clamped ρ̂, not zero, as the managed <see cref="KlSparsityRegularizer"/> computes it.
    /// Shared by the engine and the trainer of own modules.
    /// </summary>
    internal static Tensor KlDivergenceSum(Tensor code, double rho)
    {
        var mean = code.mean(new long[] { 0 });
        var q = mean + (mean.clamp(KlSparsityRegularizer.Eps, 1 - KlSparsityRegularizer.Eps) - mean).detach();
        return (rho * torch.log(rho / q) + (1 - rho) * torch.log((1 - rho) / (1 - q))).sum();
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
        for (int r0 = 0; r0 < rows; r0 += EncoderJacobian.MaxChunkRows)
        {
            int r = Math.Min(EncoderJacobian.MaxChunkRows, rows - r0);
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

    public void Dispose()
    {
        _p.Dispose();
        _d?.Dispose();
    }
}
