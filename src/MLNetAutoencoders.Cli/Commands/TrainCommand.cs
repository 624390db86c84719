using System.CommandLine;
using Spectre.Console;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae train</c>: trains any kind of the autoencoder family, saves it, and reports test measurements
/// (reconstruction, denoising, Jacobian norm, code sparsity; −ELBO for the VAE).
/// </summary>
internal static class TrainCommand
{
    // Each kind's strength comes from the one registry (AutoencoderKinds / AutoencoderDefaults), as in the ML.NET stages.
    private static readonly string DefaultKl = FormattableString.Invariant($"{AutoencoderDefaults.KlSparsityTarget}:{AutoencoderDefaults.KlSparsityWeight}");
    private static readonly string DefaultNoise = Corruptions.Format(CorruptionKind.Gaussian, AutoencoderDefaults.DenoisingNoise);

    public static Command Create()
    {
        var common = new CommonOptions();
        // No defaults here: an option not given leaves the options class's default (AutoencoderDefaults) or the kind's preset.
        var kind = new Option<string>("--kind") { Description = CommonOptions.KindNames(AutoencoderKinds.All) + " (combine further with the options below)", DefaultValueFactory = _ => AutoencoderKinds.Name(AutoencoderKind.Plain) };
        var hidden = new Option<string?>("--hidden") { Description = $"encoder hidden widths, e.g. 256,128 (decoder mirrors); default {Sizes(AutoencoderDefaults.HiddenSizes)}, or {Sizes(AutoencoderDefaults.VaeHiddenSizes)} for vae" };
        var code = new Option<int?>("--code") { Description = $"code (latent) width; default {AutoencoderDefaults.CodeSize}" };
        var epochs = new Option<int?>("--epochs") { Description = $"epochs (per layer for stacked); default {AutoencoderDefaults.Epochs}, or {AutoencoderDefaults.VaeEpochs} for vae" };
        var batch = new Option<int?>("--batch") { Description = $"minibatch size; default {AutoencoderDefaults.BatchSize}, or {AutoencoderDefaults.VaeBatchSize} for vae" };
        var lr = new Option<float?>("--lr") { Description = FormattableString.Invariant($"learning rate; default {AutoencoderDefaults.LearningRate}") };
        var activation = new Option<string?>("--activation") { Description = "hidden activation: relu (default), leaky-relu, selu, sigmoid, tanh" };
        var codeActivation = new Option<string?>("--code-activation") { Description = "code activation; default identity, or relu for sparse-l1 (exact zeros) and sigmoid for sparse-kl" };
        var loss = new Option<string?>("--loss") { Description = "cross-entropy (default) or squared-error" };
        var optimizer = new Option<string?>("--optimizer") { Description = "adam (default) or sgd" };
        var init = new Option<string?>("--init") { Description = "auto (default), glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal, pytorch" };
        var validation = new Option<double?>("--validation-fraction") { Description = "share of rows held out for the validation loss; default 0" };
        var patience = new Option<int?>("--patience") { Description = "early-stopping patience in epochs; default 0 = off" };
        var dropout = new Option<float?>("--dropout") { Description = $"dropout rate after hidden layers of encoder and decoder; default 0, or {AutoencoderDefaults.DropoutRate} for dropout" };
        var tied = new Option<bool>("--tied") { Description = "tie decoder weights to the encoder's transposes (kind tied sets it)" };
        var noise = new Option<string?>("--noise") { Description = $"training-input corruption gaussian:η, mask:ν or salt-pepper:ν; default none, or {DefaultNoise} for denoising" };
        var l1 = new Option<float?>("--l1") { Description = $"L1 activity λ on the code; default 0, or {AutoencoderDefaults.SparseL1} for sparse-l1" };
        var l2 = new Option<float?>("--l2") { Description = "L2 activity λ on the code; default 0" };
        var kl = new Option<string?>("--kl") { Description = $"KL sparsity ρ:weight on a sigmoid code; default off, or {DefaultKl} for sparse-kl" };
        var contractive = new Option<float?>("--contractive") { Description = $"contractive λ; default 0, or {AutoencoderDefaults.Contractive} for contractive" };
        var adversarial = new Option<float?>("--adversarial") { Description = $"adversarial λ (a discriminator pushes the codes towards N(0, I)); default 0, or {AutoencoderDefaults.Adversarial} for adversarial" };
        var probes = new Option<int?>("--contractive-probes") { Description = "0 = exact ‖J‖² (default), k = unbiased estimate with k probes per sample" };
        var fineTune = new Option<int?>("--finetune-epochs") { Description = $"stacked: end-to-end fine-tuning epochs after the greedy phase; default {AutoencoderDefaults.StackedFineTuneEpochs}" };
        var beta = new Option<float?>("--beta") { Description = "vae: KL weight β; default 1 (the ELBO)" };
        var likelihood = new Option<string?>("--likelihood") { Description = "vae: bernoulli (default) or gaussian" };
        var sigma = new Option<float?>("--gaussian-sigma") { Description = "vae: σ of the Gaussian likelihood; default 1" };
        var output = new Option<string?>("--out") { Description = "where to save the model (.mlae)" };
        var backend = Backends.CreateOption();
        var imageShape = new Option<string?>("--image-shape") { Description = "conv: channels×height×width of a row, e.g. 1x28x28 (default: 1 × the dataset's image size)" };
        var channels = new Option<string?>("--channels") { Description = $"conv: output channels of the stride-2 convolutions; default {Sizes(new ConvAutoencoderOptions().Channels)}" };

        var cmd = new Command("train", "Train an autoencoder (any kind of the family) on a dataset and report test measurements.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { kind, hidden, code, epochs, batch, lr, activation, codeActivation, loss, optimizer, init, validation, patience,
                     dropout, tied, noise, l1, l2, kl, contractive, adversarial, probes, fineTune, beta, likelihood, sigma, output, backend, imageShape, channels })
            cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                var kindValue = CommonOptions.ParseKind(r.GetValue(kind)!, "--kind", AutoencoderKinds.All);
                var k = AutoencoderKinds.Name(kindValue);
                var shared = new Settings(
                    r.GetValue(hidden) is string h ? CommonOptions.ParseSizes(h, "--hidden") : null, r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr),
                    r.GetValue(activation) is string a ? Activations.Parse(a) : null, r.GetValue(optimizer) is string opt ? ParseOptimizer(opt) : null,
                    r.GetValue(init) is string ini ? ParseInit(ini) : null, r.GetValue(validation), r.GetValue(patience),
                    r.GetValue(common.Seed), r.GetValue(common.Threads), common.GemmKind(r), Backends.Parse(r.GetValue(backend)!));
                var data = common.Load(r);
                // --test-fraction 0: fit on every row; the measurements are then on the training rows, and say so.
                var test = data.Test ?? data.Train;
                string on = data.Test is null ? "training-rows" : "test";
                var json = new JsonObject { ["dataset"] = data.Name, ["kind"] = k, ["backend"] = shared.Engine.Name, ["measuredOn"] = data.Test is null ? "train" : "test", ["trainRows"] = data.Train.Count };
                if (data.ClassNames is { } cn) json["classNames"] = new JsonArray(cn.Select(c => (JsonNode)c!).ToArray());
                var sw = Stopwatch.StartNew();
                // The kind's preset first (the registry the ML.NET stages use), then whatever was given explicitly.
                var options = shared.Apply(AutoencoderKinds.CreateOptions(kindValue));
                int fineTuneEpochs = r.GetValue(fineTune) ?? AutoencoderDefaults.StackedFineTuneEpochs;
                if (options is VaeOptions o)
                {
                    if (r.GetValue(code) is int latent) o.LatentSize = latent;
                    if (r.GetValue(beta) is float b) o.Beta = b;
                    if (r.GetValue(sigma) is float sg) o.GaussianSigma = sg;
                    if (r.GetValue(likelihood) is string lk)
                        o.Likelihood = lk.Trim().ToLowerInvariant() switch
                        {
                            "bernoulli" => VaeLikelihood.Bernoulli,
                            "gaussian" => VaeLikelihood.Gaussian,
                            var s => throw new ArgumentException($"--likelihood: unknown '{s}'; expected bernoulli or gaussian."),
                        };
                    json["variant"] = FormattableString.Invariant($"beta={o.Beta} likelihood={o.Likelihood.ToString().ToLowerInvariant()}");
                }
                else if (options is AutoencoderOptions ae)
                {
                    if (r.GetValue(code) is int cs) ae.CodeSize = cs;
                    if (r.GetValue(loss) is string ls) ae.Loss = Losses.Parse(ls);
                    if (r.GetValue(l2) is float l2v) ae.L2Activity = l2v;
                    if (r.GetValue(probes) is int pr) ae.ContractiveProbes = pr;
                    if (r.GetValue(codeActivation) is string ca) ae.CodeActivation = Activations.Parse(ca);
                    if (r.GetValue(dropout) is float d) ae.DropoutRate = d;
                    if (r.GetValue(tied)) ae.TiedWeights = true;
                    if (r.GetValue(l1) is float l) ae.L1Activity = l;
                    if (r.GetValue(contractive) is float c) ae.Contractive = c;
                    if (r.GetValue(adversarial) is float adv) ae.Adversarial = adv;
                    if (r.GetValue(noise) is string nz) (ae.Corruption, ae.CorruptionLevel) = Corruptions.Parse(nz);
                    if (r.GetValue(kl) is string klText)
                        (ae.KlSparsityTarget, ae.KlSparsityWeight) = ParsePair(klText, "--kl", "ρ:weight, e.g. 0.05:1");
                    json["variant"] = Describe(ae);
                    if (ae.Conv is { } conv)
                    {
                        // One architecture for both engines: the core's conv layers, trained by the chosen engine (an ordinary autoencoder model file).
                        conv.ImageShape = r.GetValue(imageShape) is string shapeText ? ParseShape(shapeText) : [1, data.Train.Height, data.Train.Width];
                        if (r.GetValue(channels) is string ch) conv.Channels = CommonOptions.ParseSizes(ch, "--channels");
                        json["variant"] = $"conv {string.Join("x", conv.ImageShape)} channels {string.Join(",", conv.Channels)} code {ae.CodeSize}";
                    }
                    if (kindValue == AutoencoderKind.Stacked) json["finetuneEpochs"] = fineTuneEpochs;
                }
                int totalEpochs = AutoencoderKinds.TotalEpochs(kindValue, options, fineTuneEpochs);
                var model = ConsoleUi.WithProgress($"{k} training", totalEpochs,
                    advance => AutoencoderKinds.Fit(kindValue, options, data.Train.Images, ConsoleUi.EpochProgress(k, advance), fineTuneEpochs: fineTuneEpochs));
                double trainSeconds = sw.Elapsed.TotalSeconds;
                var path = r.GetValue(output);
                if (path != null) model.Save(path);
                var gemm = MLNetAutoencoders.Numerics.Gemm.Create(shared.Gemm, shared.Threads);
                var m = ConsoleUi.WithProgress(data.Test is null ? "measuring on the training rows" : "measuring on the test set", 1, _ => AutoencoderMetrics.Measure(model, test.Images, gemm));

                var epochsJson = new JsonArray();
                foreach (var e in model.History.Epochs)
                {
                    var eo = new JsonObject { ["epoch"] = e.Epoch, ["seconds"] = Math.Round(e.Seconds, 4), ["trainLoss"] = e.TrainLoss };
                    if (e.ValidationLoss is double v) eo["validationLoss"] = v;
                    epochsJson.Add(eo);
                }
                json["code"] = model.CodeSize;
                json["parameters"] = model.ParameterCount;
                json["threads"] = shared.Threads;
                json["gemm"] = gemm.Name;
                json["epochs"] = epochsJson;
                json["trainSeconds"] = Math.Round(trainSeconds, 3);
                json["secondsPerEpoch"] = Math.Round(model.History.Epochs.Average(e => e.Seconds), 3);
                json["testMse"] = m.Mse;
                json["denoisingMse"] = m.DenoisingMse;
                json["jacobianFrobeniusSq"] = double.IsNaN(m.JacobianFrobeniusSq) ? null : m.JacobianFrobeniusSq;
                json["meanAbsCode"] = m.Code.MeanAbsCode;
                json["fractionNearZero"] = m.Code.FractionNearZero;
                json["meanActivation"] = m.Code.MeanActivation;
                json["priorKl"] = m.PriorKl;
                string extra = "";
                if (model is VaeModel vm)
                {
                    var ev = vm.Evaluate(test.Images);
                    json["negElbo"] = ev.NegativeElbo;
                    json["reconstruction"] = ev.Reconstruction;
                    json["kl"] = ev.Kl;
                    extra = $", {on} −ELBO {ev.NegativeElbo:F2} (rec {ev.Reconstruction:F2} + KL {ev.Kl:F2})";
                }
                if (path != null) json["model"] = path;
                // ‖J‖² is measured for the library's dense encoders only (NaN otherwise, e.g. the conv kind).
                string jacobian = double.IsNaN(m.JacobianFrobeniusSq) ? "n/a" : m.JacobianFrobeniusSq.ToString("G4");
                ConsoleUi.Err.MarkupLine(Markup.Escape($"{k}: {model.ParameterCount} parameters, {on} MSE {m.Mse:F5}, denoising MSE {m.DenoisingMse:F5}, " +
                    $"‖J‖² {jacobian}{(double.IsNaN(m.JacobianFrobeniusSq) ? " (not a dense encoder)" : "")}, near-zero codes {m.Code.FractionNearZero:P1}{extra}, {trainSeconds:F1}s" + (path != null ? $", saved to {path}" : "")));
                if (common.WantsJson(r)) common.WriteJson(r, json);
                else Console.WriteLine($"testMse {m.Mse:F5}  denoisingMse {m.DenoisingMse:F5}  jacobianFrobeniusSq {jacobian}  parameters {model.ParameterCount}  seconds/epoch {json["secondsPerEpoch"]}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or TrainingDivergedException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static string Sizes(int[] sizes) => string.Join(",", sizes);

    /// <summary>The settings every kind shares, applied to either options class; null = not given, the options class's default stays.</summary>
    private sealed record Settings(int[]? Hidden, int? Epochs, int? Batch, float? LearningRate, ActivationKind? Activation, OptimizerKind? Optimizer, InitKind? Init,
        double? Validation, int? Patience, ulong Seed, int Threads, MLNetAutoencoders.Numerics.GemmKind Gemm, TrainingEngine Engine)
    {
        public T Apply<T>(T o) where T : NetworkOptions
        {
            o.HiddenSizes = Hidden ?? o.HiddenSizes; o.Epochs = Epochs ?? o.Epochs; o.BatchSize = Batch ?? o.BatchSize;
            o.LearningRate = LearningRate ?? o.LearningRate; o.HiddenActivation = Activation ?? o.HiddenActivation;
            o.Optimizer = Optimizer ?? o.Optimizer; o.Init = Init ?? o.Init; o.ValidationFraction = Validation ?? o.ValidationFraction;
            o.EarlyStoppingPatience = Patience ?? o.EarlyStoppingPatience;
            o.Seed = Seed; o.Threads = Threads; o.Gemm = Gemm; o.Engine = Engine;
            return o;
        }
    }

    /// <summary>Parses "1x28x28" (or "1,28,28") into channels, height, width.</summary>
    private static int[] ParseShape(string text)
    {
        var parts = text.Split(['x', 'X', ',', '×'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1))
            throw new ArgumentException($"--image-shape expects channels×height×width such as 1x28x28; got '{text}'.");
        return parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
    }

    private static OptimizerKind ParseOptimizer(string s) => s.Trim().ToLowerInvariant() switch
    {
        "adam" => OptimizerKind.Adam,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"--optimizer: unknown '{s}'; expected adam or sgd."),
    };

    private static InitKind ParseInit(string s) => s.Trim().ToLowerInvariant() switch
    {
        "auto" => InitKind.Auto,
        "glorot-uniform" => InitKind.GlorotUniform,
        "glorot-normal" => InitKind.GlorotNormal,
        "he-uniform" => InitKind.HeUniform,
        "he-normal" => InitKind.HeNormal,
        "lecun-normal" => InitKind.LecunNormal,
        "pytorch" => InitKind.PyTorchDefault,
        _ => throw new ArgumentException($"--init: unknown '{s}'; expected auto, glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal or pytorch."),
    };

    private static (float, float) ParsePair(string text, string option, string expected)
    {
        var parts = text.Split(':');
        if (parts.Length == 2 && float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
            return (a, b);
        throw new ArgumentException($"{option} expects {expected}; got '{text}'.");
    }

    /// <summary>A compact description of the variant terms in use, e.g. <c>l1=0.5 noise=gaussian:0.2 tied</c>.</summary>
    internal static string Describe(AutoencoderOptions o)
    {
        var parts = new List<string>();
        if (o.L1Activity > 0) parts.Add(FormattableString.Invariant($"l1={o.L1Activity}"));
        if (o.L2Activity > 0) parts.Add(FormattableString.Invariant($"l2={o.L2Activity}"));
        if (o.KlSparsityWeight > 0) parts.Add(FormattableString.Invariant($"kl={o.KlSparsityTarget}:{o.KlSparsityWeight}"));
        if (o.Contractive > 0) parts.Add(FormattableString.Invariant($"contractive={o.Contractive}") + (o.ContractiveProbes > 0 ? $"/probes={o.ContractiveProbes}" : ""));
        if (o.Corruption != CorruptionKind.None) parts.Add("noise=" + Corruptions.Format(o.Corruption, o.CorruptionLevel));
        if (o.DropoutRate > 0) parts.Add(FormattableString.Invariant($"dropout={o.DropoutRate}"));
        if (o.Adversarial > 0) parts.Add(FormattableString.Invariant($"adversarial={o.Adversarial}"));
        if (o.TiedWeights) parts.Add("tied");
        parts.Add($"{string.Join("-", o.HiddenSizes.Append(o.CodeSize))} {Activations.Name(o.HiddenActivation)}/{Activations.Name(o.CodeActivation)}");
        return string.Join(" ", parts);
    }
}
