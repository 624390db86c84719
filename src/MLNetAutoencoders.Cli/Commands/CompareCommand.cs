using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Pipeline;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae compare</c>: the eigenface experiment. For every method and code size, inside each fold, the featurizer (PCA
/// or an autoencoder) is fitted on the fold's training images only, its codes are standardised and classified by
/// logistic regression; accuracy is averaged over the folds. With <c>--folds 1</c> the dataset's test set (or a seeded
/// split) is the one held-out fold.
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
        var hidden = new Option<string?>("--hidden") { Description = "autoencoder hidden widths (default: 64 for < 5000 training rows, else 256,128)" };
        var epochs = new Option<int?>("--epochs") { Description = "autoencoder epochs (default: 300 for < 5000 training rows, else 20)" };
        var batch = new Option<int?>("--batch") { Description = "autoencoder batch size (default: 16 for < 5000 training rows, else 512, VAE 128)" };
        var lr = new Option<float>("--lr") { Description = "autoencoder learning rate", DefaultValueFactory = _ => 1e-3f };
        var noise = new Option<float>("--noise") { Description = "denoising: std of the Gaussian input noise", DefaultValueFactory = _ => 0.2f };
        var maxIter = new Option<int>("--max-iter") { Description = "logistic regression L-BFGS iterations (scikit-learn's default 100)", DefaultValueFactory = _ => 100 };

        var cmd = new Command("compare", "Compare PCA and autoencoder codes as features for logistic regression (eigenface experiment).");
        common.AddTo(cmd);
        foreach (var o in new Option[] { codes, methods, folds, outDir, noFigures, hidden, epochs, batch, lr, noise, maxIter }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                var codeList = CommonOptions.ParseSizes(r.GetValue(codes), "--codes");
                if (codeList.Length == 0 || codeList.Any(c => c < 1)) throw new ArgumentException("--codes needs at least one code size ≥ 1.");
                var methodList = Comparison.ParseMethods(r.GetValue(methods)!);
                int nFolds = r.GetValue(folds);
                if (nFolds < 1) throw new ArgumentException($"--folds must be ≥ 1; got {nFolds}.");
                int threads = r.GetValue(common.Threads);
                if (threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {threads}.");

                var data = LoadData(common, r, nFolds);
                data.Train.RequireLabels();
                var s = FeaturizerSettings.For(data.Train.Count, r.GetValue(hidden), r.GetValue(epochs), r.GetValue(batch),
                    r.GetValue(lr), r.GetValue(noise), r.GetValue(common.Seed), common.GemmKind(r), r.GetValue(maxIter));
                var comparison = new Comparison(data, methodList, codeList, nFolds, s, threads);
                ConsoleUi.Err.MarkupLine(Markup.Escape(
                    $"{data.Name}: {data.Train.Count} training images of {data.Train.Width}×{data.Train.Height}" +
                    (nFolds == 1 ? $", {data.Test!.Count} test images" : $", {nFolds}-fold stratified CV") +
                    $"; autoencoders {string.Join("→", s.Hidden)}→code, {s.Epochs} epochs, batch {s.Batch}"));

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
                if (r.GetValue(common.Json))
                {
                    var json = new JsonObject
                    {
                        ["dataset"] = data.Name,
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
                        ["rows"] = new JsonArray(rows.Select(x => (JsonNode)new JsonObject
                        {
                            ["method"] = x.Method,
                            ["code"] = x.Code,
                            ["accuracy"] = x.Mean,
                            ["accuracyStd"] = x.Std,
                            ["foldAccuracies"] = new JsonArray(x.FoldAccuracies.Select(a => (JsonNode)a).ToArray()),
                        }).ToArray()),
                        ["seconds"] = Math.Round(seconds, 2),
                    };
                    if (figures != null) json["figures"] = figures;
                    ConsoleUi.WriteJson(json);
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or MLNetAutoencoders.Nn.TrainingDivergedException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    /// <summary>The dataset: for one fold it must have a test part (the built-in one, or a seeded split of a file).</summary>
    private static LoadedDataset LoadData(CommonOptions common, ParseResult r, int folds)
    {
        if (folds == 1) return common.Load(r);
        var name = r.GetValue(common.Dataset)!;
        var data = DatasetResolver.Load(name, new DatasetLoadOptions { LabelColumn = r.GetValue(common.LabelColumn) });
        if (r.GetValue(common.Scale))
            throw new ArgumentException("--scale is for --folds 1; with cross-validation a scaler would see the held-out folds. Put the data in [0, 1] first.");
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
    }
}

/// <summary>Autoencoder settings of the comparison, with small-data defaults for the 200-image face set.</summary>
internal sealed record FeaturizerSettings(int[] Hidden, int Epochs, int Batch, int VaeBatch, float LearningRate, float Noise, ulong Seed, GemmKind Gemm, int MaxIterations)
{
    /// <summary>Below this many training rows the small-data defaults apply.</summary>
    public const int SmallData = 5000;

    public static FeaturizerSettings For(int trainRows, string? hidden, int? epochs, int? batch, float lr, float noise, ulong seed, GemmKind gemm, int maxIterations)
    {
        bool small = trainRows < SmallData;
        var h = hidden is null ? (small ? new[] { 64 } : new[] { 256, 128 }) : CommonOptions.ParseSizes(hidden, "--hidden");
        int b = batch ?? (small ? 16 : 512);
        return new FeaturizerSettings(h, epochs ?? (small ? 300 : 20), b, batch ?? (small ? 16 : 128), lr, noise, seed, gemm, maxIterations);
    }

    public AutoencoderOptions Autoencoder(string method, int code)
    {
        var o = new AutoencoderOptions
        {
            HiddenSizes = (int[])Hidden.Clone(), CodeSize = code, Epochs = Epochs, BatchSize = Batch, LearningRate = LearningRate,
            Seed = Seed, Threads = 1, Gemm = Gemm,
        };
        switch (method)
        {
            case "sparse": o.L1Activity = 0.01f; break;
            case "contractive": o.Contractive = 0.1f; break;
            case "denoising": o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = Noise; break;
        }
        return o;
    }

    public VaeOptions Vae(int code) => new()
    {
        HiddenSizes = (int[])Hidden.Clone(), LatentSize = code, Epochs = Epochs, BatchSize = VaeBatch, LearningRate = LearningRate,
        Seed = Seed, Threads = 1, Gemm = Gemm,
    };

    /// <summary>The featurizer of <paramref name="method"/> writing column "Code" from "Features" (null for raw pixels).</summary>
    public IEstimator<ITransformer>? Featurizer(MLAEContext ctx, string method, int code) => method switch
    {
        "raw" => null,
        "pca" => ctx.Transforms.Pca("Code", "Features", new PcaOptions { Components = code, Seed = Seed, Threads = 1, Gemm = Numerics.Gemm.Create(Gemm, 1) }),
        "vae" => ctx.Transforms.Vae("Code", "Features", Vae(code)),
        _ => ctx.Transforms.Autoencoder("Code", "Features", Autoencoder(method, code)),
    };

    /// <summary>featurizer → mean-variance normalisation → logistic regression (for raw: normalisation of the pixels → logistic regression).</summary>
    public IEstimator<ITransformer> Pipeline(MLAEContext ctx, string method, int code)
    {
        var lr = ctx.Classification.Trainers.LogisticRegression(new ClassifierColumns { Features = "Code" },
            new LogisticRegressionOptions { MaxIterations = MaxIterations, Threads = 1, Gemm = Numerics.Gemm.Create(Gemm, 1) });
        var f = Featurizer(ctx, method, code);
        return f is null
            ? ctx.Transforms.NormalizeMeanVariance("Code", "Features").Append(lr)
            : f.Append(ctx.Transforms.NormalizeMeanVariance("Code")).Append(lr);
    }
}

/// <summary>Runs every (method, code) cell, in parallel across cells, each cell's fits single-threaded (so results do not depend on scheduling).</summary>
internal sealed class Comparison(LoadedDataset data, IReadOnlyList<string> methods, IReadOnlyList<int> codes, int folds, FeaturizerSettings settings, int threads)
{
    public static readonly string[] Methods = { "pca", "ae", "sparse", "contractive", "denoising", "vae", "raw" };

    public sealed record Row(string Method, int Code, double[] FoldAccuracies)
    {
        public double Mean => FoldAccuracies.Average();

        /// <summary>Population standard deviation over the folds (numpy's default, as scikit-learn reports it).</summary>
        public double Std => Math.Sqrt(FoldAccuracies.Average(a => (a - Mean) * (a - Mean)));
    }

    public static bool IsAutoencoder(string method) => method is not ("pca" or "raw");

    public static IReadOnlyList<string> ParseMethods(string text)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).Distinct().ToList();
        if (list.Count == 0) throw new ArgumentException("--methods needs at least one method.");
        foreach (var m in list)
            if (!Methods.Contains(m)) throw new ArgumentException($"--methods: unknown '{m}'; expected {string.Join(", ", Methods)}.");
        return list;
    }

    private IEnumerable<(string Method, int Code)> Cells =>
        methods.SelectMany(m => m == "raw" ? new[] { (m, data.Train.Dimension) } : codes.Select(k => (m, k)));

    public int FitCount => Cells.Count() * folds;

    private readonly Dictionary<(string Method, int Code), IAutoencoder> _trained = new();

    /// <summary>With one fold, the autoencoders fitted on all training images (reused for the figures).</summary>
    public IReadOnlyDictionary<(string Method, int Code), IAutoencoder> Trained => _trained;

    public IReadOnlyList<Row> Run(Action<double, string?> advance)
    {
        var ctx = new MLAEContext(settings.Seed, threads: 1, gemm: settings.Gemm);
        var table = DataTable.FromDataset(data.Train);
        var test = folds == 1 ? DataTable.FromDataset(data.Test!) : null;
        var cells = Cells.ToArray();
        var results = new Row[cells.Length];
        var gate = new object();
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            lock (gate) advance(p.Epoch is null ? 1.0 / p.StageCount : 0, p.Epoch is { } e ? $"{p.Stage} epoch {e.Epoch}/{e.Epochs}" : null);
        });
        try { Parallel.For(0, cells.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, RunCell); }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;

        void RunCell(int i)
        {
            var (method, code) = cells[i];
            var pipeline = settings.Pipeline(ctx, method, code);
            var named = new SyncProgress<PipelineProgress>(p => progress.Report(p with { Stage = $"{method}-{code} {p.Stage}" }));
            double[] acc;
            if (test is null)
            {
                acc = ctx.Classification.CrossValidate(table, pipeline, folds, settings.Seed, labelColumnName: "Label", progress: named)
                    .Select(f => f.Metrics.Accuracy).ToArray();
            }
            else
            {
                var model = pipeline.Fit(table, named);
                acc = new[] { ctx.Classification.Evaluate(model.Transform(test)).Accuracy };
                if (model is IReadOnlyList<ITransformer> { Count: 3 } chain && chain[0] is AutoencoderTransformer ae) lock (gate) _trained[(method, code)] = ae.Model;
            }
            results[i] = new Row(method, code, acc);
        }
    }
}

