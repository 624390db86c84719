using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>Options of greedy layer-wise training (<see cref="StackedAutoencoderTrainer"/>).</summary>
public sealed class StackedAutoencoderOptions
{
    /// <summary>
    /// The stack and the variant of every shallow autoencoder: <see cref="NetworkOptions.HiddenSizes"/> and
    /// <see cref="AutoencoderOptions.CodeSize"/> give the widths (784 → 256 → 128 → 20 by default, trained as three
    /// shallow autoencoders); the regularisers, corruption, tied weights, optimiser and <see cref="NetworkOptions.Epochs"/>
    /// (per layer) apply to each of them, and the loss to the first (deeper layers reconstruct the previous codes with
    /// squared error through the hidden activation). Intermediate codes use the hidden activation; the last one the code activation.
    /// </summary>
    public AutoencoderOptions Autoencoder { get; set; } = new();

    /// <summary>Epochs of end-to-end fine-tuning of the whole stack after the greedy phase (with the same variant terms on the final code); 0 = none. Range 0–10000.</summary>
    public int FineTuneEpochs { get; set; }

    /// <summary>Learning rate of fine-tuning; 0 (default) = <see cref="NetworkOptions.LearningRate"/>. Range [0, ∞).</summary>
    public float FineTuneLearningRate { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Autoencoder is null) throw new ArgumentOutOfRangeException(nameof(Autoencoder), "Autoencoder options are required.");
        Autoencoder.Validate();
        if (FineTuneEpochs is < 0 or > 10000) throw new ArgumentOutOfRangeException(nameof(FineTuneEpochs), FineTuneEpochs, "FineTuneEpochs must be in 0–10000.");
        NetworkOptions.RequireNonNegative(FineTuneLearningRate, nameof(FineTuneLearningRate));
    }

    /// <summary>A deep copy (a missing <see cref="Autoencoder"/> stays missing, for <see cref="Validate"/> to name).</summary>
    public StackedAutoencoderOptions Clone() => new() { Autoencoder = Autoencoder?.Clone()!, FineTuneEpochs = FineTuneEpochs, FineTuneLearningRate = FineTuneLearningRate };
}

/// <summary>
/// Greedy layer-wise training: a shallow autoencoder on x gives h₁; it is frozen and the next one is trained on h₁; …;
/// the encoders are stacked (and the decoders in reverse), then the whole stack is optionally fine-tuned end to end.
/// The result is an ordinary <see cref="AutoencoderModel"/> (same model file).
/// </summary>
public sealed class StackedAutoencoderTrainer
{
    /// <summary>Creates a trainer; the options (and those of every layer) are validated and copied.</summary>
    public StackedAutoencoderTrainer(StackedAutoencoderOptions? options = null)
    {
        Options = (options ?? new StackedAutoencoderOptions()).Clone();
        Options.Validate();
        if (Options.Autoencoder.Conv is not null)
            throw new ArgumentOutOfRangeException(nameof(options), "Greedy stacking trains the dense layers of HiddenSizes one by one; it cannot train the convolutional autoencoder (Autoencoder.Conv).");
        for (int k = 0; k < LayerCount; k++) LayerOptions(k).Validate();
    }

    /// <summary>The options used.</summary>
    public StackedAutoencoderOptions Options { get; }

    /// <summary>Number of shallow autoencoders (hidden layers + 1).</summary>
    public int LayerCount => Options.Autoencoder.HiddenSizes.Length + 1;

    /// <summary>The options of the shallow autoencoder of layer <paramref name="layer"/> (0-based).</summary>
    public AutoencoderOptions LayerOptions(int layer)
    {
        if (layer < 0 || layer >= LayerCount) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must be in 0–{LayerCount - 1}.");
        var t = Options.Autoencoder;
        var o = t.Clone();
        bool first = layer == 0, last = layer == LayerCount - 1;
        o.HiddenSizes = Array.Empty<int>();
        o.CodeSize = last ? t.CodeSize : t.HiddenSizes[layer];
        o.CodeActivation = last ? t.CodeActivation : t.HiddenActivation;
        o.Loss = first ? t.Loss : LossKind.SquaredError;
        o.OutputActivation = first ? t.OutputActivation : t.HiddenActivation;
        o.Seed = unchecked(t.Seed + layer);
        return o;
    }

