// CsvFile: your CSV file, of any width, with a label column or none.
//   With --label: min-max scaling → an autoencoder's code → ML.NET's maximum-entropy classifier; accuracy on held-out rows.
//   Without:      min-max scaling → the autoencoder anomaly detector; the most unusual rows.
// Either way the model is saved as an ML.NET zip, loaded back, and a PredictionEngine scores rows one at a time, as an
// application would score new rows.
//
// Run:   dotnet run -c Release --project examples/CsvFile -- make-sample faces.csv      (writes a sample file)
//        dotnet run -c Release --project examples/CsvFile -- faces.csv --label kind --ignore name
// Options: --label COLUMN, --ignore A,B (columns to leave out, e.g. names or ids) or --features A,B (the feature
// columns; default: all but the label and the ignored ones), --code K (default 8),
// --epochs E (default 30), --out DIR (default csv-file-out), --score NEW.csv (new rows to score: the same feature
// columns by name; default: the first rows of the file).
// The file is checked by the library's CSV reader first (RFC 4180 quoting; every row as wide as the header; numbers in
// every feature column), so a bad file is an error that names its line and column.

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;

try
{
    if (args.Length >= 1 && args[0] == "make-sample")
    {
        SampleCsv.Write(args.Length >= 2 ? args[1] : "faces.csv");
        return 0;
    }
    return Run(Settings.Parse(args));
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Run(Settings o)
{
    CsvData csv = CsvReader.Read(o.File, new CsvOptions { LabelColumn = o.Label, Ignore = o.Ignore, Features = o.Features });
    int width = csv.Features.Cols;
    string[] labels = csv.Labels is null ? [] : [.. csv.Labels.Select(l => csv.ClassNames?[l] ?? l.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    Console.WriteLine($"{o.File}: {csv.Features.Rows} rows, {width} feature columns ({Shorten(csv.FeatureNames)})"
        + (o.Label is null ? ", no label." : $", label '{csv.LabelName}' with {labels.Distinct().Count()} classes."));

    var rows = ToRows(csv, labels);
    var schema = SchemaDefinition.Create(typeof(Row));
    schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);   // the file's width, known only now

    var mlContext = new MLContext(seed: 0);
    IDataView data = mlContext.Data.LoadFromEnumerable(rows, schema);
    var scale = mlContext.Transforms.NormalizeMinMax("Features", fixZero: false);
    ITransformer model;
    if (o.Label is not null)
    {
        var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.25, seed: 0);
        model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(scale)
            .Append(mlContext.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: o.Code, hiddenSizes: [64], epochs: o.Epochs))
            .Append(mlContext.Transforms.NormalizeMeanVariance("Code", fixZero: false))
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Code"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(split.TrainSet);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        Console.WriteLine($"Held-out rows: accuracy {metrics.MicroAccuracy:P1}, log-loss {metrics.LogLoss:F3}.");
    }
    else
    {
        model = scale.Append(mlContext.AnomalyDetection.Trainers.Autoencoder("Features", codeSize: o.Code, hiddenSizes: [64], epochs: o.Epochs)).Fit(data);
        float[] scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Console.WriteLine("Most unusual rows (highest reconstruction error; row 1 is the first data row):");
        foreach (int i in Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(5))
            Console.WriteLine($"  row {i + 1}: score {scores[i]:F4}");
    }

    Directory.CreateDirectory(o.Out);
    string zip = Path.Combine(o.Out, "csv-model.zip");
    mlContext.Model.Save(model, data.Schema, zip);
    ITransformer loaded = mlContext.Model.Load(zip, out _);
    // New rows: another file with the same feature columns (by name; other columns, such as a label, are not read),
    // else the first rows of this one. The prediction engine scores one row at a time, as an application would.
    var fresh = o.Score is null ? rows.Take(3).ToList()
        : ToRows(CsvReader.Read(o.Score, new CsvOptions { Features = csv.FeatureNames }), []);
    Console.WriteLine($"Saved to {zip}; scoring {fresh.Count} {(o.Score is null ? "rows of the file" : $"new rows of {o.Score}")} one at a time with the loaded model:");
    if (o.Label is not null)
    {
        using var engine = mlContext.Model.CreatePredictionEngine<Row, ClassPrediction>(loaded, inputSchemaDefinition: schema);
        foreach (var row in fresh)
            Console.WriteLine($"  predicted {engine.Predict(row).PredictedLabel}" + (row.Label == "" ? "" : $" (true {row.Label})"));
    }
    else
    {
        using var engine = mlContext.Model.CreatePredictionEngine<Row, AnomalyPrediction>(loaded, inputSchemaDefinition: schema);
        foreach (var row in fresh)
        {
            var p = engine.Predict(row);
            Console.WriteLine($"  score {p.Score:F4}, {(p.PredictedLabel ? "anomaly" : "normal")}");
        }
    }
    return 0;
}

