using Microsoft.ML.Data;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>A column a fitted stage adds: its name and width; width 0 means a scalar <see cref="float"/> column (e.g. a per-row error).</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Width">The vector's length, or 0 for a scalar.</param>
public sealed record OutputColumn(string Name, int Width)
{
    /// <summary>ML.NET's type of the column: <c>Vector&lt;Single, Width&gt;</c>, or <c>Single</c> for a scalar.</summary>
    public DataViewType Type => Width == 0 ? NumberDataViewType.Single : new VectorDataViewType(NumberDataViewType.Single, Width);

    /// <summary>True for a scalar column.</summary>
    public bool IsScalar => Width == 0;
}
