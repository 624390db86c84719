using System.Numerics.Tensors;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>How <see cref="EncoderClassifierTrainer"/>.Fit treats the encoder's weights.</summary>
public enum EncoderTrainingMode
{
    /// <summary>Linear probe: the encoder is frozen (its weights stay bit-identical); only the head learns.</summary>
    Probe,
    /// <summary>Full fine-tuning: encoder and head learn at the same learning rate.</summary>
    FineTune,
    /// <summary>
    /// Discriminative fine-tuning: the encoder learns at <see cref="EncoderClassifierOptions.EncoderLearningRateScale"/>
    /// times the head's learning rate (through <see cref="Parameter.LearningRateScale"/>).
    /// </summary>
    DiscriminativeFineTune,
    /// <summary>
    /// Joint (semi-supervised) training: the encoder and the autoencoder's decoder learn together on the classification
    /// loss of the labelled rows plus <see cref="EncoderClassifierOptions.ReconstructionWeight"/> times the autoencoder's
    /// own reconstruction objective (its loss, corruption and regularisers) on unlabelled rows, at the same learning rate.
    /// Trained by <see cref="EncoderClassifierTrainer.FitJoint"/>.
    /// </summary>
    Joint,
    /// <summary>
    /// Virtual adversarial training (semi-supervised): the classification loss of the labelled rows plus
    /// <see cref="EncoderClassifierOptions.VatWeight"/> times the mean KL divergence between the classifier's
    /// prediction for an unlabelled row and for the row moved by <see cref="EncoderClassifierOptions.VatEpsilon"/> in
    /// the direction that changes the prediction most. Trained by <see cref="EncoderClassifierTrainer.FitVirtualAdversarial"/>.
    /// </summary>
    VirtualAdversarial,
    /// <summary>
    /// The semi-supervised VAE M1+M2 (Kingma et al. 2014): the encoder, a VAE's mean code (M1), stays frozen; the head
    /// q(y|s) on its standardised codes s learns from the labelled rows' cross-entropy plus
    /// <see cref="EncoderClassifierOptions.M2Weight"/> × the negative evidence lower bound of a class-conditional VAE on s
    /// (M2), on the labelled rows with their class and on unlabelled rows summed over the classes the head predicts, minus
    /// the entropy of that prediction. Trained by <see cref="EncoderClassifierTrainer.FitSemiSupervisedVae"/>.
    /// </summary>
    SemiSupervisedVae,
    /// <summary>
    /// Consistency training with pseudo-labels on augmented images (FixMatch, Sohn et al. 2020): the cross-entropy of
    /// weakly augmented labelled images plus <see cref="EncoderClassifierOptions.ConsistencyWeight"/> × the cross-entropy
    /// of strongly augmented unlabelled images against the class the classifier gives their weakly augmented view, where
    /// that prediction's top probability reaches <see cref="EncoderClassifierOptions.ConsistencyThreshold"/>. Needs the
    /// rows' image height and width. Trained by <see cref="EncoderClassifierTrainer.FitConsistency"/>.
    /// </summary>
    Consistency,
}

/// <summary>Where the encoder's starting weights come from.</summary>
public enum EncoderInitialization
{
    /// <summary>Copies of the fitted encoder's weights (the source model is never modified).</summary>
    Pretrained,
    /// <summary>The same architecture, freshly initialised (<see cref="EncoderClassifierOptions.Init"/>): the from-scratch baseline.</summary>
    Random,
}

/// <summary>Settings of <see cref="EncoderClassifierTrainer"/>.Fit.</summary>
public sealed class EncoderClassifierOptions
{
    /// <summary>Probe, fine-tune, or fine-tune with a smaller encoder learning rate. Default <see cref="EncoderTrainingMode.FineTune"/>.</summary>
    public EncoderTrainingMode Mode { get; set; } = EncoderTrainingMode.FineTune;

    /// <summary>Pretrained weights, or the same architecture from random initialisation (the baseline). Default pretrained.</summary>
    public EncoderInitialization Initialization { get; set; } = EncoderInitialization.Pretrained;

