using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The engine that runs the optimisation of an autoencoder-family trainer. Whatever the engine, the trainer builds and
/// initialises the same networks from the seed, the objective is the same, and the fitted model is the same type (the
/// trained weights live in the library's own networks), so encoding, model files, ONNX export and the ML.NET stages do
/// not depend on the engine. <see cref="Managed"/> (the default) is this library's own C# engine; the
/// <c>MLNetAutoencoders.TorchSharp</c> package adds <c>TorchSharpEngine</c> (LibTorch on the CPU), kept out of this
/// library so that users who do not need it never download LibTorch.
/// </summary>
public abstract class TrainingEngine
{
    /// <summary>Engines are made by this library and its TorchSharp package.</summary>
    private protected TrainingEngine() { }

    /// <summary>This library's own engine (managed code, with OpenBLAS when present).</summary>
    public static TrainingEngine Managed { get; } = new ManagedTrainingEngine();

    /// <summary>Short name, as the command line spells it (<c>managed</c>, <c>torchsharp</c>).</summary>
    public abstract string Name { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Trains <paramref name="encoder"/> and <paramref name="decoder"/> in place on the minibatches of <paramref name="source"/> (rows of width <paramref name="inputSize"/>) with
    /// the loss, variant terms and optimisation settings of <paramref name="options"/>; <paramref name="rng"/> drives the
    /// split, shuffling, corruption, dropout and contractive probes exactly as the managed engine uses it.
    /// </summary>
    internal abstract TrainingHistory TrainAutoencoder(AutoencoderOptions options, Network encoder, Network decoder, IMinibatchSource<Matrix> source, int inputSize, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken);

    /// <summary>Trains the VAE's networks in place (the same contract as <see cref="TrainAutoencoder"/>).</summary>
    internal abstract TrainingHistory TrainVae(VaeOptions options, VaeNetwork network, IMinibatchSource<Matrix> source, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken);
}

/// <summary>The library's own engine.</summary>
internal sealed class ManagedTrainingEngine : TrainingEngine
{
    public override string Name => "managed";

    internal override TrainingHistory TrainAutoencoder(AutoencoderOptions options, Network encoder, Network decoder, IMinibatchSource<Matrix> source, int inputSize, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        => AutoencoderTrainer.TrainManaged(options, encoder, decoder, source, inputSize, rng, progress, cancellationToken);

    internal override TrainingHistory TrainVae(VaeOptions options, VaeNetwork network, IMinibatchSource<Matrix> source, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        => VaeTrainer.TrainManaged(options, network, source, rng, progress, cancellationToken);
}
