using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Comparisons;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae compare</c>: the eigenface experiment as ML.NET pipelines (the experiments project's <see cref="Comparison"/>).
/// For every method and code size, inside each fold, <c>NormalizeMinMax</c> → the featurizer (the project's exact PCA,
/// ML.NET's PCA, or an autoencoder) is fitted on the fold's training images only, its codes are standardised and
/// classified by ML.NET's L-BFGS logistic regression; accuracy is averaged over the project's stratified folds. With
/// <c>--folds 1</c> the dataset's test set (or a seeded split) is the one held-out fold.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var codes = new Option<string>("--codes") { Description = "code sizes, e.g. 1,2,3,5,10,20", DefaultValueFactory = _ => string.Join(",", Comparison.DefaultCodes) };
        var methods = new Option<string>("--methods") { Description = $"comma-separated: {string.Join(", ", Comparison.Methods)}", DefaultValueFactory = _ => string.Join(",", Comparison.DefaultMethods) };
        var folds = new Option<int>("--folds") { Description = "stratified folds (≥ 2), or 1 = the test set is the held-out fold", DefaultValueFactory = _ => Comparison.DefaultFolds };
        var outDir = new Option<string>("--out-dir") { Description = "where the PNG/SVG figures go", DefaultValueFactory = _ => ComparisonFigures.DefaultDirectory };
        var noFigures = new Option<bool>("--no-figures") { Description = "skip the eigenface, mean and reconstruction images" };
        var hidden = new Option<string?>("--hidden") { Description = $"autoencoder hidden widths (default: {FeaturizerSettings.SmallHidden} for < {FeaturizerSettings.SmallData} training rows, else the library's default)" };
        var epochs = new Option<int?>("--epochs") { Description = $"autoencoder epochs (default: {FeaturizerSettings.SmallEpochs} for < {FeaturizerSettings.SmallData} training rows, else {AutoencoderDefaults.Epochs})" };
        var batch = new Option<int?>("--batch") { Description = $"autoencoder batch size (default: {FeaturizerSettings.SmallBatch} for < {FeaturizerSettings.SmallData} training rows, else {AutoencoderDefaults.BatchSize}, VAE {AutoencoderDefaults.VaeBatchSize})" };
        var lr = new Option<float?>("--lr") { Description = FormattableString.Invariant($"autoencoder learning rate (default: {AutoencoderDefaults.LearningRate})") };
        var noise = new Option<float?>("--noise") { Description = $"denoising: std of the Gaussian input noise (default: the preset's {AutoencoderDefaults.DenoisingNoise})" };
        var maxIter = new Option<int?>("--max-iter") { Description = $"logistic regression L-BFGS iterations (default: scikit-learn's {FeaturizerSettings.MaxIterationsDefault})" };
        var l1 = new Option<float?>("--l1") { Description = "logistic regression L1 weight (default 0: scikit-learn's C=1 has none; ML.NET's default is 1)" };
        var redraw = new Option<string?>("--redraw") { Description = "draw the accuracy chart into --out-dir from a saved result (--json/--json-out) instead of running" };
        var l2 = new Option<float?>("--l2") { Description = "logistic regression L2 weight (default 1/training rows, scikit-learn's C=1; ML.NET's default is 1)" };
        var backend = Backends.CreateOption();

        var cmd = new Command("compare", "Compare PCA and autoencoder codes as features for logistic regression (eigenface experiment) with ML.NET pipelines.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { codes, methods, folds, outDir, noFigures, hidden, epochs, batch, lr, noise, maxIter, l1, l2, redraw, backend }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                if (r.GetValue(redraw) is { } saved)
                {
                    var (chart, count) = ComparisonReport.Redraw(saved, r.GetValue(outDir)!);
                    ConsoleUi.Err.MarkupLine($"accuracy chart of {count} rows written to {Markup.Escape(chart)}");
                    return 0;
                }
                var codeList = CommonOptions.ParseSizes(r.GetValue(codes), "--codes");
                if (codeList.Length == 0 || codeList.Any(c => c < 1)) throw new ArgumentException("--codes needs at least one code size ≥ 1.");
                var methodList = CommonOptions.ParseChoices(r.GetValue(methods)!, Comparison.Methods, "--methods");
                int nFolds = r.GetValue(folds);
                if (nFolds < 1) throw new ArgumentException($"--folds must be ≥ 1; got {nFolds}.");
                int threads = r.GetValue(common.Threads);
                if (threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {threads}.");
                if (r.GetValue(maxIter) is < 1) throw new ArgumentException($"--max-iter must be ≥ 1; got {r.GetValue(maxIter)}.");
                if (r.GetValue(l1) is < 0 or float.NaN || r.GetValue(l2) is < 0) throw new ArgumentException("--l1 and --l2 must be ≥ 0.");
                int seed = r.GetValue(common.Seed);

                var data = LoadData(common, r, nFolds);
                data.Train.RequireLabels();
                var s = FeaturizerSettings.For(data.Train.Count, r.GetValue(hidden) is string h ? CommonOptions.ParseSizes(h, "--hidden") : null, r.GetValue(epochs),
                    r.GetValue(batch), r.GetValue(lr), r.GetValue(noise), seed, common.GemmKind(r), r.GetValue(maxIter), r.GetValue(l1), r.GetValue(l2))
                    with { ImageShape = [1, data.Train.Height, data.Train.Width], Engine = Backends.Parse(r.GetValue(backend)!) };
                var comparison = new Comparison(data, methodList, codeList, nFolds, s, threads);
                ConsoleUi.Err.MarkupLine(Markup.Escape(ComparisonReport.Header(comparison)));

                var sw = Stopwatch.StartNew();
                var rows = ConsoleUi.WithProgress("compare", comparison.FitCount, advance => comparison.Run(advance));
                double seconds = sw.Elapsed.TotalSeconds;
                JsonObject? figures = r.GetValue(noFigures) ? null : ConsoleUi.WithProgress("figures", ComparisonFigures.Steps(methodList),
                    advance => ComparisonFigures.Write(data.Train, methodList, codeList, s, r.GetValue(outDir)!, rows, comparison.Trained, advance));
                foreach (var line in ComparisonReport.Table(rows, methodList, codeList)) Console.WriteLine(line);
                if (common.WantsJson(r)) common.WriteJson(r, ComparisonReport.Json(comparison, rows, seconds, figures));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or TrainingDivergedException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    /// <summary>The dataset: for one fold it must have a test part (the built-in one, or a seeded split of a file).</summary>
    private static LoadedDataset LoadData(CommonOptions common, ParseResult r, int folds)
    {
        if (folds == 1)
        {
            var loaded = common.Load(r);
            CommonOptions.RequireTest(loaded, "compare --folds 1");
            return loaded;
        }
        var data = common.LoadAll(r);
        if (r.GetValue(common.Scale))
            throw new ArgumentException("--scale is for --folds 1; with cross-validation a scaler would see the held-out folds (the pipeline min-max scales inside each fold anyway).");
        common.AnnounceClasses(r, data);
        return data;
    }
}
