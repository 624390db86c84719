// StreamingFit — EncodeWithAutoencoder trained from a file-backed view in streaming mode (issue "fit on data larger
// than memory"), each fit in a child process of this executable that reports its peak resident memory (VmHWM):
//
//   a. Memory: 1 epoch of streaming fit on views of 5× and 10× Fashion-MNIST's 60 000 training images (seeded noise and
//      shifts, written once by `generate` with mlContext.Data.SaveAsBinary), 784-256-128-20, batch 512, Threads 2: VmHWM
//      must stay ≤ 600 MB and not grow with the file. Beside it: a cursor pass alone over each file (what ML.NET's binary
//      loader holds by itself), the 10× fit with the runtime's GCConserveMemory = 9, and the 10× fit from a view that
//      makes the rows as they are read (no file, no loader buffers: the stage's own memory).
//   b. Quality and speed: on Fashion-MNIST's own 60 000 images saved as a binary view, the same fit (same seed, E epochs)
//      in memory and streaming, alternately, R times each: test MSE on the 10 000 test images and seconds per epoch
//      (the in-memory copy's one read of the file is reported apart, as "read").
//
// Run:  dotnet run -c Release --project benchmarks/StreamingFit -- run --data DIR [--part memory|compare|all] [--epochs 3] [--reps 2] [--out benchmarks/results/streaming.json]
//       (DIR holds fmnist-x0.idv, fmnist-x5.idv and fmnist-x10.idv; missing ones are generated first, about 1.3 GB for 10×.)
//       dotnet run … -- generate COPIES PATH        (0 = the training images unchanged)
// Writes JSON to --out and a Markdown report beside it. STREAMINGFIT_SAMPLE=1 makes each fit print its resident and
// managed memory every 5 s to stderr (how the loader's share was found).

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Stages;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
switch (args)
{
    case ["generate", var copies, var path]:
        Generate.Run(int.Parse(copies, CultureInfo.InvariantCulture), path);
        return 0;
    case ["fit", var idv, var mode, var epochs, var evaluate]:
        Console.WriteLine(FitCase.Run(idv, Enum.Parse<TrainingDataMode>(mode), int.Parse(epochs, CultureInfo.InvariantCulture), evaluate == "test").ToJsonString());
        return 0;
    case ["scan", var idv]:
        Console.WriteLine(FitCase.Scan(idv).ToJsonString());
        return 0;
    case ["run", .. var rest]:
        return Bench.Run(rest);
    default:
        Console.Error.WriteLine("StreamingFit run --data DIR [--epochs 5] [--reps 2] [--out PATH] | generate COPIES PATH");
        return 2;
}

internal static class FitCase
{
    /// <summary>
    /// The view: a binary file, or "generated:K" = the K noisy, shifted copies made row by row as they are read
    /// (LoadFromEnumerable over a lazy sequence: no file and no loader buffers, so only the stage's own memory shows).
    /// </summary>
    private static IDataView View(MLContext ml, string idv)
    {
        if (!idv.StartsWith("generated:", StringComparison.Ordinal)) return ml.Data.LoadFromBinary(idv);
        string dir = FashionMnist.ResolveDirectory();
        string Find(string name) => new[] { name + ".gz", name }.Select(n => Path.Combine(dir, n)).First(File.Exists);
        var pixels = IdxReader.ReadImageBytes(Find("train-images-idx3-ubyte")).Pixels;   // 47 MB of bytes, never as floats
        var labels = IdxReader.ReadLabels(Find("train-labels-idx1-ubyte"));
        return ml.Data.LoadFromEnumerable(Generate.Rows(pixels, labels, int.Parse(idv["generated:".Length..], CultureInfo.InvariantCulture)));
    }

