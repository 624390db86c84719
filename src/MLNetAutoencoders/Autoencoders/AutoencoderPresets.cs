namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The one source of the family's defaults: the reference architecture and training settings, and the strength of each
/// named kind's term. The ML.NET estimators, the trainers' option classes and the <c>mlae</c> command line all read
/// them from here. The kinds' values were chosen on Fashion-MNIST (docs/family/RESULTS.md).
/// </summary>
public static class AutoencoderDefaults
{
    /// <summary>Code width: 20.</summary>
    public const int CodeSize = 20;

    /// <summary>Epochs: 20.</summary>
    public const int Epochs = 20;

    /// <summary>Minibatch size: 512.</summary>
    public const int BatchSize = 512;

    /// <summary>Adam's learning rate: 1e-3.</summary>
    public const float LearningRate = 1e-3f;

    /// <summary>Encoder hidden widths 256, 128 (a new array each call).</summary>
    public static int[] HiddenSizes => [256, 128];

    /// <summary>The VAE's encoder hidden widths: 128 (a new array each call).</summary>
    public static int[] VaeHiddenSizes => [128];

    /// <summary>The VAE's minibatch size: 128.</summary>
    public const int VaeBatchSize = 128;

    /// <summary>The VAE's epochs when trained on its own (the reference configuration): 10.</summary>
    public const int VaeEpochs = 10;

    /// <summary>The anomaly detector's code width (autoencoder code or VAE latent): 8.</summary>
    public const int AnomalyCodeSize = 8;

    /// <summary><c>sparse-l1</c>: λ of the L1 activity penalty on a ReLU code: 1.</summary>
    public const float SparseL1 = 1f;

    /// <summary><c>sparse-kl</c>: target mean activation ρ of the sigmoid code: 0.1.</summary>
    public const float KlSparsityTarget = 0.1f;

    /// <summary><c>sparse-kl</c>: weight of the KL sparsity penalty: 30.</summary>
    public const float KlSparsityWeight = 30f;

    /// <summary><c>contractive</c>: λ of ‖∂f/∂x‖²_F: 0.3.</summary>
    public const float Contractive = 0.3f;

    /// <summary><c>denoising</c>: standard deviation η of the Gaussian input noise: 0.2.</summary>
    public const float DenoisingNoise = 0.2f;

    /// <summary><c>dropout</c>: the dropout rate after hidden layers: 0.2.</summary>
    public const float DropoutRate = 0.2f;

    /// <summary><c>adversarial</c>: λ of the encoder's term that fools the discriminator: 0.3.</summary>
    public const float Adversarial = 0.3f;

    /// <summary><c>adversarial</c>: the discriminator's hidden widths 128, 128 (a new array each call).</summary>
    public static int[] DiscriminatorHiddenSizes => [128, 128];

    /// <summary><c>stacked</c>: end-to-end fine-tuning epochs after the greedy layer-wise phase: 10.</summary>
    public const int StackedFineTuneEpochs = 10;

    /// <summary>Streaming training: rows of the shuffle buffer, 8 192 (24.5 MB for 784 values a row).</summary>
    public const int ShuffleBufferRows = 8192;

    /// <summary>The ML.NET stages train from memory when the input column holds at most this many megabytes (rows × width × 4 bytes), and stream above it: 512.</summary>
    public const int InMemoryLimitMegabytes = 512;
}

/// <summary>The named kinds of the deterministic autoencoder family and the settings each one turns on.</summary>
public static class AutoencoderKinds
{
    /// <summary>Plain (undercomplete, or overcomplete with a regulariser added by hand).</summary>
    public const string Plain = "ae";

    /// <summary>L1 activity penalty <see cref="AutoencoderDefaults.SparseL1"/> on a ReLU code (exact zeros).</summary>
    public const string SparseL1 = "sparse-l1";

    /// <summary>KL sparsity (ρ <see cref="AutoencoderDefaults.KlSparsityTarget"/>, weight <see cref="AutoencoderDefaults.KlSparsityWeight"/>) on a sigmoid code.</summary>
    public const string SparseKl = "sparse-kl";

    /// <summary>Contractive penalty λ = <see cref="AutoencoderDefaults.Contractive"/> (exact).</summary>
    public const string Contractive = "contractive";

    /// <summary>Gaussian input noise η = <see cref="AutoencoderDefaults.DenoisingNoise"/>, clean target.</summary>
    public const string Denoising = "denoising";

    /// <summary>Dropout <see cref="AutoencoderDefaults.DropoutRate"/> after every hidden layer, in training only.</summary>
    public const string Dropout = "dropout";

    /// <summary>Decoder weights tied to the encoder's transposes.</summary>
    public const string Tied = "tied";

    /// <summary>Greedy layer-wise training, then fine-tuning (<see cref="AutoencoderDefaults.StackedFineTuneEpochs"/> epochs).</summary>
    public const string Stacked = "stacked";

    /// <summary>Adversarial autoencoder: a discriminator pushes the codes towards N(0, I), λ = <see cref="AutoencoderDefaults.Adversarial"/>.</summary>
    public const string Adversarial = "adversarial";

    /// <summary>Every kind, in the order tables list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Plain, SparseL1, SparseKl, Contractive, Denoising, Dropout, Tied, Stacked, Adversarial];

    /// <summary>
    /// Sets the term of <paramref name="kind"/> on <paramref name="options"/> (in place) and returns it; the other
    /// settings are left as they are, so kinds combine by applying several.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown kind (the message lists the known ones).</exception>
    public static AutoencoderOptions Apply(string kind, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (kind)
        {
            case Plain: case Stacked: break;
            case SparseL1: options.L1Activity = AutoencoderDefaults.SparseL1; options.CodeActivation = Nn.ActivationKind.Relu; break;
            case SparseKl:
                options.KlSparsityTarget = AutoencoderDefaults.KlSparsityTarget;
                options.KlSparsityWeight = AutoencoderDefaults.KlSparsityWeight;
                options.CodeActivation = Nn.ActivationKind.Sigmoid;
                break;
            case Contractive: options.Contractive = AutoencoderDefaults.Contractive; break;
            case Denoising: options.Corruption = CorruptionKind.Gaussian; options.CorruptionLevel = AutoencoderDefaults.DenoisingNoise; break;
            case Dropout: options.DropoutRate = AutoencoderDefaults.DropoutRate; break;
            case Tied: options.TiedWeights = true; break;
            case Adversarial: options.Adversarial = AutoencoderDefaults.Adversarial; break;
            default: throw new ArgumentException($"Unknown autoencoder kind '{kind}'; expected one of {string.Join(", ", All)} (or vae).", nameof(kind));
        }
        return options;
    }
}
