using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae anomaly</c>: the one-class protocol. Fashion-MNIST: for each class c, fit on the training images of class c
/// only, score all test images, AUROC with class c as normal and the nine others as anomalies. Breast cancer: fit on a
/// seeded 70 % of the benign rows (a hash split that benchmarks/sklearn_anomaly.py reproduces; standardised with
/// statistics of those rows), score the other benign rows and the test half of the malignant ones.
/// <c>--split validation</c> scores rows that the test never sees, for choosing settings: Fashion-MNIST fits on the
/// class's training images 0–49 999 and scores training images 50 000–59 999; breast cancer fits on 70 % of the
/// training benign rows and scores the other 30 % and the validation half of the malignant rows. Methods side by side in one run: ML.NET's <c>RandomizedPca</c> anomaly trainer (<c>mlnet-pca</c>),
/// the project's PCA reconstruction error (<c>pca</c>), and the autoencoder trainer (<c>ae</c>, <c>denoising</c>,
/// <c>vae</c>, or any kind of the family; <c>conv</c>, the convolutional autoencoder, on images), each network scored by
/// every scorer of <c>--scorers</c> (the reconstruction error, or code-space scores: one fit, several scores); every
/// AUROC comes from ML.NET's <c>AnomalyDetection.Evaluate</c>. <c>--curves DIR</c> draws ROC and precision-recall
/// curves per class.
/// </summary>
internal static class AnomalyCommand
{
    public static readonly string[] Methods = ["mlnet-pca", "pca", .. AutoencoderKinds.All.Select(AutoencoderKinds.Name)];

    /// <summary>
    /// What a run with no <c>--methods</c>, <c>--scorers</c> or <c>--code</c> measures on each dataset: the setting chosen
    /// on validation rows (docs/anomaly/SCORERS-PROTOCOL.md, results in docs/anomaly/RESULTS.md) beside both PCAs, so
    /// that one command re-measures the headline.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (string Methods, string Scorers, int Code)> Chosen = new Dictionary<string, (string, string, int)>
    {
        ["fashion-mnist"] = ("mlnet-pca,pca,denoising", "reconstruction,reconstruction+knn", 16),
        ["breast-cancer"] = ("mlnet-pca,pca,ae", "reconstruction,knn", 8),
    };

