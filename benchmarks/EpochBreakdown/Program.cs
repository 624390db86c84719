// Where one training epoch of the reference autoencoder (784-256-128-20, batch 512, Adam, BCE on logits) spends its
// time, measured with the library's own pieces in the order the managed engine runs them: the row gather of each
// minibatch, every layer's forward and backward (split into the GEMM calls, timed through a wrapping IGemm and
// grouped by shape, and the rest: bias, activation and its derivative, bias gradient), the loss, the optimiser step,
// and the allocations and garbage collections of the epoch. Timers cost one Stopwatch read per phase (≈ 30 ns).
// Usage: dotnet run -c Release --project benchmarks/EpochBreakdown -- [--threads 1,2] [--epochs 2] [--gemm auto|managed|openblas] [--clock wall|thread-cpu]
// --clock thread-cpu reads the training thread's CPU time instead of the wall clock (Linux): on a loaded machine it leaves
// out the time the thread waited for a CPU, so phases of one-thread runs compare across runs; with 2 threads it misses the
// work of the other threads.
// Prints one table per thread count (the last epoch), then one JSON line (the last line of stdout).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

int[] threadCounts = { 1, 2 };
int epochs = 2;
var gemmKind = GemmKind.Auto;
bool threadCpu = false;
for (int i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--threads": threadCounts = Value().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
        case "--epochs": epochs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--gemm": gemmKind = Gemm.ParseKind(Value()); break;
        case "--clock":
            threadCpu = Value() switch { "wall" => false, "thread-cpu" => true, var c => throw new ArgumentException($"--clock is wall or thread-cpu, not '{c}'.") };
            break;
        default: Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --threads 1,2 --epochs 2 --gemm auto|managed|openblas --clock wall|thread-cpu"); return 2;
    }
}

Clock.ThreadCpu = threadCpu;
var data = FashionMnist.LoadTrain().Images;
const int Batch = 512;
double flopsPerEpoch = 0;
var runs = new JsonArray();
foreach (int threads in threadCounts)
{
    var o = new AutoencoderOptions { HiddenSizes = new[] { 256, 128 }, CodeSize = 20, BatchSize = Batch, Threads = threads, Gemm = gemmKind };
    var rng = new Rng(0);
    var (encoder, decoder) = AutoencoderTrainer.Build(o, data.Cols, rng);
    var timed = new TimedGemm(Gemm.Create(gemmKind, threads));
    var ctx = new NnContext(timed, rng.Fork(1));
    var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();
    var optimizer = Optimizer.Create(OptimizerKind.Adam, parameters, 1e-3f);
    var layers = encoder.Layers.Concat(decoder.Layers).ToList();
    Matrix? xb = null, grad = null;
    var phases = new Phases();
    for (int epoch = 1; epoch <= epochs; epoch++)
    {
        phases.Clear();
        timed.Clear();
        long alloc0 = GC.GetAllocatedBytesForCurrentThread(), allocAll0 = GC.GetTotalAllocatedBytes(precise: true);
        int gc0 = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration();
        long t = Clock.Now(), start = t;
        var order = rng.Permutation(data.Rows);
        t = phases.Add("shuffle + row gather", t);
        for (int r0 = 0; r0 < data.Rows; r0 += Batch)
        {
            data.GatherRows(order.AsSpan(r0, Math.Min(Batch, data.Rows - r0)), ref xb);
            t = phases.Add("shuffle + row gather", t);
            var x = xb!;
            foreach (var l in layers)
            {
                double g0 = timed.Seconds;
                x = l.Forward(x, true, ctx);
                t = phases.AddLayer("forward: bias + activation", t, timed.Seconds - g0);
            }
            var g = Matrix.Ensure(ref grad, x.Rows, x.Cols);
            Losses.Compute(LossKind.CrossEntropy, x, xb!, g, ctx);
            t = phases.Add("loss + its gradient", t);
            Matrix? d = g;
            for (int li = layers.Count - 1; li >= 0 && d != null; li--)
            {
                double g0 = timed.Seconds;
                d = layers[li].Backward(d, li > 0, ctx);
                t = phases.AddLayer("backward: activation derivative + bias gradient", t, timed.Seconds - g0);
            }
            optimizer.Step(ctx);
            t = phases.Add("optimiser step (Adam)", t);
        }
        double seconds = Clock.Seconds(start, Clock.Now());
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocAll0;
        int gcs = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gc0;
        double pause = (GC.GetTotalPauseDuration() - pause0).TotalSeconds;
        if (epoch < epochs) continue;
        flopsPerEpoch = timed.Flops;
        Console.WriteLine($"threads {threads}, GEMM {timed.Inner.Name}, clock {(threadCpu ? "thread CPU" : "wall")}: epoch {epoch} {seconds:F3} s, {timed.Flops / 1e9:F2} GFLOP in GEMMs ({timed.Flops / 1e9 / seconds:F1} GFLOP/s over the epoch); allocated {allocated / 1024.0:F0} KiB, {gcs} GCs, {pause * 1000:F1} ms paused");
        Console.WriteLine($"  {"phase",-58} {"seconds",8} {"share",6} {"GFLOP/s",8}");
        var rows = new JsonArray();
        void Row(string name, double s, double flops)
        {
            string rate = flops > 0 ? (flops / s / 1e9).ToString("F1", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"  {name,-58} {s,8:F3} {s / seconds * 100,5:F1}% {rate,8}");
            rows.Add(new JsonObject { ["phase"] = name, ["gflop"] = Math.Round(flops / 1e9, 4), ["seconds"] = Math.Round(s, 4), ["share"] = Math.Round(s / seconds, 4), ["gflops"] = flops > 0 ? Math.Round(flops / s / 1e9, 2) : null });
        }
        foreach (var (shape, s, flops, calls) in timed.ByShape()) Row($"GEMM {shape} ({calls} calls)", s, flops);
        Row("GEMM, all shapes", timed.Seconds, timed.Flops);
        foreach (var (name, s) in phases.Items) Row(name, s, 0);
        Row("other (timers, loop)", seconds - timed.Seconds - phases.Items.Sum(p => p.Seconds), 0);
        Row("epoch", seconds, timed.Flops);
        runs.Add(new JsonObject
        {
            ["threads"] = threads, ["gemm"] = timed.Inner.Name, ["clock"] = threadCpu ? "thread-cpu" : "wall", ["epochSeconds"] = Math.Round(seconds, 4),
            ["gemmSeconds"] = Math.Round(timed.Seconds, 4), ["gemmGflop"] = Math.Round(timed.Flops / 1e9, 3),
            ["allocatedBytes"] = allocated, ["gcCount"] = gcs, ["gcPauseSeconds"] = Math.Round(pause, 4), ["phases"] = rows,
        });
    }
}
Console.WriteLine(new JsonObject { ["benchmark"] = "epoch-breakdown", ["model"] = "ae 784-256-128-20 batch 512", ["gemmFlopPerEpoch"] = flopsPerEpoch, ["runs"] = runs }.ToJsonString());
return 0;