    /// <summary>Encoder learning-rate multiplier of <see cref="EncoderTrainingMode.DiscriminativeFineTune"/>, in (0, 1]. Default 0.1.</summary>
    public float EncoderLearningRateScale { get; set; } = 0.1f;

    /// <summary>
    /// Probe-then-fine-tune: epochs in which only the head learns (encoder frozen) before the encoder is released, with
    /// the same validation split (ignored in probe mode; range 0–10000). Default 0.
    /// </summary>
    public int HeadWarmupEpochs { get; set; }

    /// <summary>
    /// Standardise the codes before the head: a fixed (never trained) per-unit affine layer (z − mean) / std, with mean
    /// and std of the initial encoder's codes of the training rows. Default true.
    /// </summary>
    public bool StandardizeCodes { get; set; } = true;

    /// <summary>
    /// Dropout rate after every hidden layer of the encoder (not in probe mode, where the encoder is fixed) and of the
    /// head, in training only; range [0, 1). Default 0.
    /// </summary>
    public float DropoutRate { get; set; }

    /// <summary>Hidden widths of the head between the code and the K logits (empty = a softmax layer). Default empty.</summary>
    public int[] HeadHiddenSizes { get; set; } = Array.Empty<int>();

    /// <summary>Activation of the head's hidden layers. Default ReLU.</summary>
    public ActivationKind HeadActivation { get; set; } = ActivationKind.Relu;

    /// <summary>Initialisation of the head, and of the encoder with <see cref="EncoderInitialization.Random"/>. Default auto (He for ReLU).</summary>
    public InitKind Init { get; set; } = InitKind.Auto;

    /// <summary>L2 penalty ½λ‖W‖² on every trained weight matrix (not biases), ≥ 0. Default 1e-4.</summary>
    public float L2 { get; set; } = 1e-4f;

    /// <summary>
    /// L2-SP penalty ½λ‖W − W₀‖² pulling the trained encoder weights towards their starting values W₀ (the pretrained
    /// weights), ≥ 0; 0 = off. Default 0.
    /// </summary>
    public float EncoderAnchorL2 { get; set; }

    /// <summary>Corruption of the training input while fine-tuning (augmentation; never at inference). Default none.</summary>
    public CorruptionKind InputCorruption { get; set; }

    /// <summary>Strength of <see cref="InputCorruption"/> (Gaussian η in [0, 10], otherwise a share in [0, 1)).</summary>
    public float InputCorruptionLevel { get; set; }

    /// <summary>
    /// <see cref="EncoderTrainingMode.Joint"/>: weight λ of the reconstruction objective (per-row mean over an unlabelled
    /// batch, in the autoencoder's units, e.g. nats per image for cross-entropy) against the labelled batch's mean
    /// cross-entropy; finite, ≥ 0 (0 = plain fine-tuning). Default 0.03 (chosen on a validation split of Fashion-MNIST
    /// images with a denoising autoencoder; 0.01 was as good).
    /// </summary>
    public float ReconstructionWeight { get; set; } = 0.03f;

    /// <summary><see cref="EncoderTrainingMode.Joint"/>: unlabelled rows reconstructed with each labelled minibatch (≥ 1). Default 64.</summary>
    public int UnlabelledBatchSize { get; set; } = 64;

    /// <summary>
    /// <see cref="EncoderTrainingMode.VirtualAdversarial"/>: length ε (L2 norm over the features) of the virtual adversarial
    /// perturbation, finite, &gt; 0. Default 0.3 (chosen among 0.3, 1 and 3 on selection rows of Fashion-MNIST with
    /// pixels in [0, 1]; see the semi-supervised page of the docs).
    /// </summary>
    public float VatEpsilon { get; set; } = 0.3f;

    /// <summary><see cref="EncoderTrainingMode.VirtualAdversarial"/>: length ξ of the random probe of the power iteration, finite, &gt; 0. Default 1.</summary>
    public float VatXi { get; set; } = 1f;

