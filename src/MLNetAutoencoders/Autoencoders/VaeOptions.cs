namespace MLNetAutoencoders.Autoencoders;

/// <summary>The observation model p(x | z) of a variational autoencoder.</summary>
public enum VaeLikelihood
{
    /// <summary>Bernoulli on logits: −log p(x|z) = Σᵢ softplus(aᵢ) − xᵢaᵢ (data in [0, 1]).</summary>
    Bernoulli,
    /// <summary>Gaussian with fixed σ: −log p(x|z) = ‖x − μ_θ(z)‖² / 2σ² + (d/2)·log 2πσ².</summary>
    Gaussian,
}

/// <summary>
/// Options of the variational autoencoder (Kingma &amp; Welling): encoder hidden layers, then a μ head and a log σ²
/// head of width <see cref="LatentSize"/>; decoder mirroring the hidden layers. The defaults are docs/METHODS.md's Fashion-MNIST
/// reference: 784 → 128 (ReLU) → μ, log σ² ∈ R²⁰; decoder 20 → 128 (ReLU) → 784 logits; Bernoulli likelihood; β = 1;
/// Adam 1e-3, batch 128, 10 epochs.
/// </summary>
public sealed class VaeOptions : NetworkOptions
{
    /// <summary>Creates the reference options.</summary>
    public VaeOptions()
    {
        HiddenSizes = AutoencoderDefaults.VaeHiddenSizes;
        BatchSize = AutoencoderDefaults.VaeBatchSize;
        Epochs = AutoencoderDefaults.VaeEpochs;
    }

    /// <summary>Width of the latent code z (μ and log σ² heads). Default 20.</summary>
    public int LatentSize { get; set; } = AutoencoderDefaults.CodeSize;

    /// <summary>Observation model. Default Bernoulli.</summary>
    public VaeLikelihood Likelihood { get; set; } = VaeLikelihood.Bernoulli;

    /// <summary>The fixed standard deviation σ of the Gaussian likelihood, in (0, 100]. Default 1.</summary>
    public float GaussianSigma { get; set; } = 1f;

    /// <summary>Weight β of the KL term (β = 1 is the ELBO; β &gt; 1 a β-VAE), in [0, 1000]. Default 1.</summary>
    public float Beta { get; set; } = 1f;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ValidateShared();
        if (HiddenSizes.Length == 0) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "HiddenSizes needs at least one hidden layer (the μ and log σ² heads sit on top of it).");
        if (LatentSize < 1) throw new ArgumentOutOfRangeException(nameof(LatentSize), LatentSize, "LatentSize must be ≥ 1.");
        if (!Enum.IsDefined(Likelihood)) throw new ArgumentOutOfRangeException(nameof(Likelihood), Likelihood, "Unknown likelihood.");
        if (!(GaussianSigma > 0 && GaussianSigma <= 100)) throw new ArgumentOutOfRangeException(nameof(GaussianSigma), GaussianSigma, "GaussianSigma must be in (0, 100].");
        if (!(Beta >= 0 && Beta <= 1000)) throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be in [0, 1000].");
    }

    /// <summary>A copy (arrays copied).</summary>
    public VaeOptions Clone() => CloneAs<VaeOptions>();
}
