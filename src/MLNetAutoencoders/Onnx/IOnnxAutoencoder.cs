using MLNetAutoencoders.Autoencoders;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// An autoencoder of a type <see cref="OnnxExport"/> does not build itself (a user's own modules, see
/// <see cref="IAutoencoderModules"/>) that writes its own encoder and decoder into a graph, so that
/// <see cref="OnnxExport"/>'s encoder, scoring and anomaly models — and the ML.NET stages saved through them — work for it.
/// </summary>
public interface IOnnxAutoencoder : IAutoencoder
{
    /// <summary>The encoder as a stage: [N, <see cref="IAutoencoder.InputSize"/>] → [N, <see cref="IAutoencoder.CodeSize"/>].</summary>
    OnnxExportStage EncoderStage();

    /// <summary>Appends the decoder reading <paramref name="code"/> ([N, CodeSize]); returns the reconstruction [N, InputSize] as <see cref="IAutoencoder.Decode"/> gives it (probabilities for cross-entropy models).</summary>
    string AppendReconstruction(OnnxGraphBuilder builder, string code);
}
