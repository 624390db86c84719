using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// Trains an <see cref="EncoderClassifier"/> on a feature column: the code path of a fitted autoencoder (pretrained
/// without labels, e.g. by an <see cref="AutoencoderEstimator"/>) plus a softmax head, probed, fine-tuned, or trained
/// from random initialisation as a baseline (<see cref="EncoderClassifierOptions"/>). The feature column holds the
/// autoencoder's inputs (not its codes).
/// </summary>
public sealed class EncoderClassifierEstimator : ClassifierEstimator<EncoderClassifierTransformer>
{
    /// <summary>Creates the trainer; the options are validated and copied now.</summary>
    /// <param name="encoder">The fitted autoencoder whose encoder starts the classifier (not modified).</param>
    /// <param name="columns">Column names (null = Label, Features, Score, PredictedLabel).</param>
    /// <param name="options">Training settings (null = defaults).</param>
    public EncoderClassifierEstimator(IAutoencoder encoder, ClassifierColumns? columns = null, EncoderClassifierOptions? options = null) : base(columns)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Encoder = encoder;
        Options = (options ?? new EncoderClassifierOptions()).Clone();
        Options.Validate();
    }

    /// <summary>The pretrained autoencoder.</summary>
    public IAutoencoder Encoder { get; }

    /// <summary>The training settings.</summary>
    public EncoderClassifierOptions Options { get; }

    /// <inheritdoc />
    protected override string StageName => "EncoderClassifier";

    /// <inheritdoc />
    protected override EncoderClassifierTransformer FitCore(Matrix features, int[] labels, int classCount, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
    {
        if (features.Cols != Encoder.InputSize)
            throw new SchemaMismatchException(Columns.Features, $"Column '{Columns.Features}' has vectors of length {features.Cols}; the encoder of {StageName} takes {Encoder.InputSize}.");
        return new(EncoderClassifier.Fit(Encoder, features, labels, Options, classCount, epochs, cancellationToken), Columns);
    }
}

/// <summary>A fitted encoder-classifier stage: writes class probabilities and the predicted class.</summary>
public sealed class EncoderClassifierTransformer : ClassifierTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "encoder-classifier-stage";

    /// <summary>Wraps a trained model.</summary>
    public EncoderClassifierTransformer(EncoderClassifier model, ClassifierColumns? columns = null)
        : base(columns ?? new ClassifierColumns(), (model ?? throw new ArgumentNullException(nameof(model))).FeatureCount, model.ClassCount)
    {
        Model = model;
    }

    /// <summary>The trained model.</summary>
    public EncoderClassifier Model { get; }

    /// <inheritdoc />
    public override Matrix PredictProbabilities(Matrix features) => Model.PredictProbabilities(features);

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var a = new ModelArchive(Kind);
        ArchiveNesting.Put(a, "model", Model.ToArchive());
        return a;
    }

    internal static EncoderClassifierTransformer FromArchive(ModelArchive a) =>
        new(EncoderClassifier.FromArchive(ArchiveNesting.Take(a, "model")), a.GetValue<ClassifierColumns>("columns"));
}