/// <summary>The experiment's pictures: mean image, eigenimages, PCA vs autoencoder reconstructions, accuracy chart.</summary>
internal static class Figures
{
    public static JsonObject Write(ImageDataset train, IReadOnlyList<string> methods, IReadOnlyList<int> codes, FeaturizerSettings s, string dir,
        IReadOnlyList<Comparison.Row> rows, IReadOnlyDictionary<(string Method, int Code), IAutoencoder> trained, Action<double, string?> advance)
    {
        Directory.CreateDirectory(dir);
        int w = train.Width, h = train.Height;
        int scale = Math.Max(1, 100 / Math.Max(w, h));
        int k = Math.Min(codes.Max(), Math.Min(train.Count, train.Dimension));
        var json = new JsonObject { ["code"] = k };

        var pca = PcaModel.Fit(train.Images, new PcaOptions { Components = k, Seed = s.Seed });
        var mean = new Matrix(1, pca.Mean.Length, (float[])pca.Mean.Clone());
        json["mean"] = Save(ImageGrid.Tile(mean, w, h, new ImageGridOptions { Scale = scale * 2 }), dir, "mean.png");
        json["eigen"] = Save(ImageGrid.Tile(pca.Components, w, h, new ImageGridOptions { Columns = Math.Min(10, k), Scale = scale, NormalizeEach = true }), dir, "eigen.png");
        advance(1, "PCA figures");

        // Reconstructions of 10 images spread over the set (for faces: faces first, then non-faces).
        int n = Math.Min(10, train.Count);
        var picks = Enumerable.Range(0, n).Select(i => (int)((long)i * train.Count / n)).ToArray();
        var originals = train.Images.SelectRows(picks);
        var strips = new List<Matrix> { originals, pca.Reconstruct(originals) };
        var legend = new JsonArray("original", $"pca-{k}");
        foreach (var m in methods.Where(Comparison.IsAutoencoder))
        {
            if (!trained.TryGetValue((m, k), out var model))
                model = m == "vae" ? new VaeTrainer(s.Vae(k)).Fit(train.Images) : new AutoencoderTrainer(s.Autoencoder(m, k)).Fit(train.Images);
            strips.Add(model.Reconstruct(originals));
            legend.Add($"{m}-{k}");
            advance(1, $"{m} reconstructions");
        }
        var all = new Matrix(strips.Count * n, train.Dimension);
        for (int i = 0; i < strips.Count; i++) strips[i].Span.CopyTo(all.Data.AsSpan(i * n * train.Dimension));
        json["reconstructions"] = Save(ImageGrid.Tile(all, w, h, new ImageGridOptions { Columns = n, Scale = scale }), dir, "reconstructions.png");
        json["reconstructionRows"] = legend;

        var chart = new Chart { Title = "Logistic regression accuracy on codes", XLabel = "code size", YLabel = "accuracy", LogX = true };
        foreach (var m in methods.Where(m => m != "raw"))
        {
            var mr = rows.Where(x => x.Method == m).OrderBy(x => x.Code).ToList();
            chart.Add(m, mr.Select(x => (double)x.Code).ToList(), mr.Select(x => x.Mean).ToList());
        }
        if (rows.FirstOrDefault(x => x.Method == "raw") is { } raw)
            chart.Add("raw pixels", new double[] { codes.Min(), codes.Max() }, new[] { raw.Mean, raw.Mean });
        var chartPath = Path.Combine(dir, "accuracy.svg");
        chart.Save(chartPath);
        json["chart"] = chartPath;
        return json;
    }

    private static string Save(GrayImage image, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        image.SavePng(path);
        return path;
    }
}
