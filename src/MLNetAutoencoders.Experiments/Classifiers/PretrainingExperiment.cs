using System.Globalization;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>How the experiment trains a classifier on a pretrained kind (beside the scratch baseline every N gets).</summary>
public enum PretrainMode
{
    /// <summary>Linear probe: the pretrained encoder frozen (<c>probe</c>).</summary>
    Probe,
    /// <summary>Full fine-tuning from the pretrained encoder (<c>finetune</c>).</summary>
    FineTune,
    /// <summary>Fine-tuning with the encoder at <see cref="EncoderClassifierOptions.EncoderLearningRateScale"/> × the learning rate (<c>discriminative</c>).</summary>
    Discriminative,
    /// <summary>Joint training from the pretrained encoder and decoder, reconstructing the unlabelled rows (<c>joint</c>).</summary>
    Joint,
    /// <summary>Joint training of the same encoder and decoder from random initialisation (<c>joint-scratch</c>).</summary>
    JointScratch,
    /// <summary>Virtual adversarial training from the pretrained encoder, on the unlabelled rows (<c>vat</c>).</summary>
    Vat,
    /// <summary>Virtual adversarial training of the same network from random initialisation (<c>vat-scratch</c>).</summary>
    VatScratch,
    /// <summary>The semi-supervised VAE M1+M2 on the vae kind's frozen mean code (<c>m1m2</c>; the other kinds skip it).</summary>
    M1M2,
    /// <summary>Consistency training with pseudo-labels on augmented images (FixMatch) from the pretrained encoder (<c>fixmatch</c>).</summary>
    FixMatch,
    /// <summary>Consistency training with pseudo-labels on augmented images (FixMatch) of the same network from random initialisation (<c>fixmatch-scratch</c>).</summary>
    FixMatchScratch,
    /// <summary>A convolutional encoder (<see cref="PretrainingExperimentOptions.ConvolutionChannels"/>) from random initialisation on the labelled images alone, weakly augmented (<c>conv</c>).</summary>
    Conv,
    /// <summary>Consistency training with pseudo-labels on augmented images (FixMatch) of the convolutional encoder from random initialisation (<c>fixmatch-conv</c>).</summary>
    FixMatchConv,
    /// <summary>
    /// <see cref="FixMatchConv"/> with the pseudo-labels from a teacher whose weights are the moving average of the
    /// network's (Mean Teacher, decay <see cref="EncoderClassifierOptions.TeacherDecay"/> of the recipe); the teacher is
    /// the fitted model (<c>meanteacher-conv</c>).
    /// </summary>
    MeanTeacherConv,
}

/// <summary>One classifier fit the experiment asks for; <see cref="PretrainingExperiment.FitClassifier"/> is the library's way to do it.</summary>
/// <param name="Autoencoder">The pretrained autoencoder of the row's kind (the first kind's, as the architecture, for scratch rows); null only when no kind is pretrained.</param>
/// <param name="EncoderLayers">The encoder the classifier starts from (the autoencoder's code path, or a fresh architecture when there is none).</param>
/// <param name="X">The N labelled rows.</param>
/// <param name="Labels">Their class indices.</param>
/// <param name="Unlabelled">The unlabelled rows (for the joint, virtual adversarial and M1+M2 modes).</param>
/// <param name="Options">The classifier settings: mode, initialisation and seed already set.</param>
/// <param name="Classes">Number of classes K.</param>
/// <param name="ImageHeight">Height of the images in pixels (for the consistency modes' augmentation).</param>
/// <param name="ImageWidth">Width of the images in pixels.</param>
public sealed record PretrainingFitRequest(IAutoencoder? Autoencoder, IReadOnlyList<DenseLayer> EncoderLayers, Matrix X, int[] Labels, Matrix Unlabelled,
    EncoderClassifierOptions Options, int Classes, int ImageHeight = 0, int ImageWidth = 0);

/// <summary>Settings of <see cref="PretrainingExperiment"/>.Run.</summary>
public sealed class PretrainingExperimentOptions
{
    /// <summary>Numbers N of labelled training rows (each ≥ the class count). Default 100, 600, 6000.</summary>
    public int[] LabelCounts { get; set; } = { 100, 600, 6000 };

    /// <summary>
    /// Autoencoder kinds to pretrain, some of <see cref="PretrainingExperiment.Kinds"/> (all share one encoder
    /// architecture). Default the denoising kind alone.
    /// </summary>
    public AutoencoderKind[] Kinds { get; set; } = [AutoencoderKind.Denoising];