    /// <summary>The <c>--scorers</c> names and the trainer's scores they select.</summary>
    public static readonly IReadOnlyDictionary<string, AnomalyScore> Scorers = new Dictionary<string, AnomalyScore>
    {
        ["reconstruction"] = AnomalyScore.ReconstructionError,
        ["knn"] = AnomalyScore.CodeNeighbours,
        ["gaussian"] = AnomalyScore.CodeGaussian,
        ["reconstruction+knn"] = AnomalyScore.ReconstructionAndCodeNeighbours,
        ["reconstruction+gaussian"] = AnomalyScore.ReconstructionAndCodeGaussian,
    };

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist or breast-cancer", DefaultValueFactory = _ => "fashion-mnist" };
        var methods = new Option<string?>("--methods") { Description = $"comma-separated: {string.Join(", ", Methods)} (default: the dataset's chosen setting beside both PCAs, docs/anomaly/RESULTS.md)" };
        var classes = new Option<string?>("--classes") { Description = "fashion-mnist: the normal classes to run, e.g. 0,1,2 (default all ten)" };
        var code = new Option<int?>("--code") { Description = "code size of the autoencoders and rank of the PCAs (default: the dataset's chosen setting)" };
        var hidden = new Option<string?>("--hidden") { Description = "autoencoder hidden widths (default 256,128 for images, 16 for the table)" };
        var epochs = new Option<int?>("--epochs") { Description = "autoencoder epochs (default 20 for images, 200 for the table)" };
        var seed = new Option<int>("--seed") { Description = "seed of all randomness", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "threads for the autoencoders' GEMM kernels", DefaultValueFactory = _ => Environment.ProcessorCount };
        var split = new Option<string>("--split") { Description = "test (the reported protocol) or validation (held-out training rows, for choosing settings)", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line of stdout" };
        var scorers = new Option<string?>("--scorers") { Description = $"comma-separated scores of each autoencoder: {string.Join(", ", Scorers.Keys)} (reconstruction: the VAE's negative ELBO; default: reconstruction, and without --methods also the dataset's chosen scorer)" };
        var curves = new Option<string?>("--curves") { Description = "folder for ROC and precision-recall pictures per class" };

        var cmd = new Command("anomaly", "One-class anomaly detection: PCA (ML.NET's and the project's) vs autoencoders, AUROC per normal class.");
        foreach (var o in new Option[] { dataset, methods, scorers, classes, code, hidden, epochs, seed, threads, split, json, curves }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var name = r.GetValue(dataset)!.Trim().ToLowerInvariant();
                var chosen = Chosen.TryGetValue(name, out var c0) ? c0 : Chosen["fashion-mnist"];
                var list = ParseMethods(r.GetValue(methods) ?? chosen.Methods);
                // Without --methods the chosen scorer runs too; with --methods, the reconstruction error unless --scorers says otherwise.
                var scorerList = CommonOptions.ParseChoices(r.GetValue(scorers) ?? (r.GetValue(methods) is null ? chosen.Scorers : "reconstruction"), Scorers.Keys.ToArray(), "--scorers");
                var curveDir = r.GetValue(curves);
                int k = r.GetValue(code) ?? chosen.Code;
                if (k < 1) throw new ArgumentException($"--code must be ≥ 1; got {k}.");
                int t = r.GetValue(threads);
                if (t < 1) throw new ArgumentException($"--threads must be ≥ 1; got {t}.");
                var part = r.GetValue(split)!.Trim().ToLowerInvariant();
                if (part is not ("test" or "validation")) throw new ArgumentException($"--split: unknown '{part}'; expected test or validation.");
                bool validation = part == "validation";
                var cases = name switch
                {
                    "fashion-mnist" => FashionCases(r.GetValue(classes), validation),
                    "breast-cancer" => BreastCancerCases(r.GetValue(seed), validation),
                    _ => throw new ArgumentException($"--dataset: unknown '{name}'; expected fashion-mnist or breast-cancer."),
                };
                bool images = name == "fashion-mnist";
                if (!images && list.Contains("conv")) throw new ArgumentException("--methods conv needs image rows (--dataset fashion-mnist); the breast-cancer table is not an image.");
                var settings = new Settings(k, r.GetValue(hidden) is { } h ? CommonOptions.ParseSizes(h, "--hidden") : images ? [256, 128] : [16],
                    r.GetValue(epochs) ?? (images ? 20 : 200), r.GetValue(seed), t, images, scorerList, curveDir);
                var rows = new List<Row>();
                ConsoleUi.WithProgress("anomaly", cases.Count * list.Count, advance =>
                {
                    foreach (var c in cases)
                        foreach (var m in list)
                        {
                            var got = Run(c, m, settings);
                            rows.AddRange(got);
                            advance(1, $"class {c.Name}: {string.Join(", ", got.Select(x => $"{x.Method} AUROC {x.Auroc:F3}"))}");
                        }
                    return 0;
                });
                var columns = rows.Select(x => x.Method).Distinct().ToList();
                Print(rows, columns, cases);
                if (curveDir is not null) AnomalyCurves.Save(curveDir, rows.Select(x => (x.Method, x.Class, x.Scores, x.Labels)).ToList(), cases.Select(c => (c.Class, c.Name)).ToList());
                if (r.GetValue(json))
                {
                    ConsoleUi.WriteJson(new JsonObject
                    {
                        ["dataset"] = name, ["split"] = part, ["code"] = k, ["hidden"] = new JsonArray(settings.Hidden.Select(x => (JsonNode)x).ToArray()),
                        ["epochs"] = settings.Epochs, ["seed"] = settings.Seed,
                        ["rows"] = new JsonArray(rows.Select(x => (JsonNode)new JsonObject
                        {
                            ["method"] = x.Method, ["class"] = x.Class, ["auroc"] = x.Auroc, ["fitSeconds"] = Math.Round(x.FitSeconds, 3),
                            ["fitScoreSeconds"] = Math.Round(x.FitScoreSeconds, 3),
                        }).ToArray()),
                    });
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

    private sealed record Settings(int Code, int[] Hidden, int Epochs, int Seed, int Threads, bool Images, IReadOnlyList<string> Scorers, string? Curves);

    /// <summary>One fit: the training rows (all normal) and the scored test rows with their labels (1 = anomaly).</summary>
    private sealed record Case(string Name, int Class, ImageDataset Train, ImageDataset Test, Func<int, bool> IsAnomaly);

    /// <summary>One method's result on one class: AUROC, the fit's and the fit + scoring's seconds, and the test scores with their labels (1 = anomaly).</summary>
    private sealed record Row(string Method, int Class, double Auroc, double FitSeconds, double FitScoreSeconds, float[] Scores, bool[] Labels);

    private static IReadOnlyList<string> ParseMethods(string text) => CommonOptions.ParseChoices(text, Methods, "--methods");

    /// <summary>The training images from this index on are the validation rows of <c>--split validation</c>.</summary>
    private const int FashionValidationStart = 50_000;

    private static List<Case> FashionCases(string? classes, bool validation)
    {
        var (train, test) = FashionMnist.Load();
        if (validation)
        {
            test = train.Subset(Enumerable.Range(FashionValidationStart, train.Count - FashionValidationStart).ToArray(), train.Name + " validation");
            train = train.Take(FashionValidationStart);
        }
        var trainLabels = train.RequireLabels();
        var picked = classes is null ? Enumerable.Range(0, 10).ToArray() : CommonOptions.ParseSizes(classes, "--classes");
        foreach (var c in picked)
            if (c is < 0 or > 9) throw new ArgumentException($"--classes: {c} is not a Fashion-MNIST class (0–9).");
        return picked.Select(c =>
        {
            var rows = Enumerable.Range(0, train.Count).Where(i => trainLabels[i] == c).ToArray();
            var normal = new ImageDataset(train.Images.SelectRows(rows), rows.Select(_ => c).ToArray(), train.Width, train.Height, train.Name);
            return new Case(FashionMnist.ClassNames[c], c, normal, test, label => label != c);
        }).ToList();
    }

    private static List<Case> BreastCancerCases(int seed, bool validation)
    {
        var all = BreastCancer.Load();
        var labels = all.RequireLabels();
        // A seeded split that other languages reproduce exactly (benchmarks/sklearn_anomaly.py): rows ordered by a
        // multiplicative hash of their index mixed with the seed; the first 70 % of the benign rows for training, the
        // first half of the malignant rows for validation only, the second half for the test.
        int[] Ordered(int label) => Enumerable.Range(0, all.Count).Where(i => labels[i] == label)
            .OrderBy(i => SplitKey(i, seed)).ThenBy(i => i).ToArray();
        var benign = Ordered(1);
        var malignant = Ordered(0);
        int half = malignant.Length / 2;
        var trainRows = benign[..Fraction(benign.Length, 0.7)];
        var testRows = benign[trainRows.Length..].Concat(malignant[half..]).ToArray();
        if (validation)
        {
            var fit = trainRows[..Fraction(trainRows.Length, 0.7)];
            testRows = trainRows[fit.Length..].Concat(malignant[..half]).ToArray();
            trainRows = fit;
        }
        int n = trainRows.Length;
        // Standardise with the training rows' statistics (the measurements span five orders of magnitude).
        var x = all.Images;
        var mean = new float[x.Cols];
        var scale = new float[x.Cols];
        for (int j = 0; j < x.Cols; j++)
        {
            double s = 0, s2 = 0;
            foreach (int i in trainRows) { s += x[i, j]; s2 += (double)x[i, j] * x[i, j]; }
            double m = s / n, v = Math.Max(s2 / n - m * m, 0);
            mean[j] = (float)m;
            scale[j] = v > 0 ? (float)(1 / Math.Sqrt(v)) : 1f;
        }
        ImageDataset Take(int[] rows)
        {
            var m = x.SelectRows(rows);
            for (int i = 0; i < m.Rows; i++)
                for (int j = 0; j < m.Cols; j++) m[i, j] = (m[i, j] - mean[j]) * scale[j];
            return new ImageDataset(m, rows.Select(i => labels[i]).ToArray(), all.Width, all.Height, all.Name);
        }
        return [new Case("benign", 1, Take(trainRows), Take(testRows), label => label == 0)];
    }

    /// <summary>The split's sort key of row <paramref name="i"/>: Knuth's multiplicative hash, XOR a multiple of the seed.</summary>
    internal static uint SplitKey(int i, int seed) => unchecked((uint)((ulong)(i + 1) * 2654435761UL) ^ (uint)seed * 2246822519u);

    private static int Fraction(int count, double share) => (int)Math.Round(share * count, MidpointRounding.AwayFromZero);

    private static List<Row> Run(Case c, string method, Settings s)
    {
        var ml = new MLContext(s.Seed);
        var train = ImageDataViews.LoadForAnomalyDetection(ml, c.Train, c.IsAnomaly);
        var test = ImageDataViews.LoadForAnomalyDetection(ml, c.Test, c.IsAnomaly);
        var testLabels = c.Test.RequireLabels();
        var labels = Enumerable.Range(0, c.Test.Count).Select(i => c.IsAnomaly(testLabels[i])).ToArray();
        var sw = Stopwatch.StartNew();
        switch (method)
        {
            case "mlnet-pca":
            {
                var model = ml.AnomalyDetection.Trainers.RandomizedPca(ImageDataViews.FeaturesColumn, rank: s.Code, ensureZeroMean: true, seed: s.Seed).Fit(train);
                double fit = sw.Elapsed.TotalSeconds;
                var scores = model.Transform(test).GetColumn<float>("Score").ToArray();
                return [WithAuroc(ml, method, c, fit, sw, scores, labels)];
            }
            case "pca":
            {
                var model = PcaModel.Fit(c.Train.Images, new PcaOptions { Components = s.Code, Seed = (ulong)s.Seed, Threads = s.Threads });
                double fit = sw.Elapsed.TotalSeconds;
                var errors = AutoencoderMetrics.RowErrors(c.Test.Images, model.Reconstruct(c.Test.Images));
                return [WithAuroc(ml, method, c, fit, sw, errors.Span.ToArray(), labels)];
            }
            default:
            {
                var o = AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKinds.Parse(method));
                o.Seed = s.Seed;
                if (o.Vae is { } v) { v.LatentSize = s.Code; v.HiddenSizes = s.Hidden; v.Epochs = s.Epochs; v.Threads = s.Threads; if (!s.Images) v.Likelihood = VaeLikelihood.Gaussian; }
                var a = o.Autoencoder;
                (a.CodeSize, a.HiddenSizes, a.Epochs, a.Threads) = (s.Code, s.Hidden, s.Epochs, s.Threads);
                // conv: the plain objective on the convolutional networks (default channels; --hidden does not apply).
                if (a.Conv is { } conv) conv.ImageShape = [1, c.Train.Height, c.Train.Width];
                if (!s.Images) { a.Loss = LossKind.SquaredError; a.BatchSize = 32; if (o.Vae is { } vv) vv.BatchSize = 32; }
                // One network for every scorer: the code-space scores are fitted on its codes, as the trainer does with Options.Score.
                var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train);
                double fit = sw.Elapsed.TotalSeconds;
                if (s.Curves is not null && s.Images) SaveHeatMap(s.Curves, c, method, model);
                var rows = new List<Row>();
                foreach (var name in s.Scorers)
                {
                    var one = Stopwatch.StartNew();
                    float[] scores;
                    var score = Scorers[name];
                    if (score == AnomalyScore.ReconstructionError) scores = model.Transform(test).GetColumn<float>("Score").ToArray();
                    else
                    {
                        bool knn = score is AnomalyScore.CodeNeighbours or AnomalyScore.ReconstructionAndCodeNeighbours;
                        bool combined = score is AnomalyScore.ReconstructionAndCodeNeighbours or AnomalyScore.ReconstructionAndCodeGaussian;
                        var scorer = CodeAnomalyScorer.Fit(model.Model, c.Train.Images, knn ? CodeDensity.NearestNeighbours : CodeDensity.Gaussian, combined, o.Neighbours);
                        scores = scorer.Score(c.Test.Images);
                    }
                    var label = name == "reconstruction" ? method : $"{method}/{name}";
                    rows.Add(WithAuroc(ml, label, c, fit, null, scores, labels, fit + one.Elapsed.TotalSeconds));
                }
                return rows;
            }
        }
    }

    /// <summary>Images shown in the heat map: the scored images with the highest reconstruction error.</summary>
    private const int HeatMapImages = 10;

    /// <summary>The scored images that score highest and, under each, its pixels' contributions to the score (white = most).</summary>
    private static void SaveHeatMap(string folder, Case c, string method, AutoencoderAnomalyTransformer model)
    {
        var errors = AutoencoderMetrics.RowErrors(c.Test.Images, model.Model.Reconstruct(c.Test.Images));
        var top = Enumerable.Range(0, c.Test.Count).OrderByDescending(i => errors[i, 0]).Take(HeatMapImages).ToArray();
        var images = c.Test.Images.SelectRows(top);
        var contributions = FeatureContributions.Of(model.Model, images);
        var grid = ImageGrid.Pairs(images, contributions, c.Test.Width, c.Test.Height, new ImageGridOptions { Columns = HeatMapImages, Scale = 3, NormalizeEach = true });
        Directory.CreateDirectory(folder);
        new GridFigure
        {
            Title = $"Why these images score high ({method}, normal class {c.Name})",
            Subtitle = "top: the 10 highest-scoring images; bottom: each pixel's share of its reconstruction error (white = most)",
            RowLabels = ["image", "contribution"],
        }.Save(Path.Combine(folder, $"class-{c.Class.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{method}-heatmap.png"), grid);
    }

    /// <summary>The row of a method: AUROC by ML.NET's evaluator on the test scores.</summary>
    private static Row WithAuroc(MLContext ml, string method, Case c, double fit, Stopwatch? total, float[] scores, bool[] labels, double? fitScore = null)
    {
        double seconds = fitScore ?? total!.Elapsed.TotalSeconds;
        var points = scores.Select((v, i) => new Scored { Label = labels[i] ? 1f : 0f, Score = v }).ToList();
        double auroc = ml.AnomalyDetection.Evaluate(ml.Data.LoadFromEnumerable(points)).AreaUnderRocCurve;
        return new Row(method, c.Class, auroc, fit, seconds, scores, labels);
    }

    /// <summary>A scored row for ML.NET's evaluator.</summary>
    private sealed class Scored
    {
        public float Label { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }

    private static void Print(IReadOnlyList<Row> rows, IReadOnlyList<string> methods, IReadOnlyList<Case> cases)
    {
        int w = Math.Max(12, methods.Max(m => m.Length) + 2);
        string Cell(object v) => string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0," + w + "}", v);
        Console.WriteLine("AUROC (normal class → the rest)");
        Console.WriteLine($"{"class",-14}" + string.Concat(methods.Select(m => Cell(m))));
        foreach (var c in cases)
            Console.WriteLine($"{c.Name,-14}" + string.Concat(methods.Select(m => Cell(rows.First(x => x.Method == m && x.Class == c.Class).Auroc.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))));
        if (cases.Count > 1)
            Console.WriteLine($"{"mean",-14}" + string.Concat(methods.Select(m => Cell(rows.Where(x => x.Method == m).Average(x => x.Auroc).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))));
        Console.WriteLine($"{"fit s (mean)",-14}" + string.Concat(methods.Select(m => Cell(rows.Where(x => x.Method == m).Average(x => x.FitSeconds).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))));
    }
}
