// GEMM peak probe: GFLOP/s of the library's managed SGEMM and of OpenBLAS's cblas_sgemm (both through
// Gemm.Create) at several thread counts, on square matrices and on the reference AE's largest layer shapes.
// Usage: dotnet run -c Release --project benchmarks/GemmPeak -- [--threads 1,2] [--reps 5] [--min-seconds 0.1]
//        [--providers managed,openblas] [--cases all|square|ae|training|scoring]
// Prints a table, then one JSON line (the last line of stdout).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Numerics;

var opts = Args.Parse(args);
var cases = new List<Case>();
if (opts.Cases is "all" or "square")
{
    cases.Add(new Case("square 1024", 1024, 1024, 1024, false, false));
    cases.Add(new Case("square 2048", 2048, 2048, 2048, false, false));
}
if (opts.Cases is "training")
{
    // Every GEMM of one training step of the reference AE (784-256-128-20, mirrored; batch 512): for each layer
    // in→out the forward Y = X·Wᵀ (NT), the weight gradient dW = dYᵀ·X (TN) and, but for the first layer, the input
    // gradient dX = dY·W (NN). The epoch's GEMM time at these rates is the roofline of an epoch.
    int[] widths = { 784, 256, 128, 20, 128, 256, 784 };
    for (int l = 0; l + 1 < widths.Length; l++)
    {
        int i = widths[l], o = widths[l + 1];
        cases.Add(new Case($"forward 512x{o}x{i} NT", 512, o, i, false, true));
        cases.Add(new Case($"weight-grad {o}x{i}x512 TN", o, i, 512, true, false));
        if (l > 0) cases.Add(new Case($"input-grad 512x{i}x{o} NN", 512, i, o, false, false));
    }
}
if (opts.Cases is "scoring")
{
    // The encoder's products when a stage scores a block of 1 024 rows (784-256-128-20): Y = X·Wᵀ with the weights
    // stored out×in (NT), and the same products with the weights stored transposed, in×out (NN).
    int[] widths = { 784, 256, 128, 20 };
    for (int l = 0; l + 1 < widths.Length; l++)
    {
        int i = widths[l], o = widths[l + 1];
        cases.Add(new Case($"score 1024x{o}x{i} NT", 1024, o, i, false, true));
        cases.Add(new Case($"score 1024x{o}x{i} NN", 1024, o, i, false, false));
    }
    foreach (int m in new[] { 256, 512, 2048 }) cases.Add(new Case($"score {m}x256x784 NT", m, 256, 784, false, true));
}
if (opts.Cases is "all" or "ae")
{
    // m×n×k with op(A) m×k, op(B) k×n; batch 512, the 784↔256 layer (weights stored out×in).
    cases.Add(new Case("ae forward 512x256x784 NT", 512, 256, 784, false, true));   // Y = X·Wᵀ
    cases.Add(new Case("ae weight-grad 256x784x512 TN", 256, 784, 512, true, false)); // dW = dYᵀ·X
    cases.Add(new Case("ae input-grad 512x784x256 NN", 512, 784, 256, false, false)); // dX = dY·W
}

var providers = new List<(string Name, int Threads, IGemm? Gemm, string? Missing)>();
foreach (var p in opts.Providers)
    foreach (var t in opts.Threads)
    {
        var kind = Gemm.ParseKind(p);
        try { providers.Add((p, t, Gemm.Create(kind, t), null)); }
        catch (InvalidOperationException e) { providers.Add((p, t, null, e.Message)); }
    }

var rng = new Rng(12345);
var results = new JsonArray();
var table = new List<string[]>();
var header = new List<string> { "case (m x n x k)" };
header.AddRange(providers.Select(p => $"{p.Name} T{p.Threads}"));
header.Add("max rel diff");
var peak = new Dictionary<string, double>();

foreach (var c in cases)
{
    var a = new float[(long)c.M * c.K];
    var b = new float[(long)c.K * c.N];
    rng.FillUniform(a, -1, 1);
    rng.FillUniform(b, -1, 1);
    int lda = c.TransA ? c.M : c.K, ldb = c.TransB ? c.K : c.N;
    var row = new List<string> { c.Name };
    float[]? reference = null;
    double maxRel = 0;
    foreach (var (name, threads, gemm, missing) in providers)
    {
        if (gemm is null) { row.Add("n/a"); continue; }
        var cMat = new float[(long)c.M * c.N];
        void Call() => gemm.Sgemm(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, lda, b, ldb, 0f, cMat, c.N);
        double best = Time(Call, opts.Reps, opts.MinSeconds);
        double gflops = 2.0 * c.M * c.N * c.K / best / 1e9;
        row.Add(gflops.ToString("F1", CultureInfo.InvariantCulture));
        peak[name] = Math.Max(peak.GetValueOrDefault(name), gflops);
        results.Add(new JsonObject
        {
            ["provider"] = name, ["threads"] = threads, ["case"] = c.Name, ["m"] = c.M, ["n"] = c.N, ["k"] = c.K,
            ["transA"] = c.TransA, ["transB"] = c.TransB, ["seconds"] = best, ["gflops"] = Math.Round(gflops, 2),
        });
        if (reference is null) reference = cMat;
        else maxRel = Math.Max(maxRel, MaxRelDiff(reference, cMat));
    }
    row.Add(maxRel.ToString("G2", CultureInfo.InvariantCulture));
    table.Add(row.ToArray());
}

