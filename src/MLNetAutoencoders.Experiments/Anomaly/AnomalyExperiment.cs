using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// Settings of <see cref="AnomalyExperiment"/> (the harness behind <c>mlae anomaly</c>). A setting left null takes the
/// dataset's value: its chosen methods, scorers and code size (<see cref="AnomalyExperiment.Chosen"/>), hidden widths
/// 256,128 and 20 epochs for images, 16 and 200 epochs for the table.
/// </summary>
internal sealed class AnomalyExperimentOptions
{
    /// <summary>fashion-mnist or breast-cancer. Default fashion-mnist.</summary>
    public string Dataset { get; set; } = "fashion-mnist";

    /// <summary>Names of <see cref="AnomalyExperiment.Methods"/>; null = the dataset's chosen setting.</summary>
    public IReadOnlyList<string>? Methods { get; set; }

    /// <summary>Names of <see cref="AnomalyExperiment.Scorers"/>; null = the reconstruction error, and without <see cref="Methods"/> also the dataset's chosen scorer.</summary>
    public IReadOnlyList<string>? Scorers { get; set; }

    /// <summary>Fashion-MNIST: the normal classes to run; null = all ten.</summary>
    public int[]? Classes { get; set; }

    /// <summary>Code size of the autoencoders and rank of the PCAs; null = the dataset's chosen setting.</summary>
    public int? CodeSize { get; set; }

    /// <summary>Autoencoder hidden widths; null = 256,128 for images, 16 for the table.</summary>
    public int[]? HiddenSizes { get; set; }

    /// <summary>Autoencoder epochs; null = 20 for images, 200 for the table.</summary>
    public int? Epochs { get; set; }

    /// <summary>Seed of all randomness. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Threads of the autoencoders' GEMM kernels. Default: the processor count.</summary>
    public int Threads { get; set; } = ExperimentDefaults.Threads;

    /// <summary>test (the reported protocol) or validation (held-out training rows, for choosing settings). Default test.</summary>
    public string Split { get; set; } = "test";

    /// <summary>Folder for ROC and precision-recall pictures per class (and heat maps on images); null = none.</summary>
    public string? CurvesDirectory { get; set; }

    /// <summary>Side of the square that restoration erases (the trainer's <c>ErasureSize</c>); null = the dataset's chosen setting (0 = none).</summary>
    public int? ErasureSize { get; set; }

    /// <summary>Shift in pixels of transformation prediction's transformations (its <c>Shift</c>); null = the dataset's chosen setting (<see cref="AnomalyExperiment.ChosenGeo"/>).</summary>
    public int? GeoShift { get; set; }

    /// <summary>Epochs of transformation prediction's classifier; null = the dataset's chosen setting (<see cref="AnomalyExperiment.ChosenGeo"/>).</summary>
    public int? GeoEpochs { get; set; }
}

/// <summary>
/// The one-class protocol. Fashion-MNIST: for each class c, fit on the training images of class c only, score all test
/// images, AUROC with class c as normal and the nine others as anomalies. Breast cancer: fit on a seeded 70 % of the
/// benign rows (a hash split that benchmarks/sklearn_anomaly.py reproduces; standardised with statistics of those rows),
/// score the other benign rows and the test half of the malignant ones. The validation split scores rows that the test
/// never sees, for choosing settings: Fashion-MNIST fits on the class's training images 0–49 999 and scores training
/// images 50 000–59 999; breast cancer fits on 70 % of the training benign rows and scores the other 30 % and the
/// validation half of the malignant rows. Methods side by side in one run: ML.NET's <c>RandomizedPca</c> anomaly trainer
/// (<c>mlnet-pca</c>), the project's PCA reconstruction error (<c>pca</c>), and the autoencoder trainer (any kind of the
/// family; <c>conv</c> on images), each network scored by every scorer (the reconstruction error, or code-space scores:
/// one fit, several scores); every AUROC comes from ML.NET's <c>AnomalyDetection.Evaluate</c>.
/// </summary>
internal sealed class AnomalyExperiment
{
    /// <summary>The method names: both PCAs and every kind of the autoencoder family.</summary>
    public static readonly string[] Methods = ["mlnet-pca", "pca", .. AutoencoderKinds.All.Select(AutoencoderKinds.Name)];

