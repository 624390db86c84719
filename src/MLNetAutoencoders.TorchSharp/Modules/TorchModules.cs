using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Modules;

/// <summary>
/// A user's own TorchSharp encoder and decoder for the autoencoder family: set <c>options.Modules = new TorchModules(...)</c>
/// on <see cref="AutoencoderOptions"/> (the ML.NET stage's <c>Autoencoder</c> options, or <see cref="Fit"/> directly).
/// The factories are called at every fit, after seeding TorchSharp's generator with the options' seed, so each fit
/// starts from fresh, reproducible weights.
/// </summary>
/// <remarks>
/// <para>What of the family applies: the loss (<see cref="AutoencoderOptions.Loss"/>: cross-entropy treats the decoder's
/// output as logits and reconstructions are their sigmoid; squared error uses it as it is), the corruption of the
/// training input (denoising, drawn exactly as for the built-in networks), the L1 and L2 activity penalties and the KL
/// sparsity penalty on the code (KL needs an encoder that ends in <c>Sigmoid</c>), the optimiser (Adam or SGD with
/// momentum), learning rate, epochs, minibatch, validation split, early stopping (the best epoch's parameters and
/// batch-norm statistics are restored), progress, cancellation and the divergence check. What does not apply, because
/// the modules decide the network: hidden sizes, code size and activations, initialisation, dropout rate (put
/// <c>nn.Dropout</c> in the modules), tied weights and the contractive penalty (its closed form needs the built-in dense
/// encoder) — the last three are errors when set, the others are not used.</para>
/// <para>The modules must be exportable to ONNX (<see cref="TorchOnnxExport.SupportedLayers"/>, checked before training),
/// so that the fitted stage saves into ML.NET's model zip like the built-in ones. Modules run in float32 on the CPU, with
/// <see cref="NetworkOptions.Threads"/> LibTorch threads (a process-wide setting). Fits of user modules in one process take turns, since
/// TorchSharp's random generator is process-wide too; with the same seed, data and thread count a fit is reproducible.</para>
/// </remarks>
public sealed class TorchModules : IAutoencoderModules
{
    /// <summary>Makes the modules.</summary>
    /// <param name="encoder">Returns a fresh encoder: rows shaped <paramref name="inputShape"/> in, the code out.</param>
    /// <param name="decoder">Returns a fresh decoder: the encoder's output in, one value per input feature out (any shape with that many values per row).</param>
    /// <param name="inputShape">How the encoder sees one input row, e.g. [1, 28, 28] for Conv2d on Fashion-MNIST; null (default) = the flat row [D].</param>
    public TorchModules(Func<nn.Module<Tensor, Tensor>> encoder, Func<nn.Module<Tensor, Tensor>> decoder, IReadOnlyList<long>? inputShape = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (inputShape is not null) TorchOnnxExport.RowSize(inputShape);
        Encoder = encoder;
        Decoder = decoder;
        InputShape = inputShape?.ToArray();
    }

    /// <summary>The encoder factory.</summary>
    public Func<nn.Module<Tensor, Tensor>> Encoder { get; }

    /// <summary>The decoder factory.</summary>
    public Func<nn.Module<Tensor, Tensor>> Decoder { get; }

    /// <summary>One input row's shape as the encoder sees it; null = the flat row.</summary>
    public IReadOnlyList<long>? InputShape { get; }

    /// <summary>Trains fresh modules on the rows of <paramref name="data"/> with the settings of <paramref name="options"/> (see the remarks for which apply).</summary>
    /// <exception cref="NotSupportedException">Dropout rate, tied weights or the contractive penalty is set; a layer is not exportable (named, with the list of those that are); KL sparsity without a sigmoid code.</exception>
    /// <exception cref="ArgumentException">The data do not fit the input shape, the decoder's output does not have one value per input feature, no rows, or a value outside [0, 1] with cross-entropy.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TorchModulesModel Fit(AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
        => TorchModulesTrainer.Fit(this, options, data, progress, cancellationToken);

    IAutoencoder IAutoencoderModules.Fit(AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        => Fit(options, data, progress, cancellationToken);
}
