using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Comparisons;

/// <summary>Runs every (method, code) cell, in parallel across cells, each cell's fits single-threaded (so results do not depend on scheduling).</summary>
internal sealed class Comparison(LoadedDataset data, IReadOnlyList<string> methods, IReadOnlyList<int> codes, int folds, FeaturizerSettings settings, int threads)
{
    public static readonly string[] Methods = { "pca", "mlnet-pca", "ae", "sparse", "contractive", "denoising", "adversarial", "vae", "conv", "raw" };

    /// <summary>The methods compared unless told otherwise: pca, ae, denoising, vae.</summary>
    public static readonly string[] DefaultMethods = ["pca", "ae", "denoising", "vae"];

    /// <summary>The code sizes compared unless told otherwise: 1, 2, 3, 5, 10, 20.</summary>
    public static readonly int[] DefaultCodes = [1, 2, 3, 5, 10, 20];

    /// <summary>Stratified folds unless told otherwise: 5.</summary>
    public const int DefaultFolds = 5;

    /// <summary>The data compared on.</summary>
    public LoadedDataset Data => data;

    /// <summary>The featurizers' and the classifier's settings.</summary>
    public FeaturizerSettings Settings => settings;

    /// <summary>Stratified folds, or 1: the test set is the held-out fold.</summary>
    public int Folds => folds;

    /// <param name="Method">The method.</param>
    /// <param name="Code">The code size (the pixel count for raw).</param>
    /// <param name="FoldAccuracies">Accuracy on each held-out fold.</param>
    /// <param name="FitSeconds">Mean over the folds of the featurizer's fit time (null for raw).</param>
    public sealed record Row(string Method, int Code, double[] FoldAccuracies, double? FitSeconds)
    {
        public double Mean => FoldAccuracies.Average();

        /// <summary>Population standard deviation over the folds (numpy's default, as scikit-learn reports it).</summary>
        public double Std => Math.Sqrt(FoldAccuracies.Average(a => (a - Mean) * (a - Mean)));
    }

    public static bool IsAutoencoder(string method) => method is not ("pca" or "mlnet-pca" or "raw");

    /// <summary>More than two classes: maximum entropy on a key label rather than binary logistic regression on a bool.</summary>
    public bool Multiclass { get; } = data.Train.ClassCount > 2 || (data.Test?.ClassCount ?? 0) > 2;

    private IEnumerable<(string Method, int Code)> Cells =>
        methods.SelectMany(m => m == "raw" ? new[] { (m, data.Train.Dimension) } : codes.Select(k => (m, k)));

    public int FitCount => Cells.Count() * folds;

    private readonly Dictionary<(string Method, int Code), IAutoencoder> _trained = new();

    /// <summary>With one fold, the autoencoders fitted on all training images (reused for the figures).</summary>
    public IReadOnlyDictionary<(string Method, int Code), IAutoencoder> Trained => _trained;

    public IReadOnlyList<Row> Run(Action<double, string?> advance)
    {
        // One train and one test view per fold, shared (read-only) by every cell.
        var ml = new MLContext(seed: settings.Seed);
        var views = folds == 1
            ? [(Train: ImageDataViews.Load(ml, data.Train, Multiclass), Test: ImageDataViews.Load(ml, data.Test!, Multiclass))]
            : StratifiedKFold.Split(data.Train.RequireLabels(), folds, settings.Seed)
                .Select(f => (Train: ImageDataViews.Load(ml, data.Train, Multiclass, f.Train), Test: ImageDataViews.Load(ml, data.Train, Multiclass, f.Test)))
                .ToArray();
        var cells = Cells.ToArray();
        var results = new Row[cells.Length];
        var gate = new object();
        try { Parallel.For(0, cells.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, RunCell); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;

        void RunCell(int i)
        {
            var (method, code) = cells[i];
            var acc = new double[views.Length];
            var seconds = new double[views.Length];
            for (int f = 0; f < views.Length; f++)
            {
                string name = views.Length == 1 ? $"{method}-{code}" : $"{method}-{code} fold {f + 1}";
                // Each fit is one step of the overall progress: its epochs take 0.9 of it, the classifier the rest.
                double reported = 0;
                var epochs = new SyncProgress<EpochReport>(e =>
                {
                    double step = 0.9 / Math.Max(e.Epochs, 1);
                    reported += step;
                    lock (gate) advance(step, e.Epoch % 10 == 0 || e.Epoch == e.Epochs ? $"{name} epoch {e.Epoch}/{e.Epochs}" : null);
                });
                var result = settings.FitAndEvaluate(method, code, views[f].Train, views[f].Test, Multiclass, IsAutoencoder(method) ? epochs : null);
                acc[f] = result.Accuracy;
                seconds[f] = result.FitSeconds;
                lock (gate)
                {
                    if (views.Length == 1 && result.Featurizer is AutoencoderTransformer ae) _trained[(method, code)] = ae.Model;
                    advance(1 - reported, $"{name} done");
                }
            }
            results[i] = new Row(method, code, acc, method == "raw" ? null : seconds.Average());
        }
    }
}
