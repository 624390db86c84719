// The reference autoencoder (784-256-128-20, ReLU, linear code, mirrored decoder, logits out) or the reference VAE
// (784-128 → μ, log σ² ∈ R²⁰; 20-128-784) trained with TorchSharp alone, exactly as benchmarks/pytorch_ae.py and
// pytorch_vae.py do in PyTorch: Adam 1e-3 (β 0.9, 0.999), BCE on logits summed over pixels and averaged over the batch,
// reshuffled minibatches (the last partial batch kept). Prints one JSON line like those scripts.
// Usage: dotnet PlainTorchSharp.dll --model ae|vae --threads 2 --epochs 3 --seed 0
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

var opts = new Dictionary<string, string> { ["--model"] = "ae", ["--threads"] = "1", ["--epochs"] = "5", ["--seed"] = "0" };
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (!opts.ContainsKey(args[i])) { Console.Error.WriteLine($"unknown option {args[i]}; expected {string.Join(", ", opts.Keys)}"); return 2; }
    opts[args[i]] = args[i + 1];
}
string model = opts["--model"];
if (model is not ("ae" or "vae")) { Console.Error.WriteLine("--model must be ae or vae"); return 2; }
int threads = int.Parse(opts["--threads"]), epochs = int.Parse(opts["--epochs"]), batch = model == "ae" ? 512 : 128;
long seed = long.Parse(opts["--seed"]);
torch.set_num_threads(threads);
torch.manual_seed(seed);
string dir = Environment.GetEnvironmentVariable("FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist";
var train = ReadImages(Path.Combine(dir, "train-images-idx3-ubyte.gz"));
var test = ReadImages(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"));

Tensor ReadImages(string path)
{
    using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var ms = new MemoryStream();
    gz.CopyTo(ms);
    var raw = ms.ToArray();
    int n = (raw[4] << 24) | (raw[5] << 16) | (raw[6] << 8) | raw[7];
    var x = new float[n * 784];
    for (int i = 0; i < x.Length; i++) x[i] = raw[16 + i] / 255f;
    return torch.tensor(x, new long[] { n, 784 });
}

nn.Module<Tensor, Tensor> encoder, decoder;
TorchSharp.Modules.Linear? heads = null;
if (model == "ae")
{
    encoder = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 20));
    decoder = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 784));
}
else
{
    encoder = nn.Sequential(nn.Linear(784, 128), nn.ReLU());
    heads = nn.Linear(128, 40);
    decoder = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 784));
}
var parameters = encoder.parameters().Concat(decoder.parameters()).Concat(heads?.parameters() ?? []).ToList();
var optimizer = optim.Adam(parameters, 1e-3, beta1: 0.9, beta2: 0.999);

// Loss summed over the batch's rows (the VAE: reconstruction + KL with one draw of z per row).
(Tensor Loss, Tensor? Rec, Tensor? Kl) LossSum(Tensor xb, Generator? g = null)
{
    if (heads is null) return (F.binary_cross_entropy_with_logits(decoder.call(encoder.call(xb)), xb, reduction: nn.Reduction.Sum), null, null);
    var muLv = heads.call(encoder.call(xb)).split(20, 1);
    var eps = torch.randn(muLv[0].shape, generator: g);
    var logits = decoder.call(muLv[0] + torch.exp(0.5 * muLv[1]) * eps);
    var rec = F.binary_cross_entropy_with_logits(logits, xb, reduction: nn.Reduction.Sum);
    var kl = 0.5 * (muLv[0] * muLv[0] + muLv[1].exp() - 1 - muLv[1]).sum();
    return (rec + kl, rec, kl);
}

var seconds = new List<double>();
var losses = new List<double>();
long rows = train.shape[0];
var gen = new Generator().manual_seed(seed);
for (int e = 0; e < epochs; e++)
{
    var sw = Stopwatch.StartNew();
    double total = 0;
    using (var epochScope = torch.NewDisposeScope())
    {
        var perm = torch.randperm(rows, generator: gen);
        for (long s = 0; s < rows; s += batch)
        {
            using var scope = torch.NewDisposeScope();
            var xb = train.index_select(0, perm.narrow(0, s, Math.Min(batch, rows - s)));
            var (loss, _, _) = LossSum(xb);
            optimizer.zero_grad();
            (loss / xb.shape[0]).backward();
            optimizer.step();
            total += loss.item<float>();
        }
    }
    seconds.Add(sw.Elapsed.TotalSeconds);
    losses.Add(total / rows);
}

var result = new Dictionary<string, object>
{
    ["impl"] = "plain-torchsharp-" + model, ["threads"] = threads, ["batch"] = batch, ["epochs"] = epochs,
    ["parameters"] = parameters.Sum(p => p.numel()), ["secondsPerEpoch"] = seconds.Select(s => Math.Round(s, 4)).ToArray(),
    ["meanSecondsPerEpoch"] = seconds.Average(), ["trainLoss"] = losses[^1], ["trainLossHistory"] = losses,
};
using (torch.no_grad())
{
    if (heads is null)
        result["testMse"] = (torch.sigmoid(decoder.call(encoder.call(test))) - test).pow(2).mean().item<float>();
    else
    {
        var (_, rec, kl) = LossSum(test, new Generator().manual_seed(seed + 1));
        var mu = heads.call(encoder.call(test)).split(20, 1)[0];
        long n = test.shape[0];
        result["negElbo"] = (rec!.item<float>() + kl!.item<float>()) / n;
        result["reconstruction"] = rec.item<float>() / n;
        result["kl"] = kl.item<float>() / n;
        result["testMse"] = (torch.sigmoid(decoder.call(mu)) - test).pow(2).mean().item<float>();
    }
}
result["peakRssMb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1);
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;