    /// <summary>One cursor pass reading the Features column and nothing else: what ML.NET's loader itself holds.</summary>
    public static JsonObject Scan(string idv)
    {
        var ml = new MLContext(seed: 0);
        var view = View(ml, idv);
        var sw = Stopwatch.StartNew();
        long rows = 0;
        using (var cursor = view.GetRowCursor([view.Schema["Features"]]))
        {
            var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(view.Schema["Features"]);
            var buffer = default(Microsoft.ML.Data.VBuffer<float>);
            while (cursor.MoveNext()) { getter(ref buffer); rows++; }
        }
        return new JsonObject { ["file"] = idv, ["rows"] = rows, ["mode"] = "scan", ["seconds"] = sw.Elapsed.TotalSeconds, ["vmHwmMB"] = StatusMB("VmHWM"), ["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim() };
    }

    /// <summary>One fit of EncodeWithAutoencoder on the view <paramref name="idv"/>; VmHWM is read before any evaluation.</summary>
    public static JsonObject Run(string idv, TrainingDataMode mode, int epochs, bool evaluate)
    {
        var ml = new MLContext(seed: 0);
        var view = View(ml, idv);
        var options = new AutoencoderEstimator.Options
        {
            InputColumnName = "Features", OutputColumnName = "Code", Seed = 0,
            Autoencoder = new AutoencoderOptions { CodeSize = 20, HiddenSizes = [256, 128], Epochs = epochs, BatchSize = 512, Threads = 2 },
            Streaming = new StreamingOptions { Mode = mode },
        };
        // Processor time (all threads) at the end of each epoch: epochs 2 … E differ only by one epoch's work, in either
        // mode, and processor time depends much less than wall time on what else the machine runs.
        var cpuAtEpochEnd = new List<double>();
        options.Progress = new MLNetAutoencoders.Nn.SyncProgress<MLNetAutoencoders.Nn.EpochReport>(_ => cpuAtEpochEnd.Add(Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds));
        double before = StatusMB("VmHWM");
        var sw = Stopwatch.StartNew();
        using var sampler = Environment.GetEnvironmentVariable("STREAMINGFIT_SAMPLE") is null ? null : new Timer(_ =>
        {
            var gc = GC.GetGCMemoryInfo();
            Console.Error.WriteLine(FormattableString.Invariant($"{sw.Elapsed.TotalSeconds:F0} s: VmRSS {StatusMB("VmRSS"):F0} MB, GC heap {gc.HeapSizeBytes / 1048576.0:F0} MB, committed {gc.TotalCommittedBytes / 1048576.0:F0} MB, managed {GC.GetTotalMemory(false) / 1048576.0:F0} MB, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MB, GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}"));
        }, null, 0, 5000);
        var fitted = ml.Transforms.EncodeWithAutoencoder(options).Fit(view);
        double fitSeconds = sw.Elapsed.TotalSeconds;
        double peak = StatusMB("VmHWM");
        var history = fitted.Model.History;
        var result = new JsonObject
        {
            ["file"] = idv, ["fileMB"] = File.Exists(idv) ? new FileInfo(idv).Length / 1048576.0 : 0, ["rows"] = view.GetRowCount() ?? 60000L * int.Parse(idv["generated:".Length..], CultureInfo.InvariantCulture), ["mode"] = mode.ToString(), ["epochs"] = epochs,
            ["fitSeconds"] = fitSeconds, ["epochSeconds"] = new JsonArray(history.Epochs.Select(e => (JsonNode)e.Seconds).ToArray()),
            ["readSeconds"] = fitSeconds - history.TotalSeconds, ["finalTrainLoss"] = history.Epochs[^1].TrainLoss,
            ["cpuEpochSeconds"] = new JsonArray(cpuAtEpochEnd.Skip(1).Select((c, i) => (JsonNode)(c - cpuAtEpochEnd[i])).ToArray()),
            ["vmHwmBeforeFitMB"] = before, ["vmHwmMB"] = peak, ["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim(),
        };
        if (evaluate)
        {
            var (_, test) = FashionMnist.Load();
            result["testMse"] = AutoencoderMetrics.ReconstructionMse(fitted.Model, test.Images);
        }
        return result;
    }

    /// <summary>A field of /proc/self/status in MB (VmHWM = peak resident set).</summary>
    public static double StatusMB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }
}

internal static class Bench
{
    public static int Run(string[] a)
    {
        string data = "/work/tmp-data/streaming", output = "benchmarks/results/streaming.json", part = "all";
        int epochs = 3, reps = 2;
        for (int i = 0; i < a.Length; i++)
        {
            string Next() => i + 1 < a.Length ? a[++i] : throw new ArgumentException($"{a[i]} needs a value");
            switch (a[i])
            {
                case "--data": data = Next(); break;
                case "--out": output = Next(); break;
                case "--epochs": epochs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--part": part = Next(); break;
                default: throw new ArgumentException($"unknown argument '{a[i]}'");
            }
        }
        string File(int copies) => Path.Combine(data, $"fmnist-x{copies}.idv");
        foreach (int copies in new[] { 0, 5, 10 })
            if (!System.IO.File.Exists(File(copies)))
            {
                Console.Error.WriteLine($"writing {File(copies)} …");
                Generate.Run(copies, File(copies));
            }
        // Each part replaces its own entries in the JSON file, so the two parts can run one after the other.
        var doc = System.IO.File.Exists(output) ? JsonNode.Parse(System.IO.File.ReadAllText(output))!.AsObject() : new JsonObject();
        doc["network"] = "784-256-128-20, batch 512, Adam 1e-3, cross-entropy, Threads 2, seed 0, shuffle buffer 8192 rows";
        doc["machine"] = $"{Environment.ProcessorCount} cores";
        if (part is "all" or "memory")
        {
            var memory = new JsonArray();
            var cases = new (string View, int Copies, string Kind, string? Conserve)[]
            {
                (File(5), 5, "scan", null), (File(10), 10, "scan", null),
                (File(5), 5, "fit", null), (File(10), 10, "fit", null),
                (File(10), 10, "fit", "9"), ("generated:10", 10, "fit", null),
            };
            foreach (var (view, copies, kind, conserve) in cases)
            {
                var r = Child(kind == "scan" ? ["scan", view] : ["fit", view, "Streaming", "1", "none"], conserve);
                r["copies"] = copies;
                r["gcConserveMemory"] = conserve;
                Console.Error.WriteLine($"memory {view} {kind}{(conserve is null ? "" : " GCConserveMemory=" + conserve)}: VmHWM {r["vmHwmMB"]} MB");
                memory.Add(r);
            }
            doc["memory"] = memory;
            doc["memoryDate"] = DateTime.UtcNow.ToString("u");
        }
        if (part is "all" or "compare")
        {
            var compare = new JsonArray();
            for (int rep = 0; rep < reps; rep++)
                foreach (var mode in rep % 2 == 0 ? new[] { TrainingDataMode.InMemory, TrainingDataMode.Streaming } : new[] { TrainingDataMode.Streaming, TrainingDataMode.InMemory })
                {
                    var r = Child(["fit", File(0), mode.ToString(), epochs.ToString(CultureInfo.InvariantCulture), "test"], null);
                    r["rep"] = rep;
                    Console.Error.WriteLine($"compare {mode} rep {rep}: test MSE {r["testMse"]}, epochs {r["epochSeconds"]!.ToJsonString()}");
                    compare.Add(r);
                }
            doc["compare"] = compare;
            doc["compareDate"] = DateTime.UtcNow.ToString("u");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        AtomicFile.WriteAllText(output, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var md = Report(doc);
        AtomicFile.WriteAllText(Path.ChangeExtension(output, ".md"), md);
        Console.WriteLine(md);
        return 0;
    }

    private static JsonObject Child(string[] arguments, string? gcConserveMemory)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") psi.ArgumentList.Add(typeof(Bench).Assembly.Location);
        foreach (var x in arguments) psi.ArgumentList.Add(x);
        if (gcConserveMemory != null) psi.Environment["DOTNET_GCConserveMemory"] = gcConserveMemory;
        using var p = Process.Start(psi)!;
        string line = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"'{string.Join(' ', arguments)}' failed with exit code {p.ExitCode}");
        return JsonNode.Parse(line)!.AsObject();
    }

    private static string Report(JsonObject doc)
    {
        var w = new System.Text.StringBuilder();
        w.AppendLine($"# Streaming fit of EncodeWithAutoencoder ({doc["machine"]})");
        w.AppendLine();
        w.AppendLine($"{doc["network"]}. Every case runs in its own process; VmHWM is its peak resident memory, read right after Fit (or after the scan).");
        if (doc["memory"] is JsonArray memory)
        {
            w.AppendLine();
            w.AppendLine($"## Memory: one streaming epoch ({doc["memoryDate"]})");
            w.AppendLine();
            w.AppendLine("`scan` = one cursor pass over the column and nothing else (ML.NET's binary loader alone); `fit` = EncodeWithAutoencoder, Streaming.Mode = Streaming, 1 epoch; `generated:10` = the same 10 copies made row by row by a LoadFromEnumerable view (no file, no loader buffers).");
            w.AppendLine();
            w.AppendLine("| view | rows | column data (rows × 784 × 4 B) | file on disk | case | GC | VmHWM | seconds | load average |");
            w.AppendLine("|---|---:|---:|---:|---|---|---:|---:|---|");
            foreach (var r in memory.Select(x => x!.AsObject()))
            {
                long rows = (long)r["rows"]!;
                string file = (string)r["file"]!;
                double disk = System.IO.File.Exists(file) ? new FileInfo(file).Length / 1048576.0 : 0;
                string kind = (string)r["mode"]! == "scan" ? "scan" : "fit";
                double secs = r["seconds"] is JsonNode sn ? (double)sn : (double)r["fitSeconds"]!;
                w.AppendLine(FormattableString.Invariant($"| {Path.GetFileName(file)} | {rows:N0} | {rows * 784 * 4 / 1048576.0:F0} MB | {(disk > 0 ? $"{disk:F0} MB" : "—")} | {kind} | {(r["gcConserveMemory"] is JsonNode g ? $"GCConserveMemory={g}" : "default")} | **{(double)r["vmHwmMB"]!:F0} MB** | {secs:F0} | {r["loadAverage"]} |"));
            }
        }
        if (doc["compare"] is JsonArray compare)
        {
            var rows2 = compare.Select(r => r!.AsObject()).ToList();
            w.AppendLine();
            w.AppendLine($"## Fashion-MNIST (60 000 rows from a binary view): in memory against streaming, {rows2[0]["epochs"]} epochs, same seed ({doc["compareDate"]})");
            w.AppendLine();
            w.AppendLine("| rep | mode | test MSE | s per epoch (mean) | processor s per epoch (epochs 2 …) | read s | final train loss | VmHWM | load average |");
            w.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in rows2)
                w.AppendLine(FormattableString.Invariant($"| {r["rep"]} | {r["mode"]} | {(double)r["testMse"]!:F5} | {Mean(r):F3} | {Cpu(r):F3} | {(double)r["readSeconds"]!:F2} | {(double)r["finalTrainLoss"]!:F3} | {(double)r["vmHwmMB"]!:F0} MB | {r["loadAverage"]} |"));
            w.AppendLine();
            var ratios = new List<(double Time, double Cpu)>();
            foreach (var rep in rows2.GroupBy(r => (int)r["rep"]!))
            {
                var mem = rep.First(r => (string)r["mode"]! == "InMemory");
                var str = rep.First(r => (string)r["mode"]! == "Streaming");
                double mse = (double)str["testMse"]! / (double)mem["testMse"]! - 1, time = Mean(str) / Mean(mem);
                double fit = (double)str["fitSeconds"]! / (double)mem["fitSeconds"]!, cpu = Cpu(str) / Cpu(mem);
                ratios.Add((time, cpu));
                w.AppendLine(FormattableString.Invariant($"- rep {rep.Key}: streaming test MSE {mse:+0.00%;-0.00%} against in memory; time per epoch {time:F2}× (in memory's one read of the file, {(double)mem["readSeconds"]!:F1} s, not counted); processor time per epoch {cpu:F2}×; whole Fit {fit:F2}×."));
            }
            static double Median(IEnumerable<double> v) { var a = v.Order().ToArray(); return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2; }
            w.AppendLine(FormattableString.Invariant($"- median over the {ratios.Count} reps: time per epoch {Median(ratios.Select(r => r.Time)):F2}×, processor time per epoch {Median(ratios.Select(r => r.Cpu)):F2}×."));
        }
        return w.ToString();
    }

    private static double Mean(JsonObject r) => r["epochSeconds"]!.AsArray().Average(x => (double)x!);

    private static double Cpu(JsonObject r) => r["cpuEpochSeconds"] is JsonArray a && a.Count > 0 ? a.Average(x => (double)x!) : double.NaN;
}