/// <summary>Seconds per named phase; layer phases have their GEMM seconds taken out.</summary>
internal sealed class Phases
{
    private readonly Dictionary<string, double> _seconds = new();
    public IEnumerable<(string Name, double Seconds)> Items => _seconds.Select(kv => (kv.Key, kv.Value));
    public void Clear() => _seconds.Clear();
    public long Add(string name, long since) => AddLayer(name, since, 0);
    public long AddLayer(string name, long since, double gemmSeconds)
    {
        long now = Clock.Now();
        _seconds[name] = _seconds.GetValueOrDefault(name) + Clock.Seconds(since, now) - gemmSeconds;
        return now;
    }
}

/// <summary>An <see cref="IGemm"/> that times each call of the provider it wraps, by shape.</summary>
internal sealed class TimedGemm(IGemm inner) : IGemm
{
    private readonly Dictionary<string, (double Seconds, double Flops, int Calls)> _byShape = new();
    public IGemm Inner => inner;
    public string Name => inner.Name;
    public int Threads => inner.Threads;
    public double Seconds { get; private set; }
    public double Flops { get; private set; }
    public void Clear() { _byShape.Clear(); Seconds = 0; Flops = 0; }
    public IEnumerable<(string Shape, double Seconds, double Flops, int Calls)> ByShape()
        => _byShape.OrderByDescending(kv => kv.Value.Seconds).Select(kv => (kv.Key, kv.Value.Seconds, kv.Value.Flops, kv.Value.Calls));

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        long t0 = Clock.Now();
        inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        double s = Clock.Seconds(t0, Clock.Now());
        // The batch dimension (512, or 96 in the epoch's last batch) shows as B, so both batches share a line.
        string D(int x) => x is 512 or 96 ? "B" : x.ToString(CultureInfo.InvariantCulture);
        string key = $"{(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} {D(m)}x{D(n)}x{D(k)}";
        var v = _byShape.GetValueOrDefault(key);
        double flops = 2.0 * m * n * k;
        _byShape[key] = (v.Seconds + s, v.Flops + flops, v.Calls + 1);
        Seconds += s;
        Flops += flops;
    }
}

/// <summary>The phases' clock: the wall clock, or the calling thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)).</summary>
internal static unsafe class Clock
{
    public static bool ThreadCpu;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, long* timespec);

    /// <summary>Ticks: Stopwatch ticks, or nanoseconds of thread CPU time.</summary>
    public static long Now()
    {
        if (!ThreadCpu) return Stopwatch.GetTimestamp();
        long* ts = stackalloc long[2];
        if (ClockGetTime(3, ts) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: --clock thread-cpu needs Linux.");
        return ts[0] * 1_000_000_000 + ts[1];
    }

    public static double Seconds(long from, long to) => ThreadCpu ? (to - from) * 1e-9 : Stopwatch.GetElapsedTime(from, to).TotalSeconds;
}
