using System.Numerics.Tensors;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// Trains an <see cref="EncoderClassifier"/>: copies the encoder's code path (any autoencoder kind, the stacked one
/// included; μ(x) for a VAE), adds an optional fixed standardisation of the codes and a softmax head, and trains on
/// labelled rows with softmax cross-entropy by minibatch Adam/SGD. The encoder is frozen (probe), fine-tuned, or
/// fine-tuned with a smaller learning rate; <see cref="EncoderInitialization.Random"/> gives the same network from
/// random initialisation as the baseline; joint mode adds the autoencoder's reconstruction objective on unlabelled rows.
/// </summary>
public static class EncoderClassifierTrainer
{
    private const string ScalerName = "scaler";

    /// <summary>
    /// Trains a classifier on the rows of <paramref name="x"/> (class labels 0 … K−1) starting from the code path of
    /// <paramref name="encoder"/> (copied: the autoencoder is not modified).
    /// </summary>
    /// <param name="encoder">A fitted autoencoder of any kind; its <see cref="IAutoencoder.CodePath"/> is the encoder.</param>
    /// <param name="x">N×d inputs (finite; d = the encoder's input width), scaled as the encoder's training data were.</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="options">Settings (validated and copied); null for defaults.</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch.</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Width mismatch, empty or non-finite data, label count mismatch, labels out of range, fewer than 2 classes.</exception>
    public static EncoderClassifier Fit(IAutoencoder encoder, Matrix x, int[] labels, EncoderClassifierOptions? options = null, int? classCount = null,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return Fit(encoder.CodePath, x, labels, options, classCount, progress, cancellationToken);
    }

