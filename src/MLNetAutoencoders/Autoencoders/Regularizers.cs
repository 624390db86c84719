using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>L1 activity penalty λ‖z‖₁ per sample (subgradient 0 at z = 0).</summary>
internal sealed class L1ActivityRegularizer(float lambda) : IRegularizer
{
    public float Lambda => lambda;

    public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx)
    {
        var z = code.Span; var g = codeGrad.Span;
        float step = lambda / code.Rows;
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            sum += Math.Abs(z[i]);
            g[i] += step * MathF.Sign(z[i]);
        }
        return lambda * sum;
    }
}

/// <summary>L2 activity penalty λ·½‖z‖² per sample.</summary>
internal sealed class L2ActivityRegularizer(float lambda) : IRegularizer
{
    public float Lambda => lambda;

    public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx)
    {
        var z = code.Span; var g = codeGrad.Span;
        double sum = 0.5 * System.Numerics.Tensors.TensorPrimitives.SumOfSquares(z);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(z, lambda / code.Rows, g, g);
        return lambda * sum;
    }
}

/// <summary>
/// KL sparsity on a sigmoid code: with ρ̂ⱼ the batch mean of unit j, the per-sample penalty is
/// w·Σⱼ [ρ log(ρ/ρ̂ⱼ) + (1−ρ) log((1−ρ)/(1−ρ̂ⱼ))] (a batch statistic, so it is the same for every row of the batch).
/// ρ̂ is clamped to [1e-6, 1 − 1e-6] against saturated units.
/// </summary>
internal sealed class KlSparsityRegularizer(float weight, float target) : IRegularizer
{
    /// <summary>ρ̂ is clamped to [Eps, 1 − Eps] (the TorchSharp engine uses the same bound).</summary>
    internal const double Eps = 1e-6;
    private double[]? _mean;
    private float[]? _slope;

    public float Weight => weight;

    public float Target => target;

    public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx)
    {
        int n = code.Rows, m = code.Cols;
        if (_mean == null || _mean.Length != m) (_mean, _slope) = (new double[m], new float[m]);
        var mean = _mean;
        var slope = _slope!;
        Array.Clear(mean);
        for (int i = 0; i < n; i++)
        {
            var row = code.Row(i);
            for (int j = 0; j < m; j++) mean[j] += row[j];
        }
        double rho = target, kl = 0;
        for (int j = 0; j < m; j++)
        {
            double q = Math.Clamp(mean[j] / n, Eps, 1 - Eps);
            kl += rho * Math.Log(rho / q) + (1 - rho) * Math.Log((1 - rho) / (1 - q));
            slope[j] = (float)(weight * (-rho / q + (1 - rho) / (1 - q)) / n);
        }
        for (int i = 0; i < n; i++) System.Numerics.Tensors.TensorPrimitives.Add(codeGrad.Row(i), slope, codeGrad.Row(i));
        return n * weight * kl;
    }
}

/// <summary>
/// Contractive penalty λ‖∂f(x)/∂x‖²_F per sample of the encoder's dense chain at the (possibly corrupted) encoder input,
/// exact (<paramref name="probes"/> = 0) or estimated with forward-mode probes; see <see cref="EncoderJacobian"/>.
/// Its gradient goes straight into the encoder's parameters.
/// </summary>
internal sealed class ContractiveRegularizer(float lambda, int probes) : IRegularizer
{
    private EncoderJacobian? _jacobian;
    private Network? _for;

    public float Lambda => lambda;

    public int Probes => probes;

    public double Apply(Network encoder, Matrix encoderInput, Matrix code, Matrix codeGrad, NnContext ctx)
    {
        if (!ReferenceEquals(_for, encoder))
        {
            _jacobian = new EncoderJacobian(encoder.DenseLayers.ToList());
            _for = encoder;
        }
        float scale = lambda / encoderInput.Rows;
        double sum = probes == 0 || _jacobian!.Layers.Count == 1
            ? _jacobian!.Exact(encoderInput, ctx.Gemm, scale)
            : _jacobian.Estimate(encoderInput, ctx.Gemm, ctx.Rng, probes, scale);
        return lambda * sum;
    }
}
