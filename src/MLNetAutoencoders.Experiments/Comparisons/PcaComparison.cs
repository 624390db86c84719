using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Comparisons;

/// <summary>
/// The project's PCA (<c>ProjectToExactPrincipalComponents</c>, exact and randomised) and ML.NET's
/// (<c>ProjectToPrincipalComponents</c>) side by side, each fitted as an ML.NET stage on the training images: fit
/// seconds (the featurizer's <c>Fit</c> only, best of <see cref="Settings.Repeats"/>), explained-variance ratio per
/// component and the per-pixel test reconstruction MSE. ML.NET's PCA exposes no eigenvalues, so both are measured the
/// same way from their codes: with orthonormal components and centred data, the variance of code j over the training
/// rows is the variance captured by component j, and the test MSE is (mean ‖x − x̄‖² − mean ‖z‖²) / d with x̄ the
/// training mean. The main fit (<see cref="Settings.Solver"/>, <see cref="Settings.Whiten"/>) is described by its own
/// eigenvalues and <see cref="PcaModel.ReconstructionMse"/>; <see cref="SaveStage"/> writes it as an ML.NET model zip.
/// Without held-out rows (<c>--test-fraction 0</c>) the PCA is fitted on every row and the test measurements are left out.
/// </summary>
internal sealed class PcaComparison
{
    /// <summary>The code column the stages write.</summary>
    public const string CodeColumn = "Code";

    /// <param name="Components">Principal components.</param>
    /// <param name="Solver">The main fit's solver.</param>
    /// <param name="Whiten">Whether the main fit scales its codes to unit variance (the comparison rows never do).</param>
    /// <param name="Repeats">Fits per implementation; the fastest counts.</param>
    /// <param name="Threads">Threads of the project's PCA and of the GEMM used for the reconstruction measurements.</param>
    /// <param name="Gemm">The GEMM provider of the reconstruction measurements.</param>
    /// <param name="Seed">Seed of the randomised solvers and of the <see cref="MLContext"/>.</param>
    public sealed record Settings(int Components, PcaSolver Solver, bool Whiten, int Repeats, int Threads, GemmKind Gemm, int Seed);

    /// <summary>One implementation's figures from its codes (see the class summary).</summary>
    public sealed record Row(string Impl, string Stage, string Solver, double FitSeconds, double[] Ratio, double? TestMse);

    private readonly MLContext _ml;
    private readonly DataViewSchema _trainSchema;
    private readonly PcaTransformer _main;

    private PcaComparison(MLContext ml, DataViewSchema trainSchema, PcaTransformer main, LoadedDataset data, Settings settings)
    {
        (_ml, _trainSchema, _main, Data, Config) = (ml, trainSchema, main, data, settings);
    }

    /// <summary>The data compared on.</summary>
    public LoadedDataset Data { get; }

    /// <summary>The settings of the run.</summary>
    public Settings Config { get; }

    /// <summary>The main fit's model.</summary>
    public PcaModel Model => _main.Model;

    /// <summary>The main fit's time (best of the repeats).</summary>
    public double MainSeconds { get; private init; }

    /// <summary>A row per implementation: the project's exact and randomised PCA, then ML.NET's.</summary>
    public IReadOnlyList<Row> Rows { get; private init; } = [];

    /// <summary>The main fit's per-pixel reconstruction MSE on the training rows.</summary>
    public double TrainMse { get; private init; }

    /// <summary>The main fit's per-pixel reconstruction MSE on the test rows (null without them).</summary>
    public double? TestMse { get; private init; }

    /// <summary>The exact row's test MSE through <see cref="PcaModel.Reconstruct"/>, the check of the measurement from codes (null without test rows).</summary>
    public double? ReconstructMse { get; private init; }

