using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The adversarial autoencoder's term (Makhzani et al.): a discriminator D (a small ReLU network ending in one logit)
/// learns to tell draws of the prior N(0, I) (label 1) from the encoder's codes (label 0), and the encoder learns to fool
/// it. Each batch, alternately: one optimiser step of D on the binary cross-entropy of a fresh prior draw and the batch's
/// codes (the codes are constants for D), then the encoder's non-saturating term λ·(−log σ(D(z))) per sample is added,
/// its gradient going into the code gradient (so into the encoder only, with the reconstruction gradient). The
/// discriminator exists only during training; the model keeps encoder and decoder.
/// </summary>
internal sealed class AdversarialRegularizer : IRegularizer
{
    private readonly Network _discriminator;
    private readonly Optimizer _optimizer;
    private Matrix? _prior, _both, _labels, _grad, _ones, _genGrad;

    /// <summary>Builds the discriminator code → hidden… → 1 logit, initialised from <paramref name="rng"/>.</summary>
    public AdversarialRegularizer(float weight, int codeSize, int[] hidden, OptimizerKind optimizer, float learningRate, float momentum, Rng rng)
    {
        Weight = weight;
        var layers = new List<Layer>();
        int from = codeSize;
        foreach (var (h, i) in hidden.Append(1).Select((h, i) => (h, i)))
        {
            var d = new DenseLayer($"discriminator.{i}", from, h, i == hidden.Length ? ActivationKind.Identity : ActivationKind.Relu);
            Initializer.Initialize(d, InitKind.Auto, rng);
            layers.Add(d);
            from = h;
        }
        _discriminator = new Network(layers);
        _optimizer = Optimizer.Create(optimizer, _discriminator.Parameters, learningRate, momentum);
    }

    /// <summary>λ.</summary>
    public float Weight { get; }

    /// <summary>The discriminator (for tests and the TorchSharp engine, which trains a copy of it).</summary>
    internal Network Discriminator => _discriminator;

    /// <summary>The discriminator's learning rate.</summary>
    internal float LearningRate => _optimizer.LearningRate;

    /// <summary>When false, <see cref="Apply"/> only adds the encoder's term (for gradient checks). Default true.</summary>
    internal bool TrainDiscriminator { get; set; } = true;

    public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx)
    {
        if (TrainDiscriminator)
        {
            var prior = PriorDraw(code.Rows, code.Cols, ctx.Rng);
            DiscriminatorLoss(prior, code, ctx, backward: true);
            _optimizer.Step(ctx);
        }
        return EncoderTerm(code, codeGrad, ctx);
    }

    /// <summary>A fresh N(0, I) draw, n × m (a buffer this object owns).</summary>
    private Matrix PriorDraw(int n, int m, Rng rng)
    {
        var prior = Matrix.Ensure(ref _prior, n, m);
        rng.FillGaussian(prior.Span);
        return prior;
    }

    /// <summary>
    /// The discriminator's mean binary cross-entropy over <paramref name="prior"/> (label 1) and <paramref name="code"/>
    /// (label 0); with <paramref name="backward"/>, its gradient is added into the discriminator's parameters.
    /// </summary>
    internal double DiscriminatorLoss(Matrix prior, Matrix code, NnContext ctx, bool backward)
    {
        int n = prior.Rows, m = code.Cols;
        if (code.Rows != n || prior.Cols != m) throw new ArgumentException($"Prior draw {prior.Rows}×{prior.Cols} and codes {code.Rows}×{code.Cols} differ in shape.");
        var both = Matrix.Ensure(ref _both, 2 * n, m);
        prior.Span.CopyTo(both.Data.AsSpan(0, n * m));
        code.Span.CopyTo(both.Data.AsSpan(n * m, n * m));
        var labels = Matrix.Ensure(ref _labels, 2 * n, 1);
        labels.Data.AsSpan(0, n).Fill(1);
        labels.Data.AsSpan(n, n).Clear();
        var logits = _discriminator.Forward(both, true, ctx);
        var g = Matrix.Ensure(ref _grad, 2 * n, 1);
        double loss = Losses.Compute(LossKind.CrossEntropy, logits, labels, g);
        if (backward) _discriminator.Backward(g, false, ctx);
        return loss / (2 * n);
    }

    /// <summary>
    /// λ·Σ −log σ(D(z)) over the rows of <paramref name="code"/>; adds its batch-mean gradient into <paramref name="codeGrad"/>
    /// (the discriminator's parameter gradients it causes are discarded).
    /// </summary>
    internal double EncoderTerm(Matrix code, Matrix codeGrad, NnContext ctx)
    {
        int n = code.Rows;
        var logits = _discriminator.Forward(code, true, ctx);
        var ones = Matrix.Ensure(ref _ones, n, 1);
        ones.Span.Fill(1);
        var g = Matrix.Ensure(ref _genGrad, n, 1);
        double loss = Losses.Compute(LossKind.CrossEntropy, logits, ones, g);
        TensorPrimitives.Multiply(g.Span, Weight, g.Span);
        var dz = _discriminator.Backward(g, true, ctx)!;
        TensorPrimitives.Add(codeGrad.Span, dz.Span, codeGrad.Span);
        _optimizer.ZeroGrad();
        return Weight * loss;
    }
}
