using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetAutoencoders.MLNet.Hosting;

/// <summary>
/// Builds the <see cref="SchemaShape"/> an estimator returns from <c>GetOutputSchema</c>. ML.NET keeps the constructor
/// of <see cref="SchemaShape.Column"/> internal to its own assemblies; <see cref="MLNetInternals"/> reaches it.
/// </summary>
internal static class SchemaShapes
{
    /// <summary>The shape of a column of <see cref="float"/> values: a known-size vector, or a scalar.</summary>
    public static SchemaShape.Column SingleColumn(string name, bool vector) => MLNetInternals.Column(
        name, vector ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, null);

    /// <summary>The shape of a scalar <see cref="bool"/> column.</summary>
    public static SchemaShape.Column BooleanColumn(string name) => MLNetInternals.Column(
        name, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, null);

    /// <summary>The shape of a predicted-label column: a scalar key like <paramref name="label"/>, with its annotations (the class names).</summary>
    public static SchemaShape.Column KeyColumn(string name, SchemaShape.Column label) => MLNetInternals.Column(
        name, SchemaShape.Column.VectorKind.Scalar, label.ItemType, true, label.Annotations);

    /// <summary><paramref name="input"/> with <paramref name="added"/> appended (a later column of the same name hides an earlier one, as in ML.NET).</summary>
    public static SchemaShape Append(SchemaShape input, IEnumerable<SchemaShape.Column> added)
    {
        var columns = input.ToDictionary(c => c.Name);
        foreach (var c in added) columns[c.Name] = c;
        return new SchemaShape(columns.Values);
    }
}
