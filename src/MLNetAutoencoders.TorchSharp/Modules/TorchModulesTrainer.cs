using System.Runtime.InteropServices;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Modules;

/// <summary>Trains a <see cref="TorchModules"/> pair with the family's objective through the shared <see cref="TrainingLoop"/>.</summary>
internal static class TorchModulesTrainer
{

    /// <summary>
    /// TorchSharp's random generator (initialisation in the factories, dropout in the modules) is one per process, so
    /// fits of user modules in one process take turns: each seeds it and is reproducible whatever else fits at the same time.
    /// </summary>
    private static readonly Lock GeneratorLock = new();

    public static TorchModulesModel Fit(TorchModules modules, AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        lock (GeneratorLock) return FitSeeded(modules, options, data, progress, cancellationToken);
    }

    private static TorchModulesModel FitSeeded(TorchModules modules, AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(data);
        var o = options.Clone();
        o.Validate();
        RequireApplicable(o);
        TorchSharpEngine.EnsureAvailable();
        torch.set_num_threads(o.Threads);
        AutoencoderTrainer.ValidateData(data, o.Loss);
        var shape = (modules.InputShape ?? [data.Cols]).ToArray();
        if (TorchOnnxExport.RowSize(shape) != data.Cols)
            throw new ArgumentException($"The input shape [{string.Join(", ", shape)}] has {TorchOnnxExport.RowSize(shape)} values per row, but the data have {data.Cols} columns.", nameof(data));

        torch.random.manual_seed(unchecked((uint)o.Seed));
        var encoder = modules.Encoder() ?? throw new ArgumentException("The encoder factory returned null.", nameof(modules));
        var decoder = modules.Decoder() ?? throw new ArgumentException("The decoder factory returned null.", nameof(modules));
        TorchOnnxExport.CheckExportable(encoder, "encoder");
        TorchOnnxExport.CheckExportable(decoder, "decoder");
        foreach (var (name, p) in encoder.named_parameters().Concat(decoder.named_parameters()))
        {
            if (p.dtype != ScalarType.Float32 || p.device_type != DeviceType.CPU)
                throw new NotSupportedException($"The parameter {name} is {p.dtype} on {p.device_type}; the modules must be float32 on the CPU.");
        }
        if (o.KlSparsityWeight > 0 && LastLayer(encoder) is not global::TorchSharp.Modules.Sigmoid)
            throw new NotSupportedException($"KL sparsity (KlSparsityWeight {o.KlSparsityWeight}) needs code values in (0, 1): end the encoder with nn.Sigmoid(); it ends with {LastLayer(encoder).GetType().Name}.");
        var codeShape = Probe(encoder, decoder, shape, data.Cols);
        int codeSize = checked((int)TorchOnnxExport.RowSize(codeShape));

        var rng = new Rng(o.Seed);
        var ctx = o.CreateContext(rng.Fork(1));
        var corruption = Corruptions.Create(o.Corruption, o.CorruptionLevel);
        var parameters = encoder.parameters().Concat(decoder.parameters()).ToList();
        using var optimizer = o.Optimizer == OptimizerKind.Adam
            ? (optim.Optimizer)optim.Adam(parameters, o.LearningRate, beta1: 0.9, beta2: 0.999)
            : optim.SGD(parameters, o.LearningRate, o.Momentum);
        var mirror = new StateMirror(encoder, decoder);
        Matrix? xb = null;
        long[] batchShape = [0, .. shape];

        Tensor Input(Matrix m)
        {
            batchShape[0] = m.Rows;
            return torch.tensor(m.Span.ToArray(), batchShape);
        }

        Tensor Objective(Tensor output, Tensor target)
        {
            return o.Loss == LossKind.CrossEntropy
                ? nn.functional.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.Sum)
                : (output - target).square().sum() * 0.5;
        }

        double TrainBatch(int[] rows)
        {
            using var scope = torch.NewDisposeScope();
            data.GatherRows(rows, ref xb);
            var input = corruption?.Apply(xb!, ctx) ?? xb!;
            encoder.train();
            decoder.train();
            var code = encoder.forward(Input(input));
            var output = decoder.forward(code).reshape(rows.Length, data.Cols);
            var target = torch.tensor(xb!.Span.ToArray(), [rows.Length, (long)data.Cols]);
            var total = Objective(output, target);
            var flat = code.reshape(rows.Length, -1);
            if (o.L1Activity > 0) total += flat.abs().sum() * o.L1Activity;
            if (o.L2Activity > 0) total += flat.square().sum() * (0.5 * o.L2Activity);
            if (o.KlSparsityWeight > 0)
                total += TorchAutoencoder.KlDivergenceSum(flat, o.KlSparsityTarget) * (rows.Length * (double)o.KlSparsityWeight);
            optimizer.zero_grad();
            (total / rows.Length).backward();
            optimizer.step();
            return total.item<float>();
        }