    /// <summary>Number of seeds (repetitions with fresh labelled draws, initialisations and pretraining), ≥ 1. Default 3.</summary>
    public int Seeds { get; set; } = 3;

    /// <summary>Seed of the first repetition (the others follow). Default 0.</summary>
    public int BaseSeed { get; set; }

    /// <summary>Encoder hidden widths (shared by every kind and the scratch baseline). Default 512, 256 (see docs/pretraining/RESULTS.md).</summary>
    public int[] HiddenSizes { get; set; } = { 512, 256 };

    /// <summary>Code width. Default 20.</summary>
    public int CodeSize { get; set; } = 20;

    /// <summary>Pretraining epochs on the unlabelled rows (per layer for the stacked kind), ≥ 1. Default 15.</summary>
    public int PretrainEpochs { get; set; } = 15;

    /// <summary>Pretraining minibatch size. Default 128.</summary>
    public int PretrainBatchSize { get; set; } = 128;

    /// <summary>Pretraining learning rate (Adam). Default 1e-3.</summary>
    public float PretrainLearningRate { get; set; } = 1e-3f;

    /// <summary>Corruption of the denoising kind. Default masking.</summary>
    public CorruptionKind DenoisingCorruption { get; set; } = CorruptionKind.Masking;

    /// <summary>Level of <see cref="DenoisingCorruption"/>. Default 0.5 (half the inputs masked).</summary>
    public float DenoisingLevel { get; set; } = 0.5f;

    /// <summary>Train every layer of the stacked kind as a denoising autoencoder with <see cref="DenoisingCorruption"/> (a stacked denoising autoencoder). Default true.</summary>
    public bool StackedDenoising { get; set; } = true;

    /// <summary>Epochs of end-to-end fine-tuning of the stacked autoencoder after its greedy phase (0–10000). Default 0.</summary>
    public int StackedFineTuneEpochs { get; set; }

    /// <summary>
    /// The classifier recipe shared by scratch, probe and fine-tuned rows (epochs, batch, learning rate, L2, dropout,
    /// early stopping, head, code standardisation, augmentation). Its <see cref="EncoderClassifierOptions.Mode"/>,
    /// <see cref="EncoderClassifierOptions.Initialization"/>, <see cref="EncoderClassifierOptions.Seed"/>, threads and GEMM
    /// are set per row. Default: Adam 1e-3, batch 64 (the eleventh round's), at most 500 epochs, early stopping with patience 30 on a 20 %
    /// validation split of the N labelled rows, L2 1e-4, dropout 0.5, standardised codes, a softmax head; for the
    /// consistency modes 128 unlabelled images a step and weak views moved by up to 2 pixels (the tenth round's
    /// <see cref="PretrainMode.FixMatchConv"/>; the other consistency settings are the options' own); for
    /// <see cref="PretrainMode.MeanTeacherConv"/> (and no other mode) a teacher decay of 0.99.
    /// </summary>
    public EncoderClassifierOptions Classifier { get; set; } = new() { Epochs = 500, ValidationFraction = 0.2, EarlyStoppingPatience = 30, DropoutRate = 0.5f, UnlabelledBatchSize = 128, WeakShift = 2, TeacherDecay = 0.99f, BatchSize = 64 };

    /// <summary>
    /// The ways each pretrained kind is used (a scratch row per N is always fitted). Default
    /// <see cref="PretrainMode.MeanTeacherConv"/> with the fixed budget of <see cref="ClassifierSteps"/> and the recipe's
    /// labelled batch of 64: the best method measured on Fashion-MNIST at 100 and 600 labels on the selection rows
    /// (docs/semi-supervised.md, eleventh round); it needs <see cref="ImageHeight"/> and <see cref="ImageWidth"/> and no pretraining.
    /// </summary>
    public PretrainMode[] Modes { get; set; } = { PretrainMode.MeanTeacherConv };

    /// <summary>
    /// The default of <see cref="Modes"/> for rows that are not images (a table: one pixel high), where a convolutional
    /// encoder has nothing to convolve: <see cref="PretrainMode.FineTune"/> of the pretrained encoder with the fixed
    /// budget, the ninth round's best method.
    /// </summary>
    public static IReadOnlyList<PretrainMode> TableModes { get; } = [PretrainMode.FineTune];

    /// <summary>
    /// When above 0, every classifier (scratch included) trains on all N labelled rows for about this many minibatch
    /// steps, a fixed budget: epochs = max(1, round(steps / ⌈N / batch size⌉)), no validation split, no early stopping
    /// (the <see cref="Classifier"/> recipe's epochs, validation fraction and patience are then unused). 0 keeps the
    /// recipe's epochs and early stopping. Default 1500 (with the recipe's batch of 64: 750 epochs of 2 steps at N = 100,
    /// 150 of 10 at N = 600).
    /// </summary>
    public int ClassifierSteps { get; set; } = 1500;

