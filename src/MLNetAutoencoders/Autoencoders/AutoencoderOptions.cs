using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// Options of the (deterministic) autoencoder: architecture, loss, the variant terms (activity and KL sparsity,
/// contraction, input corruption, dropout, tied weights), optimisation and engine settings. Every variant term is off
/// by default and any of them combine. The defaults are docs/METHODS.md's Fashion-MNIST reference: 784 → 256 → 128 → 20
/// (ReLU, linear code), mirrored decoder, cross-entropy on logits, Adam 1e-3, batch 512, 20 epochs.
/// </summary>
public sealed class AutoencoderOptions : NetworkOptions
{
    /// <summary>Width of the code (any size: larger than the input gives an overcomplete autoencoder). Default 20.</summary>
    public int CodeSize { get; set; } = AutoencoderDefaults.CodeSize;

    /// <summary>Activation of the code layer. Default identity (linear code). KL sparsity needs sigmoid.</summary>
    public ActivationKind CodeActivation { get; set; } = ActivationKind.Identity;

    /// <summary>Reconstruction loss. Cross-entropy makes the decoder emit logits (reconstructions are their sigmoid). Default cross-entropy.</summary>
    public LossKind Loss { get; set; } = LossKind.CrossEntropy;

    /// <summary>Activation of the decoder's output with the squared-error loss (ignored with cross-entropy). Default identity.</summary>
    public ActivationKind OutputActivation { get; set; } = ActivationKind.Identity;

    /// <summary>Tie each decoder weight to the transpose of its mirror encoder weight (biases stay separate).</summary>
    public bool TiedWeights { get; set; }

    /// <summary>Dropout rate after every hidden layer of encoder and decoder, in training only; 0 = none. Range [0, 1).</summary>
    public float DropoutRate { get; set; }

    /// <summary>λ of the L1 activity penalty λ‖z‖₁ per sample on the code; 0 = off. Range [0, ∞).</summary>
    public float L1Activity { get; set; }

    /// <summary>λ of the L2 activity penalty λ·½‖z‖² per sample on the code; 0 = off. Range [0, ∞).</summary>
    public float L2Activity { get; set; }

    /// <summary>
    /// Weight of the KL sparsity penalty Σⱼ KL(ρ ‖ ρ̂ⱼ) (ρ̂ⱼ = batch mean of code unit j) added to the per-sample loss; 0 = off.
    /// Range [0, ∞). Needs <see cref="CodeActivation"/> = sigmoid.
    /// </summary>
    public float KlSparsityWeight { get; set; }

    /// <summary>Target mean activation ρ of the KL sparsity penalty, in (0, 1). Default <see cref="AutoencoderDefaults.KlSparsityTarget"/> (0.1, the sparse-kl preset's).</summary>
    public float KlSparsityTarget { get; set; } = AutoencoderDefaults.KlSparsityTarget;

    /// <summary>
    /// λ of the contractive penalty λ‖∂f(x)/∂x‖²_F per sample; 0 = off. Range [0, ∞). The Jacobian is the encoder's
    /// without dropout (the function used at inference), taken at the training input (after any corruption).
    /// </summary>
    public float Contractive { get; set; }

    /// <summary>
    /// How the contractive penalty is computed for an encoder of two or more layers: 0 (default) = exactly, at the cost
    /// of about <see cref="CodeSize"/> backward passes per sample; k ≥ 1 = the unbiased estimate E‖Jv‖², v ~ N(0, I),
    /// averaged over k forward-mode probes per sample (cost about 3k encoder passes; variance 2‖JᵀJ‖²_F / k).
    /// A single-layer encoder always uses the exact closed form. Range 0–64.
    /// </summary>
    public int ContractiveProbes { get; set; }

    /// <summary>Corruption of the training input (denoising); <see cref="CorruptionKind.None"/> by default. Never applied at inference.</summary>
    public CorruptionKind Corruption { get; set; }

    /// <summary>
    /// Strength of <see cref="Corruption"/>: the standard deviation η of Gaussian noise (range [0, 10]), or the share ν
    /// of inputs masked or set to salt/pepper (range [0, 1)).
    /// </summary>
    public float CorruptionLevel { get; set; }

    /// <summary>
    /// The user's own encoder and decoder (e.g. the TorchSharp package's <c>TorchModules</c>), trained in place of the
    /// dense networks; null (default) = the networks <see cref="NetworkOptions.HiddenSizes"/> and <see cref="CodeSize"/>
    /// describe. The modules decide the architecture, so the architecture options (hidden sizes, code size and
    /// activations, initialisation) are not used; see the implementation for which of the family's terms apply.
    /// Train them with <see cref="IAutoencoderModules.Fit"/> or the ML.NET stage; not stored in model files.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IAutoencoderModules? Modules { get; set; }