        double ValidationLoss(int[] rows)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            data.GatherRows(rows, ref xb);
            encoder.eval();
            decoder.eval();
            var output = decoder.forward(encoder.forward(Input(xb!))).reshape(rows.Length, data.Cols);
            return Objective(output, torch.tensor(xb!.Span.ToArray(), [rows.Length, (long)data.Cols])).item<float>();
        }

        var history = TrainingLoop.Run(data.Rows, o.Minibatch, rng, mirror.Parameters, TrainBatch, ValidationLoss,
            progress, cancellationToken, epochEnd: mirror.Refresh);
        if (history.BestEpoch != history.Epochs.Count) mirror.Restore();
        history.Engine = new TorchSharpEngine().Name;
        encoder.eval();
        decoder.eval();
        return new TorchModulesModel(o, encoder, decoder, shape, codeShape, codeSize, history);
    }

    /// <summary>Throws for the family's options that have no meaning for a user's modules.</summary>
    private static void RequireApplicable(AutoencoderOptions o)
    {
        if (o.TiedWeights)
            throw new NotSupportedException("TiedWeights ties the built-in dense decoder to the encoder; with your own modules, share the weights inside them instead.");
        if (o.DropoutRate > 0)
            throw new NotSupportedException($"DropoutRate ({o.DropoutRate}) adds dropout to the built-in dense layers; with your own modules, put nn.Dropout layers in them.");
        if (o.Contractive > 0)
            throw new NotSupportedException($"The contractive penalty (Contractive {o.Contractive}) is computed in closed form for the built-in dense encoder; it is not available for your own modules.");
        if (o.Adversarial > 0)
            throw new NotSupportedException($"The adversarial term (Adversarial {o.Adversarial}) trains the built-in networks' encoder (on either engine); it is not available for your own modules.");
    }

    /// <summary>The last leaf of a Sequential (the module itself otherwise).</summary>
    private static nn.Module LastLayer(nn.Module m)
    {
        while (m is global::TorchSharp.Modules.Sequential s && s.Count > 0) m = (nn.Module)s[s.Count - 1];
        return m;
    }

    /// <summary>Runs one zero row through both modules (eval mode) and returns the encoder's output shape per row; checks the decoder gives one value per input feature.</summary>
    private static long[] Probe(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, long[] shape, int inputSize)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        encoder.eval();
        decoder.eval();
        Tensor code, output;
        try { code = encoder.forward(torch.zeros([1, .. shape])); }
        catch (Exception e) when (e is ArgumentException or ExternalException or InvalidOperationException)
        {
            throw new ArgumentException($"The encoder cannot read rows of shape [{string.Join(", ", shape)}]: {e.Message} (set TorchModules' inputShape to the shape it expects).", e);
        }
        var codeShape = code.shape[1..];
        try { output = decoder.forward(code); }
        catch (Exception e) when (e is ArgumentException or ExternalException or InvalidOperationException)
        {
            throw new ArgumentException($"The decoder cannot read the encoder's output (shape [{string.Join(", ", codeShape)}] per row): {e.Message}", e);
        }
        if (output.numel() != inputSize)
            throw new ArgumentException($"The decoder gives {output.numel()} values per row (shape [{string.Join(", ", output.shape[1..])}]); it must give one per input feature ({inputSize}).");
        return codeShape;
    }

    /// <summary>
    /// Managed copies of the modules' parameters and floating-point buffers (batch-norm statistics), refreshed after each
    /// epoch, so that <see cref="TrainingLoop"/> can keep the best epoch's values and they can be put back.
    /// </summary>
    private sealed class StateMirror
    {
        private readonly List<(Tensor Tensor, Parameter Copy)> _pairs = [];

        public StateMirror(nn.Module encoder, nn.Module decoder)
        {
            foreach (var (prefix, m) in new[] { ("encoder", encoder), ("decoder", decoder) })
            {
                foreach (var (name, p) in m.named_parameters()) Add($"{prefix}.{name}", p);
                foreach (var (name, b) in m.named_buffers())
                {
                    if (b.dtype == ScalarType.Float32) Add($"{prefix}.{name}", b);
                }
            }
        }

        public List<Parameter> Parameters => _pairs.Select(p => p.Copy).ToList();

        private void Add(string name, Tensor t) => _pairs.Add((t, new Parameter(name, 1, checked((int)t.numel()))));

        public void Refresh()
        {
            foreach (var (t, copy) in _pairs) TorchOnnxExport.Floats(t).CopyTo(copy.Value.Span);
        }

        public void Restore()
        {
            using var noGrad = torch.no_grad();
            foreach (var (t, copy) in _pairs)
            {
                using var values = torch.tensor(copy.Value.Span.ToArray(), t.shape);
                t.copy_(values);
            }
        }
    }
}