    /// <summary>The datasets the protocol knows.</summary>
    public static readonly string[] Datasets = ["fashion-mnist", "breast-cancer"];

    /// <summary>
    /// What a run with no methods, scorers or code size measures on each dataset: the setting chosen on validation rows
    /// (docs/anomaly/SCORERS-PROTOCOL.md, results in docs/anomaly/RESULTS.md) beside both PCAs, so that one run
    /// re-measures the headline.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string[] Methods, string[] Scorers, int Code, int Erasure)> Chosen = new Dictionary<string, (string[], string[], int, int)>
    {
        ["fashion-mnist"] = (["mlnet-pca", "pca", "denoising"], ["reconstruction", "reconstruction+knn", "kinds+geo+raw"], 16, 7),
        ["breast-cancer"] = (["mlnet-pca", "pca", "ae"], ["reconstruction", "knn", Ensemble], 8, 0),
    };

    /// <summary>Transformation prediction's shift and epochs chosen on validation rows, per image dataset (round 6 of docs/anomaly/SCORERS-PROTOCOL.md); other datasets use the library's defaults.</summary>
    public static readonly IReadOnlyDictionary<string, (int Shift, int Epochs)> ChosenGeo = new Dictionary<string, (int, int)>
    {
        ["fashion-mnist"] = (3, 1),
    };

    /// <summary>The scorer names and the trainer's scores they select.</summary>
    public static readonly IReadOnlyDictionary<string, AnomalyScore> Scorers = new Dictionary<string, AnomalyScore>
    {
        ["reconstruction"] = AnomalyScore.ReconstructionError,
        ["knn"] = AnomalyScore.CodeNeighbours,
        ["gaussian"] = AnomalyScore.CodeGaussian,
        ["reconstruction+knn"] = AnomalyScore.ReconstructionAndCodeNeighbours,
        ["reconstruction+gaussian"] = AnomalyScore.ReconstructionAndCodeGaussian,
        ["svdd"] = AnomalyScore.DeepSvdd,
        ["restoration"] = AnomalyScore.Restoration,
        ["geo"] = AnomalyScore.TransformationPrediction,
    };

    /// <summary>The scorer name of an ensemble: <see cref="AnomalyDefaults.EnsembleSize"/> networks of the dataset's chosen code scorer (the last of <see cref="Chosen"/> other than the ensemble), seeds s … s + 4.</summary>
    public const string Ensemble = "ensemble";

    /// <summary>The scorer name of <see cref="Ensemble"/> with the k-nearest-neighbour distance in the input space as one more member.</summary>
    public const string EnsembleAndInput = "ensemble+raw";

    /// <summary>
    /// The scorer name of an ensemble over kinds: the dataset's chosen code scorer of the method's network with, on
    /// images, restoration (its own network), on the table the same network's reconstruction error (<see cref="KindMembers"/>).
    /// </summary>
    public const string Kinds = "kinds";

    /// <summary>The scorer name of <see cref="Kinds"/> with the k-nearest-neighbour distance in the input space as one more member.</summary>
    public const string KindsAndInput = "kinds+raw";

    /// <summary>The ensembles over kinds besides <see cref="Kinds"/>: their names, with <c>kinds</c> for <see cref="KindMembers"/>, <c>geo</c> for transformation prediction, <c>raw</c> for the input-space neighbour distance.</summary>
    private static readonly string[] OtherKindEnsembles = [KindsAndInput, "kinds+geo", "geo+raw", "kinds+geo+raw"];