    /// <summary>Height of the images in pixels, for the consistency modes (<see cref="PretrainMode.FixMatch"/>, <see cref="PretrainMode.FixMatchScratch"/>); 0 = unknown.</summary>
    public int ImageHeight { get; set; }

    /// <summary>Width of the images in pixels; 0 = unknown.</summary>
    public int ImageWidth { get; set; }

    /// <summary>
    /// The convolutional modes (<see cref="PretrainMode.Conv"/>, <see cref="PretrainMode.FixMatchConv"/>): output channels
    /// of their stride-2 convolutions (<see cref="EncoderClassifierOptions.ConvolutionChannels"/>; the code layer's width
    /// is the <see cref="Classifier"/> recipe's <see cref="EncoderClassifierOptions.ConvolutionCodeSize"/>). Default 32, 64.
    /// </summary>
    public int[] ConvolutionChannels { get; set; } = { 32, 64 };

    /// <summary>A directory where pretrained autoencoders are saved and reused (keyed by every pretraining setting); null = none.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>GEMM threads (≥ 1). Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>GEMM provider. Default auto.</summary>
    public GemmKind Gemm { get; set; } = GemmKind.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (LabelCounts is null || LabelCounts.Length == 0 || LabelCounts.Any(n => n < 2))
            throw new ArgumentOutOfRangeException(nameof(LabelCounts), "LabelCounts needs at least one count, each ≥ 2.");
        if (Kinds is null || Kinds.Any(k => !PretrainingExperiment.Kinds.Contains(k)))
            throw new ArgumentOutOfRangeException(nameof(Kinds), $"Kinds holds a kind the experiment does not pretrain; expected some of {string.Join(", ", PretrainingExperiment.Kinds.Select(AutoencoderKinds.Name))}.");
        if (Seeds < 1) throw new ArgumentOutOfRangeException(nameof(Seeds), Seeds, "Seeds must be ≥ 1.");
        if (PretrainEpochs < 1) throw new ArgumentOutOfRangeException(nameof(PretrainEpochs), PretrainEpochs, "PretrainEpochs must be ≥ 1.");
        if (StackedFineTuneEpochs is < 0 or > 10000) throw new ArgumentOutOfRangeException(nameof(StackedFineTuneEpochs), StackedFineTuneEpochs, "StackedFineTuneEpochs must be in 0–10000.");
        if (Modes is null || Modes.Any(m => !Enum.IsDefined(m))) throw new ArgumentOutOfRangeException(nameof(Modes), "Modes holds an unknown mode.");
        if (Modes.Any(m => m is PretrainMode.Joint or PretrainMode.JointScratch) && Kinds.Contains(AutoencoderKind.Variational))
            throw new ArgumentOutOfRangeException(nameof(Modes), "The joint modes need deterministic autoencoders; drop the vae kind or the joint modes.");
        if (Modes.Contains(PretrainMode.M1M2) && !Kinds.Contains(AutoencoderKind.Variational))
            throw new ArgumentOutOfRangeException(nameof(Modes), "The m1m2 mode needs the vae kind (M1 is a VAE); add vae to the kinds.");
        if (Modes.Any(m => m is PretrainMode.FixMatch or PretrainMode.FixMatchScratch or PretrainMode.Conv or PretrainMode.FixMatchConv or PretrainMode.MeanTeacherConv) && (ImageHeight < 1 || ImageWidth < 1))
            throw new ArgumentOutOfRangeException(nameof(ImageHeight), "The fixmatch and conv modes augment images and need ImageHeight and ImageWidth.");
        if (ConvolutionChannels is null || ConvolutionChannels.Length == 0 || ConvolutionChannels.Any(c => c is < 1 or > 1024))
            throw new ArgumentOutOfRangeException(nameof(ConvolutionChannels), "ConvolutionChannels needs at least one channel count, each in 1–1024.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
        if (ClassifierSteps < 0) throw new ArgumentOutOfRangeException(nameof(ClassifierSteps), ClassifierSteps, "ClassifierSteps must be ≥ 0 (0 keeps the recipe's epochs and early stopping).");
        ArgumentNullException.ThrowIfNull(Classifier, nameof(Classifier));
        Classifier.Validate();
        foreach (var k in Kinds)
        {
            if (PretrainOptions(k, 0) is VaeOptions v) v.Validate();
            else ((AutoencoderOptions)PretrainOptions(k, 0)).Validate();
        }
    }

