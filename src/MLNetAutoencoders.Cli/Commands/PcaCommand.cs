using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pca;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae pca</c>: the project's PCA (<c>ProjectToExactPrincipalComponents</c>, exact and randomised) and ML.NET's
/// (<c>ProjectToPrincipalComponents</c>) side by side, each fitted as an ML.NET stage on the training images: fit
/// seconds (the featurizer's <c>Fit</c> only, best of <c>--repeats</c>), explained-variance ratio per component and
/// the per-pixel test reconstruction MSE. ML.NET's PCA exposes no eigenvalues, so both are measured the same way from
/// their codes: with orthonormal components and centred data, the variance of code j over the training rows is the
/// variance captured by component j, and the test MSE is (mean ‖x − x̄‖² − mean ‖z‖²) / d with x̄ the training mean.
/// The top-level fields describe the project's PCA with <c>--solver</c>/<c>--whiten</c> (its own eigenvalues and
/// <see cref="PcaModel.ReconstructionMse"/>); with <c>--out</c> that stage is saved as an ML.NET model zip
/// (<c>mlContext.Model.Save</c>; it loads back with <c>mlContext.Model.Load</c> as an ONNX stage).
/// </summary>
internal static class PcaCommand
{
    private const string Code = "Code";

    public static Command Create()
    {
        var common = new CommonOptions();
        var components = new Option<int>("--components") { Description = "number of principal components", DefaultValueFactory = _ => PcaDefaults.Components };
        var solver = new Option<string>("--solver") { Description = "the project's PCA whose model is reported at the top level and saved: auto, exact or randomized", DefaultValueFactory = _ => PcaSolver.Auto.ToString().ToLowerInvariant() };
        var whiten = new Option<bool>("--whiten") { Description = "scale codes to unit variance (the saved stage; the comparison rows are never whitened)" };
        var repeats = new Option<int>("--repeats") { Description = "fits per implementation; the fastest counts", DefaultValueFactory = _ => ExperimentDefaults.PcaRepeats };
        var output = new Option<string?>("--out") { Description = "save the fitted stage as an ML.NET model zip (Features → Code), loadable with mlContext.Model.Load" };
        var onnx = new Option<string?>("--onnx") { Description = "also export the fitted PCA as an ONNX model (float32 [N, D] → [N, components])" };

        var cmd = new Command("pca", "Fit the project's PCA and ML.NET's on a dataset's training images; compare fit time, explained variance and test reconstruction MSE.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { components, solver, whiten, repeats, output, onnx }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try { return Run(r, common, components, solver, whiten, repeats, output, onnx); }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static int Run(ParseResult r, CommonOptions common, Option<int> components, Option<string> solver, Option<bool> whiten, Option<int> repeats,
        Option<string?> output, Option<string?> onnx)
    {
        int seed = r.GetValue(common.Seed);
        int threads = r.GetValue(common.Threads);
        if (threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {threads}.");
        int reps = r.GetValue(repeats);
        if (reps < 1) throw new ArgumentException($"--repeats must be ≥ 1; got {reps}.");
        int k = r.GetValue(components);
        ExactPcaEstimator.Options Stage(PcaSolver s, bool w) => new()
        {
            InputColumnName = ImageDataViews.FeaturesColumn, OutputColumnName = Code,
            Pca = new PcaOptions { Components = k, Solver = s, Whiten = w, Threads = threads }, Seed = seed,
        };
        var gemm = Gemm.Create(common.GemmKind(r), threads);
        var data = common.Load(r);
        // --test-fraction 0 (as in every command): fit on every row; the test measurements are then left out.
        var heldOut = data.Test;
        var ml = new MLContext(seed: seed);
        var train = ImageDataViews.Load(ml, new ImageDataset(data.Train.Images, null, data.Train.Width, data.Train.Height, data.Train.Name)); // Features only
        var test = heldOut is null ? null : ImageDataViews.Load(ml, new ImageDataset(heldOut.Images, null, heldOut.Width, heldOut.Height, heldOut.Name));
        if (k < 1 || k > Math.Min(data.Train.Count, data.Train.Dimension))
            throw new ArgumentException($"--components must be between 1 and min(training rows, pixels) = {Math.Min(data.Train.Count, data.Train.Dimension)}; got {k}.");

        bool whitened = r.GetValue(whiten);
        var (mainSeconds, main) = TimeFit("pca", () => ml.Transforms.ProjectToExactPrincipalComponents(Stage(ParseSolver(r.GetValue(solver)!), whitened)), train, reps);
        var model = main.Model;

        // The comparison: the project's exact and randomised PCA and ML.NET's, none whitened; the main fit is reused when it is one of them.
        var fits = new List<(string Impl, string Stage, string Solver, double Seconds, ITransformer Transformer)>();
        foreach (var s in new[] { PcaSolver.Exact, PcaSolver.Randomized })
        {
            var (sec, t) = !whitened && model.Solver == s ? (mainSeconds, main)
                : TimeFit($"pca {s.ToString().ToLowerInvariant()}", () => ml.Transforms.ProjectToExactPrincipalComponents(Stage(s, false)), train, reps);
            fits.Add(("pca", "ProjectToExactPrincipalComponents", s.ToString().ToLowerInvariant(), sec, t));
        }
        var (mlSeconds, mlnet) = TimeFit("mlnet-pca", () => ml.Transforms.ProjectToPrincipalComponents(Code, ImageDataViews.FeaturesColumn, rank: k, seed: seed), train, reps);
        fits.Add(("mlnet-pca", "ProjectToPrincipalComponents", "randomized", mlSeconds, mlnet));

        var pixels = PixelStats.Of(data.Train.Images, heldOut?.Images);
        var rows = fits.Select(f => CodeFigures.Of(f.Impl, f.Stage, f.Solver, f.Seconds, ReadCodes(f.Transformer.Transform(train), k),
            test is null ? null : ReadCodes(f.Transformer.Transform(test), k), pixels)).ToList();

        // The identity against the reconstruction itself: the exact row's MSE from codes vs PcaModel.Reconstruct.
        var exact = ((PcaTransformer)fits[0].Transformer).Model;
        double? reconstructMse = heldOut is null ? null : MeanSquaredError(heldOut.Images, exact.Reconstruct(heldOut.Images, gemm));

        double trainMse = model.ReconstructionMse(data.Train.Images, gemm);
        double? testMse = heldOut is null ? null : model.ReconstructionMse(heldOut.Images, gemm);
        var path = r.GetValue(output);
        if (path != null) ml.Model.Save(main, train.Schema, path);
        var onnxPath = r.GetValue(onnx);
        if (onnxPath != null) OnnxModelFile.Save(OnnxExport.Pca(model), onnxPath);

        var json = Json(data, model, rows, trainMse, testMse, reconstructMse, mainSeconds, reps, threads, seed, path, onnxPath);
        double total = model.ExplainedVarianceRatio.Sum();
        ConsoleUi.Err.MarkupLine(Markup.Escape($"PCA {model.ComponentCount} components ({model.Solver}{(whitened ? ", whitened" : "")}) on " +
            $"{data.Train.Count}×{model.InputDimension}: {total:P2} of the variance, " + (heldOut is null ? $"training MSE {trainMse:F5} (no held-out rows), {mainSeconds:F2}s"
            : $"test MSE {testMse:F5}, {mainSeconds:F2}s; exact PCA test MSE from codes {rows[0].TestMse:F6} vs PcaModel.Reconstruct {reconstructMse:F6}")));
        PrintTable(rows, data.Train.Count, model.InputDimension, threads, reps);
        if (common.WantsJson(r)) common.WriteJson(r, json);
        return 0;
    }

    /// <summary>The run as JSON: the main fit's measurements, then a row per implementation.</summary>
    private static JsonObject Json(LoadedDataset data, PcaModel model, List<CodeFigures> rows, double trainMse, double? testMse, double? reconstructMse,
        double mainSeconds, int reps, int threads, int seed, string? path, string? onnxPath)
    {
        var heldOut = data.Test;
        double total = model.ExplainedVarianceRatio.Sum();
        var json = new JsonObject
        {
            ["dataset"] = data.Name,
            ["components"] = model.ComponentCount,
            ["solver"] = model.Solver.ToString().ToLowerInvariant(),
            ["trainRows"] = data.Train.Count,
            ["testRows"] = heldOut?.Count ?? 0,
            ["dimension"] = model.InputDimension,
            ["explainedVarianceRatio"] = Numbers(model.ExplainedVarianceRatio),
            ["explainedVarianceTotal"] = total,
            ["trainMse"] = trainMse,
            ["seconds"] = Math.Round(mainSeconds, 4),
            ["repeats"] = reps,
            ["threads"] = threads,
            ["seed"] = seed,
            ["rows"] = new JsonArray(rows.Select(x => (JsonNode)new JsonObject
            {
                ["impl"] = x.Impl,
                ["stage"] = x.Stage,
                ["solver"] = x.Solver,
                ["fitSeconds"] = Math.Round(x.FitSeconds, 4),
                ["explainedVarianceRatio"] = Numbers(x.Ratio),
                ["explainedVarianceRatioTotal"] = x.Ratio.Sum(),
            }).ToArray()),
        };
        if (heldOut != null)
        {
            json["testMse"] = testMse;
            for (int i = 0; i < rows.Count; i++) json["rows"]![i]!["testMse"] = rows[i].TestMse;
            json["reconstructCheck"] = new JsonObject
            {
                ["impl"] = "pca", ["solver"] = "exact", ["testMseFromCodes"] = rows[0].TestMse, ["testMseReconstruct"] = reconstructMse,
            };
        }
        if (path != null) json["model"] = path;
        if (onnxPath != null) json["onnx"] = onnxPath;
        return json;
    }

    /// <summary>
    /// Fits a fresh estimator <paramref name="repeats"/> times on <paramref name="train"/>; the fastest Fit and the last model.
    /// No progress display (its refresh thread would share the cores being timed): one line on stderr per fit.
    /// </summary>
    private static (double Seconds, T Transformer) TimeFit<T>(string name, Func<IEstimator<T>> make, IDataView train, int repeats)
        where T : class, ITransformer
    {
        double best = double.PositiveInfinity;
        T? last = null;
        for (int i = 0; i < repeats; i++)
        {
            var estimator = make();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var sw = Stopwatch.StartNew();
            last = estimator.Fit(train);
            double seconds = sw.Elapsed.TotalSeconds;
            best = Math.Min(best, seconds);
            Console.Error.WriteLine($"{name}: fit {i + 1}/{repeats} {seconds:F3}s");
        }
        return (best, last!);
    }

    /// <summary>The code column of every row, in double.</summary>
    private static double[][] ReadCodes(IDataView view, int k)
    {
        var col = view.Schema[Code];
        var rows = new List<double[]>();
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        var buffer = default(VBuffer<float>);
        var dense = new float[k];
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            if (buffer.Length != k) throw new InvalidOperationException($"The code column has {buffer.Length} values; expected {k}.");
            buffer.CopyTo(dense);
            rows.Add(Array.ConvertAll(dense, v => (double)v));
        }
        return rows.ToArray();
    }

    private static double MeanSquaredError(Matrix x, Matrix y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) { double e = (double)x.Data[i] - y.Data[i]; sum += e * e; }
        return sum / x.Length;
    }