static List<Row> ToRows(CsvData csv, string[] labels) =>
    [.. Enumerable.Range(0, csv.Features.Rows).Select(i => new Row { Features = csv.Features.Row(i).ToArray(), Label = labels.Length > 0 ? labels[i] : "" })];

static string Shorten(IReadOnlyList<string> names) => names.Count <= 6 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(3))}, …, {names[^1]}";

/// <summary>The command line, checked.</summary>
internal sealed record Settings(string File, string? Label, string[]? Ignore, string[]? Features, int Code, int Epochs, string Out, string? Score)
{
    public static Settings Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException("give the CSV file first: CsvFile <file.csv> [--label COLUMN] [--ignore A,B | --features A,B] [--code K] [--epochs E] [--out DIR] [--score NEW.csv], or CsvFile make-sample <file.csv>.");
        string? label = null; string[]? ignore = null, features = null; int code = 8, epochs = 30; string output = "csv-file-out"; string? score = null;
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() { var v = Value(); return int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]}: '{v}' is not a whole number above 0."); }
            switch (args[i])
            {
                case "--label": label = Value(); break;
                case "--ignore": ignore = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--features": features = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--code": code = Number(); break;
                case "--epochs": epochs = Number(); break;
                case "--out": output = Value(); break;
                case "--score": score = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }
        return new Settings(args[0], label, ignore, features, code, epochs, output, score);
    }
}

/// <summary>One row: the feature columns as one vector (its width set at run time), and the label as text ("" without one).</summary>
public sealed class Row
{
    /// <summary>The feature columns in file order.</summary>
    [VectorType] public float[] Features { get; set; } = [];

    /// <summary>The label's text.</summary>
    public string Label { get; set; } = "";
}

/// <summary>The classifier's answer.</summary>
public sealed class ClassPrediction
{
    /// <summary>The predicted class, as the label column wrote it.</summary>
    public string PredictedLabel { get; set; } = "";
}

/// <summary>The anomaly detector's answer.</summary>
public sealed class AnomalyPrediction
{
    /// <summary>The reconstruction error: higher is more unusual.</summary>
    public float Score { get; set; }

    /// <summary>True above the detector's threshold.</summary>
    public bool PredictedLabel { get; set; }
}

/// <summary>Writes a sample CSV from the face / non-face images the set-up installs: a quoted name, a text label, 625 pixel columns.</summary>
internal static class SampleCsv
{
    public static void Write(string path)
    {
        var npy = Environment.GetEnvironmentVariable("MLAE_FACES") ?? "/usr/local/share/mlnetautoencoders/lfw_subset.npy";
        if (!File.Exists(npy)) throw new FileNotFoundException($"{npy} is missing; run `bash scripts/setup.sh`, which installs it.", npy);
        var faces = Npy.ReadMatrix(npy);   // 200 × 625 grey pixels in [0, 1]; the first 100 are faces
        var text = new System.Text.StringBuilder("name,kind," + string.Join(",", Enumerable.Range(0, faces.Cols).Select(j => $"p{j}")) + "\n");
        for (int i = 0; i < faces.Rows; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\"image {i}, set {i / 50}\",{(i < 100 ? "face" : "other")},")
                .AppendJoin(',', faces.Row(i).ToArray().Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(path, text.ToString());
        Console.WriteLine($"{faces.Rows} rows written to {path} (columns: name, kind, p0 … p{faces.Cols - 1}).");
    }
}