    /// <summary>The options of the autoencoder of <paramref name="kind"/> for the repetition with <paramref name="seed"/>.</summary>
    public NetworkOptions PretrainOptions(AutoencoderKind kind, int seed)
    {
        bool corrupt = kind == AutoencoderKind.Denoising || (kind == AutoencoderKind.Stacked && StackedDenoising);
        NetworkOptions o = kind == AutoencoderKind.Variational
            ? new VaeOptions { LatentSize = CodeSize }
            : new AutoencoderOptions
            {
                CodeSize = CodeSize,
                Corruption = corrupt ? DenoisingCorruption : CorruptionKind.None,
                CorruptionLevel = corrupt ? DenoisingLevel : 0,
            };
        o.HiddenSizes = (int[])HiddenSizes.Clone();
        o.Epochs = PretrainEpochs;
        o.BatchSize = PretrainBatchSize;
        o.LearningRate = PretrainLearningRate;
        o.Seed = seed;
        o.Threads = Threads;
        o.Gemm = Gemm;
        return o;
    }
}

/// <summary>One fitted classifier of the experiment.</summary>
/// <param name="Labels">N, the labelled training rows.</param>
/// <param name="Kind">The pretrained kind (<c>ae</c>, <c>denoising</c>, <c>vae</c>, <c>stacked</c>), or <c>none</c> for scratch.</param>
/// <param name="Mode"><c>scratch</c>, or a <see cref="PretrainMode"/>'s name: <c>probe</c>, <c>finetune</c>, <c>discriminative</c>, <c>joint</c>, <c>joint-scratch</c>.</param>
/// <param name="Seed">The repetition's seed.</param>
/// <param name="Accuracy">Accuracy on the test rows.</param>
/// <param name="Epochs">Epochs run (early stopping included).</param>
/// <param name="Seconds">Training seconds.</param>
public sealed record PretrainingRun(int Labels, string Kind, string Mode, int Seed, double Accuracy, int Epochs, double Seconds);

/// <summary>Mean and sample standard deviation of the accuracy over the seeds of one (N, kind, mode).</summary>
/// <param name="Labels">N.</param>
/// <param name="Kind">Kind, or <c>none</c> for scratch.</param>
/// <param name="Mode"><c>scratch</c> or a <see cref="PretrainMode"/>'s name.</param>
/// <param name="Accuracy">Mean test accuracy.</param>
/// <param name="AccuracyStd">Sample standard deviation (n − 1) over seeds; 0 for one seed.</param>
/// <param name="Runs">Number of seeds.</param>
public sealed record PretrainingSummary(int Labels, string Kind, string Mode, double Accuracy, double AccuracyStd, int Runs);

/// <summary>Progress of <see cref="PretrainingExperiment"/>.Run.</summary>
/// <param name="Message">What just finished.</param>
/// <param name="Done">Work units done (pretraining epochs and classifier fits).</param>
/// <param name="Total">Work units in all.</param>
public sealed record PretrainingProgress(string Message, int Done, int Total);

/// <summary>
/// Unsupervised pretraining, then supervised training with few labels: for each seed, every kind of autoencoder is
/// pretrained on all unlabelled rows; for each N a class-balanced labelled sample is drawn, and the same encoder
/// network is trained from random initialisation (scratch), as a linear probe on the frozen pretrained encoder, and
/// fine-tuned from it; every classifier is scored on the test rows.
/// </summary>
public static class PretrainingExperiment
{
    /// <summary>The kinds the experiment can pretrain: ae, denoising, vae, stacked.</summary>
    public static IReadOnlyList<AutoencoderKind> Kinds { get; } = [AutoencoderKind.Plain, AutoencoderKind.Denoising, AutoencoderKind.Variational, AutoencoderKind.Stacked];

    /// <summary>The kind's name in tables and JSON (<see cref="AutoencoderKinds.Name"/>).</summary>
    public static string Name(AutoencoderKind kind) => AutoencoderKinds.Name(kind);

