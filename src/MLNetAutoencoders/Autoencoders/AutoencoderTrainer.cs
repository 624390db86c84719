using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>Trains an <see cref="AutoencoderModel"/> with minibatch gradient descent.</summary>
public sealed class AutoencoderTrainer
{
    /// <summary>Creates a trainer; the options are validated and copied.</summary>
    public AutoencoderTrainer(AutoencoderOptions? options = null)
    {
        Options = (options ?? new AutoencoderOptions()).Clone();
        Options.Validate();
    }

    /// <summary>The options used.</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>Builds the untrained encoder and decoder for inputs of width <paramref name="inputSize"/>, initialised from <paramref name="rng"/>.</summary>
    public static (Network Encoder, Network Decoder) Build(AutoencoderOptions o, int inputSize, Rng rng)
    {
        if (o.Conv is not null) return BuildConv(o, o.Conv, inputSize, rng);
        var widths = new List<int> { inputSize };
        widths.AddRange(o.HiddenSizes);
        widths.Add(o.CodeSize);
        var enc = new List<Layer>();
        var encDense = new List<DenseLayer>();
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            bool code = i + 2 == widths.Count;
            var d = new DenseLayer($"encoder.{i}", widths[i], widths[i + 1], code ? o.CodeActivation : o.HiddenActivation, o.LeakyReluSlope);
            Initializer.Initialize(d, o.Init, rng);
            enc.Add(d);
            encDense.Add(d);
            if (!code && o.DropoutRate > 0) enc.Add(new DropoutLayer(widths[i + 1], o.DropoutRate));
        }
        var dec = new List<Layer>();
        var outAct = o.Loss == LossKind.CrossEntropy ? ActivationKind.Identity : o.OutputActivation;
        for (int j = 0; j + 1 < widths.Count; j++)
        {
            int from = widths[^(j + 1)], to = widths[^(j + 2)];
            bool last = j + 2 == widths.Count;
            var act = last ? outAct : o.HiddenActivation;
            DenseLayer d;
            if (o.TiedWeights)
            {
                var mirror = encDense[^(j + 1)];
                d = new DenseLayer(mirror.Weight, true, new Parameter($"decoder.{j}.bias", 1, to), act, o.LeakyReluSlope);
            }
            else
            {
                d = new DenseLayer($"decoder.{j}", from, to, act, o.LeakyReluSlope);
                Initializer.Initialize(d, o.Init, rng);
            }
            dec.Add(d);
            if (!last && o.DropoutRate > 0) dec.Add(new DropoutLayer(to, o.DropoutRate));
        }
        return (new Network(enc), new Network(dec));
    }

    /// <summary>The convolutional networks <see cref="ConvAutoencoderOptions"/> describes (see there), initialised from <paramref name="rng"/>.</summary>
    private static (Network Encoder, Network Decoder) BuildConv(AutoencoderOptions o, ConvAutoencoderOptions conv, int inputSize, Rng rng)
    {
        if (inputSize != conv.InputSize)
            throw new ArgumentException($"The rows have {inputSize} values, but Conv.ImageShape {string.Join("×", conv.ImageShape)} needs {conv.InputSize}.");
        const int k = ConvAutoencoderOptions.Kernel, s = ConvAutoencoderOptions.Stride, p = ConvAutoencoderOptions.Padding;
        var widths = new[] { conv.ImageShape[0] }.Concat(conv.Channels).ToArray();
        var enc = new List<Layer>();
        var (h, w) = (conv.ImageShape[1], conv.ImageShape[2]);
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            var c = new Conv2dLayer($"encoder.{i}", new ConvGeometry(widths[i], h, w, k, s, p), widths[i + 1], ActivationKind.Relu);
            Initializer.Initialize(c, o.Init, rng);
            enc.Add(c);
            (h, w) = (c.Geometry.OutHeight, c.Geometry.OutWidth);
        }
        int features = widths[^1] * h * w;
        var code = new DenseLayer($"encoder.{widths.Length - 1}", features, o.CodeSize, o.CodeActivation, o.LeakyReluSlope);
        Initializer.Initialize(code, o.Init, rng);
        enc.Add(code);
        var dec = new List<Layer>();
        var first = new DenseLayer("decoder.0", o.CodeSize, features, ActivationKind.Relu);
        Initializer.Initialize(first, o.Init, rng);
        dec.Add(first);
        var outAct = o.Loss == LossKind.CrossEntropy ? ActivationKind.Identity : o.OutputActivation;
        for (int i = widths.Length - 1; i > 0; i--)
        {
            var t = new ConvTranspose2dLayer($"decoder.{widths.Length - i}", widths[i], h, w, widths[i - 1], k, s, p, 0,
                i > 1 ? ActivationKind.Relu : outAct, o.LeakyReluSlope);
            Initializer.Initialize(t, o.Init, rng);
            dec.Add(t);
            (h, w) = (t.Geometry.Height, t.Geometry.Width);
        }
        return (new Network(enc), new Network(dec));
    }

    /// <summary>
    /// Fits the autoencoder on the rows of <paramref name="data"/> (one sample a row). With the cross-entropy loss all
    /// values must lie in [0, 1]. Reports each epoch to <paramref name="progress"/>; honours <paramref name="cancellationToken"/>.
    /// </summary>
    public AutoencoderModel Fit(Matrix data, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ValidateData(data, Options.Loss);
        return Fit(data.Cols, MinibatchSource.InMemory(data, Options.Minibatch), progress, cancellationToken);
    }

    /// <summary>
    /// Fits the autoencoder on rows read pass after pass from <paramref name="rows"/> (one pass per epoch, plus one per
    /// epoch for the validation loss), shuffled through a buffer of <see cref="NetworkOptions.ShuffleBufferRows"/> rows:
    /// memory does not grow with the number of rows. The stream checks the values (finite; in [0, 1] for the
    /// cross-entropy loss).
    /// </summary>
    public AutoencoderModel Fit(IRowStream rows, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Fit(rows.Width, MinibatchSource.Streaming(rows, Options.Minibatch, Options.ShuffleBufferRows), progress, cancellationToken);
    }

    internal AutoencoderModel Fit(int inputSize, IMinibatchSource<Matrix> source, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        if (o.Modules is not null)
            throw new InvalidOperationException($"The options name modules of the user's own ({o.Modules.GetType().Name}); they give their own model type: train them with options.Modules.Fit(options, data) or the ML.NET stage.");
        var rng = new Rng(o.Seed);
        var (encoder, decoder) = Build(o, inputSize, rng);
        var history = Train(o, encoder, decoder, source, inputSize, rng, progress, cancellationToken);
        return new AutoencoderModel(o, encoder, decoder, history);
    }

    /// <summary>
    /// Trains existing networks (freshly built, or a stack to fine-tune) on the minibatches of <paramref name="source"/>
    /// (rows of width <paramref name="inputSize"/>) with the loss, variant terms and optimisation settings of
    /// <paramref name="o"/>; <paramref name="rng"/> drives the split, shuffling, noise and dropout.
    /// </summary>
    internal static TrainingHistory Train(AutoencoderOptions o, Network encoder, Network decoder, IMinibatchSource<Matrix> source, int inputSize, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var history = o.Engine.TrainAutoencoder(o, encoder, decoder, source, inputSize, rng, progress, cancellationToken);
        history.Engine = o.Engine.Name;
        return history;
    }

    /// <summary>The managed engine's training (see <see cref="Train"/>); <paramref name="corruption"/>, when given, replaces the options' own.</summary>
    internal static TrainingHistory TrainManaged(AutoencoderOptions o, Network encoder, Network decoder, IMinibatchSource<Matrix> source, int inputSize, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, ICorruption? corruption = null)
    {
        var ctx = o.CreateContext(rng.Fork(1));
        var terms = AutoencoderTerms.Create(o, inputSize);
        if (corruption is not null) terms = terms with { Corruption = corruption };
        var parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();
        var optimizer = Optimizer.Create(o.Optimizer, parameters, o.LearningRate, o.Momentum);
        Matrix? grad = null;

        double TrainBatch(Matrix xb)
        {
            double loss = AddGradients(encoder, decoder, terms, o.Loss, xb, ctx, ref grad);
            optimizer.Step(ctx);
            return loss;
        }

        double ValidationLoss(Matrix xb)
        {
            var output = decoder.Forward(encoder.Forward(xb, false, ctx), false, ctx);
            double s = 0;
            for (int i = 0; i < output.Rows; i++) s += Losses.SampleLoss(o.Loss, output.Row(i), xb.Row(i));
            return s;
        }

        return TrainingLoop.Run(source, o.Minibatch, rng, parameters, TrainBatch, ValidationLoss, progress, cancellationToken);
    }

    /// <summary>
    /// One training pass of the reconstruction objective on <paramref name="batch"/>: corrupts it (if the terms say so),
    /// encodes, decodes, and adds the gradient of the batch-mean loss plus regularisers into the parameters' gradients.
    /// Returns the objective summed over the batch. Draws corruption, dropout and probes from the context's generator, in that order.
    /// </summary>
    internal static double AddGradients(Network encoder, Network decoder, AutoencoderTerms terms, LossKind lossKind, Matrix batch, NnContext ctx, ref Matrix? grad)
    {
        var input = terms.Corruption?.Apply(batch, ctx) ?? batch;
        var code = encoder.Forward(input, true, ctx);
        var output = decoder.Forward(code, true, ctx);
        var g = Matrix.Ensure(ref grad, output.Rows, output.Cols);
        double loss = Losses.Compute(lossKind, output, batch, g, ctx);
        var dCode = decoder.Backward(g, true, ctx)!;
        foreach (var r in terms.Regularizers) loss += r.Apply(encoder, input, code, dCode, ctx);
        encoder.Backward(dCode, false, ctx);
        return loss;
    }

    internal static void ValidateData(Matrix data, LossKind loss)
    {
        if (data.Rows == 0) throw new ArgumentException("Training data is empty: it needs at least one row.", nameof(data));
        if (data.Cols == 0) throw new ArgumentException("Training data has no features (0 columns).", nameof(data));
        data.ThrowIfNotFinite("Training data");
        if (loss == LossKind.CrossEntropy)
        {
            var s = data.Span;
            for (int i = 0; i < s.Length; i++)
                if (s[i] < 0 || s[i] > 1)
                    throw new ArgumentException($"Training data: row {i / data.Cols}, column {i % data.Cols} is {s[i]}, outside [0, 1], which the cross-entropy loss needs. Scale the data to [0, 1] or use the squared-error loss.", nameof(data));
        }
    }
}

