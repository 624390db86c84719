// The element-wise passes of one training step of the reference autoencoder (784-256-128-20, batch 512), each timed
// on its own through the library's public API, on one thread: the loss and its gradient on the 512×784 output, the Adam
// step over all 473 636 parameters, the row gather of a shuffled minibatch from a 60 000×784 matrix, a 256-wide ReLU
// layer's backward pass without its products (activation derivative + bias gradient), and the finiteness check of the
// input rows (Matrix.ThrowIfNotFinite, which scoring runs on every block). The passes take turns, repetition after
// repetition, and each reports its fastest repetition and the median: on a shared machine the fastest is the one least
// disturbed. Built at two commits and run as A B A B, it compares two versions of the same passes.
// Usage: dotnet run -c Release --project benchmarks/KernelTimes -- [--reps 300]
// Prints one line per pass, then one JSON line (the last line of stdout).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

int reps = 300;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--reps" && i + 1 < args.Length) reps = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else { Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --reps 300"); return 2; }
}

const int Batch = 512, Width = 784, Rows = 60000;
var rng = new Rng(1);
var ctx = NnContext.Create(GemmKind.Auto, threads: 1, seed: 2);
var data = new Matrix(Rows, Width);
rng.FillUniform(data.Data, 0, 1);
var logits = new Matrix(Batch, Width);
rng.FillUniform(logits.Data, -8, 8);
Matrix? target = null, gathered = null;
data.GatherRows(rng.Permutation(Rows).AsSpan(0, Batch), ref target);
var grad = new Matrix(Batch, Width);

var o = new AutoencoderOptions { HiddenSizes = [256, 128], CodeSize = 20, BatchSize = Batch, Threads = 1 };
var (encoder, decoder) = AutoencoderTrainer.Build(o, Width, rng);
var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();
var adam = new Adam(parameters);

var layer = new DenseLayer("relu", 128, 256, ActivationKind.Relu);
rng.FillUniform(layer.Weight.Value.Data, -0.1f, 0.1f);
layer.Weight.Frozen = true;   // no products: Backward is the activation derivative and the bias gradient alone
var layerInput = new Matrix(Batch, 128);
rng.FillUniform(layerInput.Data, -1, 1);
var dy = new Matrix(Batch, 256);

var order = rng.Permutation(Rows);
var times = new Dictionary<string, List<double>>();
void Time(string name, Action pass)
{
    long t0 = Stopwatch.GetTimestamp();
    pass();
    double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
    if (!times.TryGetValue(name, out var list)) times[name] = list = [];
    list.Add(s);
}
double lossValue = 0;
for (int r = 0; r < reps; r++)
{
    Time("loss + gradient (512×784, BCE on logits)", () => lossValue = Losses.Compute(LossKind.CrossEntropy, logits, target!, grad, ctx));
    foreach (var p in parameters) rng.FillUniform(p.Grad.Data, -0.01f, 0.01f);
    Time("Adam step (473 636 parameters, gradients cleared)", () => adam.Step(ctx));
    int at = r * Batch % (Rows - Batch);
    Time("row gather (512 shuffled rows of 784)", () => data.GatherRows(order.AsSpan(at, Batch), ref gathered));
    layer.Forward(layerInput, true, ctx);
    rng.FillUniform(dy.Data, -1, 1);
    Time("ReLU backward + bias gradient (512×256)", () => layer.Backward(dy, false, ctx));
    Time("finiteness check (512×784)", () => target!.ThrowIfNotFinite("rows"));
}

var rows = new JsonArray();
foreach (var (name, list) in times)
{
    list.Sort();
    double min = list[0], median = list[list.Count / 2];
    Console.WriteLine(FormattableString.Invariant($"{name,-52} fastest {min * 1e3,8:F4} ms   median {median * 1e3,8:F4} ms"));
    rows.Add(new JsonObject { ["pass"] = name, ["fastestMs"] = Math.Round(min * 1e3, 5), ["medianMs"] = Math.Round(median * 1e3, 5) });
}
Console.WriteLine(new JsonObject { ["benchmark"] = "kernel-times", ["reps"] = reps, ["loss"] = lossValue, ["passes"] = rows }.ToJsonString());
return 0;
