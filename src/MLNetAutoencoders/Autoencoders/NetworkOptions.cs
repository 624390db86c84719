using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The settings every autoencoder-family trainer shares: hidden layers, optimisation, validation and engine.
/// <see cref="AutoencoderOptions"/> and <see cref="VaeOptions"/> add their model's own settings.
/// </summary>
public abstract class NetworkOptions
{
    /// <summary>Encoder hidden widths, input side first (the decoder mirrors them). Default 256, 128.</summary>
    public int[] HiddenSizes { get; set; } = AutoencoderDefaults.HiddenSizes;

    /// <summary>Activation of hidden layers (encoder and decoder). Default ReLU.</summary>
    public ActivationKind HiddenActivation { get; set; } = ActivationKind.Relu;

    /// <summary>Slope of leaky ReLU where used. Default 0.01.</summary>
    public float LeakyReluSlope { get; set; } = 0.01f;

    /// <summary>Weight initialisation. Default <see cref="InitKind.Auto"/> (He for ReLU, LeCun for SELU, Glorot otherwise).</summary>
    public InitKind Init { get; set; } = InitKind.Auto;

    /// <summary>Passes over the training data. Default 20.</summary>
    public int Epochs { get; set; } = AutoencoderDefaults.Epochs;

    /// <summary>Minibatch size. Default 512.</summary>
    public int BatchSize { get; set; } = AutoencoderDefaults.BatchSize;

    /// <summary>Learning rate. Default 1e-3.</summary>
    public float LearningRate { get; set; } = AutoencoderDefaults.LearningRate;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Momentum for SGD. Default 0.9.</summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>
    /// Seed of all randomness (initialisation, shuffling, validation split, noise, dropout, sampling); any value, the
    /// generator takes its 32 bits. Default 0. Inside an ML.NET stage the stage's <c>Seed</c> is used instead (set a seed in one place).
    /// </summary>
    public int Seed { get; set; }

    /// <summary>Share of rows held out for validation loss (and early stopping), in [0, 1). Default 0.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>Stop after this many epochs without a better validation loss and keep the best parameters; 0 = off. Needs a validation fraction.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Threads for the GEMM kernels (≥ 1). With one thread results are bit-identical run to run. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// When training from a row stream (<c>Fit(IRowStream)</c>): rows held in the shuffle buffer (≥ 1). Larger mixes rows
    /// from further apart in the stream; memory is this many rows. Default <see cref="AutoencoderDefaults.ShuffleBufferRows"/>.
    /// </summary>
    public int ShuffleBufferRows { get; set; } = AutoencoderDefaults.ShuffleBufferRows;

    /// <summary>GEMM provider. Default auto (OpenBLAS when present).</summary>
    public GemmKind Gemm { get; set; } = GemmKind.Auto;

    /// <summary>
    /// The engine that runs training: <see cref="TrainingEngine.Managed"/> (default) or the TorchSharp package's
    /// <c>TorchSharpEngine</c>. Not stored in model files (the history records the engine's name).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TrainingEngine Engine { get; set; } = TrainingEngine.Managed;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first shared option out of range.</summary>
    protected void ValidateShared()
    {
        if (Engine is null) throw new ArgumentOutOfRangeException(nameof(Engine), "Engine must be set (TrainingEngine.Managed is the default).");
        if (HiddenSizes is null || HiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "HiddenSizes must all be ≥ 1 (an empty list means a single-layer encoder).");
        if (!(LeakyReluSlope >= 0 && LeakyReluSlope < 1)) throw new ArgumentOutOfRangeException(nameof(LeakyReluSlope), LeakyReluSlope, "LeakyReluSlope must be in [0, 1).");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "Threads must be ≥ 1.");
        if (ShuffleBufferRows < 1) throw new ArgumentOutOfRangeException(nameof(ShuffleBufferRows), ShuffleBufferRows, "ShuffleBufferRows must be ≥ 1.");
        if (EarlyStoppingPatience > 0 && ValidationFraction <= 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience needs ValidationFraction > 0.");
        Minibatch.Validate();
    }

    /// <summary>Throws naming <paramref name="name"/> unless <paramref name="value"/> is finite and ≥ 0.</summary>
    internal static void RequireNonNegative(float value, string name)
    {
        if (!(value >= 0 && float.IsFinite(value)))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0 (0 turns it off).");
    }

    internal MinibatchSettings Minibatch => new(Epochs, BatchSize, ValidationFraction, EarlyStoppingPatience);

    internal NnContext CreateContext(Rng rng) => new(Numerics.Gemm.Create(Gemm, Threads), rng);

    /// <summary>A copy with its own arrays.</summary>
    protected T CloneAs<T>() where T : NetworkOptions
    {
        var c = (T)MemberwiseClone();
        c.HiddenSizes = (int[])HiddenSizes.Clone();
        return c;
    }
}
