// MLNetScoring — the ML.NET integration (src/MLNetAutoencoders.MLNet) measured against ML.NET's own stages, in one run.
//
//   a. Scoring throughput over the 60 000 Fashion-MNIST training rows: create the transformed view and iterate one cursor
//      reading the code column of every row (best of N after one warm-up), for
//        (i)   our AutoencoderTransformer (EncodeWithAutoencoder, 784-256-128-20, 1 epoch, Threads = 1),
//        (ii)  ML.NET's ApplyOnnxModel on the same encoder exported with SaveAsOnnx (ONNX Runtime, 1 intra/inter-op thread),
//        (iii) ML.NET's ProjectToPrincipalComponents (rank 20),
//        (iv)  our ProjectToExactPrincipalComponents (rank 20);
//      and a PredictionEngine over single rows for (i) and (ii).
//   b. Fit cost through ML.NET versus the library's direct fit (784-256-128-20, 3 epochs, batch 512, Threads 2, seed 0),
//      each case in a child process of this executable (--case direct|mlnet|memory|read) that reports its VmHWM;
//      --case save --idv PATH writes the training rows as that .idv file, to run the cases on their own;
//      --case release|release-held --idv PATH: the managed heap a scan of that file leaves live, over 2 s (diagnostic).
//
// Run:  dotnet run -c Release --project benchmarks/MLNetScoring -- [--out PATH] [--reps 3] [--predict-rows 2000] [--fit-runs 2]
// Writes JSON to --out (default benchmarks/results/mlnet-scoring.json) and prints a Markdown report.

using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Stages;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var opts = Args.Parse(args);
if (opts.Case == "score-parts") return ScoreParts.Run(opts.Reps);
if (opts.Case is string caseName) return FitCase.Run(caseName, opts.Idv);
return Bench.Run(opts);

internal sealed record Args(string Out, int Reps, int PredictRows, int FitRuns, string? Case, string? Idv)
{
    public static Args Parse(string[] a)
    {
        string output = "benchmarks/results/mlnet-scoring.json";
        int reps = 3, predictRows = 2000, fitRuns = 2;
        string? kase = null, idv = null;
        for (int i = 0; i < a.Length; i++)
        {
            string Next() => i + 1 < a.Length ? a[++i] : throw new ArgumentException($"{a[i]} needs a value");
            switch (a[i])
            {
                case "--out": output = Next(); break;
                case "--reps": reps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--predict-rows": predictRows = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fit-runs": fitRuns = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--case": kase = Next(); break;
                case "--idv": idv = Next(); break;
                case "-h" or "--help":
                    Console.WriteLine("MLNetScoring [--out PATH] [--reps N] [--predict-rows N] [--fit-runs N (0: scoring only)]   (internal: --case direct|mlnet|mlnet-streaming|memory|read|release|release-held|save [--idv PATH])");
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"unknown argument '{a[i]}'");
            }
        }
        return new Args(output, reps, predictRows, fitRuns, kase, idv);
    }
}