    /// <summary>
    /// The convolutional architecture (the <c>conv</c> kind) in place of the dense one: each row is an image of
    /// <see cref="ConvAutoencoderOptions.ImageShape"/>, strided convolutions lead to a linear code layer of
    /// <see cref="CodeSize"/> (with <see cref="CodeActivation"/>), transposed convolutions lead back; hidden layers use
    /// ReLU, and <see cref="NetworkOptions.HiddenSizes"/> and <see cref="NetworkOptions.HiddenActivation"/> are not
    /// used. Dropout, tied weights and the contractive penalty need the dense networks and are errors with it. Null
    /// (default) = the dense networks.
    /// </summary>
    public ConvAutoencoderOptions? Conv { get; set; }

    /// <summary>
    /// λ of the adversarial term (the adversarial autoencoder): a discriminator learns to tell the codes from N(0, I)
    /// draws, and the encoder is trained to fool it with λ·(−log D(z)) per sample beside the reconstruction loss; 0 = off.
    /// Range [0, ∞). The discriminator is used in training only.
    /// </summary>
    public float Adversarial { get; set; }

    /// <summary>Hidden widths of the adversarial term's discriminator (ReLU; one logit out). Default 128, 128.</summary>
    public int[] DiscriminatorHiddenSizes { get; set; } = AutoencoderDefaults.DiscriminatorHiddenSizes;

    /// <summary>Learning rate of the discriminator (same optimiser kind as the autoencoder); 0 (default) = <see cref="NetworkOptions.LearningRate"/>. Range [0, ∞).</summary>
    public float DiscriminatorLearningRate { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ValidateShared();
        if (CodeSize < 1) throw new ArgumentOutOfRangeException(nameof(CodeSize), CodeSize, "CodeSize must be ≥ 1.");
        if (!(DropoutRate >= 0 && DropoutRate < 1)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        RequireNonNegative(L1Activity, nameof(L1Activity));
        RequireNonNegative(L2Activity, nameof(L2Activity));
        RequireNonNegative(KlSparsityWeight, nameof(KlSparsityWeight));
        RequireNonNegative(Contractive, nameof(Contractive));
        RequireNonNegative(Adversarial, nameof(Adversarial));
        RequireNonNegative(DiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        if (DiscriminatorHiddenSizes is null || DiscriminatorHiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(DiscriminatorHiddenSizes), "DiscriminatorHiddenSizes must all be ≥ 1 (an empty list means a linear discriminator).");
        if (!(KlSparsityTarget > 0 && KlSparsityTarget < 1))
            throw new ArgumentOutOfRangeException(nameof(KlSparsityTarget), KlSparsityTarget, "KlSparsityTarget (ρ) must be in (0, 1).");
        if (KlSparsityWeight > 0 && CodeActivation != ActivationKind.Sigmoid)
            throw new ArgumentOutOfRangeException(nameof(CodeActivation), CodeActivation,
                $"KL sparsity (KlSparsityWeight {KlSparsityWeight}) needs CodeActivation = sigmoid, so that mean activations lie in (0, 1); it is {Activations.Name(CodeActivation)}.");
        if (ContractiveProbes is < 0 or > 64)
            throw new ArgumentOutOfRangeException(nameof(ContractiveProbes), ContractiveProbes, "ContractiveProbes must be in 0–64 (0 = exact).");
        if (Conv is not null)
        {
            Conv.Validate();
            if (DropoutRate > 0) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate needs the dense networks; the convolutional autoencoder (Conv) has no dropout layers.");
            if (TiedWeights) throw new ArgumentOutOfRangeException(nameof(TiedWeights), TiedWeights, "TiedWeights needs the dense networks; the convolutional autoencoder (Conv) cannot tie its weights.");
            if (Contractive > 0) throw new ArgumentOutOfRangeException(nameof(Contractive), Contractive, "The contractive penalty needs the dense encoder; the convolutional autoencoder (Conv) has none.");
        }
        if (!Enum.IsDefined(Corruption)) throw new ArgumentOutOfRangeException(nameof(Corruption), Corruption, "Unknown corruption kind.");
        bool levelOk = Corruption switch
        {
            CorruptionKind.None => CorruptionLevel == 0,
            CorruptionKind.Gaussian => CorruptionLevel >= 0 && CorruptionLevel <= 10,
            _ => CorruptionLevel >= 0 && CorruptionLevel < 1,
        };
        if (!levelOk)
            throw new ArgumentOutOfRangeException(nameof(CorruptionLevel), CorruptionLevel, Corruption switch
            {
                CorruptionKind.None => "CorruptionLevel needs a Corruption kind (gaussian, masking or salt-and-pepper).",
                CorruptionKind.Gaussian => "CorruptionLevel (the noise's standard deviation η) must be in [0, 10].",
                _ => "CorruptionLevel (the share ν of corrupted inputs) must be in [0, 1).",
            });
    }

    /// <summary>A copy (arrays copied).</summary>
    public AutoencoderOptions Clone()
    {
        var c = CloneAs<AutoencoderOptions>();
        c.DiscriminatorHiddenSizes = (int[])DiscriminatorHiddenSizes.Clone();
        c.Conv = Conv?.Clone();
        return c;
    }
}
