using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The named kinds of the autoencoder family. <see cref="AutoencoderKinds"/> gives each one's name, its preset and its
/// trainer; adding a kind is one value here and one entry there.
/// </summary>
public enum AutoencoderKind
{
    /// <summary><c>ae</c>: plain (undercomplete, or overcomplete with a regulariser added by hand).</summary>
    Plain,

    /// <summary><c>sparse-l1</c>: L1 activity penalty <see cref="AutoencoderDefaults.SparseL1"/> on a ReLU code (exact zeros).</summary>
    SparseL1,

    /// <summary><c>sparse-kl</c>: KL sparsity (ρ <see cref="AutoencoderDefaults.KlSparsityTarget"/>, weight <see cref="AutoencoderDefaults.KlSparsityWeight"/>) on a sigmoid code.</summary>
    SparseKl,

    /// <summary><c>contractive</c>: contractive penalty λ = <see cref="AutoencoderDefaults.Contractive"/> (exact).</summary>
    Contractive,

    /// <summary><c>denoising</c>: Gaussian input noise η = <see cref="AutoencoderDefaults.DenoisingNoise"/>, clean target.</summary>
    Denoising,

    /// <summary><c>dropout</c>: dropout <see cref="AutoencoderDefaults.DropoutRate"/> after every hidden layer, in training only.</summary>
    Dropout,

    /// <summary><c>tied</c>: decoder weights tied to the encoder's transposes.</summary>
    Tied,

    /// <summary><c>stacked</c>: greedy layer-wise training, then fine-tuning (<see cref="AutoencoderDefaults.StackedFineTuneEpochs"/> epochs).</summary>
    Stacked,

    /// <summary><c>adversarial</c>: a discriminator pushes the codes towards N(0, I), λ = <see cref="AutoencoderDefaults.Adversarial"/>.</summary>
    Adversarial,

    /// <summary><c>vae</c>: the variational autoencoder (<see cref="VaeOptions"/>, <see cref="VaeTrainer"/>).</summary>
    Variational,

    /// <summary><c>conv</c>: the plain objective on the convolutional networks (<see cref="ConvAutoencoderOptions"/>, default image 1 × 28 × 28).</summary>
    Convolutional,
}

/// <summary>
/// The one registry of the family's kinds: each kind's name, the preset it applies to the options and the trainer that
/// fits it (on the engine the options name). The ML.NET stages, the anomaly trainer, the <c>mlae</c> command line and the
/// experiments all go through it.
/// </summary>
public static class AutoencoderKinds
{
    private static readonly (AutoencoderKind Kind, string Name)[] Table =
    [
        (AutoencoderKind.Plain, "ae"), (AutoencoderKind.SparseL1, "sparse-l1"), (AutoencoderKind.SparseKl, "sparse-kl"),
        (AutoencoderKind.Contractive, "contractive"), (AutoencoderKind.Denoising, "denoising"), (AutoencoderKind.Dropout, "dropout"),
        (AutoencoderKind.Tied, "tied"), (AutoencoderKind.Stacked, "stacked"), (AutoencoderKind.Adversarial, "adversarial"),
        (AutoencoderKind.Variational, "vae"), (AutoencoderKind.Convolutional, "conv"),
    ];

    /// <summary>Every kind, in the order tables list them.</summary>
    public static IReadOnlyList<AutoencoderKind> All { get; } = Array.AsReadOnly(Table.Select(t => t.Kind).ToArray());

    /// <summary>The kinds that train the dense deterministic autoencoder (<see cref="AutoencoderOptions"/> without <see cref="AutoencoderOptions.Conv"/>): all but <see cref="AutoencoderKind.Variational"/> and <see cref="AutoencoderKind.Convolutional"/>.</summary>
    public static IReadOnlyList<AutoencoderKind> Dense { get; } = Array.AsReadOnly(All.Where(k => k is not (AutoencoderKind.Variational or AutoencoderKind.Convolutional)).ToArray());

    /// <summary>The kind's name as the command line and tables write it (<c>ae</c>, <c>sparse-l1</c>, …, <c>vae</c>, <c>conv</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value that is not a kind.</exception>
    public static string Name(AutoencoderKind kind)
    {
        foreach (var (k, name) in Table)
            if (k == kind) return name;
        throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an autoencoder kind.");
    }

    /// <summary>The kind named <paramref name="name"/> (case and surrounding spaces ignored), or false.</summary>
    public static bool TryParse(string? name, out AutoencoderKind kind)
    {
        var n = name?.Trim().ToLowerInvariant();
        foreach (var (k, text) in Table)
            if (text == n) { kind = k; return true; }
        kind = default;
        return false;
    }

    /// <summary>The kind named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static AutoencoderKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new ArgumentException($"Unknown autoencoder kind '{name}'; expected one of {string.Join(", ", Table.Select(t => t.Name))}.", nameof(name));

