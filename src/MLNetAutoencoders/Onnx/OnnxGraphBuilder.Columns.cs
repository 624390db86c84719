using DataType = MLNetAutoencoders.Onnx.Proto.TensorProto.Types.DataType;

namespace MLNetAutoencoders.Onnx;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// The columns of x in the order <paramref name="columns"/> names them ([N, d] → [N, columns.Length]; ONNX
    /// <c>Gather</c> with axis = 1): column j of the result is column columns[j] of x.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside x's known row width.</exception>
    public string GatherColumns(string x, IReadOnlyList<int> columns, string hint = "gather")
    {
        ArgumentNullException.ThrowIfNull(columns);
        var m = Meta(x);
        long width = m.Dims is { Length: 2 } d ? d[1] : -1;
        foreach (var c in columns)
            if (c < 0 || (width > 0 && c >= width)) throw new ArgumentOutOfRangeException(nameof(columns), c, $"{hint}: column {c} is outside the row width {width}.");
        var index = AddInt64Initializer(columns.Select(c => (long)c).ToArray(), hint + "_index");
        long[]? dims = m.Dims is { Length: 2 } dd ? [dd[0], columns.Count] : null;
        return Emit("Gather", [x, index], dims, m.Elem == DataType.Undefined ? DataType.Float : m.Elem, hint, [Attribute("axis", 1L)]);
    }
}
