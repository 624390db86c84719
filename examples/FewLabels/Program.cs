// FewLabels: the encoder classifier with its defaults against ML.NET's logistic regression, with few labels.
//
// A new user's path: an autoencoder fitted on unlabelled Fashion-MNIST images (EncodeWithAutoencoder(codeSize: 32),
// its defaults otherwise), then MulticlassClassification.Trainers.EncoderClassifier(encoder) with its defaults on N
// labelled images (N/10 a class), against LbfgsMaximumEntropy (ML.NET's defaults) on the raw pixels of the same N
// images. Prints one line per fit and a table (accuracy %, mean ± sd over the seeds); docs/semi-supervised.md has the
// measured table and the protocol.
//
// Run:   dotnet run -c Release --project examples/FewLabels [-- key=value …]
//   labels=100,600      numbers N of labelled images (drawn from training images 0–39 999)
//   seeds=3             seeds 0, 1, …: the MLContext's seed and the label draw
//   unlabelled=20000    unlabelled images: training images 0 … unlabelled−1
//   eval=test           test (the 10 000 test images) or selection (training images 40 000–49 999)
//   aeEpochs=20         the autoencoder's epochs (its default; smaller for a quick try)
//   candidate=defaults  the classifier's settings, comma-separated: defaults, or the alternatives measured when the
//                       defaults were chosen (previous: the earlier defaults; dropout; all-labels; all-labels-mask)
//   json=FILE           also write the rows as JSON
// Data:  /usr/share/datasets/fashion-mnist (or the directory in $MLAE_FASHION_MNIST).

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Trainers;

var a = args.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
string Arg(string key, string fallback) => a.TryGetValue(key, out var v) ? v : fallback;
int Int(string key, string fallback) => int.TryParse(Arg(key, fallback), out int v) && v > 0 ? v
    : throw new FormatException($"error: {key} must be a positive whole number, not '{Arg(key, fallback)}'.");
int[] labelCounts;
int seeds, unlabelledCount, aeEpochs;
try
{
    labelCounts = [.. Arg("labels", "100,600").Split(',').Select(n => int.TryParse(n, out int v) && v >= 10 ? v : throw new FormatException($"error: labels must be numbers ≥ 10, not '{n}'."))];
    seeds = Int("seeds", "3");
    unlabelledCount = Int("unlabelled", "20000");
    aeEpochs = Int("aeEpochs", "20");
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
string eval = Arg("eval", "test");
string[] candidates = Arg("candidate", "defaults").Split(',');
string[] known = ["defaults", "previous", "dropout", "all-labels", "all-labels-mask"];
if (eval is not ("test" or "selection") || candidates.Any(c => !known.Contains(c)))
{
    Console.Error.WriteLine($"error: eval must be test or selection (got '{eval}'), candidate one or more of {string.Join(", ", known)} (got '{string.Join(",", candidates)}').");
    return 1;
}

var (train, test) = FashionMnist.Load();
int[] labelPool = [.. Enumerable.Range(0, 40_000)];
int[] evalRows = eval == "test" ? [.. Enumerable.Range(0, test.Count)] : [.. Enumerable.Range(40_000, 10_000)];
var evalData = eval == "test" ? test : train;
var rows = new List<Row>();
Console.WriteLine($"{unlabelledCount} unlabelled images, eval on {eval} ({evalRows.Length} images), classifier: {string.Join(", ", candidates)}");
for (int seed = 0; seed < seeds; seed++)
{
    var ml = new MLContext(seed: seed);
    var unlabelled = ImageDataViews.Load(ml, train, multiclass: true, [.. Enumerable.Range(0, unlabelledCount)]);
    var evalView = ImageDataViews.Load(ml, evalData, multiclass: true, evalRows);
    var clock = Stopwatch.StartNew();
    var encoder = ml.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 32, epochs: aeEpochs).Fit(unlabelled);
    Console.WriteLine($"seed {seed}: autoencoder fitted in {clock.Elapsed.TotalSeconds:F0} s");
    foreach (int n in labelCounts)
    {
        var draw = PretrainingExperiment.BalancedSample(labelPool.Select(r => train.Labels![r]).ToArray(), n, (ulong)(1000 * seed + n));
        var labelled = ImageDataViews.Load(ml, train, multiclass: true, [.. draw.Select(i => labelPool[i])]);
        foreach (var candidate in candidates)
        {
            var options = new EncoderClassifierEstimator.Options { Encoder = encoder, Classifier = Candidate(candidate)() };
            var ours = Score(ml, ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(candidate == "defaults" ? ml.MulticlassClassification.Trainers.EncoderClassifier(encoder) : ml.MulticlassClassification.Trainers.EncoderClassifier(options)), labelled, evalView);
            rows.Add(new Row(n, seed, Mode(candidate), ours.Accuracy, ours.Seconds));
            Console.WriteLine($"seed {seed}, N = {n}: {Mode(candidate)} {ours.Accuracy:F2} % ({ours.Seconds:F0} s)");
        }
        var logreg = Score(ml, ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()), labelled, evalView);
        rows.Add(new Row(n, seed, "logreg", logreg.Accuracy, logreg.Seconds));
        Console.WriteLine($"seed {seed}, N = {n}: logreg {logreg.Accuracy:F2} % ({logreg.Seconds:F0} s)");
    }
}