    /// <summary>
    /// Sets the term of <paramref name="kind"/> on <paramref name="options"/> (in place) and returns it; the other
    /// settings are left as they are, so kinds combine by applying several. <see cref="AutoencoderKind.Convolutional"/>
    /// sets <see cref="AutoencoderOptions.Conv"/> (default channels, image 1 × 28 × 28) unless it is set already.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="AutoencoderKind.Variational"/> (its options are <see cref="VaeOptions"/>) or a value that is not a kind.</exception>
    public static AutoencoderOptions Apply(AutoencoderKind kind, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (kind)
        {
            case AutoencoderKind.Plain: case AutoencoderKind.Stacked: break;
            case AutoencoderKind.SparseL1: options.L1Activity = AutoencoderDefaults.SparseL1; options.CodeActivation = ActivationKind.Relu; break;
            case AutoencoderKind.SparseKl:
                options.KlSparsityTarget = AutoencoderDefaults.KlSparsityTarget;
                options.KlSparsityWeight = AutoencoderDefaults.KlSparsityWeight;
                options.CodeActivation = ActivationKind.Sigmoid;
                break;
            case AutoencoderKind.Contractive: options.Contractive = AutoencoderDefaults.Contractive; break;
            case AutoencoderKind.Denoising: options.Corruption = CorruptionKind.Gaussian; options.CorruptionLevel = AutoencoderDefaults.DenoisingNoise; break;
            case AutoencoderKind.Dropout: options.DropoutRate = AutoencoderDefaults.DropoutRate; break;
            case AutoencoderKind.Tied: options.TiedWeights = true; break;
            case AutoencoderKind.Adversarial: options.Adversarial = AutoencoderDefaults.Adversarial; break;
            case AutoencoderKind.Convolutional: options.Conv ??= new ConvAutoencoderOptions(); break;
            case AutoencoderKind.Variational:
                throw new ArgumentException("The vae kind trains a variational autoencoder; its options are VaeOptions, not AutoencoderOptions.", nameof(kind));
            default: throw new ArgumentException($"Unknown autoencoder kind {kind}; expected one of {string.Join(", ", Table.Select(t => t.Name))}.", nameof(kind));
        }
        return options;
    }

    /// <summary>New options of <paramref name="kind"/> with its preset: <see cref="VaeOptions"/> for <see cref="AutoencoderKind.Variational"/>, otherwise <see cref="AutoencoderOptions"/> after <see cref="Apply"/>.</summary>
    public static NetworkOptions CreateOptions(AutoencoderKind kind) =>
        kind == AutoencoderKind.Variational ? new VaeOptions() : Apply(kind, new AutoencoderOptions());

    /// <summary>
    /// The epochs the trainer of <paramref name="kind"/> runs with <paramref name="options"/> (for progress): the
    /// options' epochs, and for <see cref="AutoencoderKind.Stacked"/> one phase per layer plus <paramref name="fineTuneEpochs"/>.
    /// </summary>
    public static int TotalEpochs(AutoencoderKind kind, NetworkOptions options, int fineTuneEpochs = AutoencoderDefaults.StackedFineTuneEpochs)
    {
        ArgumentNullException.ThrowIfNull(options);
        return kind == AutoencoderKind.Stacked ? (options.HiddenSizes.Length + 1) * options.Epochs + fineTuneEpochs : options.Epochs;
    }

    /// <summary>
    /// Trains <paramref name="kind"/> on the rows of <paramref name="data"/> with <paramref name="options"/> (made by
    /// <see cref="CreateOptions"/> or <see cref="Apply"/>, then changed as wished) on the options' engine:
    /// <see cref="VaeTrainer"/> for the VAE, <see cref="StackedAutoencoderTrainer"/> (with <paramref name="fineTuneEpochs"/>)
    /// for the stacked kind, <see cref="AutoencoderTrainer"/> otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Options of the wrong class for the kind (the VAE needs <see cref="VaeOptions"/>, the others <see cref="AutoencoderOptions"/>).</exception>
    public static IAutoencoder Fit(AutoencoderKind kind, NetworkOptions options, Matrix data, IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default, int fineTuneEpochs = AutoencoderDefaults.StackedFineTuneEpochs) => kind switch
    {
        AutoencoderKind.Variational => new VaeTrainer(As<VaeOptions>(kind, options)).Fit(data, progress, cancellationToken),
        AutoencoderKind.Stacked => Stacked(options, fineTuneEpochs).Fit(data, progress, cancellationToken),
        _ => new AutoencoderTrainer(As<AutoencoderOptions>(kind, options)).Fit(data, progress, cancellationToken),
    };

    /// <summary>As <see cref="Fit(AutoencoderKind, NetworkOptions, Matrix, IProgress{EpochReport}, CancellationToken, int)"/>, streaming the rows (each epoch reads the stream once).</summary>
    public static IAutoencoder Fit(AutoencoderKind kind, NetworkOptions options, IRowStream rows, IProgress<EpochReport>? progress = null,
        CancellationToken cancellationToken = default, int fineTuneEpochs = AutoencoderDefaults.StackedFineTuneEpochs) => kind switch
    {
        AutoencoderKind.Variational => new VaeTrainer(As<VaeOptions>(kind, options)).Fit(rows, progress, cancellationToken),
        AutoencoderKind.Stacked => Stacked(options, fineTuneEpochs).Fit(rows, progress, cancellationToken),
        _ => new AutoencoderTrainer(As<AutoencoderOptions>(kind, options)).Fit(rows, progress, cancellationToken),
    };

    private static StackedAutoencoderTrainer Stacked(NetworkOptions options, int fineTuneEpochs) =>
        new(new StackedAutoencoderOptions { Autoencoder = As<AutoencoderOptions>(AutoencoderKind.Stacked, options), FineTuneEpochs = fineTuneEpochs });

    private static T As<T>(AutoencoderKind kind, NetworkOptions options) where T : NetworkOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        return options as T ?? throw new ArgumentException($"The {Name(kind)} kind trains with {typeof(T).Name}; got {options.GetType().Name}.", nameof(options));
    }
}