    /// <summary>Greedy, stacked, then fine-tuned when <see cref="StackedAutoencoderOptions.FineTuneEpochs"/> &gt; 0.</summary>
    public AutoencoderModel Fit(Matrix data, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
        => FineTune(FitLayers(data, progress, cancellationToken), o => MinibatchSource.InMemory(data, o.Minibatch), data.Cols, progress, cancellationToken);

    /// <summary>
    /// As <see cref="Fit(Matrix, IProgress{EpochReport}?, CancellationToken)"/>, from rows read pass after pass from
    /// <paramref name="rows"/>: each layer streams the rows through the frozen encoders below it (nothing is kept in
    /// memory but the shuffle buffer and one minibatch).
    /// </summary>
    public AutoencoderModel Fit(IRowStream rows, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        IMinibatchSource<Matrix> Source(AutoencoderOptions o) => MinibatchSource.Streaming(rows, o.Minibatch, o.ShuffleBufferRows);
        var parts = new List<AutoencoderModel>();
        for (int k = 0; k < LayerCount; k++)
        {
            var below = parts.ToArray();
            var o = LayerOptions(k);
            var source = k == 0 ? Source(o) : Source(o).Select(x => below.Aggregate(x, (h, p) => p.Encode(h)));
            parts.Add(new AutoencoderTrainer(o).Fit(k == 0 ? rows.Width : below[^1].CodeSize, source, progress, cancellationToken));
        }
        return FineTune(parts, Source, rows.Width, progress, cancellationToken);
    }

    private AutoencoderModel FineTune(IReadOnlyList<AutoencoderModel> parts, Func<AutoencoderOptions, IMinibatchSource<Matrix>> source, int inputSize,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var stacked = Stack(parts, Options.Autoencoder);
        if (Options.FineTuneEpochs == 0) return stacked;
        var o = stacked.Options.Clone();
        o.Epochs = Options.FineTuneEpochs;
        if (Options.FineTuneLearningRate > 0) o.LearningRate = Options.FineTuneLearningRate;
        o.Seed = unchecked(Options.Autoencoder.Seed + LayerCount);
        var fine = AutoencoderTrainer.Train(o, stacked.Encoder, stacked.Decoder, source(o), inputSize, new Rng(o.Seed), progress, cancellationToken);
        var history = new TrainingHistory { Epochs = stacked.History.Epochs.Concat(fine.Epochs).ToList(), StoppedEarly = fine.StoppedEarly, Engine = fine.Engine };
        history.BestEpoch = stacked.History.Epochs.Count + fine.BestEpoch;
        return new AutoencoderModel(stacked.Options, stacked.Encoder, stacked.Decoder, history);
    }

    /// <summary>The greedy phase: one shallow autoencoder per layer, each trained on the previous one's codes of the training rows.</summary>
    public IReadOnlyList<AutoencoderModel> FitLayers(Matrix data, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var parts = new List<AutoencoderModel>();
        var input = data;
        for (int k = 0; k < LayerCount; k++)
        {
            var part = new AutoencoderTrainer(LayerOptions(k)).Fit(input, progress, cancellationToken);
            parts.Add(part);
            if (k + 1 < LayerCount) input = part.Encode(input);
        }
        return parts;
    }

    /// <summary>
    /// Stacks trained autoencoders whose widths chain (part k's code is part k+1's input): encoders in order, decoders in
    /// reverse, with fresh copies of their parameters (tied pairs stay tied) and, when <paramref name="options"/> asks for
    /// dropout, dropout after every hidden layer. The model's options are <paramref name="options"/> with the stack's
    /// widths and the first part's loss; its history is the parts' histories in order.
    /// </summary>
    public static AutoencoderModel Stack(IReadOnlyList<AutoencoderModel> parts, AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        if (parts.Count == 0) throw new ArgumentException("There are no autoencoders to stack.", nameof(parts));
        for (int k = 1; k < parts.Count; k++)
            if (parts[k].InputSize != parts[k - 1].CodeSize)
                throw new ArgumentException($"Part {k} takes {parts[k].InputSize} inputs but part {k - 1} gives {parts[k - 1].CodeSize}-wide codes.", nameof(parts));
        var copies = new Dictionary<Parameter, Parameter>();
        Parameter Copy(Parameter p, string name)
        {
            if (copies.TryGetValue(p, out var c)) return c;
            c = new Parameter(name, p.Value.Rows, p.Value.Cols);
            p.Value.Span.CopyTo(c.Value.Span);
            return copies[p] = c;
        }
        var encoder = new List<Layer>();
        var decoder = new List<Layer>();
        int e = 0, d = 0;
        for (int k = 0; k < parts.Count; k++)
        {
            foreach (var l in parts[k].Encoder.DenseLayers)
            {
                if (encoder.Count > 0 && options.DropoutRate > 0) encoder.Add(new DropoutLayer(l.InputSize, options.DropoutRate));
                encoder.Add(new DenseLayer(Copy(l.Weight, $"encoder.{e}.weight"), l.Transposed, Copy(l.Bias, $"encoder.{e}.bias"), l.Activation, l.Slope));
                e++;
            }
        }
        for (int k = parts.Count - 1; k >= 0; k--)
        {
            foreach (var l in parts[k].Decoder.DenseLayers)
            {
                if (decoder.Count > 0 && options.DropoutRate > 0) decoder.Add(new DropoutLayer(l.InputSize, options.DropoutRate));
                // A tied layer's weight is its encoder's, copied above: Copy returns that copy, so the pair stays tied.
                decoder.Add(new DenseLayer(Copy(l.Weight, $"decoder.{d}.weight"), l.Transposed, Copy(l.Bias, $"decoder.{d}.bias"), l.Activation, l.Slope));
                d++;
            }
        }
        var o = options.Clone();
        var widths = new List<int> { parts[0].InputSize };
        widths.AddRange(parts.Select(p => p.CodeSize));
        o.HiddenSizes = widths.Skip(1).SkipLast(1).ToArray();
        o.CodeSize = widths[^1];
        o.Loss = parts[0].Options.Loss;
        o.OutputActivation = parts[0].Options.OutputActivation;
        var history = new TrainingHistory { Epochs = parts.SelectMany(p => p.History.Epochs).ToList(), Engine = parts[0].History.Engine };
        history.BestEpoch = history.Epochs.Count;
        return new AutoencoderModel(o, new Network(encoder), new Network(decoder), history);
    }
}