/// <summary>
/// --case score-parts: one thread's scoring, in one process, the parts interleaved round by round (best of --reps rounds):
/// ApplyOnnxModel on the exported encoder and the stage through ML.NET (transform + cursor over the code column), then
/// where the stage's time goes: the model's Encode on blocks of 1 024 rows without ML.NET, and the encoder's three products
/// alone on the same blocks (OpenBLAS, one thread).
/// </summary>
internal static class ScoreParts
{
    public static int Run(int reps)
    {
        var train = FashionMnist.LoadTrain();
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(Proc.ToRows(train));
        var ae = ml.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options
        {
            InputColumnName = "Features", OutputColumnName = "Code", Seed = 0,
            Autoencoder = new AutoencoderOptions { CodeSize = 20, HiddenSizes = [256, 128], Epochs = 1, Threads = 1 },
        }).Fit(data);
        var model = (AutoencoderModel)ae.Model;
        string onnxPath = Path.Combine(Path.GetTempPath(), $"score-parts-{Environment.ProcessId}.onnx");
        ae.SaveAsOnnx(onnxPath);
        var onnx = ml.Transforms.ApplyOnnxModel(new OnnxOptions
        {
            ModelFile = onnxPath, InputColumns = ["Features"], OutputColumns = ["Code"], IntraOpNumThreads = 1, InterOpNumThreads = 1,
        }).Fit(data);
        var x = train.Images;
        int n = x.Rows, block = 1024;
        var gemm = MLNetAutoencoders.Numerics.Gemm.Create(MLNetAutoencoders.Numerics.GemmKind.OpenBlas, 1);
        var layers = model.Encoder.DenseLayers.ToArray();
        var outs = layers.Select(l => new MLNetAutoencoders.Numerics.Matrix(block, l.OutputSize)).ToArray();
        var copy = new MLNetAutoencoders.Numerics.Matrix(block, 784);
        var parts = new (string Name, Action Run)[]
        {
            ("ApplyOnnxModel, 1 thread", () => Bench.Scan(onnx, data, n)),
            ("stage through ML.NET", () => Bench.Scan(ae, data, n)),
            ("Encode, blocks of 1 024", () =>
            {
                for (int r0 = 0; r0 + block <= n; r0 += block)
                {
                    x.Data.AsSpan(r0 * 784, block * 784).CopyTo(copy.Data);
                    model.Encode(copy);
                }
            }),
            ("three products alone", () =>
            {
                for (int r0 = 0; r0 + block <= n; r0 += block)
                {
                    x.Data.AsSpan(r0 * 784, block * 784).CopyTo(copy.Data);
                    var input = copy;
                    for (int l = 0; l < layers.Length; l++)
                    {
                        MLNetAutoencoders.Numerics.Gemm.Multiply(gemm, input, false, layers[l].Weight.Value, true, outs[l]);
                        input = outs[l];
                    }
                }
            }),
        };
        var best = new double[parts.Length];
        Array.Fill(best, double.MaxValue);
        foreach (var p in parts) p.Run();
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < parts.Length; i++)
            {
                var sw = Stopwatch.StartNew();
                parts[i].Run();
                best[i] = Math.Min(best[i], sw.Elapsed.TotalSeconds);
            }
        File.Delete(onnxPath);
        int scored = n / block * block;
        Console.WriteLine($"load average {Proc.LoadAverage()}; best of {reps} interleaved rounds; the first two score {n} rows, the others {scored}");
        for (int i = 0; i < parts.Length; i++)
        {
            int rows = i < 2 ? n : scored;
            Console.WriteLine(FormattableString.Invariant($"{parts[i].Name,-26} {best[i]:F3} s  {rows / best[i],9:N0} rows/s  {best[i] / rows * 1024e3:F2} ms per 1 024 rows"));
        }
        Console.WriteLine(FormattableString.Invariant($"stage / ApplyOnnxModel = {best[0] / best[1]:F2}× rows/s (one thread each); stage / products alone = {best[3] / best[1] * n / scored:F2}"));
        return 0;
    }
}

/// <summary>A Fashion-MNIST row as ML.NET sees it.</summary>
internal sealed class ImageRow
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}

/// <summary>The code column read back by a prediction engine.</summary>
internal sealed class CodeRow
{
    public float[] Code { get; set; } = [];
}

internal static class Proc
{
    /// <summary>A field of /proc/self/status in MB (VmHWM = peak resident set, VmRSS = current).</summary>
    public static double StatusMB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    public static ImageRow[] ToRows(ImageDataset d)
    {
        var rows = new ImageRow[d.Count];
        var labels = d.RequireLabels();
        for (int i = 0; i < rows.Length; i++) rows[i] = new ImageRow { Features = d.Images.Row(i).ToArray(), Label = (uint)labels[i] };
        return rows;
    }

    /// <summary>The fit options of part b: 784-256-128-20, 3 epochs, batch 512, Threads 2, seed 0.</summary>
    public static AutoencoderOptions FitOptions() => new()
    {
        CodeSize = 20, HiddenSizes = [256, 128], Epochs = 3, BatchSize = 512, Threads = 2, Seed = 0,
    };
}

/// <summary>Part b's child process: one fit, then its times and VmHWM as one JSON line.</summary>
internal static class FitCase
{
    public const string Marker = "CASE_RESULT ";

