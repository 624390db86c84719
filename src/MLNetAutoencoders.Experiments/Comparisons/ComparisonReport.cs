using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Comparisons;

/// <summary>The comparison's outputs as text: the run's header line, the accuracy table, the JSON, and a chart redrawn from a saved JSON.</summary>
internal static class ComparisonReport
{
    /// <summary>One line saying what is compared: the data, the folds, the autoencoders' training and the classifier.</summary>
    public static string Header(Comparison c)
    {
        var (data, s) = (c.Data, c.Settings);
        return $"{data.Name}: {data.Train.Count} training images of {data.Train.Width}×{data.Train.Height}" +
            (c.Folds == 1 ? $", {data.Test!.Count} test images" : $", {c.Folds}-fold stratified CV") +
            $"; autoencoders {string.Join("→", s.Hidden)}→code, {s.Epochs} epochs, batch {s.Batch}; " +
            (c.Multiclass ? $"{data.Train.ClassCount}-class LbfgsMaximumEntropy" : "LbfgsLogisticRegression") +
            $" (L1 {s.L1}, L2 {(s.L2 is float w ? w.ToString("G4") : "1/training rows")})";
    }

    /// <summary>The accuracy table: a line per code size, a column per method (mean ± sd over the folds).</summary>
    public static IEnumerable<string> Table(IReadOnlyList<Comparison.Row> rows, IReadOnlyList<string> methods, IReadOnlyList<int> codes)
    {
        yield return "code  " + string.Join("", methods.Select(m => $"{m,18}"));
        var raw = rows.FirstOrDefault(x => x.Method == "raw");
        foreach (var k in codes)
        {
            var line = $"{k,4}  ";
            foreach (var m in methods)
            {
                var row = m == "raw" ? raw : rows.FirstOrDefault(x => x.Method == m && x.Code == k);
                line += row is null ? $"{"",18}" : $"{(row.FoldAccuracies.Length == 1 ? $"{row.Mean:P1}" : $"{row.Mean:P1} ± {row.Std * 100:F1}"),18}";
            }
            yield return line;
        }
        if (raw != null) yield return $"raw = logistic regression on all {raw.Code} pixels (same in every row)";
        var timed = rows.Where(x => x.Method is "pca" or "mlnet-pca" && x.FitSeconds is not null).ToList();
        if (timed.Count > 0)
            yield return "PCA fit seconds (mean over folds): " + string.Join("  ", timed.Select(x => $"{x.Method}-{x.Code} {x.FitSeconds:F4}"));
    }

    /// <summary>The run as JSON: data, settings, every row with its fold accuracies, and the figures written.</summary>
    public static JsonObject Json(Comparison c, IReadOnlyList<Comparison.Row> rows, double seconds, JsonObject? figures)
    {
        var (data, s) = (c.Data, c.Settings);
        var json = new JsonObject
        {
            ["dataset"] = data.Name,
            ["classNames"] = data.ClassNames is { } cn ? new JsonArray(cn.Select(n => (JsonNode)n!).ToArray()) : null,
            ["folds"] = c.Folds,
            ["seed"] = s.Seed,
            ["trainRows"] = data.Train.Count,
            ["testRows"] = c.Folds == 1 ? data.Test!.Count : null,
            ["autoencoder"] = new JsonObject
            {
                ["hidden"] = new JsonArray(s.Hidden.Select(h => (JsonNode)h).ToArray()),
                ["epochs"] = s.Epochs, ["batch"] = s.Batch, ["vaeBatch"] = s.VaeBatch,
                ["learningRate"] = s.LearningRate, ["noise"] = s.Noise,
            },
            ["classifier"] = new JsonObject
            {
                ["trainer"] = c.Multiclass ? "LbfgsMaximumEntropy" : "LbfgsLogisticRegression",
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
                if (c.Trained.TryGetValue((x.Method, x.Code), out var trained))
                    o["testMse"] = AutoencoderModel.MeanSquaredError(data.Test!.Images, trained.Reconstruct(data.Test.Images));
                return (JsonNode)o;
            }).ToArray()),
            ["seconds"] = Math.Round(seconds, 2),
        };
        if (figures != null) json["figures"] = figures;
        return json;
    }

    /// <summary>Draws the accuracy chart of a saved result (the JSON of a run: "dataset", "rows" with each fold's accuracy) into <paramref name="dir"/>; returns the chart's path and the number of rows drawn.</summary>
    /// <exception cref="InvalidDataException">The file is not such a JSON (the message names it).</exception>
    public static (string Path, int Rows) Redraw(string saved, string dir)
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
        ComparisonFigures.AccuracyChart(BuiltInDatasets.DisplayName((string?)json["dataset"] ?? saved), methods, codeList, rows).Save(path);
        return (path, rows.Count);
    }
}
