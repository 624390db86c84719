using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Comparisons;

/// <summary>
/// The pipeline of one cell, with the comparison's settings: the autoencoders' architecture and training (with
/// small-data defaults for the 200-image face set; each kind's own term comes from the library's one preset table,
/// <see cref="AutoencoderEstimator.Options.ForKind"/>) and the logistic regression's regularisation.
/// </summary>
internal sealed record FeaturizerSettings(int[] Hidden, int Epochs, int Batch, int VaeBatch, float LearningRate, float Noise, int Seed,
    GemmKind Gemm, int MaxIterations, float L1, float? L2)
{
    /// <summary>Below this many training rows the small-data defaults apply.</summary>
    public const int SmallData = 5000;

    /// <summary>Small data: one hidden layer of 64.</summary>
    public const int SmallHidden = 64;

    /// <summary>Small data: 300 epochs.</summary>
    public const int SmallEpochs = 300;

    /// <summary>Small data: minibatches of 16.</summary>
    public const int SmallBatch = 16;

    /// <summary>The logistic regression's L-BFGS iterations: 100, scikit-learn's default.</summary>
    public const int MaxIterationsDefault = 100;

    /// <summary>The settings for <paramref name="trainRows"/> training rows: what is given, else the small-data defaults below <see cref="SmallData"/> rows and the library's above.</summary>
    public static FeaturizerSettings For(int trainRows, int[]? hidden, int? epochs, int? batch, float? lr, float? noise, int seed, GemmKind gemm,
        int? maxIterations, float? l1, float? l2)
    {
        bool small = trainRows < SmallData;
        var h = hidden ?? (small ? [SmallHidden] : AutoencoderDefaults.HiddenSizes);
        return new FeaturizerSettings(h, epochs ?? (small ? SmallEpochs : AutoencoderDefaults.Epochs),
            batch ?? (small ? SmallBatch : AutoencoderDefaults.BatchSize), batch ?? (small ? SmallBatch : AutoencoderDefaults.VaeBatchSize),
            lr ?? AutoencoderDefaults.LearningRate, noise ?? AutoencoderDefaults.DenoisingNoise, seed, gemm, maxIterations ?? MaxIterationsDefault, l1 ?? 0f, l2);
    }

    /// <summary>The images' channels × height × width (the conv method's input shape).</summary>
    public int[] ImageShape { get; init; } = [];

    /// <summary>The engine that trains the autoencoders and the VAE (<c>--backend</c>). Default managed.</summary>
    public TrainingEngine Engine { get; init; } = TrainingEngine.Managed;

    /// <summary>The kind of a method name ("sparse" is the L1 sparse autoencoder; "conv" the plain objective on the convolutional networks).</summary>
    public static AutoencoderKind Kind(string method) => method == "sparse" ? AutoencoderKind.SparseL1 : AutoencoderKinds.Parse(method);

    /// <summary>The autoencoder stage's options: the kind's preset, this comparison's architecture and training, one thread.</summary>
    public AutoencoderEstimator.Options Autoencoder(string method, int code, string input = "Scaled")
    {
        var o = AutoencoderEstimator.Options.ForKind(Kind(method));
        o.InputColumnName = input;
        o.OutputColumnName = "Code";
        o.Seed = Seed;
        var a = o.Autoencoder;
        a.HiddenSizes = (int[])Hidden.Clone();
        a.CodeSize = code;
        a.Epochs = Epochs;
        a.BatchSize = Batch;
        a.LearningRate = LearningRate;
        a.Threads = 1;
        a.Gemm = Gemm;
        a.Seed = Seed;
        a.Engine = Engine;
        if (a.Corruption == CorruptionKind.Gaussian) a.CorruptionLevel = Noise;
        // The convolutional autoencoder: its default channels, this comparison's code and training, on the chosen engine.
        if (a.Conv is { } conv) conv.ImageShape = ImageShape;
        return o;
    }

    /// <summary>The VAE stage's options.</summary>
    public VariationalAutoencoderEstimator.Options Vae(int code, string input = "Scaled") => new()
    {
        InputColumnName = input, OutputColumnName = "Code", Seed = Seed,
        Vae = new VaeOptions
        {
            HiddenSizes = (int[])Hidden.Clone(), LatentSize = code, Epochs = Epochs, BatchSize = VaeBatch, LearningRate = LearningRate,
            Seed = Seed, Threads = 1, Gemm = Gemm, Engine = Engine,
        },
    };

    /// <summary>The featurizer of <paramref name="method"/> writing column "Code" from the min-max scaled "Scaled" (null for raw pixels).</summary>
    public IEstimator<ITransformer>? Featurizer(MLContext ml, string method, int code) => method switch
    {
        "raw" => null,
        "pca" => ml.Transforms.ProjectToExactPrincipalComponents("Code", "Scaled", rank: code, seed: Seed),
        "mlnet-pca" => ml.Transforms.ProjectToPrincipalComponents("Code", "Scaled", rank: code, seed: Seed),
        "vae" => ml.Transforms.EncodeWithVariationalAutoencoder(Vae(code)),
        _ => ml.Transforms.EncodeWithAutoencoder(Autoencoder(method, code)),
    };

    /// <summary>
    /// ML.NET's L-BFGS logistic regression on "Code" (maximum entropy when <paramref name="multiclass"/>). ML.NET minimises
    /// mean loss + L1‖w‖₁ + (L2/2)‖w‖²; scikit-learn's C=1 (sum loss + ½‖w‖²) is L1 = 0, L2 = 1/N, the default here.
    /// </summary>
    public IEstimator<ITransformer> Trainer(MLContext ml, bool multiclass, long trainRows)
    {
        float l2 = L2 ?? (float)(1.0 / trainRows);
        return multiclass
            ? ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label", FeatureColumnName = "Code", L1Regularization = L1, L2Regularization = l2,
                MaximumNumberOfIterations = MaxIterations, NumberOfThreads = 1,
            })
            : ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = "Label", FeatureColumnName = "Code", L1Regularization = L1, L2Regularization = l2,
                MaximumNumberOfIterations = MaxIterations, NumberOfThreads = 1,
            });
    }

    /// <summary>One fitted cell on one fold.</summary>
    /// <param name="Accuracy">ML.NET's accuracy on the held-out rows (micro accuracy for several classes).</param>
    /// <param name="FitSeconds">Time of the featurizer's <c>Fit</c> alone (0 for raw pixels).</param>
    /// <param name="Featurizer">The fitted featurizer (null for raw pixels).</param>
    public sealed record Result(double Accuracy, double FitSeconds, ITransformer? Featurizer);

    /// <summary>
    /// Fits NormalizeMinMax → featurizer → NormalizeMeanVariance → (MapValueToKey →) trainer on <paramref name="train"/>
    /// stage by stage (so the featurizer's fit can be timed on its own), applies the fitted chain to <paramref name="test"/>
    /// and evaluates it. For raw pixels: NormalizeMeanVariance of the pixels → trainer.
    /// </summary>
    public Result FitAndEvaluate(string method, int code, IDataView train, IDataView test, bool multiclass, IProgress<EpochReport>? progress = null)
    {
        var ml = new MLContext(seed: Seed);
        var chain = new List<ITransformer>();
        var view = train;
        void Fit(IEstimator<ITransformer> e)
        {
            var t = e.Fit(view);
            view = t.Transform(view);
            chain.Add(t);
        }

        double fitSeconds = 0;
        ITransformer? featurizer = null;
        var f = Featurizer(ml, method, code);
        if (f is null) Fit(ml.Transforms.NormalizeMeanVariance("Code", "Features", fixZero: false));
        else
        {
            Fit(ml.Transforms.NormalizeMinMax("Scaled", "Features", fixZero: false));
            if (f is AutoencoderEstimator or VariationalAutoencoderEstimator) f = WithProgress(ml, method, code, progress) ?? f;
            var sw = Stopwatch.StartNew();
            Fit(f);
            fitSeconds = sw.Elapsed.TotalSeconds;
            featurizer = chain[^1];
            Fit(ml.Transforms.NormalizeMeanVariance("Code", fixZero: false));
        }
        if (multiclass) Fit(ml.Transforms.Conversion.MapValueToKey("Label"));
        long rows = train.GetRowCount() ?? throw new InvalidOperationException("The training view must know its row count.");
        var trainer = Trainer(ml, multiclass, rows);
        var model = trainer.Fit(ml.Data.Cache(view, "Code", "Label"));
        chain.Add(model);

        var scored = test;
        foreach (var t in chain) scored = t.Transform(scored);
        double accuracy = multiclass
            ? ml.MulticlassClassification.Evaluate(scored, labelColumnName: "Label").MicroAccuracy
            : ml.BinaryClassification.Evaluate(scored, labelColumnName: "Label").Accuracy;
        return new Result(accuracy, fitSeconds, featurizer);
    }

    private IEstimator<ITransformer>? WithProgress(MLContext ml, string method, int code, IProgress<EpochReport>? progress)
    {
        if (progress is null) return null;
        if (method == "vae")
        {
            var v = Vae(code);
            v.Progress = progress;
            return ml.Transforms.EncodeWithVariationalAutoencoder(v);
        }
        var o = Autoencoder(method, code);
        o.Progress = progress;
        return ml.Transforms.EncodeWithAutoencoder(o);
    }
}
