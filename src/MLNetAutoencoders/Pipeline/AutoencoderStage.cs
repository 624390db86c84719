using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>Preset variants of the autoencoder family for the simple catalog overload (METHODS.md's textbook settings).</summary>
public enum AutoencoderKind
{
    /// <summary>Undercomplete autoencoder, no regulariser.</summary>
    Basic,
    /// <summary>Sparse: L1 activity penalty λ = 0.01 on the code.</summary>
    Sparse,
    /// <summary>Contractive: λ = 0.1 on ‖∂f/∂x‖²_F (exact).</summary>
    Contractive,
    /// <summary>Denoising: additive Gaussian noise η = 0.2 on the training input.</summary>
    Denoising,
    /// <summary>Decoder weights tied to the encoder's transposes.</summary>
    Tied,
    /// <summary>Dropout 0.2 after every hidden layer, in training only.</summary>
    Dropout,
}

/// <summary>
/// Trains a member of the autoencoder family on a vector column — a (sparse, contractive, denoising, dropout, tied)
/// <see cref="AutoencoderTrainer"/>, a greedy <see cref="StackedAutoencoderTrainer"/>, or a <see cref="VaeTrainer"/> —
/// and gives a stage writing the deterministic codes (<see cref="IAutoencoder.Encode"/>; μ(x) for a VAE).
/// </summary>
public sealed class AutoencoderEstimator : VectorEstimator<AutoencoderTransformer>
{
    private readonly Func<Matrix, IProgress<EpochReport>?, CancellationToken, IAutoencoder> _train;

    /// <summary>An autoencoder with the given options (validated and copied now).</summary>
    public AutoencoderEstimator(string outputColumnName, string? inputColumnName, AutoencoderOptions options) : base(outputColumnName, inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trainer = new AutoencoderTrainer(options);
        Options = trainer.Options;
        CodeSize = trainer.Options.CodeSize;
        _train = (x, p, ct) => trainer.Fit(x, p, ct);
        StageKind = "Autoencoder";
    }

    /// <summary>A stacked autoencoder trained greedily layer by layer (options validated and copied now).</summary>
    public AutoencoderEstimator(string outputColumnName, string? inputColumnName, StackedAutoencoderOptions options) : base(outputColumnName, inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trainer = new StackedAutoencoderTrainer(options);
        Options = trainer.Options.Autoencoder;
        CodeSize = trainer.Options.Autoencoder.CodeSize;
        _train = (x, p, ct) => trainer.Fit(x, p, ct);
        StageKind = "StackedAutoencoder";
    }

    /// <summary>A variational autoencoder; the stage writes μ(x) (options validated and copied now).</summary>
    public AutoencoderEstimator(string outputColumnName, string? inputColumnName, VaeOptions options) : base(outputColumnName, inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var trainer = new VaeTrainer(options);
        Options = trainer.Options;
        CodeSize = trainer.Options.LatentSize;
        _train = (x, p, ct) => trainer.Fit(x, p, ct);
        StageKind = "VAE";
    }

    /// <summary>
    /// The training settings: an <see cref="AutoencoderOptions"/> (also for a stacked autoencoder, per layer) or a
    /// <see cref="VaeOptions"/>: the validated copy the trainer uses (do not modify it).
    /// </summary>
    public NetworkOptions Options { get; }

    /// <summary>Width of the codes written.</summary>
    public int CodeSize { get; }

    /// <summary><c>Autoencoder</c>, <c>StackedAutoencoder</c> or <c>VAE</c>.</summary>
    public string StageKind { get; }

    /// <inheritdoc />
    protected override string StageName => StageKind;

    /// <inheritdoc />
    protected override int OutputSize(int inputSize) => CodeSize;

    /// <inheritdoc />
    protected override AutoencoderTransformer FitCore(Matrix input, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
        => new(_train(input, epochs, cancellationToken), OutputColumnName, InputColumnName);

    /// <summary>The options of a preset <paramref name="kind"/> on top of a base architecture.</summary>
    public static AutoencoderOptions Preset(AutoencoderKind kind, AutoencoderOptions baseOptions)
    {
        ArgumentNullException.ThrowIfNull(baseOptions);
        var o = baseOptions.Clone();
        switch (kind)
        {
            case AutoencoderKind.Basic: break;
            case AutoencoderKind.Sparse: o.L1Activity = 0.01f; break;
            case AutoencoderKind.Contractive: o.Contractive = 0.1f; break;
            case AutoencoderKind.Denoising: o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 0.2f; break;
            case AutoencoderKind.Tied: o.TiedWeights = true; break;
            case AutoencoderKind.Dropout: o.DropoutRate = 0.2f; break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown autoencoder kind.");
        }
        return o;
    }
}

/// <summary>
/// A fitted autoencoder stage of any kind of the family (<see cref="IAutoencoder"/>: plain, sparse, contractive,
/// denoising, stacked, variational): writes the deterministic codes of the input column.
/// </summary>
public sealed class AutoencoderTransformer : VectorTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "autoencoder-stage";

    /// <summary>Wraps a trained model.</summary>
    public AutoencoderTransformer(IAutoencoder model, string outputColumnName, string inputColumnName)
        : base(outputColumnName, inputColumnName, (model ?? throw new ArgumentNullException(nameof(model))).InputSize, model.CodeSize)
    {
        Model = model;
    }

    /// <summary>The trained autoencoder (encode, decode, reconstruct, history); a <see cref="VaeModel"/> for a VAE stage.</summary>
    public IAutoencoder Model { get; }

    /// <inheritdoc />
    protected override string StageName => Model is VaeModel ? "VAE" : "Autoencoder";

    /// <inheritdoc />
    protected override Matrix Map(Matrix input) => Model.Encode(input);

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var a = new ModelArchive(Kind);
        ArchiveNesting.Put(a, "model", Model.ToArchive());
        return a;
    }

    internal static AutoencoderTransformer FromArchive(ModelArchive a)
    {
        var (output, input) = Columns(a);
        var m = ArchiveNesting.Take(a, "model");
        IAutoencoder model = m.Kind switch
        {
            AutoencoderModel.Kind => AutoencoderModel.FromArchive(m),
            VaeModel.Kind => VaeModel.FromArchive(m),
            _ => throw new InvalidDataException($"holds an autoencoder stage of unknown model kind '{m.Kind}'"),
        };
        return new AutoencoderTransformer(model, output, input);
    }
}
