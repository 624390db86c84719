using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
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
/// <c>vae</c>, or any kind of the family; <c>conv</c>, the convolutional autoencoder, on images); every AUROC comes from ML.NET's <c>AnomalyDetection.Evaluate</c>.
/// </summary>
internal static class AnomalyCommand
{
    public static readonly string[] Methods = ["mlnet-pca", "pca", .. AutoencoderKinds.All.Select(AutoencoderKinds.Name)];

    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist or breast-cancer", DefaultValueFactory = _ => "fashion-mnist" };
        var methods = new Option<string>("--methods") { Description = $"comma-separated: {string.Join(", ", Methods)}", DefaultValueFactory = _ => "mlnet-pca,pca,ae,denoising,vae" };
        var classes = new Option<string?>("--classes") { Description = "fashion-mnist: the normal classes to run, e.g. 0,1,2 (default all ten)" };
        var code = new Option<int>("--code") { Description = "code size of the autoencoders and rank of the PCAs", DefaultValueFactory = _ => AutoencoderDefaults.AnomalyCodeSize };
        var hidden = new Option<string?>("--hidden") { Description = "autoencoder hidden widths (default 256,128 for images, 16 for the table)" };
        var epochs = new Option<int?>("--epochs") { Description = "autoencoder epochs (default 20 for images, 200 for the table)" };
        var seed = new Option<int>("--seed") { Description = "seed of all randomness", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "threads for the autoencoders' GEMM kernels", DefaultValueFactory = _ => Environment.ProcessorCount };
        var split = new Option<string>("--split") { Description = "test (the reported protocol) or validation (held-out training rows, for choosing settings)", DefaultValueFactory = _ => "test" };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line of stdout" };

        var cmd = new Command("anomaly", "One-class anomaly detection: PCA (ML.NET's and the project's) vs autoencoders, AUROC per normal class.");
        foreach (var o in new Option[] { dataset, methods, classes, code, hidden, epochs, seed, threads, split, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var list = ParseMethods(r.GetValue(methods)!);
                int k = r.GetValue(code);
                if (k < 1) throw new ArgumentException($"--code must be ≥ 1; got {k}.");
                int t = r.GetValue(threads);
                if (t < 1) throw new ArgumentException($"--threads must be ≥ 1; got {t}.");
                var name = r.GetValue(dataset)!.Trim().ToLowerInvariant();
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
                    r.GetValue(epochs) ?? (images ? 20 : 200), r.GetValue(seed), t, images);
                var rows = new List<Row>();
                ConsoleUi.WithProgress("anomaly", cases.Count * list.Count, advance =>
                {
                    foreach (var c in cases)
                        foreach (var m in list)
                        {
                            rows.Add(Run(c, m, settings));
                            advance(1, $"class {c.Name}: {m} AUROC {rows[^1].Auroc:F3}");
                        }
                    return 0;
                });
                Print(rows, list, cases);
                if (r.GetValue(json))
                {
                    ConsoleUi.WriteJson(new JsonObject
                    {
                        ["dataset"] = name, ["split"] = part, ["code"] = k, ["hidden"] = new JsonArray(settings.Hidden.Select(x => (JsonNode)x).ToArray()),
                        ["epochs"] = settings.Epochs, ["seed"] = settings.Seed,
                        ["rows"] = new JsonArray(rows.Select(x => (JsonNode)new JsonObject
                        {
                            ["method"] = x.Method, ["class"] = x.Class, ["auroc"] = x.Auroc, ["fitSeconds"] = Math.Round(x.FitSeconds, 3),
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

    private sealed record Settings(int Code, int[] Hidden, int Epochs, int Seed, int Threads, bool Images);

    /// <summary>One fit: the training rows (all normal) and the scored test rows with their labels (1 = anomaly).</summary>
    private sealed record Case(string Name, int Class, ImageDataset Train, ImageDataset Test, Func<int, bool> IsAnomaly);

    private sealed record Row(string Method, int Class, double Auroc, double FitSeconds);

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

    private static Row Run(Case c, string method, Settings s)
    {
        var ml = new MLContext(s.Seed);
        var train = ImageDataViews.LoadForAnomalyDetection(ml, c.Train, c.IsAnomaly);
        var test = ImageDataViews.LoadForAnomalyDetection(ml, c.Test, c.IsAnomaly);
        var sw = Stopwatch.StartNew();
        IDataView scored;
        double fit;
        switch (method)
        {
            case "mlnet-pca":
            {
                var model = ml.AnomalyDetection.Trainers.RandomizedPca(ImageDataViews.FeaturesColumn, rank: s.Code, ensureZeroMean: true, seed: s.Seed).Fit(train);
                fit = sw.Elapsed.TotalSeconds;
                scored = model.Transform(test);
                break;
            }
            case "pca":
            {
                var model = PcaModel.Fit(c.Train.Images, new PcaOptions { Components = s.Code, Seed = (ulong)s.Seed, Threads = s.Threads });
                fit = sw.Elapsed.TotalSeconds;
                var errors = AutoencoderMetrics.RowErrors(c.Test.Images, model.Reconstruct(c.Test.Images));
                var labels = c.Test.RequireLabels();
                var points = Enumerable.Range(0, c.Test.Count).Select(i => new Scored { Label = c.IsAnomaly(labels[i]) ? 1f : 0f, Score = errors[i, 0] });
                scored = ml.Data.LoadFromEnumerable(points.ToList());
                break;
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
                var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train);
                fit = sw.Elapsed.TotalSeconds;
                scored = model.Transform(test);
                break;
            }
        }
        return new Row(method, c.Class, ml.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve, fit);
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
        Console.WriteLine("AUROC (normal class → the rest)");
        Console.WriteLine($"{"class",-14}" + string.Concat(methods.Select(m => $"{m,12}")));
        foreach (var c in cases)
            Console.WriteLine($"{c.Name,-14}" + string.Concat(methods.Select(m => $"{rows.First(x => x.Method == m && x.Class == c.Class).Auroc,12:F3}")));
        if (cases.Count > 1)
            Console.WriteLine($"{"mean",-14}" + string.Concat(methods.Select(m => $"{rows.Where(x => x.Method == m).Average(x => x.Auroc),12:F3}")));
        Console.WriteLine($"{"fit s (mean)",-14}" + string.Concat(methods.Select(m => $"{rows.Where(x => x.Method == m).Average(x => x.FitSeconds),12:F2}")));
    }
}
