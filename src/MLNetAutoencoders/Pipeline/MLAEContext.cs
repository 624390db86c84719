using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// The root of the pipeline API, shaped like ML.NET's <c>MLContext</c>: catalogs of transforms, classification
/// trainers and metrics, and model operations. Code written against ML.NET ports by replacing <c>new MLContext(seed)</c>
/// with <c>new MLAEContext(seed)</c>; the name says it is ML.NET's context plus autoencoders ("AE"), while a name such as
/// <c>AutoencoderContext</c> would hide that it also hosts PCA, normalisers and classifiers.
/// <para>The context holds no mutable state: its seed, thread count and GEMM provider are defaults for the simple
/// overloads; an options object passed to a catalog entry is used as given.</para>
/// </summary>
public sealed class MLAEContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="seed">Default seed of every random component (initialisation, shuffling, sketches, folds).</param>
    /// <param name="threads">Default thread count (≥ 1; null = the processor count).</param>
    /// <param name="gemm">Default GEMM provider.</param>
    public MLAEContext(ulong seed = 0, int? threads = null, GemmKind gemm = GemmKind.Auto)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1 (or null for the processor count).");
        Seed = seed;
        Threads = threads ?? Environment.ProcessorCount;
        Gemm = gemm;
        Transforms = new TransformsCatalog(this);
        Classification = new ClassificationCatalog(this);
        Model = new ModelOperationsCatalog();
    }

    /// <summary>Default seed.</summary>
    public ulong Seed { get; }

    /// <summary>Default thread count.</summary>
    public int Threads { get; }

    /// <summary>Default GEMM provider.</summary>
    public GemmKind Gemm { get; }

    /// <summary>Featurizers: normalisers, PCA, autoencoders.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Classification trainers, evaluation and cross-validation.</summary>
    public ClassificationCatalog Classification { get; }

    /// <summary>Saving and loading fitted pipelines.</summary>
    public ModelOperationsCatalog Model { get; }
}

/// <summary>Featurizer estimators (ML.NET's <c>mlContext.Transforms</c>). Output column first, input column second (null = the output column).</summary>
public sealed class TransformsCatalog
{
    private readonly MLAEContext _ctx;

    internal TransformsCatalog(MLAEContext ctx) => _ctx = ctx;

    /// <summary>
    /// Per-feature min-max scaling to [0, 1], learnt from the training rows; outputs are clamped to [0, 1] unless
    /// <paramref name="clip"/> is false (see <see cref="NormalizingEstimator.Clip"/>).
    /// </summary>
    public NormalizingEstimator NormalizeMinMax(string outputColumnName, string? inputColumnName = null, bool clip = true)
        => new(NormalizerKind.MinMax, outputColumnName, inputColumnName, clip);

    /// <summary>Per-feature standardisation (x − mean) / std, learnt from the training rows.</summary>
    public NormalizingEstimator NormalizeMeanVariance(string outputColumnName, string? inputColumnName = null)
        => new(NormalizerKind.MeanVariance, outputColumnName, inputColumnName);

    /// <summary>PCA with the given options.</summary>
    public PcaEstimator Pca(string outputColumnName, string? inputColumnName, PcaOptions options)
        => new(outputColumnName, inputColumnName, options);

    /// <summary>PCA with <paramref name="components"/> components (seed and threads from the context).</summary>
    public PcaEstimator Pca(string outputColumnName, string? inputColumnName = null, int components = 2,
        PcaSolver solver = PcaSolver.Auto, bool whiten = false)
        => new(outputColumnName, inputColumnName, new PcaOptions
        {
            Components = components, Solver = solver, Whiten = whiten, Seed = _ctx.Seed, Threads = _ctx.Threads,
        });

    /// <summary>
    /// An autoencoder of any configuration the options express (architecture, loss, tied weights, dropout, and the
    /// regularisers and corruptions of the autoencoder family); the stage writes the codes.
    /// </summary>
    public AutoencoderEstimator Autoencoder(string outputColumnName, string? inputColumnName, AutoencoderOptions options)
        => new(outputColumnName, inputColumnName, options);

    /// <summary>
    /// An autoencoder <c>d → hidden… → codeSize</c> (ReLU, linear code, mirrored decoder, cross-entropy on inputs in
    /// [0, 1]; default hidden 256, 128) of a preset <paramref name="kind"/>; seed, threads and GEMM from the context.
    /// </summary>
    public AutoencoderEstimator Autoencoder(string outputColumnName, string? inputColumnName = null, int codeSize = 20,
        AutoencoderKind kind = AutoencoderKind.Basic, int[]? hiddenSizes = null, int epochs = 20, int batchSize = 512)
        => new(outputColumnName, inputColumnName, AutoencoderEstimator.Preset(kind, Defaults(new AutoencoderOptions
        {
            CodeSize = codeSize, HiddenSizes = hiddenSizes ?? new[] { 256, 128 }, Epochs = epochs, BatchSize = batchSize,
        })));

    /// <summary>A stacked autoencoder trained greedily layer by layer, then optionally fine-tuned end to end.</summary>
    public AutoencoderEstimator StackedAutoencoder(string outputColumnName, string? inputColumnName, StackedAutoencoderOptions options)
        => new(outputColumnName, inputColumnName, options);

    /// <summary>A variational autoencoder with the given options; the stage writes the posterior means μ(x).</summary>
    public AutoencoderEstimator Vae(string outputColumnName, string? inputColumnName, VaeOptions options)
        => new(outputColumnName, inputColumnName, options);

    /// <summary>
    /// A variational autoencoder <c>d → hidden… → μ, log σ² ∈ R^latentSize</c> (ReLU, Bernoulli likelihood on inputs in
    /// [0, 1], β = 1; default hidden 128); seed, threads and GEMM from the context. The stage writes μ(x).
    /// </summary>
    public AutoencoderEstimator Vae(string outputColumnName, string? inputColumnName = null, int latentSize = 20,
        int[]? hiddenSizes = null, int epochs = 10, int batchSize = 128)
        => new(outputColumnName, inputColumnName, Defaults(new VaeOptions
        {
            LatentSize = latentSize, HiddenSizes = hiddenSizes ?? new[] { 128 }, Epochs = epochs, BatchSize = batchSize,
        }));

    /// <summary>Fills the context's seed, threads and GEMM into options built by a simple overload.</summary>
    private T Defaults<T>(T o) where T : NetworkOptions
    {
        o.Seed = _ctx.Seed;
        o.Threads = _ctx.Threads;
        o.Gemm = _ctx.Gemm;
        return o;
    }
}
