using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// An encoder and decoder of the user's own, in place of the dense networks that <see cref="NetworkOptions.HiddenSizes"/>
/// and <see cref="AutoencoderOptions.CodeSize"/> describe (set <see cref="AutoencoderOptions.Modules"/>). The TorchSharp
/// package's <c>TorchModules</c> implements it for TorchSharp modules. Training uses the options' loss, optimiser,
/// minibatch, validation and early-stopping settings, corruption and activity/KL penalties; the fitted model is
/// whatever the implementation returns (an <see cref="IAutoencoder"/>, exportable to ONNX when it is also an
/// <see cref="Onnx.IOnnxAutoencoder"/>).
/// </summary>
public interface IAutoencoderModules
{
    /// <summary>Trains fresh modules on the rows of <paramref name="data"/> with the settings of <paramref name="options"/> (validated by the caller).</summary>
    /// <exception cref="NotSupportedException">An option that has no meaning for these modules is set, or a module cannot be exported (the message names it).</exception>
    IAutoencoder Fit(AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken);
}