    /// <summary><see cref="EncoderTrainingMode.VirtualAdversarial"/>: weight α of the KL penalty against the labelled batch's mean cross-entropy, finite, ≥ 0. Default 1.</summary>
    public float VatWeight { get; set; } = 1f;

    /// <summary>
    /// <see cref="EncoderTrainingMode.SemiSupervisedVae"/>: weight β of M2's objective (per-row means of −ELBO over the
    /// labelled batch and of the expected −ELBO minus the entropy over the unlabelled batch) against the labelled batch's
    /// mean cross-entropy; β = 1/α of the paper's weighting. Finite, ≥ 0. Default 0.1.
    /// </summary>
    public float M2Weight { get; set; } = 0.1f;

    /// <summary><see cref="EncoderTrainingMode.SemiSupervisedVae"/>: hidden width of M2's encoder q(z|s, y) and decoder p(s|y, z) (≥ 1). Default 256.</summary>
    public int M2HiddenSize { get; set; } = 256;

    /// <summary><see cref="EncoderTrainingMode.SemiSupervisedVae"/>: width of M2's latent z (≥ 1). Default 32.</summary>
    public int M2LatentSize { get; set; } = 32;

    /// <summary>
    /// <see cref="EncoderTrainingMode.Consistency"/>: the top probability τ the prediction for an unlabelled image's weak
    /// view must reach to become its pseudo-label, in (0, 1]. Default 0.95 (as in FixMatch).
    /// </summary>
    public float ConsistencyThreshold { get; set; } = 0.95f;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: weight λ of the pseudo-label cross-entropy (a mean over the whole unlabelled batch) against the labelled batch's mean cross-entropy; finite, ≥ 0. Default 1.</summary>
    public float ConsistencyWeight { get; set; } = 1f;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: largest move in pixels (each direction) of the weak views, labelled images' included (0–64). Default 0 (the milder of the two candidate settings on selection rows of Fashion-MNIST; moving the labelled images hurt a fully connected network there).</summary>
    public int WeakShift { get; set; } = 0;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: largest move in pixels (each direction) of the strong views (0–64). Default 2.</summary>
    public int StrongShift { get; set; } = 2;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: side in pixels of the square set to 0 in each strong view, at a random place (0 = none; 0–1024). Default 8.</summary>
    public int CutoutSize { get; set; } = 8;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: standard deviation of the Gaussian noise added to each value of a strong view, finite, ≥ 0. Default 0.1.</summary>
    public float AugmentationNoise { get; set; } = 0.1f;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: mirror weak and strong views left-right with probability ½. Default true.</summary>
    public bool HorizontalFlip { get; set; } = true;

    /// <summary><see cref="EncoderTrainingMode.Consistency"/>: largest rotation in degrees of the strong views, about the image's centre with bilinear interpolation (0 = none; 0–180). Default 0.</summary>
    public float StrongRotation { get; set; }

    /// <summary>
    /// <see cref="EncoderTrainingMode.Consistency"/>: largest change of contrast and brightness of the strong views: each
    /// view's values are scaled about their mean by a factor in [1 − c, 1 + c], moved by up to ± c and clipped to [0, 1]
    /// (pixels in [0, 1]; 0 = none; 0–1). Default 0.
    /// </summary>
    public float StrongContrast { get; set; }

    /// <summary>
    /// <see cref="EncoderTrainingMode.Consistency"/>: decay d of a teacher whose weights are the exponential moving
    /// average of the classifier's (Mean Teacher, Tarvainen and Valpola 2017): after every step each teacher weight
    /// becomes d × itself + (1 − d) × the classifier's. The teacher gives the pseudo-labels and the validation loss, and
    /// its weights are the fitted model's. In [0, 1); 0 (the default) means no teacher: the classifier labels itself.
    /// </summary>
    public float TeacherDecay { get; set; }