    public static int Run(string kind, string? idv)
    {
        var total = Stopwatch.StartNew();
        var o = Proc.FitOptions();
        double loadSeconds, fitSeconds, beforeFit;
        IAutoencoder model;
        switch (kind)
        {
            case "direct":
            {
                var sw = Stopwatch.StartNew();
                var train = FashionMnist.LoadTrain();
                loadSeconds = sw.Elapsed.TotalSeconds;
                beforeFit = Proc.StatusMB("VmHWM");
                sw.Restart();
                model = new AutoencoderTrainer(o).Fit(train.Images);
                fitSeconds = sw.Elapsed.TotalSeconds;
                break;
            }
            case "mlnet" or "mlnet-streaming":
                // mlnet-streaming: the same view streamed pass after pass (a bounded shuffle buffer, so other minibatches
                // than a fit from memory: the losses differ) instead of copied into a training matrix.
                (loadSeconds, beforeFit, fitSeconds, model) = FitThroughMLNet(o,
                    ml => ml.Data.LoadFromBinary(idv ?? throw new ArgumentException($"--case {kind} needs --idv")),
                    kind == "mlnet" ? TrainingDataMode.InMemory : TrainingDataMode.Streaming);
                break;
            case "memory":
                // The ImageDataset is dropped inside LoadRows; the rows are the program's copy, held by the view.
                (loadSeconds, beforeFit, fitSeconds, model) = FitThroughMLNet(o, ml => ml.Data.LoadFromEnumerable(LoadRows()));
                break;
            case "csv-direct":
            {
                // The same rows from a CSV file (--case save-csv): read with the library's CsvReader, then the direct fit.
                var sw = Stopwatch.StartNew();
                var x = CsvReader.Read(idv ?? throw new ArgumentException($"--case {kind} needs --idv (the .csv)"), new CsvOptions { HasHeader = false }).Features;
                loadSeconds = sw.Elapsed.TotalSeconds;
                beforeFit = Proc.StatusMB("VmHWM");
                sw.Restart();
                model = new AutoencoderTrainer(o).Fit(x);
                fitSeconds = sw.Elapsed.TotalSeconds;
                break;
            }
            case "csv-mlnet":
                // The same CSV file through ML.NET's TextLoader (lazy: the file is parsed inside Fit).
                (loadSeconds, beforeFit, fitSeconds, model) = FitThroughMLNet(o, ml => ml.Data.LoadFromTextFile(
                    idv ?? throw new ArgumentException($"--case {kind} needs --idv (the .csv)"),
                    [new TextLoader.Column("Features", DataKind.Single, 0, 783)], separatorChar: ',', hasHeader: false));
                break;
            case "save-csv":
            {
                // Writes the training rows as a CSV file without a header (each value in its shortest round-trip form, so
                // both CSV cases read exactly the floats the other cases train on).
                var rows = FashionMnist.LoadTrain().Images;
                using (var w = new StreamWriter(idv ?? throw new ArgumentException("--case save-csv needs --idv (the .csv)")))
                    for (int i = 0; i < rows.Rows; i++)
                        w.WriteLine(string.Join(',', rows.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
                Console.WriteLine($"saved {idv}");
                return 0;
            }
            case "read":
            {
                // Diagnostic: what ML.NET and the file-backed view cost without any training (cursor over Features only).
                var ml = new MLContext(seed: 0);
                var sw = Stopwatch.StartNew();
                var view = ml.Data.LoadFromBinary(idv ?? throw new ArgumentException("--case read needs --idv"));
                loadSeconds = sw.Elapsed.TotalSeconds;
                beforeFit = Proc.StatusMB("VmHWM");
                sw.Restart();
                var col = view.Schema["Features"];
                using (var cursor = view.GetRowCursor([col]))
                {
                    var getter = cursor.GetGetter<VBuffer<float>>(col);
                    VBuffer<float> v = default;
                    while (cursor.MoveNext()) getter(ref v);
                }
                fitSeconds = sw.Elapsed.TotalSeconds;
                model = null!;
                break;
            }
            case "release" or "release-held":
            {
                // Diagnostic: how much of the managed heap one scan of the file-backed view leaves live, and for how long,
                // with the program dropping the view (release) or holding it (release-held): a full blocking collection
                // (finalizers run in between) every 100 ms for 2 s after the scan, each printing the live heap.
                var held = ScanFile(idv ?? throw new ArgumentException($"--case {kind} needs --idv"), kind == "release-held");
                var clock = Stopwatch.StartNew();
                for (int i = 0; i <= 20; i++)
                {
                    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
                    Console.WriteLine(FormattableString.Invariant($"{kind}: {clock.ElapsedMilliseconds,5} ms after the scan, live managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MB"));
                    Thread.Sleep(100);
                }
                GC.KeepAlive(held);
                return 0;
            }
            case "save":
            {
                // Writes the training rows as the .idv file the mlnet and read cases load (to run those cases on their own).
                var ml = new MLContext(seed: 0);
                using (var f = File.Create(idv ?? throw new ArgumentException("--case save needs --idv")))
                    ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(LoadRows()), f, keepHidden: false);
                Console.WriteLine($"saved {idv}");
                return 0;
            }
            default: throw new ArgumentException($"unknown case '{kind}' (direct, mlnet, mlnet-streaming, memory, csv-direct, csv-mlnet, read, release, release-held, save or save-csv)");
        }
        double peakAfterFit = Proc.StatusMB("VmHWM");
        double epochSum = model?.History.Epochs.Sum(e => e.Seconds) ?? 0;
        var result = new Dictionary<string, object?>
        {
            ["case"] = kind,
            ["loadSeconds"] = loadSeconds,
            ["fitSeconds"] = fitSeconds,
            ["processSeconds"] = total.Elapsed.TotalSeconds,
            ["vmHwmMB"] = peakAfterFit,
            ["vmHwmBeforeFitMB"] = beforeFit,
            ["epochSecondsSum"] = epochSum,
            ["fitSecondsOutsideEpochs"] = fitSeconds - epochSum,
            ["vmRssMB"] = Proc.StatusMB("VmRSS"),
            ["finalTrainLoss"] = model is { History.Epochs.Count: > 0 } ? model.History.Epochs[^1].TrainLoss : null,
            ["epochSeconds"] = model?.History.Epochs.Select(e => e.Seconds).ToArray() ?? [],
        };
        Console.WriteLine(Marker + JsonSerializer.Serialize(result));
        return 0;
    }

    private static ImageRow[] LoadRows() => Proc.ToRows(FashionMnist.LoadTrain());

    /// <summary>Loads the view (timed as the load), then fits EncodeWithAutoencoder on its Features (timed as the fit); mode null = the stage's default.</summary>
    private static (double Load, double BeforeFit, double Fit, IAutoencoder Model) FitThroughMLNet(AutoencoderOptions o, Func<MLContext, IDataView> load, TrainingDataMode? mode = null)
    {
        var ml = new MLContext(seed: 0);
        var sw = Stopwatch.StartNew();
        var view = load(ml);
        double loadSeconds = sw.Elapsed.TotalSeconds, beforeFit = Proc.StatusMB("VmHWM");
        sw.Restart();
        var options = new AutoencoderEstimator.Options { InputColumnName = "Features", OutputColumnName = "Code", Seed = 0, Autoencoder = o };
        if (mode is TrainingDataMode m) options.Streaming = new StreamingOptions { Mode = m };
        var t = ml.Transforms.EncodeWithAutoencoder(options).Fit(view);
        return (loadSeconds, beforeFit, sw.Elapsed.TotalSeconds, t.Model);
    }

    /// <summary>
    /// Loads the .idv and reads every Features vector through one cursor, in a method of its own (optimised at once, so
    /// that no local outlives it); returns the view when <paramref name="hold"/>, else nothing of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static IDataView? ScanFile(string idv, bool hold)
    {
        var view = new MLContext(seed: 0).Data.LoadFromBinary(idv);
        var col = view.Schema["Features"];
        using (var cursor = view.GetRowCursor([col]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> v = default;
            while (cursor.MoveNext()) getter(ref v);
        }
        return hold ? view : null;
    }
}

internal static class Bench
{
    public static int Run(Args a)
    {
        var started = DateTime.UtcNow;
        string loadStart = Proc.LoadAverage();
        Console.WriteLine($"# ML.NET scoring and fit benchmark — {started:yyyy-MM-ddTHH:mm:ssZ}");
        Console.WriteLine($"load average at start: {loadStart}   (cores: {Environment.ProcessorCount})");
        Console.WriteLine();

        var train = FashionMnist.LoadTrain();
        var rows = Proc.ToRows(train);
        int n = rows.Length;
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        string tmp = Directory.CreateTempSubdirectory("mlnet-scoring-").FullName;
        try
        {
            // ---------------------------------------------------------------- part a: fitting the four stages
            Console.WriteLine("fitting the stages …");
            var sw = Stopwatch.StartNew();
            var ae = ml.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options
            {
                InputColumnName = "Features", OutputColumnName = "Code", Seed = 0,
                Autoencoder = new AutoencoderOptions { CodeSize = 20, HiddenSizes = [256, 128], Epochs = 1, Threads = 1 },
            }).Fit(data);
            double aeFit = sw.Elapsed.TotalSeconds;
            // The same comparison with the machine's cores on both sides: the stage's GEMMs on 2 threads, and ONNX
            // Runtime with its default thread settings (as ApplyOnnxModel runs unless told otherwise).
            var ae2 = ml.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options
            {
                InputColumnName = "Features", OutputColumnName = "Code", Seed = 0,
                Autoencoder = new AutoencoderOptions { CodeSize = 20, HiddenSizes = [256, 128], Epochs = 1, Threads = 2 },
            }).Fit(data);

            string onnxPath = Path.Combine(tmp, "encoder.onnx");
            ae.SaveAsOnnx(onnxPath);
            sw.Restart();
            var onnx = ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = onnxPath, InputColumns = ["Features"], OutputColumns = ["Code"], IntraOpNumThreads = 1, InterOpNumThreads = 1,
            }).Fit(data);
            double onnxFit = sw.Elapsed.TotalSeconds;
            string onnxPath2 = Path.Combine(tmp, "encoder2.onnx");
            ae2.SaveAsOnnx(onnxPath2);
            var onnx2 = ml.Transforms.ApplyOnnxModel(new OnnxOptions { ModelFile = onnxPath2, InputColumns = ["Features"], OutputColumns = ["Code"] }).Fit(data);