    /// <summary>Fits every implementation and measures it; <paramref name="log"/> receives one line per fit.</summary>
    public static PcaComparison Run(LoadedDataset data, Settings s, Action<string> log)
    {
        if (s.Threads < 1) throw new ArgumentException($"--threads must be ≥ 1; got {s.Threads}.");
        if (s.Repeats < 1) throw new ArgumentException($"--repeats must be ≥ 1; got {s.Repeats}.");
        int k = s.Components;
        ExactPcaEstimator.Options Stage(PcaSolver solver, bool whiten) => new()
        {
            InputColumnName = ImageDataViews.FeaturesColumn, OutputColumnName = CodeColumn,
            Pca = new PcaOptions { Components = k, Solver = solver, Whiten = whiten, Threads = s.Threads }, Seed = s.Seed,
        };
        var gemm = MLNetAutoencoders.Numerics.Gemm.Create(s.Gemm, s.Threads);
        var heldOut = data.Test;
        var ml = new MLContext(seed: s.Seed);
        var train = ImageDataViews.Load(ml, new ImageDataset(data.Train.Images, null, data.Train.Width, data.Train.Height, data.Train.Name)); // Features only
        var test = heldOut is null ? null : ImageDataViews.Load(ml, new ImageDataset(heldOut.Images, null, heldOut.Width, heldOut.Height, heldOut.Name));
        if (k < 1 || k > Math.Min(data.Train.Count, data.Train.Dimension))
            throw new ArgumentException($"--components must be between 1 and min(training rows, pixels) = {Math.Min(data.Train.Count, data.Train.Dimension)}; got {k}.");

        var (mainSeconds, main) = TimeFit("pca", () => ml.Transforms.ProjectToExactPrincipalComponents(Stage(s.Solver, s.Whiten)), train, s.Repeats, log);
        var model = main.Model;

        // The comparison: the project's exact and randomised PCA and ML.NET's, none whitened; the main fit is reused when it is one of them.
        var fits = new List<(string Impl, string Stage, string Solver, double Seconds, ITransformer Transformer)>();
        foreach (var solver in new[] { PcaSolver.Exact, PcaSolver.Randomized })
        {
            var (sec, t) = !s.Whiten && model.Solver == solver ? (mainSeconds, main)
                : TimeFit($"pca {solver.ToString().ToLowerInvariant()}", () => ml.Transforms.ProjectToExactPrincipalComponents(Stage(solver, false)), train, s.Repeats, log);
            fits.Add(("pca", "ProjectToExactPrincipalComponents", solver.ToString().ToLowerInvariant(), sec, t));
        }
        var (mlSeconds, mlnet) = TimeFit("mlnet-pca", () => ml.Transforms.ProjectToPrincipalComponents(CodeColumn, ImageDataViews.FeaturesColumn, rank: k, seed: s.Seed), train, s.Repeats, log);
        fits.Add(("mlnet-pca", "ProjectToPrincipalComponents", "randomized", mlSeconds, mlnet));

        var pixels = PixelStats.Of(data.Train.Images, heldOut?.Images);
        var rows = fits.Select(f => Figures(f.Impl, f.Stage, f.Solver, f.Seconds, ReadCodes(f.Transformer.Transform(train), k),
            test is null ? null : ReadCodes(f.Transformer.Transform(test), k), pixels)).ToList();

        // The identity against the reconstruction itself: the exact row's MSE from codes vs PcaModel.Reconstruct.
        var exact = ((PcaTransformer)fits[0].Transformer).Model;
        return new PcaComparison(ml, train.Schema, main, data, s)
        {
            MainSeconds = mainSeconds,
            Rows = rows,
            TrainMse = model.ReconstructionMse(data.Train.Images, gemm),
            TestMse = heldOut is null ? null : model.ReconstructionMse(heldOut.Images, gemm),
            ReconstructMse = heldOut is null ? null : MeanSquaredError(heldOut.Images, exact.Reconstruct(heldOut.Images, gemm)),
        };
    }

    /// <summary>Saves the main fit as an ML.NET model zip (Features → Code), loadable with <c>mlContext.Model.Load</c> as an ONNX stage.</summary>
    public void SaveStage(string path) => _ml.Model.Save(_main, _trainSchema, path);

    /// <summary>One line on the main fit: variance captured, the MSE and the check of the measurement from codes.</summary>
    public string Summary()
    {
        var model = Model;
        return $"PCA {model.ComponentCount} components ({model.Solver}{(Config.Whiten ? ", whitened" : "")}) on " +
            $"{Data.Train.Count}×{model.InputDimension}: {model.ExplainedVarianceRatio.Sum():P2} of the variance, " + (Data.Test is null
                ? $"training MSE {TrainMse:F5} (no held-out rows), {MainSeconds:F2}s"
                : $"test MSE {TestMse:F5}, {MainSeconds:F2}s; exact PCA test MSE from codes {Rows[0].TestMse:F6} vs PcaModel.Reconstruct {ReconstructMse:F6}");
    }

