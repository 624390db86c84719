using System.CommandLine;
using Spectre.Console;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
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

    /// <summary>The command's options; none has a default of its own: one not given leaves the options class's default (AutoencoderDefaults) or the kind's preset.</summary>
    private sealed class TrainOptions
    {
        public readonly CommonOptions Common = new();
        public readonly Option<string> Kind = new("--kind") { Description = CommonOptions.KindNames(AutoencoderKinds.All) + " (combine further with the options below)", DefaultValueFactory = _ => AutoencoderKinds.Name(AutoencoderKind.Plain) };
        public readonly Option<string?> Hidden = new("--hidden") { Description = $"encoder hidden widths, e.g. 256,128 (decoder mirrors); default {Sizes(AutoencoderDefaults.HiddenSizes)}, or {Sizes(AutoencoderDefaults.VaeHiddenSizes)} for vae" };
        public readonly Option<int?> Code = new("--code") { Description = $"code (latent) width; default {AutoencoderDefaults.CodeSize}" };
        public readonly Option<int?> Epochs = new("--epochs") { Description = $"epochs (per layer for stacked); default {AutoencoderDefaults.Epochs}, or {AutoencoderDefaults.VaeEpochs} for vae" };
        public readonly Option<int?> Batch = new("--batch") { Description = $"minibatch size; default {AutoencoderDefaults.BatchSize}, or {AutoencoderDefaults.VaeBatchSize} for vae" };
        public readonly Option<float?> Lr = new("--lr") { Description = FormattableString.Invariant($"learning rate; default {AutoencoderDefaults.LearningRate}") };
        public readonly Option<string?> Activation = new("--activation") { Description = "hidden activation: relu (default), leaky-relu, selu, sigmoid, tanh" };
        public readonly Option<string?> CodeActivation = new("--code-activation") { Description = "code activation; default identity, or relu for sparse-l1 (exact zeros) and sigmoid for sparse-kl" };
        public readonly Option<string?> Loss = new("--loss") { Description = "cross-entropy (default) or squared-error" };
        public readonly Option<string?> Optimizer = new("--optimizer") { Description = "adam (default) or sgd" };
        public readonly Option<string?> Init = new("--init") { Description = "auto (default), glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal, pytorch" };
        public readonly Option<double?> Validation = new("--validation-fraction") { Description = "share of rows held out for the validation loss; default 0" };
        public readonly Option<int?> Patience = new("--patience") { Description = "early-stopping patience in epochs; default 0 = off" };
        public readonly Option<float?> Dropout = new("--dropout") { Description = $"dropout rate after hidden layers of encoder and decoder; default 0, or {AutoencoderDefaults.DropoutRate} for dropout" };
        public readonly Option<bool> Tied = new("--tied") { Description = "tie decoder weights to the encoder's transposes (kind tied sets it)" };
        public readonly Option<string?> Noise = new("--noise") { Description = $"training-input corruption gaussian:η, mask:ν or salt-pepper:ν; default none, or {DefaultNoise} for denoising" };
        public readonly Option<float?> L1 = new("--l1") { Description = $"L1 activity λ on the code; default 0, or {AutoencoderDefaults.SparseL1} for sparse-l1" };
        public readonly Option<float?> L2 = new("--l2") { Description = "L2 activity λ on the code; default 0" };
        public readonly Option<string?> Kl = new("--kl") { Description = $"KL sparsity ρ:weight on a sigmoid code; default off, or {DefaultKl} for sparse-kl" };
        public readonly Option<float?> Contractive = new("--contractive") { Description = $"contractive λ; default 0, or {AutoencoderDefaults.Contractive} for contractive" };
        public readonly Option<float?> Adversarial = new("--adversarial") { Description = $"adversarial λ (a discriminator pushes the codes towards N(0, I)); default 0, or {AutoencoderDefaults.Adversarial} for adversarial" };
        public readonly Option<int?> Probes = new("--contractive-probes") { Description = "0 = exact ‖J‖² (default), k = unbiased estimate with k probes per sample" };
        public readonly Option<int?> FineTune = new("--finetune-epochs") { Description = $"stacked: end-to-end fine-tuning epochs after the greedy phase; default {AutoencoderDefaults.StackedFineTuneEpochs}" };
        public readonly Option<float?> Beta = new("--beta") { Description = "vae: KL weight β; default 1 (the ELBO)" };
        public readonly Option<string?> Likelihood = new("--likelihood") { Description = "vae: bernoulli (default) or gaussian" };
        public readonly Option<float?> Sigma = new("--gaussian-sigma") { Description = "vae: σ of the Gaussian likelihood; default 1" };
        public readonly Option<string?> Output = new("--out") { Description = "where to save the model (.mlae)" };
        public readonly Option<string> Backend = Backends.CreateOption();
        public readonly Option<string?> ImageShape = new("--image-shape") { Description = "conv: channels×height×width of a row, e.g. 1x28x28 (default: 1 × the dataset's image size)" };
        public readonly Option<string?> Channels = new("--channels") { Description = $"conv: output channels of the stride-2 convolutions; default {Sizes(new ConvAutoencoderOptions().Channels)}" };

        public Option[] All => [Kind, Hidden, Code, Epochs, Batch, Lr, Activation, CodeActivation, Loss, Optimizer, Init, Validation, Patience,
            Dropout, Tied, Noise, L1, L2, Kl, Contractive, Adversarial, Probes, FineTune, Beta, Likelihood, Sigma, Output, Backend, ImageShape, Channels];
    }

    public static Command Create()
    {
        var o = new TrainOptions();
        var cmd = new Command("train", "Train an autoencoder (any kind of the family) on a dataset and report test measurements.");
        o.Common.AddTo(cmd);
        foreach (var option in o.All) cmd.Options.Add(option);
        cmd.SetAction(r =>
        {
            try { return Run(r, o); }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or TrainingDivergedException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static int Run(ParseResult r, TrainOptions o)
    {
        var common = o.Common;
        var kind = CommonOptions.ParseKind(r.GetValue(o.Kind)!, "--kind", AutoencoderKinds.All);
        var k = AutoencoderKinds.Name(kind);
        var shared = new Settings(
            r.GetValue(o.Hidden) is string h ? CommonOptions.ParseSizes(h, "--hidden") : null, r.GetValue(o.Epochs), r.GetValue(o.Batch), r.GetValue(o.Lr),
            r.GetValue(o.Activation) is string a ? CommonOptions.Parse(a, "--activation", Activations.Parse) : null,
            r.GetValue(o.Optimizer) is string opt ? CommonOptions.Parse(opt, "--optimizer", Optimizer.ParseKind) : null,
            r.GetValue(o.Init) is string ini ? CommonOptions.Parse(ini, "--init", Initializer.ParseKind) : null, r.GetValue(o.Validation), r.GetValue(o.Patience),
            r.GetValue(common.Seed), r.GetValue(common.Threads), common.GemmKind(r), Backends.Parse(r.GetValue(o.Backend)!));
        var data = common.Load(r);
        // --test-fraction 0: fit on every row; the measurements are then on the training rows, and say so.
        var json = new JsonObject { ["dataset"] = data.Name, ["kind"] = k, ["backend"] = shared.Engine.Name, ["measuredOn"] = data.Test is null ? "train" : "test", ["trainRows"] = data.Train.Count };
        if (data.ClassNames is { } cn) json["classNames"] = new JsonArray(cn.Select(c => (JsonNode)c!).ToArray());
        var sw = Stopwatch.StartNew();
        // The kind's preset first (the registry the ML.NET stages use), then whatever was given explicitly.
        var options = Configure(r, o, shared.Apply(AutoencoderKinds.CreateOptions(kind)), data.Train, json);
        int fineTuneEpochs = r.GetValue(o.FineTune) ?? AutoencoderDefaults.StackedFineTuneEpochs;
        if (kind == AutoencoderKind.Stacked) json["finetuneEpochs"] = fineTuneEpochs;
        var model = ConsoleUi.WithProgress($"{k} training", AutoencoderKinds.TotalEpochs(kind, options, fineTuneEpochs),
            advance => AutoencoderKinds.Fit(kind, options, data.Train.Images, ConsoleUi.EpochProgress(k, advance), fineTuneEpochs: fineTuneEpochs));
        double trainSeconds = sw.Elapsed.TotalSeconds;
        var path = r.GetValue(o.Output);
        if (path != null) model.Save(path);
        var line = Report(model, data, MLNetAutoencoders.Numerics.Gemm.Create(shared.Gemm, shared.Threads), shared.Threads, trainSeconds, path, json);
        if (common.WantsJson(r)) common.WriteJson(r, json);
        else Console.WriteLine(line);
        return 0;
    }

    /// <summary>Sets on the kind's options what was given explicitly (the VAE's or the autoencoder's own options) and describes the variant in <paramref name="json"/>.</summary>
    private static NetworkOptions Configure(ParseResult r, TrainOptions o, NetworkOptions options, ImageDataset train, JsonObject json)
    {
        if (options is VaeOptions v)
        {
            if (r.GetValue(o.Code) is int latent) v.LatentSize = latent;
            if (r.GetValue(o.Beta) is float b) v.Beta = b;
            if (r.GetValue(o.Sigma) is float sg) v.GaussianSigma = sg;
            if (r.GetValue(o.Likelihood) is string lk)
                v.Likelihood = lk.Trim().ToLowerInvariant() switch
                {
                    "bernoulli" => VaeLikelihood.Bernoulli,
                    "gaussian" => VaeLikelihood.Gaussian,
                    var s => throw new ArgumentException($"--likelihood: unknown '{s}'; expected bernoulli or gaussian."),
                };
            json["variant"] = FormattableString.Invariant($"beta={v.Beta} likelihood={v.Likelihood.ToString().ToLowerInvariant()}");
            return v;
        }
        var ae = (AutoencoderOptions)options;
        if (r.GetValue(o.Code) is int cs) ae.CodeSize = cs;
        if (r.GetValue(o.Loss) is string ls) ae.Loss = CommonOptions.Parse(ls, "--loss", Losses.Parse);
        if (r.GetValue(o.L2) is float l2v) ae.L2Activity = l2v;
        if (r.GetValue(o.Probes) is int pr) ae.ContractiveProbes = pr;
        if (r.GetValue(o.CodeActivation) is string ca) ae.CodeActivation = CommonOptions.Parse(ca, "--code-activation", Activations.Parse);
        if (r.GetValue(o.Dropout) is float d) ae.DropoutRate = d;
        if (r.GetValue(o.Tied)) ae.TiedWeights = true;
        if (r.GetValue(o.L1) is float l) ae.L1Activity = l;
        if (r.GetValue(o.Contractive) is float c) ae.Contractive = c;
        if (r.GetValue(o.Adversarial) is float adv) ae.Adversarial = adv;
        if (r.GetValue(o.Noise) is string nz) (ae.Corruption, ae.CorruptionLevel) = CommonOptions.Parse(nz, "--noise", Corruptions.Parse);
        if (r.GetValue(o.Kl) is string klText)
            (ae.KlSparsityTarget, ae.KlSparsityWeight) = ParsePair(klText, "--kl", "ρ:weight, e.g. 0.05:1");
        json["variant"] = Describe(ae);
        if (ae.Conv is { } conv)
        {
            // One architecture for both engines: the core's conv layers, trained by the chosen engine (an ordinary autoencoder model file).
            conv.ImageShape = r.GetValue(o.ImageShape) is string shapeText ? ParseShape(shapeText) : [1, train.Height, train.Width];
            if (r.GetValue(o.Channels) is string ch) conv.Channels = CommonOptions.ParseSizes(ch, "--channels");
            json["variant"] = $"conv {string.Join("x", conv.ImageShape)} channels {string.Join(",", conv.Channels)} code {ae.CodeSize}";
        }
        return ae;
    }

    /// <summary>Measures the model on the test rows (the training rows without them), adds the figures to <paramref name="json"/>, prints the summary to stderr and returns the plain stdout line.</summary>
    private static string Report(IAutoencoder model, LoadedDataset data, MLNetAutoencoders.Numerics.IGemm gemm, int threads, double trainSeconds, string? path, JsonObject json)
    {
        var test = data.Test ?? data.Train;
        string on = data.Test is null ? "training-rows" : "test";
        string k = (string)json["kind"]!;
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
        json["threads"] = threads;
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
        return $"testMse {m.Mse:F5}  denoisingMse {m.DenoisingMse:F5}  jacobianFrobeniusSq {jacobian}  parameters {model.ParameterCount}  seconds/epoch {json["secondsPerEpoch"]}";
    }

    private static string Sizes(int[] sizes) => string.Join(",", sizes);

    /// <summary>The settings every kind shares, applied to either options class; null = not given, the options class's default stays.</summary>
    private sealed record Settings(int[]? Hidden, int? Epochs, int? Batch, float? LearningRate, ActivationKind? Activation, OptimizerKind? Optimizer, InitKind? Init,
        double? Validation, int? Patience, int Seed, int Threads, MLNetAutoencoders.Numerics.GemmKind Gemm, TrainingEngine Engine)
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
