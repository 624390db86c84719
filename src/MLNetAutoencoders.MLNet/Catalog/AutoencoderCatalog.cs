using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Pca;

// In ML.NET's own namespace, as ML.NET's add-on packages do, so that `using Microsoft.ML;` finds these methods.
namespace Microsoft.ML;

/// <summary>
/// Autoencoder and exact-PCA featurizers on ML.NET's <see cref="TransformsCatalog"/>: <c>mlContext.Transforms.EncodeWithAutoencoder(...)</c>,
/// <c>EncodeWithVariationalAutoencoder(...)</c> and <c>ProjectToExactPrincipalComponents(...)</c>.
/// </summary>
public static class AutoencoderCatalog
{
    /// <summary>
    /// Trains an autoencoder (<see cref="AutoencoderDefaults"/>: 256 → 128 → code, ReLU, cross-entropy on logits, Adam)
    /// on <paramref name="inputColumnName"/> and writes each row's code to <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column: <c>Vector&lt;Single, codeSize&gt;</c>.</param>
    /// <param name="inputColumnName">A known-size vector of Single with values in [0, 1] (scale it first, e.g. with <c>NormalizeMinMax</c>); null = <paramref name="outputColumnName"/>.</param>
    /// <param name="codeSize">The code's width.</param>
    /// <param name="hiddenSizes">Encoder hidden widths, input side first (the decoder mirrors them); null = 256, 128.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of all randomness; null = drawn from the MLContext's seed.</param>
    public static AutoencoderEstimator EncodeWithAutoencoder(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        int codeSize = AutoencoderDefaults.CodeSize, int[]? hiddenSizes = null, int epochs = AutoencoderDefaults.Epochs, int? seed = null)
        => catalog.EncodeWithAutoencoder(new AutoencoderEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            Seed = seed,
            Autoencoder = new AutoencoderOptions
            {
                CodeSize = codeSize,
                HiddenSizes = hiddenSizes is null ? AutoencoderDefaults.HiddenSizes : (int[])hiddenSizes.Clone(),
                Epochs = epochs,
            },
        });

    /// <summary>
    /// Trains an autoencoder of any kind of the family (<see cref="AutoencoderEstimator.Options.ForKind"/> gives each
    /// kind's preset) with every setting in <paramref name="options"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static AutoencoderEstimator EncodeWithAutoencoder(this TransformsCatalog catalog, AutoencoderEstimator.Options options)
        => new(MLNetHost.Environment(catalog), options);

    /// <summary>
    /// Trains a variational autoencoder (784 → 128 → μ, log σ² of <paramref name="codeSize"/>; Bernoulli likelihood)
    /// on <paramref name="inputColumnName"/> and writes μ(x) to <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column (μ): <c>Vector&lt;Single, codeSize&gt;</c>.</param>
    /// <param name="inputColumnName">A known-size vector of Single with values in [0, 1]; null = <paramref name="outputColumnName"/>.</param>
    /// <param name="codeSize">The latent width.</param>
    /// <param name="hiddenSizes">Encoder hidden widths; null = 128.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of all randomness; null = drawn from the MLContext's seed.</param>
    public static VariationalAutoencoderEstimator EncodeWithVariationalAutoencoder(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, int codeSize = AutoencoderDefaults.CodeSize, int[]? hiddenSizes = null, int epochs = AutoencoderDefaults.VaeEpochs, int? seed = null)
        => catalog.EncodeWithVariationalAutoencoder(new VariationalAutoencoderEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            Seed = seed,
            Vae = new VaeOptions
            {
                LatentSize = codeSize,
                HiddenSizes = hiddenSizes is null ? AutoencoderDefaults.VaeHiddenSizes : (int[])hiddenSizes.Clone(),
                Epochs = epochs,
            },
        });

    /// <summary>Trains a variational autoencoder with every setting in <paramref name="options"/>; the stage writes μ(x).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static VariationalAutoencoderEstimator EncodeWithVariationalAutoencoder(this TransformsCatalog catalog, VariationalAutoencoderEstimator.Options options)
        => new(MLNetHost.Environment(catalog), options);

    /// <summary>
    /// Projects <paramref name="inputColumnName"/> onto its first <paramref name="rank"/> principal components,
    /// computed exactly (double-precision eigen-decomposition; randomised with power iterations for large inputs).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The projection column: <c>Vector&lt;Single, rank&gt;</c>.</param>
    /// <param name="inputColumnName">A known-size vector of Single; null = <paramref name="outputColumnName"/>.</param>
    /// <param name="rank">Number of components.</param>
    /// <param name="whiten">Scale each component to unit variance.</param>
    /// <param name="seed">Seed of the randomised solver; null = drawn from the MLContext's seed.</param>
    public static ExactPcaEstimator ProjectToExactPrincipalComponents(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, int rank = PcaDefaults.Components, bool whiten = false, int? seed = null)
        => catalog.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            Pca = new PcaOptions { Components = rank, Whiten = whiten, Threads = 1 },
            Seed = seed,
        });

    /// <summary>Exact PCA with every setting in <paramref name="options"/>.</summary>
    public static ExactPcaEstimator ProjectToExactPrincipalComponents(this TransformsCatalog catalog, ExactPcaEstimator.Options options)
        => new(MLNetHost.Environment(catalog), options);

    /// <summary>
    /// Anomaly detection by reconstruction error: trains an autoencoder (<paramref name="hiddenSizes"/> → code of
    /// <paramref name="codeSize"/>, cross-entropy, so features in [0, 1]) on mostly normal rows; <c>Score</c> is each
    /// row's reconstruction error and <c>PredictedLabel</c> flags the rows above the training scores' 99th percentile.
    /// </summary>
    /// <param name="catalog">The anomaly-detection trainers catalog.</param>
    /// <param name="featureColumnName">A known-size vector of Single with values in [0, 1].</param>
    /// <param name="codeSize">The code's width.</param>
    /// <param name="hiddenSizes">Encoder hidden widths; null = 256, 128.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="seed">Seed of all randomness; null = drawn from the MLContext's seed.</param>
    public static AutoencoderAnomalyEstimator Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, string featureColumnName = "Features",
        int codeSize = AutoencoderDefaults.AnomalyCodeSize, int[]? hiddenSizes = null, int epochs = AutoencoderDefaults.Epochs, int? seed = null)
        => catalog.Autoencoder(new AutoencoderAnomalyEstimator.Options
        {
            FeatureColumnName = featureColumnName,
            Seed = seed,
            Autoencoder = new AutoencoderOptions
            {
                CodeSize = codeSize,
                HiddenSizes = hiddenSizes is null ? AutoencoderDefaults.HiddenSizes : (int[])hiddenSizes.Clone(),
                Epochs = epochs,
            },
        });

    /// <summary>Anomaly detection by reconstruction error with every setting in <paramref name="options"/> (any kind of the family, or a VAE).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static AutoencoderAnomalyEstimator Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, AutoencoderAnomalyEstimator.Options options)
        => new(MLNetHost.Environment(catalog), options);

    /// <summary>
    /// A multiclass classifier on the encoder of <paramref name="encoder"/> (a fitted autoencoder stage): a softmax head
    /// trained in <paramref name="mode"/> (linear probe, fine-tune, discriminative fine-tune, or joint with
    /// <paramref name="unlabelledData"/>) on the labelled rows.
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="encoder">A fitted <c>EncodeWithAutoencoder</c> or <c>EncodeWithVariationalAutoencoder</c> stage.</param>
    /// <param name="labelColumnName">The label: a key column (use <c>MapValueToKey</c>).</param>
    /// <param name="featureColumnName">The features: the encoder's input width.</param>
    /// <param name="mode">How the encoder is trained.</param>
    /// <param name="seed">Seed of training; null = drawn from the MLContext's seed.</param>
    /// <param name="unlabelledData">Joint and virtual adversarial modes (required there): the unlabelled rows reconstructed, or whose predictions are smoothed, while the classifier trains.</param>
    public static EncoderClassifierEstimator EncoderClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        AutoencoderTransformer encoder, string labelColumnName = "Label", string featureColumnName = "Features",
        MLNetAutoencoders.Classifiers.EncoderTrainingMode mode = MLNetAutoencoders.Classifiers.EncoderTrainingMode.FineTune, int? seed = null,
        IDataView? unlabelledData = null)
        => catalog.EncoderClassifier(new EncoderClassifierEstimator.Options
        {
            Encoder = encoder ?? throw new ArgumentNullException(nameof(encoder)),
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Seed = seed,
            UnlabelledData = unlabelledData,
            Classifier = WithMode(EncoderClassifierEstimator.Options.DefaultClassifier(), mode),
        });

    private static MLNetAutoencoders.Classifiers.EncoderClassifierOptions WithMode(MLNetAutoencoders.Classifiers.EncoderClassifierOptions o, MLNetAutoencoders.Classifiers.EncoderTrainingMode mode)
    {
        o.Mode = mode;
        return o;
    }

    /// <summary>A multiclass classifier on a pretrained encoder with every setting in <paramref name="options"/> (or pretraining it here on unlabelled rows).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static EncoderClassifierEstimator EncoderClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, EncoderClassifierEstimator.Options options)
        => new(MLNetHost.Environment(catalog), options);
}
