using MLNetAutoencoders.Onnx.Proto;
using DataType = MLNetAutoencoders.Onnx.Proto.TensorProto.Types.DataType;

namespace MLNetAutoencoders.Onnx;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// The <paramref name="k"/> smallest values of each row of x, in increasing order ([N, d] → [N, k]; ONNX <c>TopK</c>
    /// with axis = 1, largest = 0, sorted = 1; its indices output is named but unused).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> below 1, or above a known row width.</exception>
    public string SmallestPerRow(string x, int k, string hint = "smallest")
    {
        var m = Meta(x);
        if (k < 1 || (m.Dims is { Length: 2 } d && d[1] > 0 && k > d[1]))
            throw new ArgumentOutOfRangeException(nameof(k), k, $"{hint}: k must be in [1, the row width].");
        var stem = UniqueName(hint);
        var kk = AddInt64Initializer([k], stem + "_k");
        var outputs = new string[2];
        long[]? dims = m.Dims is { Length: 2 } dd ? [dd[0], k] : null;
        AddNodeCore("TopK", [x, kk], [new ValueMeta(dims, m.Elem, Origin.Node), new ValueMeta(dims, DataType.Int64, Origin.Node)],
            [Attribute("axis", 1L), Attribute("largest", 0L), Attribute("sorted", 1L)], stem, outputs);
        return outputs[0];
    }
}