    private static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    /// <summary>The training mean, the total variance of the training pixels (Σ_j var_j, N − 1) and the mean ‖x − x̄‖² of the test rows.</summary>
    private sealed record PixelStats(int Dimension, double TotalVariance, double TestSquaredDistance)
    {
        public static PixelStats Of(Matrix train, Matrix? test)
        {
            int n = train.Rows, d = train.Cols;
            var mean = new double[d];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) mean[j] += train[i, j];
            for (int j = 0; j < d; j++) mean[j] /= n;
            double scatter = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) { double c = train[i, j] - mean[j]; scatter += c * c; }
            double testSq = 0;
            for (int i = 0; i < (test?.Rows ?? 0); i++)
                for (int j = 0; j < d; j++) { double c = test![i, j] - mean[j]; testSq += c * c; }
            return new PixelStats(d, scatter / (n - 1), test is null ? double.NaN : testSq / test.Rows);
        }
    }

    /// <summary>One implementation's figures from its codes (see the class summary).</summary>
    private sealed record CodeFigures(string Impl, string Stage, string Solver, double FitSeconds, double[] Ratio, double? TestMse)
    {
        public static CodeFigures Of(string impl, string stage, string solver, double seconds, double[][] trainCodes, double[][]? testCodes, PixelStats pixels)
        {
            int k = trainCodes[0].Length, n = trainCodes.Length;
            var ratio = new double[k];
            for (int j = 0; j < k; j++)
            {
                double mean = 0;
                foreach (var z in trainCodes) mean += z[j];
                mean /= n;
                double ss = 0;
                foreach (var z in trainCodes) { double c = z[j] - mean; ss += c * c; }
                ratio[j] = ss / (n - 1) / pixels.TotalVariance;
            }
            if (testCodes is null) return new CodeFigures(impl, stage, solver, seconds, ratio, null);
            double codeSq = 0;
            foreach (var z in testCodes)
                foreach (var v in z) codeSq += v * v;
            double mse = (pixels.TestSquaredDistance - codeSq / testCodes.Length) / pixels.Dimension;
            return new CodeFigures(impl, stage, solver, seconds, ratio, mse);
        }
    }

    private static void PrintTable(IReadOnlyList<CodeFigures> rows, int n, int d, int threads, int repeats)
    {
        Console.WriteLine($"PCA on {n}×{d} training images; fit = the stage's Fit on the training view, best of {repeats}; {threads} thread(s) for the project's PCA");
        Console.WriteLine($"{"impl",-10} {"stage",-34} {"solver",-10} {"fit s",8} {"EVR total",10} {"test MSE",10}");
        foreach (var x in rows)
            Console.WriteLine($"{x.Impl,-10} {x.Stage,-34} {x.Solver,-10} {x.FitSeconds,8:F3} {x.Ratio.Sum(),10:F5} {(x.TestMse is double t ? t.ToString("F6") : "—"),10}");
        Console.WriteLine();
        Console.WriteLine("explained-variance ratio per component (variance of each code over the training rows / total pixel variance)");
        Console.WriteLine("component" + string.Concat(rows.Select(x => $"{x.Impl + "-" + x.Solver,22}")));
        for (int j = 0; j < rows[0].Ratio.Length; j++)
            Console.WriteLine($"{j + 1,9}" + string.Concat(rows.Select(x => $"{x.Ratio[j],22:F6}")));
        Console.WriteLine($"{"total",9}" + string.Concat(rows.Select(x => $"{x.Ratio.Sum(),22:F6}")));
    }

    private static PcaSolver ParseSolver(string text) => text.ToLowerInvariant() switch
    {
        "auto" => PcaSolver.Auto,
        "exact" or "full" => PcaSolver.Exact,
        "randomized" or "randomised" => PcaSolver.Randomized,
        _ => throw new ArgumentException($"--solver: unknown '{text}'; expected auto, exact or randomized."),
    };
}