Console.WriteLine();
string[] modes = [.. candidates.Select(Mode), "logreg"];
Console.WriteLine($"| N | {string.Join(" | ", modes)} |");
Console.WriteLine($"|---:|{string.Concat(modes.Select(_ => "---:|"))}");
foreach (int n in labelCounts)
    Console.WriteLine($"| {n} | {string.Join(" | ", modes.Select(m => Summary(rows.Where(r => r.Labels == n && r.Mode == m))))} |");
if (a.TryGetValue("json", out var json))
    File.WriteAllText(json, JsonSerializer.Serialize(new { eval, candidates, unlabelled = unlabelledCount, aeEpochs, rows }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
return 0;

static (double Accuracy, double Seconds) Score(MLContext ml, IEstimator<ITransformer> pipeline, IDataView labelled, IDataView evalView)
{
    var clock = Stopwatch.StartNew();
    var model = pipeline.Fit(labelled);
    double seconds = clock.Elapsed.TotalSeconds;
    return (100 * ml.MulticlassClassification.Evaluate(model.Transform(evalView)).MicroAccuracy, seconds);
}

static string Summary(IEnumerable<Row> rows)
{
    double[] v = [.. rows.Select(r => r.Accuracy)];
    double mean = v.Average();
    double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
    return string.Create(CultureInfo.InvariantCulture, $"{mean:F2} ± {sd:F2}");
}

// A row's method: encoder-classifier for the trainer's defaults, otherwise the candidate's name.
static string Mode(string candidate) => candidate == "defaults" ? "encoder-classifier" : candidate;

// The settings measured when the defaults were chosen (docs/semi-supervised.md, seventh round); "defaults" is the trainer's own.
static Func<EncoderClassifierOptions> Candidate(string name) => name switch
{
    "defaults" => EncoderClassifierEstimator.Options.DefaultClassifier,
    "previous" => () => new EncoderClassifierOptions { DropoutRate = 0, Epochs = 100, ValidationFraction = 0.2, EarlyStoppingPatience = 10 },
    "dropout" => () => new EncoderClassifierOptions { DropoutRate = 0.5f, Epochs = 500, ValidationFraction = 0.2, EarlyStoppingPatience = 30 },
    "all-labels" => () => new EncoderClassifierOptions { DropoutRate = 0.5f, Epochs = 100, ValidationFraction = 0, EarlyStoppingPatience = 0 },
    "all-labels-mask" => () => new EncoderClassifierOptions
    {
        DropoutRate = 0.5f, Epochs = 100, ValidationFraction = 0, EarlyStoppingPatience = 0,
        InputCorruption = MLNetAutoencoders.Autoencoders.CorruptionKind.Masking, InputCorruptionLevel = 0.2f,
    },
    _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown candidate."),
};

/// <summary>One fit: N, seed, method, accuracy % on the evaluation images, seconds of the fit.</summary>
internal sealed record Row(int Labels, int Seed, string Mode, double Accuracy, double Seconds);
