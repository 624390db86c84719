using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>Statistics of a matrix of codes (one sample a row).</summary>
/// <param name="MeanAbsCode">Mean |z| over all entries.</param>
/// <param name="FractionNearZero">Share of entries with |z| below the threshold (0.01 by default).</param>
/// <param name="MeanActivation">Mean of each unit over the samples, averaged over units (= mean of all entries).</param>
public sealed record CodeStatistics(double MeanAbsCode, double FractionNearZero, double MeanActivation);

/// <summary>The measurements <see cref="AutoencoderMetrics.Measure"/> takes on a dataset.</summary>
/// <param name="Mse">Per-pixel mean squared error of the reconstruction of the clean input.</param>
/// <param name="DenoisingMse">Per-pixel MSE between the clean input and the reconstruction of the input plus N(0, 0.2²) noise.</param>
/// <param name="JacobianFrobeniusSq">Mean over samples of the exact ‖∂f(x)/∂x‖²_F of the encoder.</param>
/// <param name="Code">Statistics of the codes of the clean input.</param>
/// <param name="PriorKl">KL(N(μ, Σ) ‖ N(0, I)) of the Gaussian fitted to those codes (<see cref="PriorCodes.GaussianKl"/>; NaN with too few rows).</param>
public sealed record AutoencoderMeasurements(double Mse, double DenoisingMse, double JacobianFrobeniusSq, CodeStatistics Code, double PriorKl);

/// <summary>Measurements shared by every autoencoder kind (the <c>train</c> command's JSON line uses them).</summary>
public static class AutoencoderMetrics
{
    /// <summary>Standard deviation of the noise <see cref="DenoisingMse"/> adds by default.</summary>
    public const float DenoisingNoise = 0.2f;

    /// <summary>Seed of the noise <see cref="DenoisingMse"/> adds by default.</summary>
    public const int DenoisingSeed = 2024;

    /// <summary>The |z| below which <see cref="CodeStatistics.FractionNearZero"/> counts an entry.</summary>
    public const float NearZero = 0.01f;

    /// <summary>Per-pixel MSE between the rows of <paramref name="x"/> and their reconstructions.</summary>
    public static double ReconstructionMse(IAutoencoder model, Matrix x) => AutoencoderModel.MeanSquaredError(x, model.Reconstruct(x));

    /// <summary>
    /// The mean of (x − x̂)² over each row (an N×1 matrix): each row's reconstruction error, the anomaly score of the
    /// autoencoder and PCA detectors.
    /// </summary>
    public static Matrix RowErrors(Matrix x, Matrix reconstruction)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(reconstruction);
        if (x.Rows != reconstruction.Rows || x.Cols != reconstruction.Cols) throw new ArgumentException("The rows and their reconstructions differ in shape.");
        var e = new Matrix(x.Rows, 1);
        for (int i = 0; i < x.Rows; i++)
        {
            float d = System.Numerics.Tensors.TensorPrimitives.Distance(x.Row(i), reconstruction.Row(i));
            e[i, 0] = d * d / x.Cols;
        }
        return e;
    }

    /// <summary>
    /// Per-pixel MSE between the clean rows of <paramref name="x"/> and the reconstructions of x + N(0, <paramref name="noise"/>²)
    /// noise drawn from a generator seeded with <paramref name="seed"/>. The noisy input is not clamped to the data's
    /// range (the corruption the denoising autoencoder trains with is not clamped either).
    /// </summary>
    public static double DenoisingMse(IAutoencoder model, Matrix x, float noise = DenoisingNoise, int seed = DenoisingSeed)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(noise >= 0 && float.IsFinite(noise))) throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must be a finite number ≥ 0.");
        var noisy = x.Clone();
        var n = noisy.Span;
        var rng = new Rng(seed);
        for (int i = 0; i < n.Length; i++) n[i] += (float)(noise * rng.NextGaussian());
        return AutoencoderModel.MeanSquaredError(x, model.Reconstruct(noisy));
    }

    /// <summary>
    /// Mean over the rows of <paramref name="x"/> of the exact squared Frobenius norm of the encoder's Jacobian
    /// ‖∂f(x)/∂x‖²_F (μ(x) for a VAE), by batched reverse-mode rows (see <see cref="AutoencoderOptions.Contractive"/>);
    /// NaN for a model whose encoder is not the library's dense layers (an empty <see cref="IAutoencoder.CodePath"/>).
    /// </summary>
    public static double JacobianFrobeniusSq(IAutoencoder model, Matrix x, IGemm? gemm = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        AutoencoderModel.CheckInput(x, model.InputSize, "input");
        if (x.Rows == 0) throw new ArgumentException("There are no rows to measure.", nameof(x));
        if (model.CodePath.Count == 0) return double.NaN;
        var jacobian = new EncoderJacobian(model.CodePath);
        return jacobian.Exact(x, gemm ?? Gemm.Create(GemmKind.Auto, 1), 0f) / x.Rows;
    }

    /// <summary>Mean |z|, the share of |z| &lt; <paramref name="nearZero"/>, and the mean activation of <paramref name="codes"/>.</summary>
    public static CodeStatistics CodeStatistics(Matrix codes, float nearZero = NearZero)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Length == 0) throw new ArgumentException("There are no codes.", nameof(codes));
        double abs = 0, sum = 0;
        long near = 0;
        foreach (var z in codes.Span)
        {
            abs += Math.Abs(z);
            sum += z;
            if (Math.Abs(z) < nearZero) near++;
        }
        double n = codes.Length;
        return new CodeStatistics(abs / n, near / n, sum / n);
    }

    /// <summary>All of the above on the rows of <paramref name="x"/>.</summary>
    public static AutoencoderMeasurements Measure(IAutoencoder model, Matrix x, IGemm? gemm = null)
    {
        var codes = model.Encode(x);
        return new(ReconstructionMse(model, x), DenoisingMse(model, x), JacobianFrobeniusSq(model, x, gemm), CodeStatistics(codes),
            codes.Rows > codes.Cols ? PriorCodes.GaussianKl(codes) : double.NaN);
    }
}
