using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae pretrain</c>: unsupervised pretraining, then supervised training with few labels (the experiments project's
/// <see cref="PretrainingExperiment"/>, each classifier trained by ML.NET's <c>MulticlassClassification.Trainers.EncoderClassifier</c>).
/// Accuracy on the test images (or on held-out training images, <c>--eval-rows</c>) is reported as mean ± sample std over the seeds.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var o = new PretrainOptions();
        var cmd = new Command("pretrain", "Pretrain encoders without labels, then fine-tune with few labels; compare with training from scratch.");
        o.AddTo(cmd);
        cmd.SetAction(r =>
        {
            try
            {
                if (r.GetValue(o.Redraw) is { } saved)
                {
                    var chartPath = r.GetValue(o.Chart) ?? throw new ArgumentException("--redraw needs --chart (where to write the picture).");
                    int count = PretrainingReport.Redraw(saved, chartPath);
                    ConsoleUi.Err.MarkupLine($"learning curves of {count} runs written to {Markup.Escape(chartPath)}");
                    return 0;
                }
                return Run(o, r);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or TrainingDivergedException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static int Run(PretrainOptions o, ParseResult r)
    {
        var loaded = o.Common.Load(r);
        var options = o.Build(r, loaded.Train.Height, loaded.Train.Width);
        var train = loaded.Train;
        var evaluation = ParseRange(r.GetValue(o.EvalRows), "--eval-rows", train.Count);
        var labelPool = ParseRange(r.GetValue(o.LabelRows), "--label-rows", train.Count);
        var unlabelledPool = ParseRange(r.GetValue(o.UnlabelledRows), "--unlabelled-rows", train.Count);
        // What pretrain reports is accuracy on held-out rows: with --test-fraction 0 they must come from --eval-rows.
        var test = evaluation is not null ? null : loaded.Test ?? throw new ArgumentException(
            $"{loaded.Name} has no held-out rows (--test-fraction 0), and `mlae pretrain` reports accuracy on held-out rows only: give --eval-rows (training rows to score, e.g. 150-199) or --test-fraction above 0.");
        var data = PretrainingData.Select(train, test, labelPool, evaluation, r.GetValue(o.EvalRows), unlabelledPool);
        ConsoleUi.Err.MarkupLine(Markup.Escape(data.Describe(loaded.Name, train.Dimension, options)));

        var sw = Stopwatch.StartNew();
        var fitter = new MLNetClassifierFitter(data.Unlabelled);
        var runs = ConsoleUi.WithProgress("pretrain", 1, advance =>
        {
            int last = 0;
            return PretrainingExperiment.Run(data.Unlabelled, data.LabelledX, data.LabelledY, data.EvalX, data.EvalY, options, fitter.Fit,
                r.GetValue(o.NoLogReg) ? null : MLNetClassifierFitter.LogisticRegression,
                new SyncProgress<PretrainingProgress>(p =>
                {
                    advance((p.Done - last) / (double)p.Total, p.Message);
                    last = p.Done;
                    if (p.Message.Contains("accuracy", StringComparison.Ordinal)) ConsoleUi.Err.MarkupLine(Markup.Escape(p.Message));
                }));
        });
        double seconds = sw.Elapsed.TotalSeconds;
        var summary = PretrainingExperiment.Summarize(runs);
        foreach (var line in PretrainingReport.Table(summary)) Console.WriteLine(line);
        if (r.GetValue(o.Chart) is { } chart)
        {
            PretrainingReport.LearningCurves(summary, $"{loaded.Name}: test accuracy against labelled examples ({options.Seeds} seeds)").Save(chart);
            ConsoleUi.Err.MarkupLine($"learning curves written to {Markup.Escape(chart)}");
        }
        if (o.Common.WantsJson(r)) o.Common.WriteJson(r, PretrainingReport.Json(loaded.Name, options, data, seconds, runs, summary));
        return 0;
    }

    /// <summary>"A-B" (inclusive) as the row indices A … B, checked against the <paramref name="count"/> training rows; null text gives null.</summary>
    private static int[]? ParseRange(string? text, string option, int count)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int a) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int b) || a < 0 || b < a)
            throw new ArgumentException($"{option} expects a row range such as 50000-59999; got '{text}'.");
        if (b >= count) throw new ArgumentException($"{option}: row {b} is outside the {count} training rows.");
        return Enumerable.Range(a, b - a + 1).ToArray();
    }
}
