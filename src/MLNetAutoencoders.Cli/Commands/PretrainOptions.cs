using System.CommandLine;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>The options of <c>mlae pretrain</c>: each one's default is the value of <see cref="PretrainingExperimentOptions"/> (and its classifier recipe).</summary>
internal sealed class PretrainOptions
{
    private static readonly PretrainingExperimentOptions D = new();
    private static readonly EncoderClassifierOptions C = D.Classifier;

    private static string Join<T>(IEnumerable<T> v) => string.Join(",", v);

    public CommonOptions Common { get; } = new();
    public Option<string> Labels { get; } = new("--labels") { Description = "numbers N of labelled training images", DefaultValueFactory = _ => Join(D.LabelCounts) };
    public Option<string> Kinds { get; } = new("--kinds") { Description = "autoencoder kinds: ae, denoising, vae, stacked", DefaultValueFactory = _ => Join(D.Kinds.Select(PretrainingExperiment.Name)) };
    public Option<int> Seeds { get; } = new("--seeds") { Description = "repetitions (seeds --seed, --seed+1, …)", DefaultValueFactory = _ => D.Seeds };
    public Option<string> Hidden { get; } = new("--hidden") { Description = "encoder hidden widths (every kind and the scratch baseline)", DefaultValueFactory = _ => Join(D.HiddenSizes) };
    public Option<int> Code { get; } = new("--code") { Description = "code width", DefaultValueFactory = _ => D.CodeSize };
    public Option<int> PretrainEpochs { get; } = new("--pretrain-epochs") { Description = "pretraining epochs (per layer for stacked)", DefaultValueFactory = _ => D.PretrainEpochs };
    public Option<int> PretrainBatch { get; } = new("--pretrain-batch") { DefaultValueFactory = _ => D.PretrainBatchSize };
    public Option<float> PretrainLr { get; } = new("--pretrain-lr") { DefaultValueFactory = _ => D.PretrainLearningRate };
    public Option<string> Corruption { get; } = new("--corruption") { Description = "corruption of the denoising kind: mask:ν, gaussian:η, salt-pepper:ν", DefaultValueFactory = _ => Corruptions.Format(D.DenoisingCorruption, D.DenoisingLevel) };
    public Option<bool> StackedDenoising { get; } = new("--stacked-denoising") { Description = "train the stacked kind's layers as denoising autoencoders (true/false)", DefaultValueFactory = _ => D.StackedDenoising };
    public Option<int> StackedFineTune { get; } = new("--stacked-finetune-epochs") { Description = "end-to-end epochs after the stacked autoencoder's greedy phase", DefaultValueFactory = _ => D.StackedFineTuneEpochs };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "classifier epochs (maximum; early stopping)", DefaultValueFactory = _ => C.Epochs };
    public Option<int> Steps { get; } = new("--steps") { Description = "fixed budget: every classifier trains on all N labelled rows for about this many minibatch steps (no early stopping); 0 = --epochs with --validation-fraction and --patience", DefaultValueFactory = _ => D.ClassifierSteps };
    public Option<int> Batch { get; } = new("--batch") { Description = "classifier batch size", DefaultValueFactory = _ => C.BatchSize };
    public Option<float> Lr { get; } = new("--lr") { Description = "classifier learning rate (Adam), the same for scratch, probe and head", DefaultValueFactory = _ => C.LearningRate };
    public Option<string> Modes { get; } = new("--modes") { Description = "how each pretrained kind is used: probe, finetune, discriminative, joint, joint-scratch, vat, vat-scratch, m1m2 (on the vae kind), fixmatch, fixmatch-scratch, conv, fixmatch-conv, meanteacher-conv (a scratch row is always fitted; default meanteacher-conv for images, finetune for tables)", DefaultValueFactory = _ => Join(D.Modes.Select(PretrainingExperiment.Name)) };
    public Option<string> ConvChannels { get; } = new("--conv-channels") { Description = "conv modes: output channels of the encoder's 3×3 stride-2 convolutions, comma-separated", DefaultValueFactory = _ => Join(D.ConvolutionChannels) };
    public Option<int> ConvCode { get; } = new("--conv-code") { Description = "conv modes: units of the dense ReLU layer after the convolutions", DefaultValueFactory = _ => C.ConvolutionCodeSize };
    public Option<float> JointWeight { get; } = new("--joint-weight") { Description = "joint modes: weight of the unlabelled rows' reconstruction loss (per image) against the labelled cross-entropy", DefaultValueFactory = _ => C.ReconstructionWeight };
    public Option<int> UnlabelledBatch { get; } = new("--unlabelled-batch") { Description = "joint modes: unlabelled rows reconstructed per labelled minibatch", DefaultValueFactory = _ => C.UnlabelledBatchSize };
    public Option<float> VatEpsilon { get; } = new("--vat-epsilon") { Description = "vat modes: length of the virtual adversarial perturbation (L2 over the pixels)", DefaultValueFactory = _ => C.VatEpsilon };
    public Option<float> VatWeight { get; } = new("--vat-weight") { Description = "vat modes: weight of the virtual adversarial KL penalty", DefaultValueFactory = _ => C.VatWeight };
    public Option<float> M2Weight { get; } = new("--m2-weight") { Description = "m1m2 mode: weight of M2's generative objective against the labelled cross-entropy", DefaultValueFactory = _ => C.M2Weight };
    public Option<float> FixMatchThreshold { get; } = new("--fixmatch-threshold") { Description = "fixmatch modes: top probability τ a weak view's prediction needs to become a pseudo-label", DefaultValueFactory = _ => C.ConsistencyThreshold };
    public Option<float> FixMatchWeight { get; } = new("--fixmatch-weight") { Description = "fixmatch modes: weight of the pseudo-label cross-entropy of the strong views", DefaultValueFactory = _ => C.ConsistencyWeight };
    public Option<int> WeakShift { get; } = new("--weak-shift") { Description = "fixmatch modes: largest move (pixels) of the weak views, labelled images' included", DefaultValueFactory = _ => C.WeakShift };
    public Option<int> StrongShift { get; } = new("--strong-shift") { Description = "fixmatch modes: largest move (pixels) of the strong views", DefaultValueFactory = _ => C.StrongShift };
    public Option<int> Cutout { get; } = new("--cutout") { Description = "fixmatch modes: side (pixels) of the square cut out of each strong view (0 = none)", DefaultValueFactory = _ => C.CutoutSize };
    public Option<float> AugmentNoise { get; } = new("--augment-noise") { Description = "fixmatch modes: standard deviation of the pixel noise of the strong views", DefaultValueFactory = _ => C.AugmentationNoise };
    public Option<float> StrongRotation { get; } = new("--strong-rotation") { Description = "fixmatch modes: largest rotation (degrees) of the strong views", DefaultValueFactory = _ => C.StrongRotation };
    public Option<float> StrongContrast { get; } = new("--strong-contrast") { Description = "fixmatch modes: largest contrast and brightness change of the strong views (pixels in [0, 1])", DefaultValueFactory = _ => C.StrongContrast };
    public Option<float> TeacherDecay { get; } = new("--teacher-decay") { Description = "meanteacher-conv mode: decay of the teacher's moving average of the network's weights (0 = no teacher)", DefaultValueFactory = _ => C.TeacherDecay };
    public Option<bool> NoLogReg { get; } = new("--no-logreg") { Description = "leave out the baseline row: ML.NET's LbfgsMaximumEntropy on the raw pixels of the same labelled rows" };
    public Option<string?> LabelRows { get; } = new("--label-rows") { Description = "draw the labelled rows from these training rows only, e.g. 0-39999 (default: all)" };
    public Option<string?> EvalRows { get; } = new("--eval-rows") { Description = "score on these training rows, e.g. 50000-59999, instead of the test set (they stay out of the labelled draws)" };
    public Option<string?> UnlabelledRows { get; } = new("--unlabelled-rows") { Description = "pretrain and reconstruct on these training rows only, e.g. 0-59999 (default: all)" };
    public Option<float> EncoderLr { get; } = new("--encoder-lr-scale") { Description = "encoder learning rate / head learning rate (discriminative)", DefaultValueFactory = _ => C.EncoderLearningRateScale };
    public Option<int> Warmup { get; } = new("--warmup-epochs") { Description = "probe-then-fine-tune: head-only epochs before the encoder is released", DefaultValueFactory = _ => C.HeadWarmupEpochs };
    public Option<float> Dropout { get; } = new("--dropout") { Description = "dropout after hidden layers while training classifiers (not inside a probed encoder)", DefaultValueFactory = _ => C.DropoutRate };
    public Option<float> L2 { get; } = new("--l2") { Description = "L2 penalty on trained weights", DefaultValueFactory = _ => C.L2 };
    public Option<float> Anchor { get; } = new("--anchor-l2") { Description = "L2-SP: pull fine-tuned encoder weights towards the pretrained ones", DefaultValueFactory = _ => C.EncoderAnchorL2 };
    public Option<string> Augment { get; } = new("--augment") { Description = "input corruption while training classifiers (all rows), e.g. mask:0.2", DefaultValueFactory = _ => Corruptions.Format(C.InputCorruption, C.InputCorruptionLevel) };
    public Option<double> Validation { get; } = new("--validation-fraction") { Description = "share of the N labelled rows held out for early stopping", DefaultValueFactory = _ => C.ValidationFraction };
    public Option<int> Patience { get; } = new("--patience") { Description = "early-stopping patience (epochs)", DefaultValueFactory = _ => C.EarlyStoppingPatience };
    public Option<string?> Head { get; } = new("--head") { Description = "hidden widths of the head (default: none, a softmax layer)" };
    public Option<bool> NoStandardize { get; } = new("--no-standardize") { Description = "feed raw codes to the head (no fixed standardisation)" };
    public Option<string?> Cache { get; } = new("--cache") { Description = "directory to save and reuse pretrained autoencoders" };
    public Option<string?> Chart { get; } = new("--chart") { Description = "write the learning curves (accuracy against N, ± 1 sd over seeds) as a PNG here" };
    public Option<string?> Redraw { get; } = new("--redraw") { Description = "with --chart: draw the learning curves from a saved result (--json/--json-out) instead of running" };

    public void AddTo(Command cmd)
    {
        Common.AddTo(cmd);
        foreach (var o in new Option[] { Labels, Kinds, Seeds, Hidden, Code, PretrainEpochs, PretrainBatch, PretrainLr, Corruption, StackedDenoising, StackedFineTune,
                     Epochs, Steps, Batch, Lr, Modes, JointWeight, UnlabelledBatch, VatEpsilon, VatWeight, M2Weight,
                     FixMatchThreshold, FixMatchWeight, WeakShift, StrongShift, Cutout, AugmentNoise, StrongRotation, StrongContrast, TeacherDecay, ConvChannels, ConvCode, NoLogReg, LabelRows, EvalRows, UnlabelledRows, EncoderLr, Warmup,
                     Dropout, L2, Anchor, Augment, Validation, Patience, Head, NoStandardize, Cache, Chart, Redraw })
            cmd.Options.Add(o);
    }

    /// <summary>The experiment's options as given, for images of <paramref name="height"/> × <paramref name="width"/> pixels, validated; an error names the option.</summary>
    public PretrainingExperimentOptions Build(ParseResult r, int height, int width)
    {
        var (dKind, dLevel) = Corruptions.Parse(r.GetValue(Corruption)!);
        var (aKind, aLevel) = Corruptions.Parse(r.GetValue(Augment)!);
        string[] List(Option<string> option) => r.GetValue(option)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = new PretrainingExperimentOptions
        {
            LabelCounts = CommonOptions.ParseSizes(r.GetValue(Labels), "--labels"),
            Kinds = List(Kinds).Select(PretrainingExperiment.ParseKind).Distinct().ToArray(),
            Seeds = r.GetValue(Seeds),
            BaseSeed = r.GetValue(Common.Seed),
            HiddenSizes = CommonOptions.ParseSizes(r.GetValue(Hidden), "--hidden"),
            CodeSize = r.GetValue(Code),
            PretrainEpochs = r.GetValue(PretrainEpochs),
            PretrainBatchSize = r.GetValue(PretrainBatch),
            PretrainLearningRate = r.GetValue(PretrainLr),
            DenoisingCorruption = dKind,
            DenoisingLevel = dLevel,
            StackedDenoising = r.GetValue(StackedDenoising),
            StackedFineTuneEpochs = r.GetValue(StackedFineTune),
            ClassifierSteps = r.GetValue(Steps),
            // Without --modes, rows that are not images (one pixel high) get the table default: a convolution needs images.
            Modes = r.GetResult(Modes) is { Implicit: false } || height > 1
                ? List(Modes).Select(PretrainingExperiment.ParseMode).Distinct().ToArray()
                : [.. PretrainingExperimentOptions.TableModes],
            CacheDirectory = r.GetValue(Cache),
            ConvolutionChannels = CommonOptions.ParseSizes(r.GetValue(ConvChannels), "--conv-channels"),
            ImageHeight = height,
            ImageWidth = width,
            Threads = r.GetValue(Common.Threads),
            Gemm = Common.GemmKind(r),
            Classifier = new EncoderClassifierOptions
            {
                Epochs = r.GetValue(Epochs),
                BatchSize = r.GetValue(Batch),
                LearningRate = r.GetValue(Lr),
                EncoderLearningRateScale = r.GetValue(EncoderLr),
                ReconstructionWeight = r.GetValue(JointWeight),
                UnlabelledBatchSize = r.GetValue(UnlabelledBatch),
                VatEpsilon = r.GetValue(VatEpsilon),
                VatWeight = r.GetValue(VatWeight),
                M2Weight = r.GetValue(M2Weight),
                ConsistencyThreshold = r.GetValue(FixMatchThreshold),
                ConsistencyWeight = r.GetValue(FixMatchWeight),
                WeakShift = r.GetValue(WeakShift),
                StrongShift = r.GetValue(StrongShift),
                CutoutSize = r.GetValue(Cutout),
                AugmentationNoise = r.GetValue(AugmentNoise),
                StrongRotation = r.GetValue(StrongRotation),
                StrongContrast = r.GetValue(StrongContrast),
                TeacherDecay = r.GetValue(TeacherDecay),
                ConvolutionCodeSize = r.GetValue(ConvCode),
                HeadWarmupEpochs = r.GetValue(Warmup),
                DropoutRate = r.GetValue(Dropout),
                L2 = r.GetValue(L2),
                EncoderAnchorL2 = r.GetValue(Anchor),
                InputCorruption = aKind,
                InputCorruptionLevel = aLevel,
                ValidationFraction = r.GetValue(Validation),
                EarlyStoppingPatience = r.GetValue(Patience),
                HeadHiddenSizes = CommonOptions.ParseSizes(r.GetValue(Head), "--head"),
                StandardizeCodes = !r.GetValue(NoStandardize),
            },
        };
        options.Validate();
        if (options.Kinds.Length == 0) throw new ArgumentException("--kinds needs at least one kind: the ML.NET trainer takes its encoder architecture from a pretrained autoencoder.");
        return options;
    }
}