    /// <summary>As <see cref="Fit(IAutoencoder, Matrix, int[], EncoderClassifierOptions?, int?, IProgress{EpochReport}?, CancellationToken)"/>, from an encoder given as its dense layers (input side first).</summary>
    public static EncoderClassifier Fit(IReadOnlyList<DenseLayer> encoderLayers, Matrix x, int[] labels, EncoderClassifierOptions? options = null,
        int? classCount = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new EncoderClassifierOptions()).Clone();
        o.Validate();
        if (o.Mode == EncoderTrainingMode.Joint)
            throw new ArgumentException("Joint mode needs the autoencoder's decoder and unlabelled rows: train it with EncoderClassifierTrainer.FitJoint.", nameof(options));
        if (o.Mode == EncoderTrainingMode.VirtualAdversarial)
            throw new ArgumentException("Virtual adversarial training needs unlabelled rows: train it with EncoderClassifierTrainer.FitVirtualAdversarial.", nameof(options));
        if (o.Mode == EncoderTrainingMode.SemiSupervisedVae)
            throw new ArgumentException("The semi-supervised VAE (M1+M2) needs a VAE and unlabelled rows: train it with EncoderClassifierTrainer.FitSemiSupervisedVae.", nameof(options));
        if (o.Mode == EncoderTrainingMode.Consistency)
            throw new ArgumentException("Consistency training needs unlabelled images and their height and width: train it with EncoderClassifierTrainer.FitConsistency.", nameof(options));
        return FitCore(encoderLayers, x, labels, o, classCount, null, null, progress, cancellationToken);
    }

    /// <summary>
    /// Joint (semi-supervised) training, <see cref="EncoderTrainingMode.Joint"/>: one encoder, started from the code path
    /// of <paramref name="autoencoder"/> (copied, or re-initialised with <see cref="EncoderInitialization.Random"/>), with
    /// a copy of its decoder, learns from the sum of the classification loss on the labelled rows and
    /// <see cref="EncoderClassifierOptions.ReconstructionWeight"/> × the autoencoder's reconstruction objective on the
    /// unlabelled rows: its loss, with its corruption and regularisers (the kind's preset, <see cref="AutoencoderOptions"/>).
    /// Each labelled minibatch step also reconstructs <see cref="EncoderClassifierOptions.UnlabelledBatchSize"/> unlabelled
    /// rows, taken in a reshuffled cycle; early stopping watches the labelled validation split's classification loss only.
    /// </summary>
    /// <param name="autoencoder">A fitted deterministic autoencoder (any kind but the VAE); it is not modified.</param>
    /// <param name="x">N×d labelled inputs (finite).</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="unlabelled">M×d unlabelled inputs (finite; in [0, 1] for the cross-entropy loss).</param>
    /// <param name="options">Settings with <see cref="EncoderClassifierOptions.Mode"/> = <see cref="EncoderTrainingMode.Joint"/> (validated and copied).</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch (over the labelled rows).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Not joint mode, a VAE, no or mismatched unlabelled rows, or bad labelled data.</exception>
    public static EncoderClassifier FitJoint(IAutoencoder autoencoder, Matrix x, int[] labels, Matrix unlabelled, EncoderClassifierOptions options,
        int? classCount = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(autoencoder);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        o.Validate();
        if (o.Mode != EncoderTrainingMode.Joint)
            throw new ArgumentException($"FitJoint trains in joint mode; the options ask for {o.Mode}.", nameof(options));
        if (autoencoder is not AutoencoderModel ae)
            throw new ArgumentException($"Joint mode needs a deterministic autoencoder with a decoder; got a {autoencoder.GetType().Name} (a VAE's sampled code has no joint mode here).", nameof(autoencoder));
        if (unlabelled is null || unlabelled.Rows == 0)
            throw new ArgumentException("Joint mode needs unlabelled rows to reconstruct; none were given.", nameof(unlabelled));
        if (unlabelled.Cols != ae.InputSize)
            throw new ArgumentException($"The unlabelled rows have {unlabelled.Cols} columns; the autoencoder takes {ae.InputSize}.", nameof(unlabelled));
        AutoencoderTrainer.ValidateData(unlabelled, ae.Options.Loss);
        return FitCore(ae.CodePath, x, labels, o, classCount, ae, unlabelled, progress, cancellationToken);
    }

    /// <summary>
    /// Virtual adversarial training, <see cref="EncoderTrainingMode.VirtualAdversarial"/>: the classifier (encoder copied
    /// from <paramref name="encoderLayers"/>, or re-initialised with <see cref="EncoderInitialization.Random"/>, and a head)
    /// learns from the labelled rows' classification loss plus <see cref="EncoderClassifierOptions.VatWeight"/> × the mean,
    /// over <see cref="EncoderClassifierOptions.UnlabelledBatchSize"/> unlabelled rows per labelled step, of
    /// KL(p(·|u) ‖ p(·|u + r)), where r of length <see cref="EncoderClassifierOptions.VatEpsilon"/> is the direction that
    /// changes the prediction for u most (one power iteration). Early stopping watches the labelled validation split.
    /// </summary>
    /// <param name="encoderLayers">The encoder's dense layers, input side first (an autoencoder's <see cref="IAutoencoder.CodePath"/>); not modified.</param>
    /// <param name="x">N×d labelled inputs (finite).</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="unlabelled">M×d unlabelled inputs (finite, M ≥ 1).</param>
    /// <param name="options">Settings with <see cref="EncoderClassifierOptions.Mode"/> = <see cref="EncoderTrainingMode.VirtualAdversarial"/> (validated and copied).</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch (over the labelled rows).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Another mode, no or mismatched unlabelled rows, or bad labelled data.</exception>
    public static EncoderClassifier FitVirtualAdversarial(IReadOnlyList<DenseLayer> encoderLayers, Matrix x, int[] labels, Matrix unlabelled, EncoderClassifierOptions options,
        int? classCount = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoderLayers);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        o.Validate();
        if (o.Mode != EncoderTrainingMode.VirtualAdversarial)
            throw new ArgumentException($"FitVirtualAdversarial trains in virtual adversarial mode; the options ask for {o.Mode}.", nameof(options));
        if (unlabelled is null || unlabelled.Rows == 0)
            throw new ArgumentException("Virtual adversarial training needs unlabelled rows; none were given.", nameof(unlabelled));
        if (encoderLayers.Count > 0 && unlabelled.Cols != encoderLayers[0].InputSize)
            throw new ArgumentException($"The unlabelled rows have {unlabelled.Cols} columns; the encoder takes {encoderLayers[0].InputSize}.", nameof(unlabelled));
        unlabelled.ThrowIfNotFinite("The unlabelled rows");
        return FitCore(encoderLayers, x, labels, o, classCount, null, unlabelled, progress, cancellationToken);
    }

    /// <summary>
    /// The semi-supervised VAE M1+M2 (Kingma et al. 2014), <see cref="EncoderTrainingMode.SemiSupervisedVae"/>: M1 is
    /// <paramref name="m1"/>, a VAE fitted on labelled and unlabelled rows, whose mean code path is copied and frozen
    /// (standardised when <see cref="EncoderClassifierOptions.StandardizeCodes"/>); the head q(y|s) on those features
    /// learns from the labelled rows' cross-entropy plus <see cref="EncoderClassifierOptions.M2Weight"/> × the objective
    /// of M2, a class-conditional VAE on the features trained alongside: −ELBO(s, y) on each labelled row, and
    /// Σ_y q(y|s)(−ELBO(s, y)) − H(q(·|s)) on <see cref="EncoderClassifierOptions.UnlabelledBatchSize"/> unlabelled rows
    /// per labelled step. Only M1's encoder and the head are kept: inference is the classifier alone.
    /// </summary>
    /// <param name="m1">A fitted VAE (M1); it is not modified.</param>
    /// <param name="x">N×d labelled inputs (finite).</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="unlabelled">M×d unlabelled inputs (finite, M ≥ 1).</param>
    /// <param name="options">Settings with <see cref="EncoderClassifierOptions.Mode"/> = <see cref="EncoderTrainingMode.SemiSupervisedVae"/> (validated and copied).</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch (over the labelled rows).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Another mode, M1 not a VAE, no or mismatched unlabelled rows, or bad labelled data.</exception>
    public static EncoderClassifier FitSemiSupervisedVae(IAutoencoder m1, Matrix x, int[] labels, Matrix unlabelled, EncoderClassifierOptions options,
        int? classCount = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(m1);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        o.Validate();
        if (o.Mode != EncoderTrainingMode.SemiSupervisedVae)
            throw new ArgumentException($"FitSemiSupervisedVae trains the semi-supervised VAE (M1+M2); the options ask for {o.Mode}.", nameof(options));
        if (m1 is not VaeModel)
            throw new ArgumentException($"M1+M2 needs a VAE as M1 (its mean code is the feature map); got a {m1.GetType().Name}.", nameof(m1));
        if (unlabelled is null || unlabelled.Rows == 0)
            throw new ArgumentException("The semi-supervised VAE (M1+M2) needs unlabelled rows; none were given.", nameof(unlabelled));
        if (unlabelled.Cols != m1.InputSize)
            throw new ArgumentException($"The unlabelled rows have {unlabelled.Cols} columns; the VAE takes {m1.InputSize}.", nameof(unlabelled));
        unlabelled.ThrowIfNotFinite("The unlabelled rows");
        return FitCore(m1.CodePath, x, labels, o, classCount, null, unlabelled, progress, cancellationToken);
    }

    /// <summary>
    /// Consistency training with pseudo-labels on augmented images (FixMatch), <see cref="EncoderTrainingMode.Consistency"/>:
    /// the classifier (encoder copied from <paramref name="encoderLayers"/>, or re-initialised with
    /// <see cref="EncoderInitialization.Random"/>, and a head) learns from the cross-entropy of weakly augmented labelled
    /// images (a random move of up to <see cref="EncoderClassifierOptions.WeakShift"/> pixels and a left-right mirror)
    /// plus <see cref="EncoderClassifierOptions.ConsistencyWeight"/> × the mean, over
    /// <see cref="EncoderClassifierOptions.UnlabelledBatchSize"/> unlabelled images per labelled step, of the
    /// cross-entropy of a strongly augmented view (a larger move, a cut-out square, pixel noise) against the class
    /// predicted for a weakly augmented view, counted only where that prediction's top probability reaches
    /// <see cref="EncoderClassifierOptions.ConsistencyThreshold"/>. The augmentations draw from the classifier's seeded
    /// generator. Early stopping watches the labelled validation split (not augmented).
    /// </summary>
    /// <param name="encoderLayers">The encoder's dense layers, input side first (an autoencoder's <see cref="IAutoencoder.CodePath"/>); not modified.</param>
    /// <param name="x">N×d labelled images (finite), one per row, pixels row by row (several channels one after another).</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="unlabelled">M×d unlabelled images (finite, M ≥ 1).</param>
    /// <param name="imageHeight">Height of the images in pixels (≥ 1).</param>
    /// <param name="imageWidth">Width of the images in pixels (≥ 1); d must be a whole number of height × width images.</param>
    /// <param name="options">Settings with <see cref="EncoderClassifierOptions.Mode"/> = <see cref="EncoderTrainingMode.Consistency"/> (validated and copied).</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch (over the labelled rows).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Another mode, an image size that does not fit the rows, no or mismatched unlabelled rows, or bad labelled data.</exception>
    public static EncoderClassifier FitConsistency(IReadOnlyList<DenseLayer> encoderLayers, Matrix x, int[] labels, Matrix unlabelled, int imageHeight, int imageWidth,
        EncoderClassifierOptions options, int? classCount = null, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoderLayers);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Clone();
        o.Validate();
        if (o.Mode != EncoderTrainingMode.Consistency)
            throw new ArgumentException($"FitConsistency trains in consistency mode; the options ask for {o.Mode}.", nameof(options));
        if (unlabelled is null || unlabelled.Rows == 0)
            throw new ArgumentException("Consistency training needs unlabelled images; none were given.", nameof(unlabelled));
        if (unlabelled.Cols != x.Cols)
            throw new ArgumentException($"The unlabelled rows have {unlabelled.Cols} columns; the labelled rows have {x.Cols}.", nameof(unlabelled));
        unlabelled.ThrowIfNotFinite("The unlabelled rows");
        var images = ImageAugmentation.Create(imageHeight, imageWidth, x.Cols);
        return FitCore(encoderLayers, x, labels, o, classCount, null, unlabelled, progress, cancellationToken, images);
    }

    private static EncoderClassifier FitCore(IReadOnlyList<DenseLayer> encoderLayers, Matrix x, int[] labels, EncoderClassifierOptions o, int? classCount,
        AutoencoderModel? autoencoder, Matrix? unlabelled, IProgress<EpochReport>? progress, CancellationToken cancellationToken, ImageAugmentation? images = null)
    {
        ArgumentNullException.ThrowIfNull(encoderLayers);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        bool convolutional = o.ConvolutionChannels.Length > 0;
        if (convolutional) CheckConvolutional(o, images);
        else if (encoderLayers.Count == 0) throw new ArgumentException("The encoder has no layers.", nameof(encoderLayers));
        else if (x.Cols != encoderLayers[0].InputSize)
            throw new ArgumentException($"The training matrix has {x.Cols} columns; the encoder takes {encoderLayers[0].InputSize}.", nameof(x));
        int k = Softmax.CheckTrainingData(x, labels, classCount, "The encoder classifier");

        var rng = new Rng(o.Seed);
        var ctx = new NnContext(Gemm.Create(o.Gemm, o.Threads), rng.Fork(1));
        bool frozen = o.Mode is EncoderTrainingMode.Probe or EncoderTrainingMode.SemiSupervisedVae;
        var layers = convolutional ? ConvolutionalEncoder(o, images!, rng) : WithDropout(CopyEncoder(encoderLayers, o, rng), frozen ? 0 : o.DropoutRate);
        var encoder = layers.OfType<DenseLayer>().ToList();
        int encoderCount = layers.Count;
        if (o.StandardizeCodes) layers.Add(CodeScaler(new Network(layers).Predict(x, ctx)));
        if (convolutional && o.DropoutRate > 0) layers.Add(new DropoutLayer(layers[^1].OutputSize, o.DropoutRate));
        layers.AddRange(WithDropout(BuildHead(o, layers[^1].OutputSize, k, rng).ToList(), o.DropoutRate));
        var net = new Network(layers);
        var anchors = o.EncoderAnchorL2 > 0 ? encoder.ToDictionary(d => d.Weight, d => d.Weight.Value.Clone()) : null;
        var corruption = Corruptions.Create(o.InputCorruption, o.InputCorruptionLevel);
        ulong splitSeed = rng.NextUInt64();
        // The reconstruction branch draws from its own generator and context, so that with weight 0 the classifier's
        // batches, dropout masks and updates are bit for bit those of a plain fine-tune.
        var joint = autoencoder is null ? null
            : JointTerm.Create(autoencoder, encoder, unlabelled!, o, new NnContext(ctx.Gemm, new Rng(unchecked((ulong)(uint)o.Seed) ^ 0x5DEECE66DUL)));
        var vat = o.Mode != EncoderTrainingMode.VirtualAdversarial ? null
            : new VirtualAdversarialTerm(net, unlabelled!, o, new NnContext(ctx.Gemm, new Rng(unchecked((ulong)(uint)o.Seed) ^ 0x5DEECE66DUL)));
        int featureLayers = encoderCount + (o.StandardizeCodes ? 1 : 0);
        var m2 = o.Mode != EncoderTrainingMode.SemiSupervisedVae ? null
            : new SemiSupervisedVaeTerm(new Network(layers.Take(featureLayers)), new Network(layers.Skip(featureLayers)), unlabelled!, k, o, rng,
                new NnContext(ctx.Gemm, new Rng(unchecked((ulong)(uint)o.Seed) ^ 0x5DEECE66DUL)));
        var consistency = o.Mode != EncoderTrainingMode.Consistency ? null
            : new ConsistencyTerm(net, unlabelled!, images!, o, new NnContext(ctx.Gemm, new Rng(unchecked((ulong)(uint)o.Seed) ^ 0x5DEECE66DUL)));

        var history = new TrainingHistory();
        if (o.HeadWarmupEpochs > 0 && !frozen)
        {
            SetEncoderTraining(net.Layers.Take(encoderCount), EncoderTrainingMode.Probe, 1f);
            var warm = o.Clone();
            warm.Epochs = o.HeadWarmupEpochs;
            Append(history, Train(net, x, labels, warm, anchors, corruption, null, null, null, consistency, new Rng(splitSeed), ctx, progress, cancellationToken));
        }
        SetEncoderTraining(net.Layers.Take(encoderCount), frozen ? EncoderTrainingMode.Probe : o.Mode, o.EncoderLearningRateScale);
        Append(history, Train(net, x, labels, o, anchors, corruption, joint, vat, m2, consistency, new Rng(splitSeed), ctx, progress, cancellationToken));
        consistency?.CopyTeacherToNetwork();
        foreach (var p in net.Parameters) { p.Frozen = false; p.LearningRateScale = 1f; }
        return new EncoderClassifier(o, net, encoderCount, history);
    }

    /// <summary>A convolutional encoder needs images, a new network and the one mode that knows their size.</summary>
    private static void CheckConvolutional(EncoderClassifierOptions o, ImageAugmentation? images)
    {
        if (o.Initialization != EncoderInitialization.Random)
            throw new ArgumentException("A convolutional encoder (ConvolutionChannels) is built anew: set Initialization = Random (a pretrained dense encoder cannot be copied into it).", nameof(o));
        if (o.Mode != EncoderTrainingMode.Consistency || images is null)
            throw new ArgumentException($"A convolutional encoder (ConvolutionChannels) needs the images' height and width: train it with EncoderClassifierTrainer.FitConsistency (ConsistencyWeight = 0 for the labelled images alone); the options ask for {o.Mode}.", nameof(o));
    }

    /// <summary>3×3 convolutions of stride 2 (ReLU) with the options' channels over the images, then the dense ReLU code layer, initialised from <paramref name="rng"/>.</summary>
    private static List<Layer> ConvolutionalEncoder(EncoderClassifierOptions o, ImageAugmentation images, Rng rng)
    {
        var layers = new List<Layer>();
        var (channels, h, w) = (images.Channels, images.Height, images.Width);
        foreach (int c in o.ConvolutionChannels)
        {
            var geometry = new ConvGeometry(channels, h, w, 3, 2, 1); // padding 1: every image, 1 × 1 included, gives an output
            var conv = new Conv2dLayer($"encoder.{layers.Count}", geometry, c, ActivationKind.Relu);
            Initializer.Initialize(conv, o.Init, rng);
            layers.Add(conv);
            (channels, h, w) = (c, geometry.OutHeight, geometry.OutWidth);
        }
        var code = new DenseLayer($"encoder.{layers.Count}", channels * h * w, o.ConvolutionCodeSize, ActivationKind.Relu);
        Initializer.Initialize(code, o.Init, rng);
        layers.Add(code);
        return layers;
    }

    /// <summary>The layers with a dropout layer after each but the last (none when the rate is 0).</summary>
    private static List<Layer> WithDropout(IReadOnlyList<DenseLayer> dense, float rate)
    {
        var result = new List<Layer>();
        for (int i = 0; i < dense.Count; i++)
        {
            result.Add(dense[i]);
            if (rate > 0 && i + 1 < dense.Count) result.Add(new DropoutLayer(dense[i].OutputSize, rate));
        }
        return result;
    }

    private static void Append(TrainingHistory into, TrainingHistory phase)
    {
        int offset = into.Epochs.Count;
        into.Epochs.AddRange(phase.Epochs.Select(e => e with { Epoch = e.Epoch + offset }));
        into.BestEpoch = offset + phase.BestEpoch;
        into.StoppedEarly = phase.StoppedEarly;
    }

    private static TrainingHistory Train(Network net, Matrix x, int[] labels, EncoderClassifierOptions o, IReadOnlyDictionary<Parameter, Matrix>? anchors, ICorruption? corruption,
        JointTerm? joint, VirtualAdversarialTerm? vat, SemiSupervisedVaeTerm? m2, ConsistencyTerm? consistency, Rng loopRng, NnContext ctx, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var extra = joint?.Parameters ?? m2?.Parameters ?? [];
        var parameters = extra.Count == 0 ? net.Parameters : net.Parameters.Concat(extra).Distinct().ToList();
        var optimizer = Optimizer.Create(o.Optimizer, parameters, o.LearningRate);
        Matrix? xb = null, grad = null;
        int[] yb = Array.Empty<int>();

        void Gather(int[] rows)
        {
            x.GatherRows(rows, ref xb);
            if (yb.Length != rows.Length) yb = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++) yb[i] = labels[rows[i]];
        }

        double TrainBatch(int[] rows)
        {
            Gather(rows);
            var view = consistency?.LabelledView(xb!) ?? xb!;
            var input = corruption?.Apply(view, ctx) ?? view;
            double loss = joint?.AddGradients(joint.NextBatch()) ?? vat?.AddGradients(vat.NextBatch()) ?? m2?.AddGradients(xb!, yb) ?? consistency?.AddGradients() ?? 0;
            loss += LossAndGradients(net, input, yb, o.L2, o.EncoderAnchorL2, anchors, ctx, ref grad);
            optimizer.Step(ctx);
            consistency?.UpdateTeacher();
            return loss * rows.Length;
        }

        // With a moving-average teacher, the teacher is the model kept: early stopping watches and restores its weights.
        var kept = consistency?.Teacher ?? net;
        double ValidationLoss(int[] rows)
        {
            Gather(rows);
            return Softmax.SoftmaxCrossEntropy(kept.Forward(xb!, false, ctx), yb, null);
        }

        return TrainingLoop.Run(x.Rows, o.Minibatch, loopRng, ReferenceEquals(kept, net) ? parameters : kept.Parameters, TrainBatch, ValidationLoss, progress, cancellationToken);
    }

    /// <summary>
    /// One forward and backward pass: returns the batch-mean objective (cross-entropy + ½λ‖W‖² over trained weights
    /// + ½λ_SP‖W − W₀‖² over trained encoder weights) and adds its gradient to the trained parameters' gradients. The
    /// backward pass stops below the lowest layer that has a trained parameter.
    /// </summary>
    internal static double LossAndGradients(Network net, Matrix x, int[] labels, float l2, float anchorL2, IReadOnlyDictionary<Parameter, Matrix>? anchors, NnContext ctx, ref Matrix? grad)
    {
        var logits = net.Forward(x, true, ctx);
        var g = Matrix.Ensure(ref grad, logits.Rows, logits.Cols);
        double loss = Softmax.SoftmaxCrossEntropy(logits, labels, g) / x.Rows;
        var layers = net.Layers;
        int lowest = 0;
        while (lowest < layers.Count && layers[lowest].Parameters.All(p => p.Frozen)) lowest++;
        Matrix? d = g;
        for (int i = layers.Count - 1; i >= lowest && d != null; i--) d = layers[i].Backward(d, i > lowest, ctx);
        for (int i = 0; i < layers.Count; i++)
        {
            var weight = layers[i] switch { DenseLayer dense => dense.Weight, Conv2dLayer conv => conv.Weight, _ => null };
            if (weight is null || weight.Frozen) continue;
            var w = weight.Value.Span;
            var gw = weight.Grad.Span;
            if (l2 > 0)
            {
                TensorPrimitives.MultiplyAdd(w, l2, gw, gw);
                loss += 0.5 * l2 * TensorPrimitives.Dot(w, w);
            }
            if (anchorL2 > 0 && anchors != null && anchors.TryGetValue(weight, out var anchor))
            {
                var w0 = anchor.Span;
                double sq = 0;
                for (int j = 0; j < w.Length; j++)
                {
                    float t = w[j] - w0[j];
                    gw[j] += anchorL2 * t;
                    sq += (double)t * t;
                }
                loss += 0.5 * anchorL2 * sq;
            }
        }
        return loss;
    }

    /// <summary>
    /// The reconstruction half of the joint objective: the classifier's encoder layers (shared parameters, with the
    /// autoencoder's own dropout between them) and a copy of the autoencoder's decoder (tied layers tied to the shared
    /// encoder weights), the autoencoder's loss, corruption and regularisers, and a reshuffled cycle over the unlabelled rows.
    /// </summary>
    internal sealed class JointTerm
    {
        private readonly Network _encoder, _decoder;
        private readonly AutoencoderTerms _terms;
        private readonly LossKind _loss;
        private readonly float _weight;
        private readonly NnContext _ctx;
        private readonly UnlabelledBatches _batches;
        private Matrix? _grad;

        private JointTerm(Network encoder, Network decoder, AutoencoderOptions ao, float weight, Matrix unlabelled, int batchSize, NnContext ctx)
        {
            _encoder = encoder;
            _decoder = decoder;
            _terms = AutoencoderTerms.Create(ao, unlabelled.Cols);
            _loss = ao.Loss;
            _weight = weight;
            _ctx = ctx;
            _batches = new UnlabelledBatches(unlabelled, batchSize, ctx.Rng);
            Parameters = encoder.Parameters.Concat(decoder.Parameters).Distinct().ToList();
        }

        /// <summary>Encoder and decoder parameters (tied weights once).</summary>
        public IReadOnlyList<Parameter> Parameters { get; }

        /// <summary>The reconstruction network's layers: encoder then decoder.</summary>
        internal IEnumerable<Layer> Layers => _encoder.Layers.Concat(_decoder.Layers);

        public static JointTerm Create(AutoencoderModel ae, IReadOnlyList<DenseLayer> encoder, Matrix unlabelled, EncoderClassifierOptions o, NnContext ctx)
        {
            var ao = ae.Options;
            var enc = new List<Layer>();
            for (int i = 0; i < encoder.Count; i++)
            {
                enc.Add(encoder[i]);
                if (ao.DropoutRate > 0 && i + 1 < encoder.Count) enc.Add(new DropoutLayer(encoder[i].OutputSize, ao.DropoutRate));
            }
            var source = ae.CodePath;
            var dec = new List<Layer>();
            foreach (var layer in ae.Decoder.Layers)
            {
                switch (layer)
                {
                    case DropoutLayer d:
                        dec.Add(new DropoutLayer(d.OutputSize, d.Rate));
                        break;
                    case DenseLayer { Transposed: true } d:
                        int tied = source.ToList().FindIndex(e => ReferenceEquals(e.Weight, d.Weight));
                        if (tied < 0) throw new ArgumentException($"Decoder layer '{d.Bias.Name}' is tied to a weight that is not in the encoder.");
                        var bias = new Parameter(d.Bias.Name, 1, d.OutputSize);
                        if (o.Initialization == EncoderInitialization.Pretrained) d.Bias.Value.Span.CopyTo(bias.Value.Span);
                        dec.Add(new DenseLayer(encoder[tied].Weight, true, bias, d.Activation, d.Slope));
                        break;
                    case DenseLayer d:
                        var copy = new DenseLayer(d.Weight.Name[..^".weight".Length], d.InputSize, d.OutputSize, d.Activation, d.Slope);
                        if (o.Initialization == EncoderInitialization.Pretrained)
                        {
                            d.Weight.Value.Span.CopyTo(copy.Weight.Value.Span);
                            d.Bias.Value.Span.CopyTo(copy.Bias.Value.Span);
                        }
                        else Initializer.Initialize(copy, ao.Init, ctx.Rng);
                        dec.Add(copy);
                        break;
                    default:
                        throw new ArgumentException($"Joint mode cannot copy a decoder layer of type {layer.GetType().Name}.");
                }
            }
            return new JointTerm(new Network(enc), new Network(dec), ao, o.ReconstructionWeight, unlabelled, o.UnlabelledBatchSize, ctx);
        }

        /// <summary>The next unlabelled batch (reshuffling the cycle when it is used up).</summary>
        public Matrix NextBatch() => _batches.Next();

        /// <summary>
        /// Adds λ × the gradient of the batch-mean reconstruction objective (loss + regularisers) to the parameters'
        /// gradients, which must be zero on entry (as after an optimiser step); returns λ × that objective.
        /// </summary>
        public double AddGradients(Matrix batch)
        {
            double loss = AutoencoderTrainer.AddGradients(_encoder, _decoder, _terms, _loss, batch, _ctx, ref _grad);
            foreach (var p in Parameters) TensorPrimitives.Multiply(p.Grad.Span, _weight, p.Grad.Span);
            return _weight * loss / batch.Rows;
        }
    }

    private static void SetEncoderTraining(IEnumerable<Layer> encoder, EncoderTrainingMode mode, float scale)
    {
        foreach (var p in encoder.SelectMany(d => d.Parameters))
        {
            p.Frozen = mode == EncoderTrainingMode.Probe;
            p.LearningRateScale = mode == EncoderTrainingMode.DiscriminativeFineTune ? scale : 1f;
        }
    }

    /// <summary>Fresh dense layers <c>encoder.i</c> with the source's shapes and activations: weights copied (stored out×in), or initialised anew.</summary>
    private static List<DenseLayer> CopyEncoder(IReadOnlyList<DenseLayer> source, EncoderClassifierOptions o, Rng rng)
    {
        var result = new List<DenseLayer>();
        for (int i = 0; i < source.Count; i++)
        {
            var s = source[i];
            if (i > 0 && s.InputSize != source[i - 1].OutputSize)
                throw new ArgumentException($"Encoder layer {i} takes {s.InputSize} inputs but layer {i - 1} gives {source[i - 1].OutputSize}.");
            var d = new DenseLayer($"encoder.{i}", s.InputSize, s.OutputSize, s.Activation, s.Slope);
            if (o.Initialization == EncoderInitialization.Random)
            {
                Initializer.Initialize(d, o.Init, rng);
            }
            else
            {
                var w = s.Weight.Value;
                if (s.Transposed)
                    for (int r = 0; r < d.OutputSize; r++)
                        for (int c = 0; c < d.InputSize; c++) d.Weight.Value[r, c] = w[c, r];
                else w.Span.CopyTo(d.Weight.Value.Span);
                s.Bias.Value.Span.CopyTo(d.Bias.Value.Span);
            }
            result.Add(d);
        }
        return result;
    }

    /// <summary>A frozen diagonal layer mapping each code unit to (z − mean) / std over the rows of <paramref name="codes"/> (std 0 → 1).</summary>
    private static DenseLayer CodeScaler(Matrix codes)
    {
        int m = codes.Cols;
        var d = new DenseLayer(ScalerName, m, m, ActivationKind.Identity);
        for (int j = 0; j < m; j++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < codes.Rows; i++) sum += codes[i, j];
            double mean = sum / codes.Rows;
            for (int i = 0; i < codes.Rows; i++) { double t = codes[i, j] - mean; sq += t * t; }
            double std = Math.Sqrt(sq / codes.Rows);
            if (!(std > 1e-6)) std = 1;
            d.Weight.Value[j, j] = (float)(1 / std);
            d.Bias.Value[0, j] = (float)(-mean / std);
        }
        d.Weight.Frozen = d.Bias.Frozen = true;
        return d;
    }

    private static IEnumerable<DenseLayer> BuildHead(EncoderClassifierOptions o, int codeSize, int classes, Rng rng)
    {
        var widths = new List<int> { codeSize };
        widths.AddRange(o.HeadHiddenSizes);
        widths.Add(classes);
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            bool last = i + 2 == widths.Count;
            var d = new DenseLayer($"head.{i}", widths[i], widths[i + 1], last ? ActivationKind.Identity : o.HeadActivation);
            Initializer.Initialize(d, last ? InitKind.GlorotUniform : o.Init, rng);
            yield return d;
        }
    }
}
