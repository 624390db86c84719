using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// A column a fitted stage adds: its name and width; width 0 means a scalar <see cref="float"/> column (e.g. a per-row
/// error), and <see cref="IsBoolean"/> a scalar <see cref="bool"/> column (true where the computed value is not 0).
/// </summary>
/// <param name="Name">The column's name.</param>
/// <param name="Width">The vector's length, or 0 for a scalar.</param>
/// <param name="IsBoolean">A <see cref="bool"/> scalar rather than a <see cref="float"/> one (needs width 0).</param>
internal sealed record OutputColumn(string Name, int Width, bool IsBoolean = false)
{
    /// <summary>
    /// For a key column (a predicted class): its key type (<c>UInt32</c>, the class count) and its annotations (the
    /// class names, copied from the label column); the computed value is the class index + 1. Null otherwise.
    /// </summary>
    public (KeyDataViewType Type, DataViewSchema.Annotations Annotations)? Key { get; init; }

    /// <summary>ML.NET's type of the column: <c>Vector&lt;Single, Width&gt;</c>, <c>Single</c>, <c>Boolean</c>, or the key type.</summary>
    public DataViewType Type => Key is { } k ? k.Type : IsBoolean ? BooleanDataViewType.Instance
        : Width == 0 ? NumberDataViewType.Single : new VectorDataViewType(NumberDataViewType.Single, Width);

    /// <summary>True for a scalar column (of either type).</summary>
    public bool IsScalar => Width == 0;
}
