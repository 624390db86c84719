using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// Options of the (deterministic) autoencoder: architecture, loss, optimisation and engine settings.
/// The defaults are METHODS.md's Fashion-MNIST reference: 784 → 256 → 128 → 20 (ReLU, linear code), mirrored decoder,
/// cross-entropy on logits, Adam 1e-3, batch 512, 20 epochs.
/// </summary>
public sealed class AutoencoderOptions
{
    /// <summary>Encoder hidden widths, input side first (the decoder mirrors them). Default 256, 128.</summary>
    public int[] HiddenSizes { get; set; } = { 256, 128 };

    /// <summary>Width of the code. Default 20.</summary>
    public int CodeSize { get; set; } = 20;

    /// <summary>Activation of hidden layers (encoder and decoder). Default ReLU.</summary>
    public ActivationKind HiddenActivation { get; set; } = ActivationKind.Relu;

    /// <summary>Activation of the code layer. Default identity (linear code).</summary>
    public ActivationKind CodeActivation { get; set; } = ActivationKind.Identity;

    /// <summary>Reconstruction loss. Cross-entropy makes the decoder emit logits (reconstructions are their sigmoid). Default cross-entropy.</summary>
    public LossKind Loss { get; set; } = LossKind.CrossEntropy;

    /// <summary>Activation of the decoder's output with the squared-error loss (ignored with cross-entropy). Default identity.</summary>
    public ActivationKind OutputActivation { get; set; } = ActivationKind.Identity;

    /// <summary>Slope of leaky ReLU where used. Default 0.01.</summary>
    public float LeakyReluSlope { get; set; } = 0.01f;

    /// <summary>Tie each decoder weight to the transpose of its mirror encoder weight (biases stay separate).</summary>
    public bool TiedWeights { get; set; }

    /// <summary>Dropout rate after every hidden layer of encoder and decoder, in training only; 0 = none. Range [0, 1).</summary>
    public float DropoutRate { get; set; }

    /// <summary>Weight initialisation. Default <see cref="InitKind.Auto"/> (He for ReLU, LeCun for SELU, Glorot otherwise).</summary>
    public InitKind Init { get; set; } = InitKind.Auto;

    /// <summary>Passes over the training data. Default 20.</summary>
    public int Epochs { get; set; } = 20;

    /// <summary>Minibatch size. Default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Momentum for SGD. Default 0.9.</summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>Seed of all randomness (initialisation, shuffling, validation split, noise, dropout). Default 0.</summary>
    public ulong Seed { get; set; }

    /// <summary>Share of rows held out for validation loss (and early stopping), in [0, 1). Default 0.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without a better validation loss and keep the best parameters; 0 = off. Needs a validation fraction.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Threads for the GEMM kernels (≥ 1). With one thread results are bit-identical run to run. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>GEMM provider. Default auto (OpenBLAS when present).</summary>
    public GemmKind Gemm { get; set; } = GemmKind.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (HiddenSizes is null || HiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "HiddenSizes must all be ≥ 1 (an empty list means a single-layer encoder).");
        if (CodeSize < 1) throw new ArgumentOutOfRangeException(nameof(CodeSize), CodeSize, "CodeSize must be ≥ 1.");
        if (!(DropoutRate >= 0 && DropoutRate < 1)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "DropoutRate must be in [0, 1).");
        if (!(LeakyReluSlope >= 0 && LeakyReluSlope < 1)) throw new ArgumentOutOfRangeException(nameof(LeakyReluSlope), LeakyReluSlope, "LeakyReluSlope must be in [0, 1).");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
        if (EarlyStoppingPatience > 0 && ValidationFraction <= 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience needs ValidationFraction > 0.");
        Minibatch.Validate();
    }

    internal MinibatchSettings Minibatch => new(Epochs, BatchSize, ValidationFraction, EarlyStoppingPatience);

    /// <summary>A shallow copy (arrays copied).</summary>
    public AutoencoderOptions Clone()
    {
        var c = (AutoencoderOptions)MemberwiseClone();
        c.HiddenSizes = (int[])HiddenSizes.Clone();
        return c;
    }
}