    /// <summary>The mode's name in tables and JSON: probe, finetune, discriminative, joint, joint-scratch, vat, vat-scratch, m1m2, fixmatch, fixmatch-scratch, conv, fixmatch-conv, meanteacher-conv.</summary>
    public static string Name(PretrainMode mode) => mode switch
    {
        PretrainMode.JointScratch => "joint-scratch",
        PretrainMode.VatScratch => "vat-scratch",
        PretrainMode.FixMatchScratch => "fixmatch-scratch",
        PretrainMode.FixMatchConv => "fixmatch-conv",
        PretrainMode.MeanTeacherConv => "meanteacher-conv",
        _ => mode.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses a mode's <see cref="Name(PretrainMode)"/>.</summary>
    public static PretrainMode ParseMode(string text) =>
        Enum.GetValues<PretrainMode>().FirstOrDefault(m => Name(m) == text.Trim().ToLowerInvariant(), (PretrainMode)(-1)) is var m && Enum.IsDefined(m)
            ? m : throw new ArgumentException($"Unknown mode '{text}'; expected {string.Join(", ", Enum.GetValues<PretrainMode>().Select(Name))}.");

    /// <summary>Parses <c>ae</c>, <c>denoising</c> (or <c>dae</c>), <c>vae</c> or <c>stacked</c>.</summary>
    /// <exception cref="ArgumentException">Another name; the message lists the valid ones.</exception>
    public static AutoencoderKind ParseKind(string text) =>
        text.Trim().Equals("dae", StringComparison.OrdinalIgnoreCase) ? AutoencoderKind.Denoising
        : AutoencoderKinds.TryParse(text, out var kind) && Kinds.Contains(kind) ? kind
        : throw new ArgumentException($"Unknown autoencoder kind '{text}'; expected {string.Join(", ", Kinds.Select(AutoencoderKinds.Name))}.");

    /// <summary>
    /// A class-balanced sample of <paramref name="count"/> row indices (ascending): each class gets ⌊count/K⌋ rows, the
    /// first count mod K classes one more, drawn without replacement with a generator seeded by <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A class has fewer rows than its share.</exception>
    public static int[] BalancedSample(int[] labels, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length == 0) throw new ArgumentException("There are no labels to sample from.", nameof(labels));
        int k = labels.Max() + 1;
        if (count < k) throw new ArgumentOutOfRangeException(nameof(count), count, $"A class-balanced sample of {k} classes needs at least {k} rows.");
        var rng = new Rng(seed);
        var result = new List<int>(count);
        for (int c = 0; c < k; c++)
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            int take = count / k + (c < count % k ? 1 : 0);
            if (rows.Length < take) throw new ArgumentException($"Class {c} has {rows.Length} rows; a balanced sample of {count} needs {take}.", nameof(labels));
            rng.Shuffle(rows.AsSpan());
            result.AddRange(rows.Take(take));
        }
        result.Sort();
        return result.ToArray();
    }

    /// <summary>Pretrains one autoencoder of <paramref name="kind"/> on <paramref name="unlabelled"/> (values in [0, 1]).</summary>
    public static IAutoencoder Pretrain(AutoencoderKind kind, Matrix unlabelled, PretrainingExperimentOptions options, int seed,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AutoencoderKinds.Fit(kind, options.PretrainOptions(kind, seed), unlabelled, progress, cancellationToken, options.StackedFineTuneEpochs);
    }

    /// <summary>
    /// Runs the experiment: pretraining on all rows of <paramref name="trainX"/> (labels unused), labelled samples from
    /// (<paramref name="trainX"/>, <paramref name="trainY"/>), accuracy on (<paramref name="testX"/>, <paramref name="testY"/>).
    /// Returns one entry per fitted classifier, in the order fitted.
    /// </summary>
    public static IReadOnlyList<PretrainingRun> Run(Matrix trainX, int[] trainY, Matrix testX, int[] testY, PretrainingExperimentOptions options,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Run(trainX, trainX, trainY, testX, testY, options, FitClassifier, progress, cancellationToken);

    /// <summary>
    /// Runs the experiment with the unlabelled rows given apart: pretraining (and the joint modes' reconstruction) on
    /// <paramref name="unlabelled"/>, labelled samples from (<paramref name="labelledX"/>, <paramref name="labelledY"/>),
    /// accuracy on (<paramref name="testX"/>, <paramref name="testY"/>); every classifier is trained by <paramref name="fit"/>
    /// (<see cref="FitClassifier"/>, or the ML.NET trainer). Returns one entry per fitted classifier, in the order fitted.
    /// </summary>
    public static IReadOnlyList<PretrainingRun> Run(Matrix unlabelled, Matrix labelledX, int[] labelledY, Matrix testX, int[] testY, PretrainingExperimentOptions options,
        Func<PretrainingFitRequest, CancellationToken, EncoderClassifier> fit, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => Run(unlabelled, labelledX, labelledY, testX, testY, options, fit, null, progress, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="baseline"/>, and for each seed and N also a baseline on the raw features
    /// of the same labelled rows: <paramref name="baseline"/>(x, labels, K) returns a predictor of class indices; its
    /// rows have kind <c>pixels</c> and mode <c>logreg</c>.
    /// </summary>
    public static IReadOnlyList<PretrainingRun> Run(Matrix unlabelled, Matrix labelledX, int[] labelledY, Matrix testX, int[] testY, PretrainingExperimentOptions options,
        Func<PretrainingFitRequest, CancellationToken, EncoderClassifier> fit, Func<Matrix, int[], int, Func<Matrix, int[]>>? baseline,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(unlabelled);
        ArgumentNullException.ThrowIfNull(labelledX);
        ArgumentNullException.ThrowIfNull(labelledY);
        ArgumentNullException.ThrowIfNull(testX);
        ArgumentNullException.ThrowIfNull(testY);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fit);
        options.Validate();
        if (labelledY.Length != labelledX.Rows) throw new ArgumentException($"There are {labelledY.Length} training labels for {labelledX.Rows} rows.", nameof(labelledY));
        if (testY.Length != testX.Rows) throw new ArgumentException($"There are {testY.Length} test labels for {testX.Rows} rows.", nameof(testY));
        int classes = Math.Max(labelledY.Max(), testY.Max()) + 1;
        int fitsPerN = 1 + (baseline is null ? 0 : 1) + options.Kinds.Sum(k => options.Modes.Count(m => Applies(m, k)));
        int total = options.Seeds * (options.Kinds.Sum(k => PretrainUnits(k, options)) + options.LabelCounts.Length * fitsPerN);
        int done = 0;
        var runs = new List<PretrainingRun>();
        for (int s = 0; s < options.Seeds; s++)
        {
            int seed = unchecked(options.BaseSeed + s);
            ulong state = unchecked((ulong)(uint)seed);
            var encoders = new List<(AutoencoderKind Kind, IAutoencoder Model)>();
            foreach (var kind in options.Kinds)
            {
                string what = $"seed {seed}: pretraining {Name(kind)}";
                var epochs = progress is null ? null : new SyncProgress<EpochReport>(e => progress.Report(new PretrainingProgress(
                    FormattableString.Invariant($"{what} epoch {e.Epoch}/{e.Epochs} loss {e.TrainLoss:F2}"), ++done, total)));
                int before = done;
                encoders.Add((kind, NeedsPretraining(kind, options)
                    ? PretrainCached(kind, unlabelled, options, seed, epochs, cancellationToken)
                    : Untrained((AutoencoderOptions)options.PretrainOptions(kind, seed), unlabelled.Cols)));
                done = before + PretrainUnits(kind, options);
                progress?.Report(new PretrainingProgress($"{what} done", done, total));
            }
            foreach (int n in options.LabelCounts)
            {
                var rows = BalancedSample(labelledY, n, Mix(state, (ulong)n));
                var x = labelledX.SelectRows(rows);
                var y = rows.Select(r => labelledY[r]).ToArray();
                var first = encoders.Count > 0 ? encoders[0].Model : null;
                void Fit(string kind, string mode, IAutoencoder? autoencoder, EncoderTrainingMode trainMode, EncoderInitialization init, bool conv = false)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var o = options.Classifier.Clone();
                    o.Mode = trainMode;
                    o.Initialization = init;
                    o.ConvolutionChannels = conv ? (int[])options.ConvolutionChannels.Clone() : [];
                    if (conv && mode == Name(PretrainMode.Conv)) o.ConsistencyWeight = 0;
                    if (mode != Name(PretrainMode.MeanTeacherConv)) o.TeacherDecay = 0;
                    // 31 bits of the mixed state: the options' seed type (and what the ML.NET trainer took before seeds became one type).
                    o.Seed = (int)(Mix(state, (ulong)n + 7919) & int.MaxValue);
                    o.Threads = options.Threads;
                    o.Gemm = options.Gemm;
                    if (init == EncoderInitialization.Random) { o.HeadWarmupEpochs = 0; o.EncoderAnchorL2 = 0; }
                    if (options.ClassifierSteps > 0)
                    {
                        o.ValidationFraction = 0;
                        o.EarlyStoppingPatience = 0;
                        o.Epochs = Math.Max(1, (int)Math.Round(options.ClassifierSteps / (double)((n + o.BatchSize - 1) / o.BatchSize)));
                    }
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    var layers = autoencoder?.CodePath ?? ScratchTemplate(options, labelledX.Cols);
                    var model = fit(new PretrainingFitRequest(autoencoder, layers, x, y, unlabelled, o, classes, options.ImageHeight, options.ImageWidth), cancellationToken);
                    double acc = Accuracy(testY, model.Predict(testX));
                    runs.Add(new PretrainingRun(n, kind, mode, seed, acc, model.History.Epochs.Count, sw.Elapsed.TotalSeconds));
                    progress?.Report(new PretrainingProgress(FormattableString.Invariant(
                        $"seed {seed}, N={n}: {kind} {mode} accuracy {acc:P2} ({model.History.Epochs.Count} epochs, {sw.Elapsed.TotalSeconds:F1}s)"), ++done, total));
                }
                Fit("none", "scratch", first, EncoderTrainingMode.FineTune, EncoderInitialization.Random);
                if (baseline is not null)
                {
                    var sw = System.Diagnostics.Stopwatch.StartNew();
                    double acc = Accuracy(testY, baseline(x, y, classes)(testX));
                    runs.Add(new PretrainingRun(n, "pixels", "logreg", seed, acc, 0, sw.Elapsed.TotalSeconds));
                    progress?.Report(new PretrainingProgress(FormattableString.Invariant(
                        $"seed {seed}, N={n}: pixels logreg accuracy {acc:P2} ({sw.Elapsed.TotalSeconds:F1}s)"), ++done, total));
                }
                foreach (var (kind, model) in encoders)
                    foreach (var mode in options.Modes.Where(m => Applies(m, kind)))
                    {
                        var (trainMode, init) = mode switch
                        {
                            PretrainMode.Probe => (EncoderTrainingMode.Probe, EncoderInitialization.Pretrained),
                            PretrainMode.Discriminative => (EncoderTrainingMode.DiscriminativeFineTune, EncoderInitialization.Pretrained),
                            PretrainMode.Joint => (EncoderTrainingMode.Joint, EncoderInitialization.Pretrained),
                            PretrainMode.JointScratch => (EncoderTrainingMode.Joint, EncoderInitialization.Random),
                            PretrainMode.Vat => (EncoderTrainingMode.VirtualAdversarial, EncoderInitialization.Pretrained),
                            PretrainMode.VatScratch => (EncoderTrainingMode.VirtualAdversarial, EncoderInitialization.Random),
                            PretrainMode.M1M2 => (EncoderTrainingMode.SemiSupervisedVae, EncoderInitialization.Pretrained),
                            PretrainMode.FixMatch => (EncoderTrainingMode.Consistency, EncoderInitialization.Pretrained),
                            PretrainMode.FixMatchScratch or PretrainMode.Conv or PretrainMode.FixMatchConv or PretrainMode.MeanTeacherConv => (EncoderTrainingMode.Consistency, EncoderInitialization.Random),
                            _ => (EncoderTrainingMode.FineTune, EncoderInitialization.Pretrained),
                        };
                        Fit(Name(kind), Name(mode), model, trainMode, init, mode is PretrainMode.Conv or PretrainMode.FixMatchConv or PretrainMode.MeanTeacherConv);
                    }
            }
        }
        return runs;
    }

    /// <summary>Trains one classifier of the experiment with the library's <see cref="EncoderClassifierTrainer"/> (the semi-supervised modes on the request's unlabelled rows).</summary>
    public static EncoderClassifier FitClassifier(PretrainingFitRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.Mode switch
        {
            EncoderTrainingMode.Joint => EncoderClassifierTrainer.FitJoint(request.Autoencoder!, request.X, request.Labels, request.Unlabelled, request.Options, request.Classes, null, cancellationToken),
            EncoderTrainingMode.VirtualAdversarial => EncoderClassifierTrainer.FitVirtualAdversarial(request.EncoderLayers, request.X, request.Labels, request.Unlabelled, request.Options, request.Classes, null, cancellationToken),
            EncoderTrainingMode.SemiSupervisedVae => EncoderClassifierTrainer.FitSemiSupervisedVae(request.Autoencoder!, request.X, request.Labels, request.Unlabelled, request.Options, request.Classes, null, cancellationToken),
            EncoderTrainingMode.Consistency => EncoderClassifierTrainer.FitConsistency(request.EncoderLayers, request.X, request.Labels, request.Unlabelled, request.ImageHeight, request.ImageWidth,
                request.Options, request.Classes, null, cancellationToken),
            _ => EncoderClassifierTrainer.Fit(request.EncoderLayers, request.X, request.Labels, request.Options, request.Classes, null, cancellationToken),
        };
    }

    /// <summary>Mean and sample standard deviation per (N, kind, mode), ordered by N, then scratch, then kinds as run.</summary>
    public static IReadOnlyList<PretrainingSummary> Summarize(IEnumerable<PretrainingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return runs.GroupBy(r => (r.Labels, r.Kind, r.Mode))
            .OrderBy(g => g.Key.Labels)
            .Select(g =>
            {
                var a = g.Select(r => r.Accuracy).ToArray();
                double mean = a.Average();
                double std = a.Length > 1 ? Math.Sqrt(a.Sum(v => (v - mean) * (v - mean)) / (a.Length - 1)) : 0;
                return new PretrainingSummary(g.Key.Labels, g.Key.Kind, g.Key.Mode, mean, std, a.Length);
            })
            .ToList();
    }

    private static double Accuracy(int[] truth, int[] predicted)
    {
        int hits = 0;
        for (int i = 0; i < truth.Length; i++) if (truth[i] == predicted[i]) hits++;
        return (double)hits / truth.Length;
    }

    /// <summary>Whether <paramref name="mode"/> runs on <paramref name="kind"/>: M1+M2 only on the VAE.</summary>
    private static bool Applies(PretrainMode mode, AutoencoderKind kind) => mode != PretrainMode.M1M2 || kind == AutoencoderKind.Variational;

    private static int PretrainUnits(AutoencoderKind kind, PretrainingExperimentOptions o) =>
        kind == AutoencoderKind.Stacked ? o.PretrainEpochs * (o.HiddenSizes.Length + 1) + o.StackedFineTuneEpochs : o.PretrainEpochs;

    private static IAutoencoder PretrainCached(AutoencoderKind kind, Matrix data, PretrainingExperimentOptions o, int seed,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        if (o.CacheDirectory is null) return Pretrain(kind, data, o, seed, progress, cancellationToken);
        var key = string.Join("-", Name(kind), seed.ToString(CultureInfo.InvariantCulture), string.Join("x", o.HiddenSizes), o.CodeSize,
            o.PretrainEpochs, o.PretrainBatchSize, o.PretrainLearningRate.ToString("R", CultureInfo.InvariantCulture),
            kind == AutoencoderKind.Denoising || (kind == AutoencoderKind.Stacked && o.StackedDenoising) ? Corruptions.Format(o.DenoisingCorruption, o.DenoisingLevel).Replace(':', '_') : "",
            kind == AutoencoderKind.Stacked ? o.StackedFineTuneEpochs.ToString(CultureInfo.InvariantCulture) : "",
            data.Rows.ToString(CultureInfo.InvariantCulture));
        var path = Path.Combine(o.CacheDirectory, key + ".mlae");
        if (File.Exists(path)) return AutoencoderFile.Load(path);
        var model = Pretrain(kind, data, o, seed, progress, cancellationToken);
        Directory.CreateDirectory(o.CacheDirectory);
        model.Save(path);
        return model;
    }

    /// <summary>
    /// False when every mode run on <paramref name="kind"/> starts from random weights and needs only the architecture
    /// (<see cref="PretrainMode.VatScratch"/>, <see cref="PretrainMode.FixMatchScratch"/>, the conv modes) and the kind is a one-network
    /// autoencoder: pretraining it would be wasted.
    /// </summary>
    private static bool NeedsPretraining(AutoencoderKind kind, PretrainingExperimentOptions o)
        => kind is not (AutoencoderKind.Plain or AutoencoderKind.Denoising)
            || o.Modes.Any(m => m is not (PretrainMode.VatScratch or PretrainMode.FixMatchScratch or PretrainMode.Conv or PretrainMode.FixMatchConv or PretrainMode.MeanTeacherConv));

    /// <summary>An autoencoder of the given architecture at its initial weights: the architecture of the scratch modes.</summary>
    private static AutoencoderModel Untrained(AutoencoderOptions o, int inputs)
    {
        var (encoder, decoder) = AutoencoderTrainer.Build(o, inputs, new Rng(o.Seed));
        return new AutoencoderModel(o, encoder, decoder, new TrainingHistory());
    }

    /// <summary>The encoder architecture for scratch rows when no kind is pretrained: ReLU hidden layers and a linear code.</summary>
    private static IReadOnlyList<DenseLayer> ScratchTemplate(PretrainingExperimentOptions o, int inputs)
    {
        var widths = new List<int> { inputs };
        widths.AddRange(o.HiddenSizes);
        widths.Add(o.CodeSize);
        return Enumerable.Range(0, widths.Count - 1)
            .Select(i => new DenseLayer($"encoder.{i}", widths[i], widths[i + 1], i + 2 == widths.Count ? ActivationKind.Identity : ActivationKind.Relu))
            .ToList();
    }

    private static ulong Mix(ulong a, ulong b) => (a * 0x9E3779B97F4A7C15UL) ^ (b + 0x632BE59BD9B4E019UL);
}
