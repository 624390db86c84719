using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae pretrain</c>: unsupervised pretraining, then supervised training with few labels
/// (<see cref="PretrainingExperiment"/>). For each seed every kind is pretrained on the unlabelled training images; for
/// each N a class-balanced labelled sample is drawn and the same encoder network is trained from scratch and in each
/// chosen mode (probe, fine-tune, discriminative, joint) by ML.NET's <c>MulticlassClassification.Trainers.EncoderClassifier</c>;
/// accuracy on the test images (or on held-out training images, <c>--eval-rows</c>) is reported as mean ± sample std over the seeds.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var d = new PretrainingExperimentOptions();
        var c = d.Classifier;
        string Join<T>(IEnumerable<T> v) => string.Join(",", v);
        var labels = new Option<string>("--labels") { Description = "numbers N of labelled training images", DefaultValueFactory = _ => Join(d.LabelCounts) };
        var kinds = new Option<string>("--kinds") { Description = "autoencoder kinds: ae, denoising, vae, stacked", DefaultValueFactory = _ => Join(d.Kinds.Select(PretrainingExperiment.Name)) };
        var seeds = new Option<int>("--seeds") { Description = "repetitions (seeds --seed, --seed+1, …)", DefaultValueFactory = _ => d.Seeds };
        var hidden = new Option<string>("--hidden") { Description = "encoder hidden widths (every kind and the scratch baseline)", DefaultValueFactory = _ => Join(d.HiddenSizes) };
        var code = new Option<int>("--code") { Description = "code width", DefaultValueFactory = _ => d.CodeSize };
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "pretraining epochs (per layer for stacked)", DefaultValueFactory = _ => d.PretrainEpochs };
        var pretrainBatch = new Option<int>("--pretrain-batch") { DefaultValueFactory = _ => d.PretrainBatchSize };
        var pretrainLr = new Option<float>("--pretrain-lr") { DefaultValueFactory = _ => d.PretrainLearningRate };
        var corruption = new Option<string>("--corruption") { Description = "corruption of the denoising kind: mask:ν, gaussian:η, salt-pepper:ν", DefaultValueFactory = _ => Corruptions.Format(d.DenoisingCorruption, d.DenoisingLevel) };
        var stackedDenoising = new Option<bool>("--stacked-denoising") { Description = "train the stacked kind's layers as denoising autoencoders (true/false)", DefaultValueFactory = _ => d.StackedDenoising };
        var stackedFineTune = new Option<int>("--stacked-finetune-epochs") { Description = "end-to-end epochs after the stacked autoencoder's greedy phase", DefaultValueFactory = _ => d.StackedFineTuneEpochs };
        var epochs = new Option<int>("--epochs") { Description = "classifier epochs (maximum; early stopping)", DefaultValueFactory = _ => c.Epochs };
        var batch = new Option<int>("--batch") { Description = "classifier batch size", DefaultValueFactory = _ => c.BatchSize };
        var lr = new Option<float>("--lr") { Description = "classifier learning rate (Adam), the same for scratch, probe and head", DefaultValueFactory = _ => c.LearningRate };
        var modes = new Option<string>("--modes") { Description = "how each pretrained kind is used: probe, finetune, discriminative, joint, joint-scratch (a scratch row is always fitted)", DefaultValueFactory = _ => Join(d.Modes.Select(PretrainingExperiment.Name)) };
        var jointWeight = new Option<float>("--joint-weight") { Description = "joint modes: weight of the unlabelled rows' reconstruction loss (per image) against the labelled cross-entropy", DefaultValueFactory = _ => c.ReconstructionWeight };
        var unlabelledBatch = new Option<int>("--unlabelled-batch") { Description = "joint modes: unlabelled rows reconstructed per labelled minibatch", DefaultValueFactory = _ => c.UnlabelledBatchSize };
        var vatEpsilon = new Option<float>("--vat-epsilon") { Description = "vat modes: length of the virtual adversarial perturbation (L2 over the pixels)", DefaultValueFactory = _ => c.VatEpsilon };
        var vatWeight = new Option<float>("--vat-weight") { Description = "vat modes: weight of the virtual adversarial KL penalty", DefaultValueFactory = _ => c.VatWeight };
        var baseline = new Option<bool>("--no-logreg") { Description = "leave out the baseline row: ML.NET's LbfgsMaximumEntropy on the raw pixels of the same labelled rows" };
        var labelRows = new Option<string?>("--label-rows") { Description = "draw the labelled rows from these training rows only, e.g. 0-39999 (default: all)" };
        var evalRows = new Option<string?>("--eval-rows") { Description = "score on these training rows, e.g. 50000-59999, instead of the test set (they stay out of the labelled draws)" };
        var unlabelledRows = new Option<string?>("--unlabelled-rows") { Description = "pretrain and reconstruct on these training rows only, e.g. 0-59999 (default: all)" };
        var encoderLr = new Option<float>("--encoder-lr-scale") { Description = "encoder learning rate / head learning rate (discriminative)", DefaultValueFactory = _ => c.EncoderLearningRateScale };
        var warmup = new Option<int>("--warmup-epochs") { Description = "probe-then-fine-tune: head-only epochs before the encoder is released", DefaultValueFactory = _ => c.HeadWarmupEpochs };
        var dropout = new Option<float>("--dropout") { Description = "dropout after hidden layers while training classifiers (not inside a probed encoder)", DefaultValueFactory = _ => c.DropoutRate };
        var l2 = new Option<float>("--l2") { Description = "L2 penalty on trained weights", DefaultValueFactory = _ => c.L2 };
        var anchor = new Option<float>("--anchor-l2") { Description = "L2-SP: pull fine-tuned encoder weights towards the pretrained ones", DefaultValueFactory = _ => c.EncoderAnchorL2 };
        var augment = new Option<string>("--augment") { Description = "input corruption while training classifiers (all rows), e.g. mask:0.2", DefaultValueFactory = _ => Corruptions.Format(c.InputCorruption, c.InputCorruptionLevel) };
        var validation = new Option<double>("--validation-fraction") { Description = "share of the N labelled rows held out for early stopping", DefaultValueFactory = _ => c.ValidationFraction };
        var patience = new Option<int>("--patience") { Description = "early-stopping patience (epochs)", DefaultValueFactory = _ => c.EarlyStoppingPatience };
        var head = new Option<string?>("--head") { Description = "hidden widths of the head (default: none, a softmax layer)" };
        var noStandardize = new Option<bool>("--no-standardize") { Description = "feed raw codes to the head (no fixed standardisation)" };
        var cache = new Option<string?>("--cache") { Description = "directory to save and reuse pretrained autoencoders" };
        var chart = new Option<string?>("--chart") { Description = "write the learning curves (accuracy against N, ± 1 sd over seeds) as a PNG here" };
        var redraw = new Option<string?>("--redraw") { Description = "with --chart: draw the learning curves from a saved result (--json/--json-out) instead of running" };

        var cmd = new Command("pretrain", "Pretrain encoders without labels, then fine-tune with few labels; compare with training from scratch.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { labels, kinds, seeds, hidden, code, pretrainEpochs, pretrainBatch, pretrainLr, corruption, stackedDenoising, stackedFineTune,
                     epochs, batch, lr, modes, jointWeight, unlabelledBatch, vatEpsilon, vatWeight, baseline, labelRows, evalRows, unlabelledRows, encoderLr, warmup, dropout, l2, anchor, augment, validation, patience, head, noStandardize, cache, chart, redraw })
            cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                if (r.GetValue(redraw) is { } saved) return Redraw(saved, r.GetValue(chart));
                var (dKind, dLevel) = Corruptions.Parse(r.GetValue(corruption)!);
                var (aKind, aLevel) = Corruptions.Parse(r.GetValue(augment)!);
                var options = new PretrainingExperimentOptions
                {
                    LabelCounts = CommonOptions.ParseSizes(r.GetValue(labels), "--labels"),
                    Kinds = r.GetValue(kinds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PretrainingExperiment.ParseKind).Distinct().ToArray(),
                    Seeds = r.GetValue(seeds),
                    BaseSeed = r.GetValue(common.Seed),
                    HiddenSizes = CommonOptions.ParseSizes(r.GetValue(hidden), "--hidden"),
                    CodeSize = r.GetValue(code),
                    PretrainEpochs = r.GetValue(pretrainEpochs),
                    PretrainBatchSize = r.GetValue(pretrainBatch),
                    PretrainLearningRate = r.GetValue(pretrainLr),
                    DenoisingCorruption = dKind,
                    DenoisingLevel = dLevel,
                    StackedDenoising = r.GetValue(stackedDenoising),
                    StackedFineTuneEpochs = r.GetValue(stackedFineTune),
                    Modes = r.GetValue(modes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(PretrainingExperiment.ParseMode).Distinct().ToArray(),
                    CacheDirectory = r.GetValue(cache),
                    Threads = r.GetValue(common.Threads),
                    Gemm = common.GemmKind(r),
                    Classifier = new EncoderClassifierOptions
                    {
                        Epochs = r.GetValue(epochs),
                        BatchSize = r.GetValue(batch),
                        LearningRate = r.GetValue(lr),
                        EncoderLearningRateScale = r.GetValue(encoderLr),
                        ReconstructionWeight = r.GetValue(jointWeight),
                        UnlabelledBatchSize = r.GetValue(unlabelledBatch),
                        VatEpsilon = r.GetValue(vatEpsilon),
                        VatWeight = r.GetValue(vatWeight),
                        HeadWarmupEpochs = r.GetValue(warmup),
                        DropoutRate = r.GetValue(dropout),
                        L2 = r.GetValue(l2),
                        EncoderAnchorL2 = r.GetValue(anchor),
                        InputCorruption = aKind,
                        InputCorruptionLevel = aLevel,
                        ValidationFraction = r.GetValue(validation),
                        EarlyStoppingPatience = r.GetValue(patience),
                        HeadHiddenSizes = CommonOptions.ParseSizes(r.GetValue(head), "--head"),
                        StandardizeCodes = !r.GetValue(noStandardize),
                    },
                };
                options.Validate();
                if (options.Kinds.Length == 0) throw new ArgumentException("--kinds needs at least one kind: the ML.NET trainer takes its encoder architecture from a pretrained autoencoder.");
                var data = common.Load(r);
                var train = data.Train;
                var trainLabels = train.RequireLabels();
                var evaluation = ParseRange(r.GetValue(evalRows), "--eval-rows", train.Count);
                var labelPool = (ParseRange(r.GetValue(labelRows), "--label-rows", train.Count) ?? Enumerable.Range(0, train.Count).ToArray())
                    .Except(evaluation ?? []).ToArray();
                var unlabelledPool = ParseRange(r.GetValue(unlabelledRows), "--unlabelled-rows", train.Count);
                var evalX = evaluation is null ? CommonOptions.RequireTest(data, "pretrain").Images : train.Images.SelectRows(evaluation);
                var evalY = evaluation is null ? CommonOptions.RequireTest(data, "pretrain").RequireLabels() : evaluation.Select(i => trainLabels[i]).ToArray();
                var unlabelled = unlabelledPool is null ? train.Images : train.Images.SelectRows(unlabelledPool);
                var labelledX = train.Images.SelectRows(labelPool);
                var labelledY = labelPool.Select(i => trainLabels[i]).ToArray();
                string scoredOn = evaluation is null ? $"{evalX.Rows} test images" : $"training images {r.GetValue(evalRows)} (held out)";
                ConsoleUi.Err.MarkupLine(Markup.Escape(
                    $"{data.Name}: pretraining on {unlabelled.Rows} unlabelled images, N = {string.Join(", ", options.LabelCounts)} labelled drawn from {labelPool.Length}, scored on {scoredOn}; " +
                    $"encoder {train.Dimension}→{string.Join("→", options.HiddenSizes)}→{options.CodeSize}; modes scratch, {string.Join(", ", options.Modes.Select(PretrainingExperiment.Name))}; {options.Seeds} seed(s)"));

                var sw = Stopwatch.StartNew();
                var trainer = new MLNetClassifierFitter(unlabelled);
                var runs = ConsoleUi.WithProgress("pretrain", 1, advance =>
                {
                    int last = 0;
                    return PretrainingExperiment.Run(unlabelled, labelledX, labelledY, evalX, evalY, options, trainer.Fit, r.GetValue(baseline) ? null : MLNetClassifierFitter.LogisticRegression,
                        new SyncProgress<PretrainingProgress>(p =>
                        {
                            advance((p.Done - last) / (double)p.Total, p.Message);
                            last = p.Done;
                            if (p.Message.Contains("accuracy", StringComparison.Ordinal)) ConsoleUi.Err.MarkupLine(Markup.Escape(p.Message));
                        }));
                });
                double seconds = sw.Elapsed.TotalSeconds;
                var summary = PretrainingExperiment.Summarize(runs);
                PrintTable(summary);

                var chartPath = r.GetValue(chart);
                if (chartPath != null)
                {
                    LearningCurves(summary, $"{data.Name}: test accuracy against labelled examples ({options.Seeds} seeds)").Save(chartPath);
                    ConsoleUi.Err.MarkupLine($"learning curves written to {Markup.Escape(chartPath)}");
                }
                if (common.WantsJson(r))
                {
                    common.WriteJson(r, new JsonObject
                    {
                        ["dataset"] = data.Name,
                        ["seeds"] = options.Seeds,
                        ["scoredOn"] = evaluation is null ? "test" : $"train:{r.GetValue(evalRows)}",
                        ["labelledPool"] = labelPool.Length,
                        ["unlabelled"] = unlabelled.Rows,
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
                    });
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

    /// <summary>Draws the learning curves of a saved result (the JSON of a run: "dataset", "seeds", "runs").</summary>
    private static int Redraw(string saved, string? chartPath)
    {
        if (chartPath is null) throw new ArgumentException("--redraw needs --chart (where to write the picture).");
        JsonNode json;
        try { json = JsonNode.Parse(File.ReadAllText(saved)) ?? throw new InvalidDataException($"{saved} is empty."); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{saved} is not JSON: {e.Message}"); }
        var runs = (json["runs"] as JsonArray ?? throw new InvalidDataException($"{saved} has no \"runs\" array (write it with mlae pretrain --json-out)."))
            .Select(x => new PretrainingRun((int)x!["labels"]!, (string)x["kind"]!, (string)x["mode"]!, (ulong)x["seed"]!, (double)x["accuracy"]!, (int)x["epochs"]!, (double)x["seconds"]!))
            .ToList();
        string dataset = BuiltInDatasets.DisplayName((string?)json["dataset"] ?? saved);
        LearningCurves(PretrainingExperiment.Summarize(runs), $"{dataset}: test accuracy against labelled examples ({(int?)json["seeds"] ?? 1} seeds)").Save(chartPath);
        ConsoleUi.Err.MarkupLine($"learning curves of {runs.Count} runs written to {Markup.Escape(chartPath)}");
        return 0;
    }

    /// <summary>Learning curves: mean test accuracy (%) ± one standard deviation over seeds against N (log axis), one line per (kind, mode).</summary>
    internal static Chart LearningCurves(IReadOnlyList<PretrainingSummary> summary, string title)
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

    /// <summary>One line per N and (kind, mode): mean ± std in %, and the gain over scratch.</summary>
    private static void PrintTable(IReadOnlyList<PretrainingSummary> summary)
    {
        Console.WriteLine($"{"N",6}  {"kind",-10} {"mode",-9} {"accuracy %",15}  {"vs scratch",10}");
        foreach (var row in summary)
        {
            var scratch = summary.FirstOrDefault(s => s.Labels == row.Labels && s.Mode == "scratch");
            string gain = scratch is null || row.Mode == "scratch" ? "" : (100 * (row.Accuracy - scratch.Accuracy)).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);
            Console.WriteLine(FormattableString.Invariant($"{row.Labels,6}  {row.Kind,-10} {row.Mode,-9} {100 * row.Accuracy,8:F2} ± {100 * row.AccuracyStd,4:F2}  {gain,10}"));
        }
    }

    /// <summary>
    /// Trains each classifier of the experiment through ML.NET: the labelled rows as a view with a key label, the
    /// pretrained autoencoder as an encoder stage, the unlabelled rows as a view for the joint modes, and
    /// <c>MulticlassClassification.Trainers.EncoderClassifier</c>; returns the fitted stage's model.
    /// </summary>
    private sealed class MLNetClassifierFitter(Matrix unlabelled)
    {
        private IDataView? _unlabelled;

        public EncoderClassifier Fit(PretrainingFitRequest request, CancellationToken cancellationToken)
        {
            var ml = new MLContext(seed: 0);
            var labelled = ImageDataViews.Load(ml, new ImageDataset(request.X, request.Labels, request.X.Cols, 1, "labelled"), multiclass: true);
            bool semi = request.Options.Mode is EncoderTrainingMode.Joint or EncoderTrainingMode.VirtualAdversarial;
            if (semi) _unlabelled ??= ImageDataViews.Load(ml, new ImageDataset(unlabelled, null, unlabelled.Cols, 1, "unlabelled"));
            var trainer = ml.MulticlassClassification.Trainers.EncoderClassifier(new EncoderClassifierEstimator.Options
            {
                Encoder = AutoencoderTransformer.FromModel(request.Autoencoder ?? throw new ArgumentException("The ML.NET trainer needs a pretrained autoencoder.")),
                UnlabelledData = semi ? _unlabelled : null,
                Classifier = request.Options,
                Seed = (int)(request.Options.Seed & int.MaxValue),
                CancellationToken = cancellationToken,
            });
            var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Append(trainer).Fit(labelled);
            return model.LastTransformer.Model;
        }

        /// <summary>ML.NET's <c>LbfgsMaximumEntropy</c> with its defaults on the raw features of the labelled rows; returns a predictor of class indices.</summary>
        public static Func<Matrix, int[]> LogisticRegression(Matrix x, int[] labels, int classes)
        {
            var ml = new MLContext(seed: 0);
            var labelled = ImageDataViews.Load(ml, new ImageDataset(x, labels, x.Cols, 1, "labelled"), multiclass: true);
            var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features")).Fit(labelled);
            var keys = Enumerable.Range(0, classes).Where(c => labels.Contains(c)).ToArray();
            return test =>
            {
                var scored = model.Transform(ImageDataViews.Load(ml, new ImageDataset(test, new int[test.Rows], test.Cols, 1, "test"), multiclass: true));
                return Microsoft.ML.Data.ColumnCursorExtensions.GetColumn<uint>(scored, "PredictedLabel").Select(k => keys[(int)k - 1]).ToArray();
            };
        }
    }
}