    /// <summary>Every scorer name: <see cref="Scorers"/>, <see cref="Ensemble"/>, <see cref="EnsembleAndInput"/>, <see cref="Kinds"/> and the other ensembles over kinds.</summary>
    public static string[] ScorerNames => [.. Scorers.Keys, Ensemble, EnsembleAndInput, Kinds, .. OtherKindEnsembles];

    /// <summary>The members of <see cref="Kinds"/>: the chosen code scorer and restoration (images) or the reconstruction error (table).</summary>
    public static string[] KindMembers(Settings s) => [s.EnsembleOf, s.Images ? "restoration" : "reconstruction"];

    /// <summary>The fitted scorers an ensemble over kinds averages (<see cref="KindMembers"/> for its <c>kinds</c> part, <c>geo</c>), and whether the input-space neighbour distance is one more member.</summary>
    private static (string[] Names, bool Raw) EnsembleMembers(string ensemble, Settings s)
    {
        var parts = ensemble.Split('+');
        return ([.. parts.SelectMany(p => p == Kinds ? KindMembers(s) : p == "raw" ? [] : [p])], parts.Contains("raw"));
    }

    /// <summary>Scorers that train a network of their own instead of scoring the method's shared network.</summary>
    private static bool OwnNetwork(string scorer) => scorer is "svdd" or "restoration" or "geo" or Ensemble or EnsembleAndInput;

    /// <summary>Ensembles over kinds, combined from the other scorers' fitted members.</summary>
    private static bool OverKinds(string scorer) => scorer == Kinds || OtherKindEnsembles.Contains(scorer);

    /// <summary>Images shown in the heat map: the scored images with the highest reconstruction error.</summary>
    private const int HeatMapImages = 10;

    /// <summary>The training images from this index on are the validation rows of the validation split.</summary>
    private const int FashionValidationStart = 50_000;

    /// <summary>Autoencoder batch size on the table (its few hundred rows).</summary>
    private const int TableBatchSize = 32;

    /// <param name="Code">Code size and PCA rank.</param>
    /// <param name="Hidden">Autoencoder hidden widths.</param>
    /// <param name="Epochs">Autoencoder epochs.</param>
    /// <param name="Seed">Seed of all randomness.</param>
    /// <param name="Threads">GEMM threads.</param>
    /// <param name="Images">Whether the rows are images.</param>
    /// <param name="Scorers">The scorers of every network.</param>
    /// <param name="Curves">Folder of the pictures, or null.</param>
    /// <param name="EnsembleOf">The scorer of each member of the <see cref="Ensemble"/> scorer (the dataset's chosen code scorer).</param>
    /// <param name="Erasure">Side of the square that restoration erases; 0 = none.</param>
    public sealed record Settings(int Code, int[] Hidden, int Epochs, int Seed, int Threads, bool Images, IReadOnlyList<string> Scorers, string? Curves, string EnsembleOf, int Erasure)
    {
        /// <summary>The settings of transformation prediction (<c>geo</c>).</summary>
        public TransformationPredictionOptions Geo { get; init; } = new();
    }

    /// <summary>One fit: the training rows (all normal) and the scored test rows with their labels (1 = anomaly).</summary>
    public sealed record Case(string Name, int Class, ImageDataset Train, ImageDataset Test, Func<int, bool> IsAnomaly);

    /// <summary>One method's result on one class: AUROC, the fit's and the fit + scoring's seconds, and the test scores with their labels (1 = anomaly).</summary>
    public sealed record Row(string Method, int Class, double Auroc, double FitSeconds, double FitScoreSeconds, float[] Scores, bool[] Labels);

    private AnomalyExperiment(string dataset, string split, IReadOnlyList<string> methods, Settings settings, IReadOnlyList<Case> cases)
    {
        (Dataset, Split, MethodList, Setting, Cases) = (dataset, split, methods, settings, cases);
    }

    /// <summary>The dataset's name.</summary>
    public string Dataset { get; }

    /// <summary>test or validation.</summary>
    public string Split { get; }

    /// <summary>The methods run.</summary>
    public IReadOnlyList<string> MethodList { get; }