    /// <summary>
    /// Output channels of the 3×3 convolutions (stride 2, padding 1, ReLU) that start a convolutional encoder, input
    /// side first; empty (the default) for the dense encoder copied from the autoencoder. When set, the encoder is built
    /// anew from random initialisation: these convolutions over the rows read as images (their height and width are
    /// <see cref="EncoderClassifierTrainer.FitConsistency"/>'s arguments), then one dense ReLU layer of
    /// <see cref="ConvolutionCodeSize"/> units, then dropout at <see cref="DropoutRate"/> before the head. It needs
    /// <see cref="EncoderInitialization.Random"/> and <see cref="EncoderTrainingMode.Consistency"/> (set
    /// <see cref="ConsistencyWeight"/> to 0 to train on the labelled images alone). Each count in 1–1024.
    /// </summary>
    public int[] ConvolutionChannels { get; set; } = Array.Empty<int>();

    /// <summary>Units of the dense ReLU layer that ends a convolutional encoder (<see cref="ConvolutionChannels"/>), ≥ 1. Default 128.</summary>
    public int ConvolutionCodeSize { get; set; } = 128;

    /// <summary>Passes over the labelled training rows (≥ 1). Default 100.</summary>
    public int Epochs { get; set; } = 100;

    /// <summary>Minibatch size (≥ 1). Default 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Learning rate of the head (and of the encoder unless discriminative), &gt; 0. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Share of the labelled rows held out for the validation loss and early stopping, in [0, 1). Default 0.2.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>Early-stopping patience in epochs (0 = off; needs a validation fraction); the best epoch's weights are kept. Default 10.</summary>
    public int EarlyStoppingPatience { get; set; } = 10;

    /// <summary>
    /// Seed of initialisation, the validation split, shuffling and corruption; any value, the generator takes its 32
    /// bits. Default 0. Inside an ML.NET stage the stage's <c>Seed</c> is used instead (set a seed in one place).
    /// </summary>
    public int Seed { get; set; }