    /// <summary>The run as JSON: the main fit's measurements, then a row per implementation.</summary>
    public JsonObject ToJson(string? modelPath, string? onnxPath)
    {
        var model = Model;
        var heldOut = Data.Test;
        var json = new JsonObject
        {
            ["dataset"] = Data.Name,
            ["components"] = model.ComponentCount,
            ["solver"] = model.Solver.ToString().ToLowerInvariant(),
            ["trainRows"] = Data.Train.Count,
            ["testRows"] = heldOut?.Count ?? 0,
            ["dimension"] = model.InputDimension,
            ["explainedVarianceRatio"] = Numbers(model.ExplainedVarianceRatio),
            ["explainedVarianceTotal"] = model.ExplainedVarianceRatio.Sum(),
            ["trainMse"] = TrainMse,
            ["seconds"] = Math.Round(MainSeconds, 4),
            ["repeats"] = Config.Repeats,
            ["threads"] = Config.Threads,
            ["seed"] = Config.Seed,
            ["rows"] = new JsonArray(Rows.Select(x => (JsonNode)new JsonObject
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
            json["testMse"] = TestMse;
            for (int i = 0; i < Rows.Count; i++) json["rows"]![i]!["testMse"] = Rows[i].TestMse;
            json["reconstructCheck"] = new JsonObject
            {
                ["impl"] = "pca", ["solver"] = "exact", ["testMseFromCodes"] = Rows[0].TestMse, ["testMseReconstruct"] = ReconstructMse,
            };
        }
        if (modelPath != null) json["model"] = modelPath;
        if (onnxPath != null) json["onnx"] = onnxPath;
        return json;
    }

    /// <summary>Writes the table of the implementations and their explained-variance ratios per component.</summary>
    public void WriteTable(TextWriter w)
    {
        w.WriteLine($"PCA on {Data.Train.Count}×{Model.InputDimension} training images; fit = the stage's Fit on the training view, best of {Config.Repeats}; {Config.Threads} thread(s) for the project's PCA");
        w.WriteLine($"{"impl",-10} {"stage",-34} {"solver",-10} {"fit s",8} {"EVR total",10} {"test MSE",10}");
        foreach (var x in Rows)
            w.WriteLine($"{x.Impl,-10} {x.Stage,-34} {x.Solver,-10} {x.FitSeconds,8:F3} {x.Ratio.Sum(),10:F5} {(x.TestMse is double t ? t.ToString("F6") : "—"),10}");
        w.WriteLine();
        w.WriteLine("explained-variance ratio per component (variance of each code over the training rows / total pixel variance)");
        w.WriteLine("component" + string.Concat(Rows.Select(x => $"{x.Impl + "-" + x.Solver,22}")));
        for (int j = 0; j < Rows[0].Ratio.Length; j++)
            w.WriteLine($"{j + 1,9}" + string.Concat(Rows.Select(x => $"{x.Ratio[j],22:F6}")));
        w.WriteLine($"{"total",9}" + string.Concat(Rows.Select(x => $"{x.Ratio.Sum(),22:F6}")));
    }

    /// <summary>
    /// Fits a fresh estimator <paramref name="repeats"/> times on <paramref name="train"/>; the fastest Fit and the last model.
    /// No progress display (its refresh thread would share the cores being timed): one line per fit to <paramref name="log"/>.
    /// </summary>
    private static (double Seconds, T Transformer) TimeFit<T>(string name, Func<IEstimator<T>> make, IDataView train, int repeats, Action<string> log)
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
            log($"{name}: fit {i + 1}/{repeats} {seconds:F3}s");
        }
        return (best, last!);
    }

    /// <summary>The code column of every row, in double.</summary>
    private static double[][] ReadCodes(IDataView view, int k)
    {
        var col = view.Schema[CodeColumn];
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

    /// <summary>The total variance of the training pixels (Σ_j var_j, N − 1) and the mean ‖x − x̄‖² of the test rows (x̄ the training mean).</summary>
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

    private static Row Figures(string impl, string stage, string solver, double seconds, double[][] trainCodes, double[][]? testCodes, PixelStats pixels)
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
        if (testCodes is null) return new Row(impl, stage, solver, seconds, ratio, null);
        double codeSq = 0;
        foreach (var z in testCodes)
            foreach (var v in z) codeSq += v * v;
        double mse = (pixels.TestSquaredDistance - codeSq / testCodes.Length) / pixels.Dimension;
        return new Row(impl, stage, solver, seconds, ratio, mse);
    }
}