    /// <summary>The resolved settings.</summary>
    public Settings Setting { get; }

    /// <summary>The fits, one per normal class.</summary>
    public IReadOnlyList<Case> Cases { get; }

    /// <summary>Number of (case, method) fits, for progress.</summary>
    public int FitCount => Cases.Count * MethodList.Count;

    /// <summary>
    /// Resolves the options against the dataset's chosen setting and loads the data. Errors name the command line's
    /// options (<c>--dataset</c>, <c>--split</c>, <c>--classes</c>, <c>--methods</c>).
    /// </summary>
    public static AnomalyExperiment Create(AnomalyExperimentOptions o)
    {
        var name = o.Dataset.Trim().ToLowerInvariant();
        var chosen = Chosen.TryGetValue(name, out var c0) ? c0 : Chosen["fashion-mnist"];
        var methods = o.Methods ?? chosen.Methods;
        // Without methods the chosen scorer runs too; with methods, the reconstruction error unless the scorers say otherwise.
        var scorers = o.Scorers ?? (o.Methods is null ? chosen.Scorers : ["reconstruction"]);
        int k = o.CodeSize ?? chosen.Code;
        if (k < 1) throw new ArgumentException($"--code must be ≥ 1; got {k}.");
        if (o.Threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {o.Threads}.");
        var part = o.Split.Trim().ToLowerInvariant();
        if (part is not ("test" or "validation")) throw new ArgumentException($"--split: unknown '{part}'; expected test or validation.");
        bool validation = part == "validation";
        bool restores = name == "fashion-mnist" && scorers.Any(n => n is "restoration" || (OverKinds(n) && n.Split('+').Contains(Kinds)));
        if (o.ErasureSize < 0) throw new ArgumentException($"--erasure must be ≥ 0; got {o.ErasureSize}.");
        if (o.ErasureSize > 0 && !restores) throw new ArgumentException("--erasure applies to restoration (--scorers restoration, kinds or kinds+raw on images).");
        int erasure = restores ? o.ErasureSize ?? chosen.Erasure : 0;
        bool predicts = scorers.Any(n => n.Split('+').Contains("geo"));
        if ((o.GeoShift is not null || o.GeoEpochs is not null) && !predicts)
            throw new ArgumentException("--geo-shift and --geo-epochs apply to transformation prediction (--scorers geo, kinds+geo, geo+raw or kinds+geo+raw).");
        if (o.GeoShift is < 0 or >= 28) throw new ArgumentException($"--geo-shift must be ≥ 0 and smaller than the 28-pixel image side; got {o.GeoShift}.");
        if (o.GeoEpochs < 1) throw new ArgumentException($"--geo-epochs must be ≥ 1; got {o.GeoEpochs}.");
        (int Shift, int Epochs) chosenGeo = ChosenGeo.TryGetValue(name, out var g) ? g : (AnomalyDefaults.TransformationShift, AnomalyDefaults.TransformationEpochs);
        var geoOptions = new TransformationPredictionOptions { Shift = o.GeoShift ?? chosenGeo.Shift, Epochs = o.GeoEpochs ?? chosenGeo.Epochs };
        var cases = name switch
        {
            "fashion-mnist" => FashionCases(o.Classes, validation),
            "breast-cancer" => BreastCancerCases(o.Seed, validation),
            _ => throw new ArgumentException($"--dataset: unknown '{name}'; expected fashion-mnist or breast-cancer."),
        };
        bool images = name == "fashion-mnist";
        if (!images && scorers.Contains("restoration")) throw new ArgumentException("--scorers restoration needs image rows (--dataset fashion-mnist); the breast-cancer table is not an image.");
        if (!images && scorers.FirstOrDefault(n => n.Split('+').Contains("geo")) is { } geo)
            throw new ArgumentException($"--scorers {geo} needs image rows (--dataset fashion-mnist): transformation prediction turns images; the breast-cancer table is not an image.");
        if (!images && methods.Contains("conv")) throw new ArgumentException("--methods conv needs image rows (--dataset fashion-mnist); the breast-cancer table is not an image.");
        var settings = new Settings(k, o.HiddenSizes ?? (images ? [256, 128] : [16]), o.Epochs ?? (images ? 20 : 200), o.Seed, o.Threads, images, scorers, o.CurvesDirectory,
            chosen.Scorers.Last(n => n is not (Ensemble or EnsembleAndInput) && !OverKinds(n)), erasure) { Geo = geoOptions };
        return new AnomalyExperiment(name, part, methods, settings, cases);
    }

    /// <summary>Fits every method on every case; <paramref name="advance"/> is told after each fit. Draws the curves when a folder is set.</summary>
    public IReadOnlyList<Row> Run(Action<double, string?> advance)
    {
        var rows = new List<Row>();
        foreach (var c in Cases)
            foreach (var m in MethodList)
            {
                var got = Run(c, m, Setting);
                rows.AddRange(got);
                advance(1, $"class {c.Name}: {string.Join(", ", got.Select(x => $"{x.Method} AUROC {x.Auroc:F3}"))}");
            }
        if (Setting.Curves is { } folder)
            AnomalyCurves.Save(folder, rows.Select(x => (x.Method, x.Class, x.Scores, x.Labels)).ToList(), Cases.Select(c => (c.Class, c.Name)).ToList());
        return rows;
    }

    /// <summary>The AUROC table: a row per normal class, a column per method, the mean over classes and the mean fit seconds.</summary>
    public IEnumerable<string> Table(IReadOnlyList<Row> rows)
    {
        var methods = rows.Select(x => x.Method).Distinct().ToList();
        int w = Math.Max(12, methods.Max(m => m.Length) + 2);
        string Cell(object v) => string.Format(CultureInfo.InvariantCulture, "{0," + w + "}", v);
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        yield return "AUROC (normal class → the rest)";
        yield return $"{"class",-14}" + string.Concat(methods.Select(m => Cell(m)));
        foreach (var c in Cases)
            yield return $"{c.Name,-14}" + string.Concat(methods.Select(m => Cell(F(rows.First(x => x.Method == m && x.Class == c.Class).Auroc, "F3"))));
        if (Cases.Count > 1)
            yield return $"{"mean",-14}" + string.Concat(methods.Select(m => Cell(F(rows.Where(x => x.Method == m).Average(x => x.Auroc), "F3"))));
        yield return $"{"fit s (mean)",-14}" + string.Concat(methods.Select(m => Cell(F(rows.Where(x => x.Method == m).Average(x => x.FitSeconds), "F2"))));
    }

    /// <summary>The results as JSON: the settings and a row per (method, class).</summary>
    public JsonObject Json(IReadOnlyList<Row> rows) => new()
    {
        ["dataset"] = Dataset, ["split"] = Split, ["code"] = Setting.Code, ["hidden"] = new JsonArray(Setting.Hidden.Select(x => (JsonNode)x).ToArray()),
        ["epochs"] = Setting.Epochs, ["seed"] = Setting.Seed, ["erasure"] = Setting.Erasure,
        ["geoShift"] = Setting.Geo.Shift, ["geoEpochs"] = Setting.Geo.Epochs,
        ["rows"] = new JsonArray(rows.Select(x => (JsonNode)new JsonObject
        {
            ["method"] = x.Method, ["class"] = x.Class, ["auroc"] = x.Auroc, ["fitSeconds"] = Math.Round(x.FitSeconds, 3),
            ["fitScoreSeconds"] = Math.Round(x.FitScoreSeconds, 3),
        }).ToArray()),
    };

    private static List<Case> FashionCases(int[]? classes, bool validation)
    {
        var (train, test) = FashionMnist.Load();
        if (validation)
        {
            test = train.Subset(Enumerable.Range(FashionValidationStart, train.Count - FashionValidationStart).ToArray(), train.Name + " validation");
            train = train.Take(FashionValidationStart);
        }
        var trainLabels = train.RequireLabels();
        var picked = classes ?? Enumerable.Range(0, 10).ToArray();
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
                var model = PcaModel.Fit(c.Train.Images, new PcaOptions { Components = s.Code, Seed = s.Seed, Threads = s.Threads });
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
                // conv: the plain objective on the convolutional networks (default channels; the hidden widths do not apply).
                if (a.Conv is { } conv) conv.ImageShape = [1, c.Train.Height, c.Train.Width];
                if (!s.Images) { a.Loss = LossKind.SquaredError; a.BatchSize = TableBatchSize; if (o.Vae is { } vv) vv.BatchSize = TableBatchSize; }
                var rows = new List<Row>();
                // An ensemble over kinds is combined from its members' fitted scorers and test scores, so each member is fitted once.
                bool kinds = s.Scorers.Any(OverKinds);
                var scorers = s.Scorers.Where(n => !OverKinds(n)).ToList();
                foreach (var ensemble in s.Scorers.Where(OverKinds))
                    scorers.AddRange(EnsembleMembers(ensemble, s).Names.Where(n => !scorers.Contains(n)));
                var fitted = new Dictionary<string, Member>();
                // Deep SVDD, restoration and ensembles train networks of their own, through the trainer's options.
                foreach (var name in scorers.Where(OwnNetwork))
                {
                    var own = Stopwatch.StartNew();
                    var so = AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKinds.Parse(method));
                    (so.Seed, so.Autoencoder, so.Vae) = (o.Seed, o.Autoencoder, o.Vae);
                    if (name is Ensemble or EnsembleAndInput)
                        (so.Score, so.EnsembleSize, so.InputNeighbours) = (Scorers[s.EnsembleOf], AnomalyDefaults.EnsembleSize, name == EnsembleAndInput);
                    else (so.Score, so.Vae, so.ImageHeight, so.ImageWidth) = (Scorers[name], null, c.Train.Height, c.Train.Width);
                    if (name == "restoration") so.ErasureSize = s.Erasure;
                    if (name == "geo") so.Transformation = s.Geo.Clone();
                    var detector = ml.AnomalyDetection.Trainers.Autoencoder(so).Fit(train);
                    double ownFit = own.Elapsed.TotalSeconds;
                    var ownScores = detector.Transform(test).GetColumn<float>("Score").ToArray();
                    fitted[name] = new Member(detector.Scorer!, own.Elapsed.TotalSeconds, false, ownScores);
                    rows.Add(WithAuroc(ml, $"{method}/{name}", c, ownFit, own, ownScores, labels));
                }
                double sharedFit = 0;
                if (scorers.Any(n => !OwnNetwork(n)))
                {
                    sw.Restart();
                    // One network for every other scorer: the code-space scores are fitted on its codes, as the trainer does with Options.Score.
                    var model = ml.AnomalyDetection.Trainers.Autoencoder(o).Fit(train);
                    var network = model.Model!; // a detector of one network's own scores always has it
                    double fit = sharedFit = sw.Elapsed.TotalSeconds;
                    if (s.Curves is not null && s.Images) SaveHeatMap(s.Curves, c, method, model);
                    foreach (var name in scorers.Where(n => !OwnNetwork(n)))
                    {
                        var one = Stopwatch.StartNew();
                        float[] scores;
                        IAnomalyScorer? scorer = null;
                        var score = Scorers[name];
                        if (score == AnomalyScore.ReconstructionError)
                        {
                            // The trainer's own column: the reconstruction error, or the VAE's −ELBO when the method is the VAE.
                            scores = model.Transform(test).GetColumn<float>("Score").ToArray();
                            if (kinds) scorer = ReconstructionScorer.Fit(network, c.Train.Images, o.Vae is not null);
                        }
                        else
                        {
                            bool knn = score is AnomalyScore.CodeNeighbours or AnomalyScore.ReconstructionAndCodeNeighbours;
                            bool combined = score is AnomalyScore.ReconstructionAndCodeNeighbours or AnomalyScore.ReconstructionAndCodeGaussian;
                            scorer = CodeAnomalyScorer.Fit(network, c.Train.Images, knn ? CodeDensity.NearestNeighbours : CodeDensity.Gaussian, combined, o.Neighbours, threads: s.Threads);
                            scores = scorer.Score(c.Test.Images);
                        }
                        if (scorer is not null) fitted[name] = new Member(scorer, one.Elapsed.TotalSeconds, true, scores);
                        var label = name == "reconstruction" ? method : $"{method}/{name}";
                        rows.Add(WithAuroc(ml, label, c, fit, null, scores, labels, fit + one.Elapsed.TotalSeconds));
                    }
                }
                // The input-space neighbours and their test scores, computed once for every ensemble that has them (each ensemble's time counts them).
                (KnnDistance Knn, float[] TestScores, double Seconds)? raw = null;
                foreach (var name in s.Scorers.Where(OverKinds))
                {
                    var (names, withRaw) = EnsembleMembers(name, s);
                    var members = names.Select(n => fitted[n]).ToList();
                    if (withRaw && raw is null)
                    {
                        var search = Stopwatch.StartNew();
                        var knn = new KnnDistance(c.Train.Images, AnomalyDefaults.Neighbours, s.Threads);
                        raw = (knn, knn.Score(c.Test.Images), search.Elapsed.TotalSeconds);
                    }
                    var extra = Stopwatch.StartNew();
                    var ensemble = EnsembleScorer.Create(members.Select(m => m.Scorer).ToList(), withRaw ? raw!.Value.Knn : null);
                    // The ensemble's score from the members' test scores already computed (what ensemble.Score computes anew).
                    var scores = ensemble.Combine(members.Select(m => (IReadOnlyList<float>)m.TestScores).ToList(), withRaw ? raw!.Value.TestScores : null);
                    // Fit + score: every member's own time, the shared network's fit once, the input neighbours' search, and the ensemble's own work.
                    double seconds = members.Sum(m => m.Seconds) + (members.Any(m => m.Shared) ? sharedFit : 0) + (withRaw ? raw!.Value.Seconds : 0) + extra.Elapsed.TotalSeconds;
                    rows.Add(WithAuroc(ml, $"{method}/{name}", c, seconds, null, scores, labels, seconds));
                }
                return rows;
            }
        }
    }

    /// <summary>A fitted member of an ensemble over kinds: its scorer, its own fit + score seconds (without the shared network's fit when <paramref name="Shared"/>), its test scores.</summary>
    private sealed record Member(IAnomalyScorer Scorer, double Seconds, bool Shared, float[] TestScores);

    /// <summary>The scored images that score highest and, under each, its pixels' contributions to the score (white = most).</summary>
    private static void SaveHeatMap(string folder, Case c, string method, AutoencoderAnomalyTransformer model)
    {
        var network = model.Model!; // the shared network's detector
        var errors = AutoencoderMetrics.RowErrors(c.Test.Images, network.Reconstruct(c.Test.Images));
        var top = Enumerable.Range(0, c.Test.Count).OrderByDescending(i => errors[i, 0]).Take(HeatMapImages).ToArray();
        var images = c.Test.Images.SelectRows(top);
        var contributions = FeatureContributions.Of(network, images);
        var grid = ImageGrid.Pairs(images, contributions, c.Test.Width, c.Test.Height, new ImageGridOptions { Columns = HeatMapImages, Scale = 3, NormalizeEach = true });
        Directory.CreateDirectory(folder);
        new GridFigure
        {
            Title = $"Why these images score high ({method}, normal class {c.Name})",
            Subtitle = "top: the 10 highest-scoring images; bottom: each pixel's share of its reconstruction error (white = most)",
            RowLabels = ["image", "contribution"],
        }.Save(Path.Combine(folder, $"class-{c.Class.ToString(CultureInfo.InvariantCulture)}-{method}-heatmap.png"), grid);
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
}
