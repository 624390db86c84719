using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae compare</c>: the eigenface experiment as ML.NET pipelines. For every method and code size, inside each fold,
/// <c>NormalizeMinMax</c> → the featurizer (the project's exact PCA, ML.NET's PCA, or an autoencoder) is fitted on the
/// fold's training images only, its codes are standardised (<c>NormalizeMeanVariance</c>) and classified by ML.NET's
/// L-BFGS logistic regression (maximum entropy for more than two classes); accuracy is ML.NET's evaluation on the
/// held-out fold, averaged over the folds. The folds are the project's stratified ones (ML.NET has no stratified CV).
/// With <c>--folds 1</c> the dataset's test set (or a seeded split) is the one held-out fold.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var codes = new Option<string>("--codes") { Description = "code sizes, e.g. 1,2,3,5,10,20", DefaultValueFactory = _ => "1,2,3,5,10,20" };
        var methods = new Option<string>("--methods") { Description = $"comma-separated: {string.Join(", ", Comparison.Methods)}", DefaultValueFactory = _ => "pca,ae,denoising,vae" };
        var folds = new Option<int>("--folds") { Description = "stratified folds (≥ 2), or 1 = the test set is the held-out fold", DefaultValueFactory = _ => 5 };
        var outDir = new Option<string>("--out-dir") { Description = "where the PNG/SVG figures go", DefaultValueFactory = _ => "out" };
        var noFigures = new Option<bool>("--no-figures") { Description = "skip the eigenface, mean and reconstruction images" };
        var hidden = new Option<string?>("--hidden") { Description = $"autoencoder hidden widths (default: {FeaturizerSettings.SmallHidden} for < {FeaturizerSettings.SmallData} training rows, else the library's default)" };
        var epochs = new Option<int?>("--epochs") { Description = $"autoencoder epochs (default: {FeaturizerSettings.SmallEpochs} for < {FeaturizerSettings.SmallData} training rows, else {AutoencoderDefaults.Epochs})" };
        var batch = new Option<int?>("--batch") { Description = $"autoencoder batch size (default: {FeaturizerSettings.SmallBatch} for < {FeaturizerSettings.SmallData} training rows, else {AutoencoderDefaults.BatchSize}, VAE {AutoencoderDefaults.VaeBatchSize})" };
        var lr = new Option<float>("--lr") { Description = "autoencoder learning rate", DefaultValueFactory = _ => AutoencoderDefaults.LearningRate };
        var noise = new Option<float?>("--noise") { Description = $"denoising: std of the Gaussian input noise (default: the preset's {AutoencoderDefaults.DenoisingNoise})" };
        var maxIter = new Option<int>("--max-iter") { Description = "logistic regression L-BFGS iterations (scikit-learn's default 100)", DefaultValueFactory = _ => 100 };
        var l1 = new Option<float>("--l1") { Description = "logistic regression L1 weight (ML.NET's default is 1; scikit-learn's C=1 has none)", DefaultValueFactory = _ => 0f };
        var redraw = new Option<string?>("--redraw") { Description = "draw the accuracy chart into --out-dir from a saved result (--json/--json-out) instead of running" };
        var l2 = new Option<float?>("--l2") { Description = "logistic regression L2 weight (default 1/training rows, scikit-learn's C=1; ML.NET's default is 1)" };
        var backend = Backends.CreateOption();

        var cmd = new Command("compare", "Compare PCA and autoencoder codes as features for logistic regression (eigenface experiment) with ML.NET pipelines.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { codes, methods, folds, outDir, noFigures, hidden, epochs, batch, lr, noise, maxIter, l1, l2, redraw, backend }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                if (r.GetValue(redraw) is { } saved) return Redraw(saved, r.GetValue(outDir)!);
                var codeList = CommonOptions.ParseSizes(r.GetValue(codes), "--codes");
                if (codeList.Length == 0 || codeList.Any(c => c < 1)) throw new ArgumentException("--codes needs at least one code size ≥ 1.");
                var methodList = Comparison.ParseMethods(r.GetValue(methods)!);
                int nFolds = r.GetValue(folds);
                if (nFolds < 1) throw new ArgumentException($"--folds must be ≥ 1; got {nFolds}.");
                int threads = r.GetValue(common.Threads);
                if (threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {threads}.");
                if (r.GetValue(maxIter) < 1) throw new ArgumentException($"--max-iter must be ≥ 1; got {r.GetValue(maxIter)}.");
                if (!(r.GetValue(l1) >= 0) || r.GetValue(l2) is < 0) throw new ArgumentException("--l1 and --l2 must be ≥ 0.");
                ulong seed = r.GetValue(common.Seed);
                if (seed > int.MaxValue) throw new ArgumentException($"--seed must be at most {int.MaxValue} (ML.NET seeds are Int32); got {seed}.");

                var data = LoadData(common, r, nFolds);
                data.Train.RequireLabels();
                var s = FeaturizerSettings.For(data.Train.Count, r.GetValue(hidden), r.GetValue(epochs), r.GetValue(batch),
                    r.GetValue(lr), r.GetValue(noise), (int)seed, common.GemmKind(r), r.GetValue(maxIter), r.GetValue(l1), r.GetValue(l2))
                    with { ImageShape = [1, data.Train.Height, data.Train.Width], Engine = Backends.Parse(r.GetValue(backend)!) };
                var comparison = new Comparison(data, methodList, codeList, nFolds, s, threads);
                ConsoleUi.Err.MarkupLine(Markup.Escape(
                    $"{data.Name}: {data.Train.Count} training images of {data.Train.Width}×{data.Train.Height}" +
                    (nFolds == 1 ? $", {data.Test!.Count} test images" : $", {nFolds}-fold stratified CV") +
                    $"; autoencoders {string.Join("→", s.Hidden)}→code, {s.Epochs} epochs, batch {s.Batch}; " +
                    (comparison.Multiclass ? $"{data.Train.ClassCount}-class LbfgsMaximumEntropy" : "LbfgsLogisticRegression") +
                    $" (L1 {s.L1}, L2 {(s.L2 is float w ? w.ToString("G4") : "1/training rows")})"));

                var sw = Stopwatch.StartNew();
                var rows = ConsoleUi.WithProgress("compare", comparison.FitCount, advance => comparison.Run(advance));
                double seconds = sw.Elapsed.TotalSeconds;

                JsonObject? figures = null;
                if (!r.GetValue(noFigures))
                {
                    var dir = r.GetValue(outDir)!;
                    figures = ConsoleUi.WithProgress("figures", 1 + methodList.Count(Comparison.IsAutoencoder),
                        advance => Figures.Write(data.Train, methodList, codeList, s, dir, rows, comparison.Trained, advance));
                }

                PrintTable(rows, methodList, codeList);
                if (common.WantsJson(r))
                {
                    var json = new JsonObject
                    {
                        ["dataset"] = data.Name,
                        ["classNames"] = data.ClassNames is { } cn ? new JsonArray(cn.Select(c => (JsonNode)c!).ToArray()) : null,
                        ["folds"] = nFolds,
                        ["seed"] = s.Seed,
                        ["trainRows"] = data.Train.Count,
                        ["testRows"] = nFolds == 1 ? data.Test!.Count : null,
                        ["autoencoder"] = new JsonObject
                        {
                            ["hidden"] = new JsonArray(s.Hidden.Select(h => (JsonNode)h).ToArray()),
                            ["epochs"] = s.Epochs, ["batch"] = s.Batch, ["vaeBatch"] = s.VaeBatch,
                            ["learningRate"] = s.LearningRate, ["noise"] = s.Noise,
                        },
                        ["classifier"] = new JsonObject
                        {
                            ["trainer"] = comparison.Multiclass ? "LbfgsMaximumEntropy" : "LbfgsLogisticRegression",
                            ["l1"] = s.L1, ["l2"] = s.L2 is float l2w ? l2w : "1/trainingRows", ["maxIterations"] = s.MaxIterations,
                        },
                        ["rows"] = new JsonArray(rows.Select(x =>
                        {
                            var o = new JsonObject
                            {
                                ["method"] = x.Method,
                                ["code"] = x.Code,
                                ["accuracy"] = x.Mean,
                                ["accuracyStd"] = x.Std,
                                ["foldAccuracies"] = new JsonArray(x.FoldAccuracies.Select(a => (JsonNode)a).ToArray()),
                            };
                            if (x.FitSeconds is { } fs) o["fitSeconds"] = Math.Round(fs, 4);
                            if (comparison.Trained.TryGetValue((x.Method, x.Code), out var trained))
                                o["testMse"] = AutoencoderModel.MeanSquaredError(data.Test!.Images, trained.Reconstruct(data.Test.Images));
                            return (JsonNode)o;
                        }).ToArray()),
                        ["seconds"] = Math.Round(seconds, 2),
                    };
                    if (figures != null) json["figures"] = figures;
                    common.WriteJson(r, json);
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or TrainingDivergedException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    /// <summary>Draws the accuracy chart of a saved result (the JSON of a run: "dataset", "rows" with each fold's accuracy).</summary>
    private static int Redraw(string saved, string dir)
    {
        JsonNode json;
        try { json = JsonNode.Parse(File.ReadAllText(saved)) ?? throw new InvalidDataException($"{saved} is empty."); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{saved} is not JSON: {e.Message}"); }
        var rows = (json["rows"] as JsonArray ?? throw new InvalidDataException($"{saved} has no \"rows\" array (write it with mlae compare --json-out)."))
            .Select(x => new Comparison.Row((string)x!["method"]!, (int)x["code"]!, x["foldAccuracies"]!.AsArray().Select(a => (double)a!).ToArray(), null))
            .ToList();
        var methods = rows.Select(x => x.Method).Distinct().ToList();
        var codeList = rows.Where(x => x.Method != "raw").Select(x => x.Code).Distinct().Order().ToList();
        var path = Path.Combine(dir, "accuracy.png");
        Figures.AccuracyChart(Figures.DatasetName((string?)json["dataset"] ?? saved), methods, codeList, rows).Save(path);
        ConsoleUi.Err.MarkupLine($"accuracy chart of {rows.Count} rows written to {Markup.Escape(path)}");
        return 0;
    }

    /// <summary>The dataset: for one fold it must have a test part (the built-in one, or a seeded split of a file).</summary>
    private static LoadedDataset LoadData(CommonOptions common, ParseResult r, int folds)
    {
        if (folds == 1)
        {
            var loaded = common.Load(r);
            CommonOptions.RequireTest(loaded, "compare --folds 1");
            return loaded;
        }
        var data = common.LoadAll(r);
        if (r.GetValue(common.Scale))
            throw new ArgumentException("--scale is for --folds 1; with cross-validation a scaler would see the held-out folds (the pipeline min-max scales inside each fold anyway).");
        common.AnnounceClasses(r, data);
        return data;
    }

    private static void PrintTable(IReadOnlyList<Comparison.Row> rows, IReadOnlyList<string> methods, IReadOnlyList<int> codes)
    {
        var header = "code  " + string.Join("", methods.Select(m => $"{m,18}"));
        Console.WriteLine(header);
        var raw = rows.FirstOrDefault(x => x.Method == "raw");
        foreach (var k in codes)
        {
            var line = $"{k,4}  ";
            foreach (var m in methods)
            {
                var row = m == "raw" ? raw : rows.FirstOrDefault(x => x.Method == m && x.Code == k);
                line += row is null ? $"{"",18}" : $"{(row.FoldAccuracies.Length == 1 ? $"{row.Mean:P1}" : $"{row.Mean:P1} ± {row.Std * 100:F1}"),18}";
            }
            Console.WriteLine(line);
        }
        if (raw != null) Console.WriteLine($"raw = logistic regression on all {raw.Code} pixels (same in every row)");
        var timed = rows.Where(x => x.Method is "pca" or "mlnet-pca" && x.FitSeconds is not null).ToList();
        if (timed.Count > 0)
            Console.WriteLine("PCA fit seconds (mean over folds): " + string.Join("  ", timed.Select(x => $"{x.Method}-{x.Code} {x.FitSeconds:F4}")));
    }
}

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

    public static FeaturizerSettings For(int trainRows, string? hidden, int? epochs, int? batch, float lr, float? noise, int seed, GemmKind gemm,
        int maxIterations, float l1, float? l2)
    {
        bool small = trainRows < SmallData;
        var h = hidden is null ? (small ? [SmallHidden] : AutoencoderDefaults.HiddenSizes) : CommonOptions.ParseSizes(hidden, "--hidden");
        return new FeaturizerSettings(h, epochs ?? (small ? SmallEpochs : AutoencoderDefaults.Epochs),
            batch ?? (small ? SmallBatch : AutoencoderDefaults.BatchSize), batch ?? (small ? SmallBatch : AutoencoderDefaults.VaeBatchSize),
            lr, noise ?? AutoencoderDefaults.DenoisingNoise, seed, gemm, maxIterations, l1, l2);
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
        a.Seed = (ulong)Seed;
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
            Seed = (ulong)Seed, Threads = 1, Gemm = Gemm, Engine = Engine,
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

/// <summary>Runs every (method, code) cell, in parallel across cells, each cell's fits single-threaded (so results do not depend on scheduling).</summary>
internal sealed class Comparison(LoadedDataset data, IReadOnlyList<string> methods, IReadOnlyList<int> codes, int folds, FeaturizerSettings settings, int threads)
{
    public static readonly string[] Methods = { "pca", "mlnet-pca", "ae", "sparse", "contractive", "denoising", "adversarial", "vae", "conv", "raw" };

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

    public static IReadOnlyList<string> ParseMethods(string text) => CommonOptions.ParseChoices(text, Methods, "--methods");

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
            : StratifiedKFold.Split(data.Train.RequireLabels(), folds, (ulong)settings.Seed)
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

/// <summary>The experiment's pictures: mean image, eigenimages, PCA vs autoencoder reconstructions, accuracy chart.</summary>
internal static class Figures
{
    /// <summary>How a method is named in pictures and tables.</summary>
    public static string Display(string method) => method switch
    {
        "pca" => "PCA (ours)",
        "mlnet-pca" => "ML.NET PCA",
        "ae" => "AE",
        "denoising" => "denoising AE",
        "vae" => "VAE (μ)",
        "raw" => "raw pixels",
        _ => method,
    };

    /// <summary>The short row label of a method's reconstructions at code size k (PCA-20, AE-20, …).</summary>
    private static string Short(string method, int k) => method switch
    {
        "pca" => $"PCA-{k}",
        "ae" => $"AE-{k}",
        "vae" => $"VAE-{k}",
        "denoising" => $"denoising AE-{k}",
        _ => $"{method}-{k}",
    };

    public static JsonObject Write(ImageDataset train, IReadOnlyList<string> methods, IReadOnlyList<int> codes, FeaturizerSettings s, string dir,
        IReadOnlyList<Comparison.Row> rows, IReadOnlyDictionary<(string Method, int Code), IAutoencoder> trained, Action<double, string?> advance)
    {
        Directory.CreateDirectory(dir);
        int w = train.Width, h = train.Height;
        // About 100 pixels a side, within ImageGrid's 1–32 (the mean image is drawn at twice the scale).
        int scale = Math.Clamp(100 / Math.Max(w, h), 1, 16);
        int k = Math.Min(codes.Max(), Math.Min(train.Count, train.Dimension));
        string name = DatasetName(train.Name);
        var json = new JsonObject { ["code"] = k };

        var pca = PcaModel.Fit(train.Images, new PcaOptions { Components = k, Seed = (ulong)s.Seed });
        var mean = new Matrix(1, pca.Mean.Length, (float[])pca.Mean.Clone());
        json["mean"] = Save(new GridFigure { Title = $"{name}: mean image", Subtitle = $"{train.Count} training images of {w}×{h} pixels" },
            ImageGrid.Tile(mean, w, h, new ImageGridOptions { Scale = scale * 2 }), dir, "mean.png");
        int columns = Math.Min(10, k);
        json["eigen"] = Save(new GridFigure
            {
                Title = $"{name}: the first {k} principal components (eigen-images)",
                Subtitle = "each stretched to black (most negative) – white (most positive); numbered by explained variance",
                Captions = Enumerable.Range(1, k).Select(i => $"{i}").ToList(),
            },
            ImageGrid.Tile(pca.Components, w, h, new ImageGridOptions { Columns = columns, Scale = scale, NormalizeEach = true, Padding = 4, RowGap = 12 }), dir, "eigen.png");
        advance(1, "PCA figures");

        // Reconstructions of 10 images spread over the set (for faces: faces first, then non-faces).
        int n = Math.Min(10, train.Count);
        var picks = Enumerable.Range(0, n).Select(i => (int)((long)i * train.Count / n)).ToArray();
        var originals = train.Images.SelectRows(picks);
        var strips = new List<Matrix> { originals, pca.Reconstruct(originals) };
        var legend = new JsonArray("original", $"pca-{k}");
        var labels = new List<string> { "original", Short("pca", k) };
        foreach (var m in methods.Where(Comparison.IsAutoencoder))
        {
            if (!trained.TryGetValue((m, k), out var model))
                model = m == "vae" ? new VaeTrainer(s.Vae(k).Vae).Fit(train.Images) : new AutoencoderTrainer(s.Autoencoder(m, k).Autoencoder).Fit(train.Images);
            strips.Add(model.Reconstruct(originals));
            legend.Add($"{m}-{k}");
            labels.Add(Short(m, k));
            advance(1, $"{m} reconstructions");
        }
        var all = new Matrix(strips.Count * n, train.Dimension);
        for (int i = 0; i < strips.Count; i++) strips[i].Span.CopyTo(all.Data.AsSpan(i * n * train.Dimension));
        json["reconstructions"] = Save(new GridFigure
            {
                Title = $"{name}: training images and their reconstructions from {k} numbers",
                Subtitle = "top row: the images; below: PCA and each autoencoder, every model fitted on all training images",
                RowLabels = labels,
            },
            ImageGrid.Tile(all, w, h, new ImageGridOptions { Columns = n, Scale = scale }), dir, "reconstructions.png");
        json["reconstructionRows"] = legend;

        var chartPath = Path.Combine(dir, "accuracy.png");
        AccuracyChart(name, methods, codes, rows).Save(chartPath);
        json["chart"] = chartPath;
        return json;
    }

    /// <summary>
    /// Accuracy (%) against code size: a line per method with ± 1 sd over folds as error bars (log x axis), or grouped
    /// bars when there is one code size; raw pixels as a dashed reference line. Axes are clipped to the data.
    /// </summary>
    internal static IPicture AccuracyChart(string name, IReadOnlyList<string> methods, IReadOnlyList<int> codes, IReadOnlyList<Comparison.Row> rows)
    {
        int folds = rows.Count > 0 ? rows[0].FoldAccuracies.Length : 1;
        string title = $"{name}: a linear classifier on the codes";
        string yLabel = folds > 1 ? $"accuracy (%), mean ± 1 sd over {folds} folds" : "test-set accuracy (%)";
        var raw = rows.FirstOrDefault(x => x.Method == "raw");
        var featurizers = methods.Where(m => m != "raw").ToList();
        if (codes.Count == 1)
        {
            var bars = new MLNetAutoencoders.Imaging.BarChart([$"code size k = {codes[0]}"]) { Title = title, XLabel = "featurizer", YLabel = yLabel, ValueFormat = folds > 1 ? "0.0" : "0.00", YMaximum = 100 };
            foreach (var m in featurizers)
                if (rows.FirstOrDefault(x => x.Method == m && x.Code == codes[0]) is { } row)
                    bars.Add(Display(m), [100 * row.Mean], folds > 1 ? [100 * row.Std] : null);
            if (raw != null) bars.AddReferenceLine($"raw pixels ({100 * raw.Mean:0.0} %)", 100 * raw.Mean);
            return bars;
        }
        var chart = new Chart { Title = title, XLabel = "code size k (numbers per image, log scale)", YLabel = yLabel, LogX = true, YMaximum = 100 };
        foreach (var m in featurizers)
        {
            var mr = rows.Where(x => x.Method == m).OrderBy(x => x.Code).ToList();
            chart.Add(Display(m), mr.Select(x => (double)x.Code).ToList(), mr.Select(x => 100 * x.Mean).ToList(), folds > 1 ? mr.Select(x => 100 * x.Std).ToList() : null);
        }
        if (raw != null) chart.AddReferenceLine($"raw pixels ({100 * raw.Mean:0.0} %)", 100 * raw.Mean);
        return chart;
    }

    /// <summary>A data set's name as people know it (fashion-mnist → Fashion-MNIST, faces → Faces vs non-faces; a file: its name).</summary>
    internal static string DatasetName(string name) => name switch
    {
        _ when name.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase) => "Fashion-MNIST",
        _ when name.StartsWith("faces", StringComparison.OrdinalIgnoreCase) => "Faces vs non-faces",
        _ => Path.GetFileName(name.Split(" (")[0]),
    };

    private static string Save(GridFigure figure, GrayImage grid, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        figure.Save(path, grid);
        return path;
    }
}
