using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// The rows of one pretraining run: the unlabelled rows pretrained on, the pool the labelled rows are drawn from, and the
/// rows scored (the test rows, or held-out training rows).
/// </summary>
/// <param name="Unlabelled">The rows the autoencoders are pretrained on.</param>
/// <param name="LabelledX">The pool of labelled rows.</param>
/// <param name="LabelledY">Their labels.</param>
/// <param name="EvalX">The scored rows.</param>
/// <param name="EvalY">Their labels.</param>
/// <param name="EvalRows">The held-out training rows as typed (<c>--eval-rows</c>), or null when the test rows are scored.</param>
internal sealed record PretrainingData(Matrix Unlabelled, Matrix LabelledX, int[] LabelledY, Matrix EvalX, int[] EvalY, string? EvalRows)
{
    /// <summary>
    /// Picks the rows: <paramref name="evaluation"/> (training row indices) are scored instead of <paramref name="test"/>
    /// and left out of the labelled pool (<paramref name="labelPool"/>, default every training row); the autoencoders are
    /// pretrained on <paramref name="unlabelledPool"/> (default every training row).
    /// </summary>
    public static PretrainingData Select(ImageDataset train, ImageDataset? test, int[]? labelPool, int[]? evaluation, string? evalText, int[]? unlabelledPool)
    {
        var trainLabels = train.RequireLabels();
        var pool = (labelPool ?? Enumerable.Range(0, train.Count).ToArray()).Except(evaluation ?? []).ToArray();
        var evalX = evaluation is null ? test!.Images : train.Images.SelectRows(evaluation);
        var evalY = evaluation is null ? test!.RequireLabels() : evaluation.Select(i => trainLabels[i]).ToArray();
        var unlabelled = unlabelledPool is null ? train.Images : train.Images.SelectRows(unlabelledPool);
        return new PretrainingData(unlabelled, train.Images.SelectRows(pool), pool.Select(i => trainLabels[i]).ToArray(), evalX, evalY, evaluation is null ? null : evalText);
    }

    /// <summary>What the rows are, for the run's first line.</summary>
    public string Describe(string dataset, int dimension, PretrainingExperimentOptions options)
    {
        string scoredOn = EvalRows is null ? $"{EvalX.Rows} test images" : $"training images {EvalRows} (held out)";
        return $"{dataset}: pretraining on {Unlabelled.Rows} unlabelled images, N = {string.Join(", ", options.LabelCounts)} labelled drawn from {LabelledX.Rows}, scored on {scoredOn}; " +
               $"encoder {dimension}→{string.Join("→", options.HiddenSizes)}→{options.CodeSize}; modes scratch, {string.Join(", ", options.Modes.Select(PretrainingExperiment.Name))}; {options.Seeds} seed(s)";
    }
}

/// <summary>The pretraining experiment's table, JSON and learning curves.</summary>
internal static class PretrainingReport
{
    /// <summary>One line per N and (kind, mode): mean ± std in %, and the gain over scratch.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<PretrainingSummary> summary)
    {
        yield return $"{"N",6}  {"kind",-10} {"mode",-9} {"accuracy %",15}  {"vs scratch",10}";
        foreach (var row in summary)
        {
            var scratch = summary.FirstOrDefault(s => s.Labels == row.Labels && s.Mode == "scratch");
            string gain = scratch is null || row.Mode == "scratch" ? "" : (100 * (row.Accuracy - scratch.Accuracy)).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
            yield return FormattableString.Invariant($"{row.Labels,6}  {row.Kind,-10} {row.Mode,-9} {100 * row.Accuracy,8:F2} ± {100 * row.AccuracyStd,4:F2}  {gain,10}");
        }
    }

    /// <summary>The results as JSON: the rows used, every run and the summary per (N, kind, mode).</summary>
    public static JsonObject Json(string dataset, PretrainingExperimentOptions options, PretrainingData data, double seconds,
        IReadOnlyList<PretrainingRun> runs, IReadOnlyList<PretrainingSummary> summary) => new()
    {
        ["dataset"] = dataset,
        ["seeds"] = options.Seeds,
        ["scoredOn"] = data.EvalRows is null ? "test" : $"train:{data.EvalRows}",
        ["labelledPool"] = data.LabelledX.Rows,
        ["unlabelled"] = data.Unlabelled.Rows,
        ["trainer"] = "MulticlassClassification.Trainers.EncoderClassifier",
        ["seconds"] = Math.Round(seconds, 1),
        ["runs"] = new JsonArray(runs.Select(x => (JsonNode)new JsonObject
        {
            ["labels"] = x.Labels, ["kind"] = x.Kind, ["mode"] = x.Mode, ["seed"] = x.Seed,
            ["accuracy"] = x.Accuracy, ["epochs"] = x.Epochs, ["seconds"] = Math.Round(x.Seconds, 2),
        }).ToArray()),
        ["rows"] = new JsonArray(summary.Select(x => (JsonNode)new JsonObject
        {
            ["labels"] = x.Labels, ["kind"] = x.Kind, ["mode"] = x.Mode, ["accuracy"] = x.Accuracy, ["accuracyStd"] = x.AccuracyStd,
        }).ToArray()),
    };

    /// <summary>Draws the learning curves of a saved result (the JSON of a run: "dataset", "seeds", "runs") into <paramref name="chartPath"/>; returns the number of runs.</summary>
    public static int Redraw(string saved, string chartPath)
    {
        JsonNode json;
        try { json = JsonNode.Parse(File.ReadAllText(saved)) ?? throw new InvalidDataException($"{saved} is empty."); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{saved} is not JSON: {e.Message}"); }
        var runs = (json["runs"] as JsonArray ?? throw new InvalidDataException($"{saved} has no \"runs\" array (write it with mlae pretrain --json-out)."))
            .Select(x => new PretrainingRun((int)x!["labels"]!, (string)x["kind"]!, (string)x["mode"]!, (int)x["seed"]!, (double)x["accuracy"]!, (int)x["epochs"]!, (double)x["seconds"]!))
            .ToList();
        string dataset = BuiltInDatasets.DisplayName((string?)json["dataset"] ?? saved);
        LearningCurves(PretrainingExperiment.Summarize(runs), $"{dataset}: test accuracy against labelled examples ({(int?)json["seeds"] ?? 1} seeds)").Save(chartPath);
        return runs.Count;
    }

    /// <summary>Learning curves: mean test accuracy (%) ± one standard deviation over seeds against N (log axis), one line per (kind, mode).</summary>
    public static Chart LearningCurves(IReadOnlyList<PretrainingSummary> summary, string title)
    {
        var chart = new Chart { Title = title, XLabel = "labelled training images N (log scale)", YLabel = "test accuracy (%), mean ± 1 sd over seeds", LogX = true, YMaximum = 100 };
        foreach (var g in summary.GroupBy(r => (r.Kind, r.Mode)))
        {
            var pts = g.OrderBy(r => r.Labels).ToList();
            string name = g.Key.Mode == "scratch" ? "scratch (random init)" : $"{g.Key.Kind} {g.Key.Mode}";
            chart.Add(name, pts.Select(p => (double)p.Labels).ToList(), pts.Select(p => 100 * p.Accuracy).ToList(), pts.Select(p => 100 * p.AccuracyStd).ToList());
        }
        return chart;
    }
}
