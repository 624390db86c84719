using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// The generative half of M1+M2 (Kingma, Rezende, Mohamed and Welling, 2014). M1 is the fixed feature map s(x) (a
/// VAE's mean code, standardised); M2 is a class-conditional VAE on s with q(z|s, y) = N(μ, diag e^v) and
/// p(s|y, z) = N(m, diag e^w), both one-hidden-layer networks on [input, one-hot y], prior N(0, I) on z and a uniform
/// class prior. Per row, −ELBO(s, y) = −log p(s|y, z) + KL(q(z|s, y) ‖ N(0, I)) + log K with z = μ + e^{v/2} ε.
/// The decoder's log-variance w is floored at <see cref="MinLogVariance"/> (no gradient below it): with a free variance
/// the likelihood of continuous features has no upper bound, and the bound's class differences then swamp the labels.
/// The term adds β × [mean over the labelled batch of −ELBO(s, y) + mean over an unlabelled batch of
/// Σ_y q(y|s)(−ELBO(s, y)) + Σ_y q(y|s) log q(y|s)], q(y|s) being the classifier's own head.
/// </summary>
internal sealed class SemiSupervisedVaeTerm
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Floor of p(s|y, z)'s log-variance: ln 0.01, a hundredth of the standardised features' variance.</summary>
    internal static readonly float MinLogVariance = MathF.Log(0.01f);
    private readonly Network _features, _classifier, _encoder, _decoder;
    private readonly int _classes, _latent, _width;
    private readonly float _weight;
    private readonly double _logK;
    private readonly NnContext _ctx;
    private readonly UnlabelledBatches _batches;
    private Matrix _s = new(0, 0), _q = new(0, 0), _e = new(0, 0), _p = new(0, 0);

    /// <param name="features">The frozen M1 feature map (encoder and code scaler), shared with the classifier.</param>
    /// <param name="classifier">The classifier's head q(y|s), shared with the classifier (its parameters are trained by this term too).</param>
    /// <param name="unlabelled">M×d unlabelled inputs; their features are computed once.</param>
    /// <param name="classes">K.</param>
    /// <param name="o">The options (M2 sizes and weight, unlabelled batch size).</param>
    /// <param name="init">Initialises M2's networks.</param>
    /// <param name="ctx">Draws the unlabelled batches and the reparameterisation noise.</param>
    public SemiSupervisedVaeTerm(Network features, Network classifier, Matrix unlabelled, int classes, EncoderClassifierOptions o, Rng init, NnContext ctx)
    {
        _features = features;
        _classifier = classifier;
        _classes = classes;
        _latent = o.M2LatentSize;
        _width = classifier.InputSize;
        _weight = o.M2Weight;
        _logK = Math.Log(classes);
        _ctx = ctx;
        _encoder = Mlp("m2.encoder", _width + classes, o.M2HiddenSize, 2 * _latent, init);
        _decoder = Mlp("m2.decoder", _latent + classes, o.M2HiddenSize, 2 * _width, init);
        _batches = new UnlabelledBatches(features.Predict(unlabelled, ctx), o.UnlabelledBatchSize, ctx.Rng);
        Parameters = _encoder.Parameters.Concat(_decoder.Parameters).ToList();
    }

    /// <summary>M2's own parameters (q(z|s, y), then p(s|y, z)).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>q(z|s, y) (output [μ, v]) and p(s|y, z) (output [m, w]).</summary>
    internal IReadOnlyList<Network> Networks => [_encoder, _decoder];

    private static Network Mlp(string name, int input, int hidden, int output, Rng rng)
    {
        var a = new DenseLayer(name + ".0", input, hidden, ActivationKind.Relu);
        var b = new DenseLayer(name + ".1", hidden, output, ActivationKind.Identity);
        Initializer.Initialize(a, InitKind.Auto, rng);
        Initializer.Initialize(b, InitKind.GlorotUniform, rng);
        return new Network([a, b]);
    }

    /// <summary>
    /// Adds the gradient of the term for the labelled batch <paramref name="x"/> and the next unlabelled batch (fresh
    /// noise) to the parameters' gradients, which must be zero on entry (as after an optimiser step); returns the term.
    /// </summary>
    public double AddGradients(Matrix x, int[] labels)
    {
        var s = _features.Forward(x, false, _ctx).Clone();
        var u = _batches.Next();
        var el = new Matrix(s.Rows, _latent);
        var eu = new Matrix(u.Rows * _classes, _latent);
        _ctx.Rng.FillGaussian(el.Span);
        _ctx.Rng.FillGaussian(eu.Span);
        return Loss(s, labels, u, el, eu, true);
    }

    /// <summary>
    /// The term on labelled features <paramref name="s"/> and unlabelled features <paramref name="u"/>, with the
    /// reparameterisation noise given (<paramref name="el"/>: one row per labelled row; <paramref name="eu"/>: K rows per
    /// unlabelled row, class y of row i at row i·K + y); with <paramref name="backward"/> its gradient is added.
    /// </summary>
    internal double Loss(Matrix s, int[] labels, Matrix u, Matrix el, Matrix eu, bool backward)
    {
        var negElbo = NegativeElbo(s, labels, el);
        double labelled = negElbo.Sum() / s.Rows;
        if (backward) Backward(Enumerable.Repeat(_weight / (double)s.Rows, s.Rows).ToArray());

        int k = _classes, m = u.Rows;
        var logits = _classifier.Forward(u, false, _ctx).Clone();
        var rows = new Matrix(m * k, _width);
        var ys = new int[m * k];
        for (int i = 0; i < m; i++)
            for (int y = 0; y < k; y++)
            {
                u.Row(i).CopyTo(rows.Row(i * k + y));
                ys[i * k + y] = y;
            }
        var l = NegativeElbo(rows, ys, eu);
        var rowWeights = new double[m * k];
        var dLogits = new Matrix(m, k);
        var scratch = new double[k];
        double unlabelled = 0;
        for (int i = 0; i < m; i++)
        {
            var z = logits.Row(i);
            double lse = Softmax.LogSumExp(z, scratch);
            double expected = 0;
            var a = new double[k];
            for (int y = 0; y < k; y++)
            {
                double logq = z[y] - lse, q = Math.Exp(logq);
                a[y] = l[i * k + y] + logq;
                expected += q * a[y];
                rowWeights[i * k + y] = _weight * q / m;
            }
            unlabelled += expected;
            for (int y = 0; y < k; y++) dLogits[i, y] = (float)(_weight / m * Math.Exp(z[y] - lse) * (a[y] - expected));
        }
        if (backward)
        {
            Backward(rowWeights);
            _classifier.Backward(dLogits, false, _ctx);
        }
        return _weight * (labelled + unlabelled / m);
    }

    /// <summary>−ELBO(s_r, y_r) of each row with noise <paramref name="e"/>; keeps what <see cref="Backward"/> needs.</summary>
    private double[] NegativeElbo(Matrix s, int[] labels, Matrix e)
    {
        int n = s.Rows, d = _width, z = _latent;
        var input = new Matrix(n, d + _classes);
        for (int r = 0; r < n; r++)
        {
            s.Row(r).CopyTo(input.Row(r));
            input[r, d + labels[r]] = 1;
        }
        _q = _encoder.Forward(input, true, _ctx).Clone();
        var code = new Matrix(n, z + _classes);
        for (int r = 0; r < n; r++)
        {
            for (int j = 0; j < z; j++) code[r, j] = _q[r, j] + MathF.Exp(0.5f * _q[r, z + j]) * e[r, j];
            code[r, z + labels[r]] = 1;
        }
        _p = _decoder.Forward(code, true, _ctx).Clone();
        _s = s;
        _e = e;
        var loss = new double[n];
        for (int r = 0; r < n; r++)
        {
            double sum = _logK;
            for (int j = 0; j < d; j++)
            {
                double diff = s[r, j] - _p[r, j], w = Math.Max(_p[r, d + j], MinLogVariance);
                sum += HalfLog2Pi + 0.5 * (w + diff * diff * Math.Exp(-w));
            }
            for (int j = 0; j < z; j++)
            {
                double mu = _q[r, j], v = _q[r, z + j];
                sum += 0.5 * (mu * mu + Math.Exp(v) - 1 - v);
            }
            loss[r] = sum;
        }
        return loss;
    }

    /// <summary>Adds Σ_r weight_r ∇(−ELBO_r) of the last <see cref="NegativeElbo"/> call to M2's parameters' gradients.</summary>
    private void Backward(double[] weights)
    {
        int n = _s.Rows, d = _width, z = _latent;
        var dp = new Matrix(n, 2 * d);
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++)
            {
                float w = _p[r, d + j];
                double diff = _s[r, j] - _p[r, j], inv = Math.Exp(-Math.Max(w, MinLogVariance));
                dp[r, j] = (float)(-weights[r] * diff * inv);
                dp[r, d + j] = w < MinLogVariance ? 0f : (float)(weights[r] * 0.5 * (1 - diff * diff * inv));
            }
        var dCode = _decoder.Backward(dp, true, _ctx)!;
        var dq = new Matrix(n, 2 * z);
        for (int r = 0; r < n; r++)
            for (int j = 0; j < z; j++)
            {
                double mu = _q[r, j], v = _q[r, z + j], dz = dCode[r, j];
                dq[r, j] = (float)(dz + weights[r] * mu);
                dq[r, z + j] = (float)(dz * _e[r, j] * 0.5 * Math.Exp(0.5 * v) + weights[r] * 0.5 * (Math.Exp(v) - 1));
            }
        _encoder.Backward(dq, false, _ctx);
    }
}