            sw.Restart();
            var mlPca = ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: 20, seed: 0).Fit(data);
            double mlPcaFit = sw.Elapsed.TotalSeconds;

            sw.Restart();
            var ourPca = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 20, seed: 0).Fit(data);
            double ourPcaFit = sw.Elapsed.TotalSeconds;
            Console.WriteLine(FormattableString.Invariant(
                $"fit seconds: autoencoder (1 epoch) {aeFit:F2}, ApplyOnnxModel {onnxFit:F2}, ML.NET PCA {mlPcaFit:F2}, exact PCA {ourPcaFit:F2}"));

            // The same encoder both ways: the codes must agree.
            var oursCodes = FirstCodes(ae.Transform(data), 512);
            var onnxCodes = FirstCodes(onnx.Transform(data), 512);
            double maxDiff = 0;
            for (int i = 0; i < oursCodes.Count; i++)
                for (int j = 0; j < oursCodes[i].Length; j++) maxDiff = Math.Max(maxDiff, Math.Abs(oursCodes[i][j] - onnxCodes[i][j]));
            Console.WriteLine(FormattableString.Invariant($"ours vs ApplyOnnxModel, first 512 rows: max |Δcode| = {maxDiff:G3}"));

            // ---------------------------------------------------------------- part a: scoring
            Console.WriteLine("scoring …");
            var source = Measure(a.Reps, () => ScanSource(data, n));
            var images = train.Images;
            var direct = Measure(a.Reps, () => { var c = ae.Model.Encode(images); if (c.Rows != n) throw new InvalidOperationException(); });
            var sOurs = Measure(a.Reps, () => Scan(ae, data, n));
            var sOnnx = Measure(a.Reps, () => Scan(onnx, data, n));
            var sOurs2 = Measure(a.Reps, () => Scan(ae2, data, n));
            var sOnnx2 = Measure(a.Reps, () => Scan(onnx2, data, n));
            var sMlPca = Measure(a.Reps, () => Scan(mlPca, data, n));
            var sOurPca = Measure(a.Reps, () => Scan(ourPca, data, n));
            Console.WriteLine("prediction engines …");
            var pOurs = Predict(ml, ae, rows, a.PredictRows, a.Reps);
            var pOnnx = Predict(ml, onnx, rows, a.PredictRows, a.Reps);
            var oneRow = new MLNetAutoencoders.Numerics.Matrix(1, 784);
            var pEncode1 = Measure(a.Reps, () =>
            {
                for (int i = 0; i < a.PredictRows; i++) { images.Row((1000 + i) % n).CopyTo(oneRow.Row(0)); ae.Model.Encode(oneRow); }
            });
            double engineDiff = Math.Max(EngineCheck(ml, ae, rows, oursCodes), EngineCheck(ml, onnx, rows, oursCodes));
            Console.WriteLine(FormattableString.Invariant($"prediction engines vs cursor codes, rows 0, 7, 300: max |Δcode| = {engineDiff:G3}"));

            // ---------------------------------------------------------------- part b: fit cost, child processes
            Console.WriteLine("fit cost (child processes) …");
            string idv = Path.Combine(tmp, "train.idv");
            sw.Restart();
            using (var f = File.Create(idv)) ml.Data.SaveAsBinary(data, f, keepHidden: false);
            double idvSave = sw.Elapsed.TotalSeconds;
            long idvBytes = new FileInfo(idv).Length;
            Console.WriteLine(FormattableString.Invariant($"saved {idv}: {idvBytes / 1048576.0:F1} MB in {idvSave:F2} s"));
            // Let the children have the memory and cores: drop this process's data before running them.
            data = null!; rows = null!; train = null!; images = null!;
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();

            var runs = new Dictionary<string, List<JsonElement>> { ["direct"] = [], ["mlnet"] = [], ["memory"] = [], ["read"] = [] };
            for (int r = 0; r < a.FitRuns; r++)
                foreach (var kind in runs.Keys)
                {
                    var res = Child(kind, idv);
                    runs[kind].Add(res);
                    Console.WriteLine(FormattableString.Invariant(
                        $"  run {r + 1} {kind,-6}: fit {res.GetProperty("fitSeconds").GetDouble():F2} s, load {res.GetProperty("loadSeconds").GetDouble():F2} s, VmHWM {res.GetProperty("vmHwmBeforeFitMB").GetDouble():F0} MB before the fit, {res.GetProperty("vmHwmMB").GetDouble():F0} MB at the end, final loss {Num(res, "finalTrainLoss"):F3}"));
                }
            string loadEnd = Proc.LoadAverage();

            // ---------------------------------------------------------------- report
            double Rps(double s) => n / s;
            double bestFit(string k) => runs[k].Min(e => e.GetProperty("fitSeconds").GetDouble());
            double bestLoadFit(string k) => runs[k].Min(e => e.GetProperty("fitSeconds").GetDouble() + e.GetProperty("loadSeconds").GetDouble());
            double peak(string k) => runs[k].Max(e => e.GetProperty("vmHwmMB").GetDouble());
            double outside(string k) => runs[k].MinBy(e => e.GetProperty("fitSeconds").GetDouble()).GetProperty("fitSecondsOutsideEpochs").GetDouble();
            double loss(string k) => Num(runs[k][0], "finalTrainLoss");

            var md = new System.Text.StringBuilder();
            md.AppendLine();
            md.AppendLine($"## Scoring, {n} Fashion-MNIST training rows (transform + one cursor reading the code column; best of {a.Reps} after a warm-up)");
            md.AppendLine();
            md.AppendLine("| stage | seconds | rows/s | vs ApplyOnnxModel | all runs, s | managed MB allocated / run | gen-2 GCs / run |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            void Row(string name, Timing t) => md.AppendLine(FormattableString.Invariant(
                $"| {name} | {t.Best:F3} | {Rps(t.Best):N0} | {sOnnx.Best / t.Best:F2}× | {string.Join(", ", t.All.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {t.AllocatedMB:F0} | {t.Gen2:F1} |"));
            Row("(i) ours: EncodeWithAutoencoder 784-256-128-20 (blocks of 1 024, Threads 1)", sOurs);
            Row("(ii) ML.NET ApplyOnnxModel, same encoder via SaveAsOnnx (ORT, 1 thread)", sOnnx);
            md.AppendLine(FormattableString.Invariant(
                $"| (i′) ours, Threads 2 | {sOurs2.Best:F3} | {Rps(sOurs2.Best):N0} | {sOnnx2.Best / sOurs2.Best:F2}× vs (ii′) | {string.Join(", ", sOurs2.All.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {sOurs2.AllocatedMB:F0} | {sOurs2.Gen2:F1} |"));
            md.AppendLine(FormattableString.Invariant(
                $"| (ii′) ApplyOnnxModel on (i′)'s encoder, ORT default threads | {sOnnx2.Best:F3} | {Rps(sOnnx2.Best):N0} | 1.00× | {string.Join(", ", sOnnx2.All.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {sOnnx2.AllocatedMB:F0} | {sOnnx2.Gen2:F1} |"));
            Row("(iii) ML.NET ProjectToPrincipalComponents, rank 20", sMlPca);
            Row("(iv) ours: ProjectToExactPrincipalComponents, rank 20", sOurPca);
            Row("reference: source view only (cursor reading Features)", source);
            Row("reference: library Encode(Matrix) of all rows at once, no ML.NET", direct);
            md.AppendLine();
            md.AppendLine(FormattableString.Invariant($"**ours / ApplyOnnxModel = {sOnnx.Best / sOurs.Best:F2}×** rows/s with one thread each, **{sOnnx2.Best / sOurs2.Best:F2}×** with the cores on both sides (goal ≥ 3). Codes agree to max |Δ| = {maxDiff:G3} on the first 512 rows."));
            md.AppendLine();
            md.AppendLine($"PredictionEngine<ImageRow, CodeRow>, {a.PredictRows} single rows (best of {a.Reps} after 200 warm-up rows):");
            md.AppendLine();
            md.AppendLine("| stage | µs/row | rows/s |");
            md.AppendLine("|---|---|---|");
            md.AppendLine(FormattableString.Invariant($"| (i) ours | {pOurs.Best * 1e6 / a.PredictRows:F1} | {a.PredictRows / pOurs.Best:N0} |"));
            md.AppendLine(FormattableString.Invariant($"| (ii) ApplyOnnxModel | {pOnnx.Best * 1e6 / a.PredictRows:F1} | {a.PredictRows / pOnnx.Best:N0} |"));
            md.AppendLine(FormattableString.Invariant($"| reference: library Encode(Matrix) of one 1×784 row, no ML.NET | {pEncode1.Best * 1e6 / a.PredictRows:F1} | {a.PredictRows / pEncode1.Best:N0} |"));
            md.AppendLine();
            md.AppendLine(FormattableString.Invariant($"Both engines' codes match the cursor's on rows 0, 7, 300 to max |Δ| = {engineDiff:G3}."));
            md.AppendLine();
            if (a.FitRuns > 0)
            {
                md.AppendLine($"## Fit cost, 784-256-128-20, 3 epochs, batch 512, Threads 2, seed 0 (each case a child process; best of {a.FitRuns} run(s), peak = max VmHWM)");
                md.AppendLine();
                md.AppendLine("| case | fit s | of which outside the epochs s | load + fit s | VmHWM before fit MB | peak RSS (VmHWM) MB | fit s / direct | peak / direct | final train loss |");
                md.AppendLine("|---|---|---|---|---|---|---|---|---|");
                void FitRow(string name, string k) => md.AppendLine(FormattableString.Invariant(
                    $"| {name} | {bestFit(k):F2} | {outside(k):F2} | {bestLoadFit(k):F2} | {runs[k].Max(e => e.GetProperty("vmHwmBeforeFitMB").GetDouble()):F0} | {peak(k):F0} | {bestFit(k) / bestFit("direct"):F2} | {peak(k) / peak("direct"):F2} | {loss(k):F3} |"));
                FitRow("(A) direct: new AutoencoderTrainer(o).Fit(train.Images) (load = FashionMnist.LoadTrain)", "direct");
                FitRow("(B) ML.NET, file-backed: EncodeWithAutoencoder(o).Fit(LoadFromBinary(.idv))", "mlnet");
                FitRow("(C) ML.NET, in memory: Fit(LoadFromEnumerable(ImageRow[])) — the rows are a second copy of the data", "memory");
                FitRow("diagnostic, no training: LoadFromBinary(.idv) + one cursor over Features (\"fit s\" = the scan)", "read");
                md.AppendLine();
                md.AppendLine("\"Outside the epochs\" = fit time minus the trainer's own epoch times: for (B) and (C) mostly the estimator reading the column through a cursor into its training matrix. " +
                    "\"Load\" is FashionMnist.LoadTrain (gzip IDX decode) for (A) and (C, plus building the rows), LoadFromBinary (lazy: the file is read inside Fit) for (B). Same seed and options: the final losses must agree.");
                md.AppendLine();
                md.AppendLine(FormattableString.Invariant(
                    $"**(B)/(A): time {bestFit("mlnet") / bestFit("direct"):F2}×, peak memory {peak("mlnet") / peak("direct"):F2}×** (goal ≤ 1.2 each). (C)/(A): time {bestFit("memory") / bestFit("direct"):F2}×, peak memory {peak("memory") / peak("direct"):F2}× (not a goal: the program itself holds the rows as float[] objects besides the trainer's matrix)."));
                md.AppendLine();
            }
            md.AppendLine($"Load average at start / end: {loadStart} / {loadEnd}.");
            Console.Write(md.ToString());

            var json = new Dictionary<string, object?>
            {
                ["benchmark"] = "mlnet-scoring",
                ["startedUtc"] = started.ToString("o", CultureInfo.InvariantCulture),
                ["processorCount"] = Environment.ProcessorCount,
                ["loadAverageStart"] = loadStart,
                ["loadAverageEnd"] = loadEnd,
                ["rows"] = n,
                ["scoring"] = new Dictionary<string, object?>
                {
                    ["method"] = $"transform + one cursor reading the code column of every row; best of {a.Reps} after one warm-up",
                    ["ours_autoencoder"] = Scoring(sOurs, n),
                    ["mlnet_applyonnxmodel"] = Scoring(sOnnx, n),
                    ["mlnet_pca"] = Scoring(sMlPca, n),
                    ["ours_exact_pca"] = Scoring(sOurPca, n),
                    ["reference_source_only"] = Scoring(source, n),
                    ["reference_library_encode_all_rows"] = Scoring(direct, n),
                    ["ratio_ours_over_applyonnxmodel"] = sOnnx.Best / sOurs.Best,
                    ["two_threads"] = new Dictionary<string, object>
                    {
                        ["ours_seconds"] = sOurs2.Best, ["applyonnxmodel_default_threads_seconds"] = sOnnx2.Best,
                        ["ratio_ours_over_applyonnxmodel"] = sOnnx2.Best / sOurs2.Best,
                    },
                    ["goal_ratio_at_least"] = 3.0,
                    ["max_abs_code_difference_first_512_rows"] = maxDiff,
                    ["fitSeconds"] = new { autoencoder1Epoch = aeFit, applyOnnxModel = onnxFit, mlnetPca = mlPcaFit, exactPca = ourPcaFit },
                    ["onnxRuntimeThreads"] = new { intraOp = 1, interOp = 1 },
                },
                ["predictionEngine"] = new Dictionary<string, object?>
                {
                    ["rows"] = a.PredictRows,
                    ["ours_us_per_row"] = pOurs.Best * 1e6 / a.PredictRows,
                    ["applyonnxmodel_us_per_row"] = pOnnx.Best * 1e6 / a.PredictRows,
                    ["ours_seconds_all_reps"] = pOurs.All,
                    ["applyonnxmodel_seconds_all_reps"] = pOnnx.All,
                    ["reference_library_encode_one_row_us"] = pEncode1.Best * 1e6 / a.PredictRows,
                    ["max_abs_code_difference_vs_cursor"] = engineDiff,
                },
                ["fit"] = a.FitRuns == 0 ? null : new Dictionary<string, object?>
                {
                    ["options"] = "784-256-128-20, 3 epochs, batch 512, Threads 2, seed 0",
                    ["idvMB"] = idvBytes / 1048576.0,
                    ["direct"] = runs["direct"],
                    ["mlnet_file_backed"] = runs["mlnet"],
                    ["mlnet_in_memory"] = runs["memory"],
                    ["diagnostic_mlnet_read_only"] = runs["read"],
                    ["ratio_time_mlnet_over_direct"] = bestFit("mlnet") / bestFit("direct"),
                    ["ratio_peak_mlnet_over_direct"] = peak("mlnet") / peak("direct"),
                    ["ratio_time_in_memory_over_direct"] = bestFit("memory") / bestFit("direct"),
                    ["ratio_peak_in_memory_over_direct"] = peak("memory") / peak("direct"),
                    ["goal_ratio_at_most"] = 1.2,
                },
            };
            string outPath = Path.GetFullPath(a.Out);
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            File.WriteAllText(outPath, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.WriteLine();
            Console.WriteLine($"wrote {outPath}");
            return 0;
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Best and all seconds; managed bytes allocated and gen-2 collections per repetition (mean over the timed ones).</summary>
    private sealed record Timing(double Best, double[] All, double AllocatedMB = double.NaN, double Gen2 = double.NaN);

    private static Dictionary<string, object?> Scoring(Timing t, int n) => new()
    {
        ["bestSeconds"] = t.Best, ["rowsPerSecond"] = n / t.Best, ["allSeconds"] = t.All,
        ["managedAllocatedMBPerRun"] = t.AllocatedMB, ["gen2CollectionsPerRun"] = t.Gen2,
    };

    /// <summary>One warm-up, then the best of <paramref name="reps"/>.</summary>
    private static Timing Measure(int reps, Action action)
    {
        action();
        var all = new double[reps];
        long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        int gen2 = GC.CollectionCount(2);
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            action();
            all[r] = sw.Elapsed.TotalSeconds;
        }
        double mb = (GC.GetTotalAllocatedBytes(precise: true) - bytes0) / 1048576.0 / reps;
        return new Timing(all.Min(), all, mb, (GC.CollectionCount(2) - gen2) / (double)reps);
    }

    /// <summary>Creates the transformed view and reads the code column of every row through one cursor.</summary>
    internal static void Scan(ITransformer t, IDataView data, int expected)
    {
        var view = t.Transform(data);
        var col = view.Schema["Code"];
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> code = default;
        int rows = 0;
        float sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref code);
            sum += code.GetValues()[0];
            rows++;
        }
        if (rows != expected || !float.IsFinite(sum)) throw new InvalidOperationException($"read {rows} rows (expected {expected}), checksum {sum}");
    }

    private static void ScanSource(IDataView data, int expected)
    {
        var col = data.Schema["Features"];
        using var cursor = data.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        int rows = 0;
        while (cursor.MoveNext()) { getter(ref v); rows++; }
        if (rows != expected) throw new InvalidOperationException($"read {rows} rows (expected {expected})");
    }

    private static List<float[]> FirstCodes(IDataView view, int count)
    {
        var col = view.Schema["Code"];
        using var cursor = view.GetRowCursor([col]);
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> code = default;
        var list = new List<float[]>();
        while (list.Count < count && cursor.MoveNext())
        {
            getter(ref code);
            list.Add(code.DenseValues().ToArray());
        }
        return list;
    }

    /// <summary>Seconds for <paramref name="count"/> single-row predictions (200 warm-up rows first; best of <paramref name="reps"/>).</summary>
    private static Timing Predict(MLContext ml, ITransformer t, ImageRow[] rows, int count, int reps)
    {
        // Not disposed: disposing a PredictionEngine disposes its transformer too, as ML.NET does,
        // which would close the OnnxTransformer's ONNX Runtime session for later use.
        var engine = ml.Model.CreatePredictionEngine<ImageRow, CodeRow>(t);
        var output = new CodeRow();
        for (int i = 0; i < 200; i++) engine.Predict(rows[i], ref output);
        if (output.Code.Length != 20) throw new InvalidOperationException($"prediction has {output.Code.Length} values, expected 20");
        var all = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) engine.Predict(rows[(1000 + i) % rows.Length], ref output);
            all[r] = sw.Elapsed.TotalSeconds;
        }
        return new Timing(all.Min(), all);
    }

    private static double Num(JsonElement e, string name) => e.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble() : double.NaN;

    /// <summary>Max |Δ| between a prediction engine's codes and the cursor's codes on a few rows.</summary>
    private static double EngineCheck(MLContext ml, ITransformer t, ImageRow[] rows, List<float[]> cursorCodes)
    {
        // Not disposed: disposing a PredictionEngine disposes its transformer too, as ML.NET does,
        // which would close the OnnxTransformer's ONNX Runtime session for later use.
        var engine = ml.Model.CreatePredictionEngine<ImageRow, CodeRow>(t);
        double max = 0;
        foreach (int i in new[] { 0, 7, 300, 7 })
        {
            var code = engine.Predict(rows[i]).Code;
            for (int j = 0; j < code.Length; j++) max = Math.Max(max, Math.Abs(code[j] - cursorCodes[i][j]));
        }
        return max;
    }

    /// <summary>Runs this executable with --case <paramref name="kind"/> and returns the JSON it reports.</summary>
    private static JsonElement Child(string kind, string idv)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(Bench).Assembly.Location);
        foreach (var arg in new[] { "--case", kind, "--idv", idv }) psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(FitCase.Marker, StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"child --case {kind} failed (exit {p.ExitCode}):\n{stdout}\n{stderr.Result}");
        return JsonDocument.Parse(line[FitCase.Marker.Length..]).RootElement.Clone();
    }
}