Console.WriteLine($"GEMM GFLOP/s (2·m·n·k / best time; best of {opts.Reps} repetitions, each ≥ {opts.MinSeconds}s), {Environment.ProcessorCount} logical CPUs, {Cpu()}");
foreach (var (name, threads, _, missing) in providers.Where(p => p.Missing != null))
    Console.WriteLine($"  {name} T{threads}: not available ({missing})");
PrintTable(header.ToArray(), table);

var json = new JsonObject
{
    ["benchmark"] = "gemm-peak",
    ["cpu"] = Cpu(),
    ["logicalCpus"] = Environment.ProcessorCount,
    ["reps"] = opts.Reps,
    ["results"] = results,
    ["peakGflops"] = new JsonObject(peak.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Math.Round(kv.Value, 2)))),
};
Console.WriteLine(json.ToJsonString());
return 0;

static double Time(Action call, int reps, double minSeconds)
{
    var sw = Stopwatch.StartNew();
    call(); // warm-up (JIT, packing buffers, OpenBLAS thread start)
    double once = Math.Max(sw.Elapsed.TotalSeconds, 1e-6);
    int calls = Math.Max(1, (int)Math.Ceiling(minSeconds / once));
    double best = double.PositiveInfinity;
    for (int r = 0; r < reps; r++)
    {
        sw.Restart();
        for (int i = 0; i < calls; i++) call();
        best = Math.Min(best, sw.Elapsed.TotalSeconds / calls);
    }
    return best;
}

static double MaxRelDiff(float[] x, float[] y)
{
    double scale = 0, diff = 0;
    for (int i = 0; i < x.Length; i++)
    {
        scale = Math.Max(scale, Math.Abs(x[i]));
        diff = Math.Max(diff, Math.Abs(x[i] - y[i]));
    }
    return scale == 0 ? diff : diff / scale;
}

static string Cpu()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
    }
    catch (IOException) { return "unknown CPU"; }
    catch (UnauthorizedAccessException) { return "unknown CPU"; }
}

static void PrintTable(string[] header, List<string[]> rows)
{
    var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
    string Line(string[] cells) => string.Join("  ", cells.Select((s, i) => i == 0 ? s.PadRight(widths[i]) : s.PadLeft(widths[i])));
    Console.WriteLine(Line(header));
    Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
    foreach (var r in rows) Console.WriteLine(Line(r));
}

/// <summary>One GEMM shape: C (m×n) = op(A) (m×k) · op(B) (k×n).</summary>
internal sealed record Case(string Name, int M, int N, int K, bool TransA, bool TransB);

/// <summary>Command-line settings of the probe.</summary>
internal sealed record Args(int[] Threads, int Reps, double MinSeconds, string[] Providers, string Cases)
{
    public static Args Parse(string[] argv)
    {
        var a = new Args(new[] { 1, 2 }, 5, 0.1, new[] { "managed", "openblas" }, "all");
        for (int i = 0; i < argv.Length; i++)
        {
            string Value() => i + 1 < argv.Length ? argv[++i] : throw new ArgumentException($"{argv[i]} needs a value.");
            a = argv[i] switch
            {
                "--threads" => a with { Threads = Ints(Value(), "--threads") },
                "--reps" => a with { Reps = Ints(Value(), "--reps")[0] },
                "--min-seconds" => a with { MinSeconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--providers" => a with { Providers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--cases" => a with { Cases = Value() is var c && c is "all" or "square" or "ae" or "training" or "scoring" ? c : throw new ArgumentException($"--cases: expected all, square, ae, training or scoring; got '{c}'.") },
                var other => throw new ArgumentException($"Unknown option '{other}'. Options: --threads 1,2 --reps 5 --min-seconds 0.1 --providers managed,openblas --cases all|square|ae|training"),
            };
        }
        if (!(a.MinSeconds >= 0)) throw new ArgumentException("--min-seconds must be ≥ 0.");
        foreach (var p in a.Providers) Gemm.ParseKind(p);
        return a;
    }

    private static int[] Ints(string text, string option)
    {
        try
        {
            var v = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            if (v.Length == 0 || v.Any(x => x < 1)) throw new FormatException();
            return v;
        }
        catch (FormatException) { throw new ArgumentException($"{option} expects positive whole numbers separated by commas; got '{text}'."); }
    }
}
