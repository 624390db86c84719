namespace MLNetAutoencoders.Onnx;

/// <summary>
/// Something that can be written into an ONNX graph as one stage of a chain (a normaliser, a PCA, an encoder,
/// a classifier ...): it takes one value of shape [N, in] and produces one value of shape [N, out].
/// </summary>
public interface IOnnxStage
{
    /// <summary>
    /// Appends this stage's initializers and nodes to <paramref name="builder"/>, reading the value named
    /// <paramref name="input"/>, and returns the name of the value it produces.
    /// </summary>
    string AppendTo(OnnxGraphBuilder builder, string input);
}