    /// <summary>GEMM threads (≥ 1); one thread gives bit-identical runs. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>GEMM provider. Default auto.</summary>
    public GemmKind Gemm { get; set; } = GemmKind.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "Unknown encoder training mode.");
        if (!Enum.IsDefined(Initialization)) throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialisation.");
        if (!(EncoderLearningRateScale > 0 && EncoderLearningRateScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(EncoderLearningRateScale), EncoderLearningRateScale, "EncoderLearningRateScale must be in (0, 1].");
        if (HeadWarmupEpochs is < 0 or > 10000) throw new ArgumentOutOfRangeException(nameof(HeadWarmupEpochs), HeadWarmupEpochs, "HeadWarmupEpochs must be in 0–10000.");
        if (HeadHiddenSizes is null || HeadHiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HeadHiddenSizes), "HeadHiddenSizes must all be ≥ 1 (empty for a softmax layer on the code).");
        if (!(DropoutRate >= 0 && DropoutRate < 1)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        NetworkOptions.RequireNonNegative(L2, nameof(L2));
        NetworkOptions.RequireNonNegative(EncoderAnchorL2, nameof(EncoderAnchorL2));
        if (!Enum.IsDefined(InputCorruption)) throw new ArgumentOutOfRangeException(nameof(InputCorruption), InputCorruption, "Unknown corruption kind.");
        bool levelOk = InputCorruption switch
        {
            CorruptionKind.None => InputCorruptionLevel == 0,
            CorruptionKind.Gaussian => InputCorruptionLevel is >= 0 and <= 10,
            _ => InputCorruptionLevel is >= 0 and < 1,
        };
        if (!levelOk)
            throw new ArgumentOutOfRangeException(nameof(InputCorruptionLevel), InputCorruptionLevel,
                "InputCorruptionLevel must be 0 without a corruption, in [0, 10] for gaussian and in [0, 1) for masking or salt-and-pepper.");
        if (!(ReconstructionWeight >= 0 && float.IsFinite(ReconstructionWeight)))
            throw new ArgumentOutOfRangeException(nameof(ReconstructionWeight), ReconstructionWeight, "ReconstructionWeight must be a finite number ≥ 0.");
        if (!(VatEpsilon > 0 && float.IsFinite(VatEpsilon))) throw new ArgumentOutOfRangeException(nameof(VatEpsilon), VatEpsilon, "VatEpsilon must be a finite number > 0.");
        if (!(VatXi > 0 && float.IsFinite(VatXi))) throw new ArgumentOutOfRangeException(nameof(VatXi), VatXi, "VatXi must be a finite number > 0.");
        if (!(VatWeight >= 0 && float.IsFinite(VatWeight))) throw new ArgumentOutOfRangeException(nameof(VatWeight), VatWeight, "VatWeight must be a finite number ≥ 0.");
        if (!(M2Weight >= 0 && float.IsFinite(M2Weight))) throw new ArgumentOutOfRangeException(nameof(M2Weight), M2Weight, "M2Weight must be a finite number ≥ 0.");
        if (M2HiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(M2HiddenSize), M2HiddenSize, "M2HiddenSize must be ≥ 1.");
        if (M2LatentSize < 1) throw new ArgumentOutOfRangeException(nameof(M2LatentSize), M2LatentSize, "M2LatentSize must be ≥ 1.");
        if (!(ConsistencyThreshold > 0 && ConsistencyThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ConsistencyThreshold), ConsistencyThreshold, "ConsistencyThreshold must be in (0, 1].");
        if (!(ConsistencyWeight >= 0 && float.IsFinite(ConsistencyWeight))) throw new ArgumentOutOfRangeException(nameof(ConsistencyWeight), ConsistencyWeight, "ConsistencyWeight must be a finite number ≥ 0.");
        if (WeakShift is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(WeakShift), WeakShift, "WeakShift must be in 0–64 pixels.");
        if (StrongShift is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(StrongShift), StrongShift, "StrongShift must be in 0–64 pixels.");
        if (CutoutSize is < 0 or > 1024) throw new ArgumentOutOfRangeException(nameof(CutoutSize), CutoutSize, "CutoutSize must be in 0–1024 pixels.");
        if (!(AugmentationNoise >= 0 && float.IsFinite(AugmentationNoise))) throw new ArgumentOutOfRangeException(nameof(AugmentationNoise), AugmentationNoise, "AugmentationNoise must be a finite number ≥ 0.");
        if (!(StrongRotation >= 0 && StrongRotation <= 180)) throw new ArgumentOutOfRangeException(nameof(StrongRotation), StrongRotation, "StrongRotation must be in 0–180 degrees.");
        if (!(StrongContrast >= 0 && StrongContrast <= 1)) throw new ArgumentOutOfRangeException(nameof(StrongContrast), StrongContrast, "StrongContrast must be in [0, 1].");
        if (!(TeacherDecay >= 0 && TeacherDecay < 1)) throw new ArgumentOutOfRangeException(nameof(TeacherDecay), TeacherDecay, "TeacherDecay must be in [0, 1) (0 = no teacher).");
        if (ConvolutionChannels is null || ConvolutionChannels.Any(c => c is < 1 or > 1024))
            throw new ArgumentOutOfRangeException(nameof(ConvolutionChannels), "ConvolutionChannels must all be in 1–1024 (empty for the dense encoder).");
        if (ConvolutionCodeSize < 1) throw new ArgumentOutOfRangeException(nameof(ConvolutionCodeSize), ConvolutionCodeSize, "ConvolutionCodeSize must be ≥ 1.");
        if (UnlabelledBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(UnlabelledBatchSize), UnlabelledBatchSize, "UnlabelledBatchSize must be ≥ 1.");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
        if (EarlyStoppingPatience > 0 && ValidationFraction <= 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience needs ValidationFraction > 0.");
        Minibatch.Validate();
    }

    internal MinibatchSettings Minibatch => new(Epochs, BatchSize, ValidationFraction, EarlyStoppingPatience);

    /// <summary>A copy (arrays copied).</summary>
    public EncoderClassifierOptions Clone()
    {
        var c = (EncoderClassifierOptions)MemberwiseClone();
        c.HeadHiddenSizes = (int[])HeadHiddenSizes.Clone();
        c.ConvolutionChannels = (int[])ConvolutionChannels.Clone();
        return c;
    }
}