/// <summary>The corruption and regularisers an <see cref="AutoencoderOptions"/> asks for (each only when its option is non-zero).</summary>
internal sealed record AutoencoderTerms(ICorruption? Corruption, IReadOnlyList<IRegularizer> Regularizers)
{
    /// <summary>The terms of <paramref name="o"/> (the adversarial term's discriminator is initialised from a stream of <see cref="NetworkOptions.Seed"/> of its own, so the other kinds' random streams are unchanged).</summary>
    public static AutoencoderTerms Create(AutoencoderOptions o, int inputSize)
    {
        var regs = new List<IRegularizer>();
        if (o.L1Activity > 0) regs.Add(new L1ActivityRegularizer(o.L1Activity));
        if (o.L2Activity > 0) regs.Add(new L2ActivityRegularizer(o.L2Activity));
        if (o.KlSparsityWeight > 0) regs.Add(new KlSparsityRegularizer(o.KlSparsityWeight, o.KlSparsityTarget));
        if (o.Contractive > 0) regs.Add(new ContractiveRegularizer(o.Contractive, o.ContractiveProbes));
        if (o.Adversarial > 0)
            regs.Add(new AdversarialRegularizer(o.Adversarial, o.CodeSize, o.DiscriminatorHiddenSizes, o.Optimizer,
                o.DiscriminatorLearningRate > 0 ? o.DiscriminatorLearningRate : o.LearningRate, o.Momentum, new Rng(o.Seed).Fork(0xAD)));
        return new(Corruptions.Create(o.Corruption, o.CorruptionLevel), regs);
    }
}
