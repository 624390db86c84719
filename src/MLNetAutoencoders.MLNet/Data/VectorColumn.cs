using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Data;

/// <summary>
/// The checks and reads of a stage's input column: a known-size vector of <see cref="float"/> (ML.NET's
/// <c>Vector&lt;Single, n&gt;</c>), with finite values (and, for a cross-entropy model, values in [0, 1]). Every error
/// names the stage, the column, the row where there is one, and what was expected, as ML.NET's own schema errors do.
/// </summary>
internal static class VectorColumn
{
    /// <summary>Checks the column in a schema shape (an estimator's <c>GetOutputSchema</c>, before any training).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing, not a vector, of unknown size, or not of Single.</exception>
    public static SchemaShape.Column Check(SchemaShape schema, string column, string stage)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var found = schema.Where(x => x.Name == column).Select(x => (SchemaShape.Column?)x).LastOrDefault();
        if (found is not SchemaShape.Column c)
            throw Mismatch(stage, column, "a known-size vector of Single", "no such column", schema.Select(x => x.Name));
        if (c.Kind != SchemaShape.Column.VectorKind.Vector || c.ItemType != NumberDataViewType.Single)
            throw Mismatch(stage, column, "a known-size vector of Single", Describe(c));
        return c;
    }

    /// <summary>Checks the column in a data schema and returns it with its size; <paramref name="size"/>, when given, must match.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing, of the wrong type, or of another size.</exception>
    public static (DataViewSchema.Column Column, int Size) Check(DataViewSchema schema, string column, string stage, int? size = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var c = schema.GetColumnOrNull(column)
            ?? throw Mismatch(stage, column, Expected(size), "no such column", schema.Where(x => !x.IsHidden).Select(x => x.Name));
        if (c.Type is not VectorDataViewType { IsKnownSize: true } v || v.ItemType != NumberDataViewType.Single || (size is int n && v.Size != n))
            throw Mismatch(stage, column, Expected(size), c.Type switch
            {
                VectorDataViewType { IsKnownSize: false } vv => $"a variable-size vector of {vv.ItemType} (give the array [VectorType(n)])",
                VectorDataViewType vv => $"Vector<{vv.ItemType}, {vv.Size}>",
                var t => $"a scalar of {t}",
            });
        return (c, v.Size);
    }

    /// <summary>
    /// Reads every row of the column into a matrix through a cursor. Rows with a NaN or infinite value, and with
    /// <paramref name="unitRange"/> rows with a value outside [0, 1], are an error naming the row (0-based) and slot.
    /// </summary>
    /// <exception cref="ArgumentException">The view has no rows, or a row's values are not as expected.</exception>
    public static Matrix ReadAll(IDataView data, string column, string stage, bool unitRange, CancellationToken cancellationToken = default)
    {
        var (col, width) = Check(data.Schema, column, stage);
        // With a known row count the rows go straight into the training matrix; otherwise they wait in native blocks,
        // each freed once copied into the matrix (about one copy of the values at the peak, not two).
        long? known = data.GetRowCount();
        float[]? direct = known is long k and > 0 && k * width <= Array.MaxLength ? new float[k * width] : null;
        using var builder = direct is null ? new MatrixBuilder(width) : null;
        long rows = 0;
        using (var cursor = data.GetRowCursor([col]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(col);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                if ((rows & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                if (direct != null && rows == known)
                    throw new ArgumentException($"{stage}: the input view gave more rows than the {known} its GetRowCount() says; column '{column}' cannot be read into memory.", nameof(data));
                getter(ref buffer);
                var row = direct != null ? direct.AsSpan((int)(rows * width), width) : builder!.AddRow();
                buffer.CopyTo(row);
                CheckRow(row, rows, stage, column, unitRange);
                rows++;
            }
        }
        if (rows == 0) throw new ArgumentException($"{stage}: the input has no rows; column '{column}' needs at least one row to train on.", nameof(data));
        if (rows * width > Array.MaxLength) throw new ArgumentException($"{stage}: {rows} rows of {width} values do not fit in one array; stream them (Streaming.Mode = TrainingDataMode.Streaming).", nameof(data));
        if (direct != null) return new Matrix((int)rows, width, direct);
        return builder!.ToMatrix();
    }

    /// <summary>Throws naming the row and slot when a value is not finite (or, with <paramref name="unitRange"/>, outside [0, 1]).</summary>
    public static void CheckRow(ReadOnlySpan<float> row, long position, string stage, string column, bool unitRange)
    {
        // Fast, vectorised test first (a sum of finite values in [0, 1] cannot overflow); the slot loop only finds the culprit.
        if (unitRange ? TensorPrimitives.Min(row) >= 0 && TensorPrimitives.Max(row) <= 1 : float.IsFinite(TensorPrimitives.Sum(row))) return;
        for (int j = 0; j < row.Length; j++)
        {
            float v = row[j];
            if (!float.IsFinite(v))
                throw new ArgumentException($"{stage}: column '{column}', row {position}, slot {j} is {v}; every value must be a finite number.");
            if (unitRange && !(v >= 0 && v <= 1))
                throw new ArgumentException(FormattableString.Invariant(
                    $"{stage}: column '{column}', row {position}, slot {j} is {v}, outside [0, 1], which the cross-entropy loss needs. ") +
                    "Scale the column first (e.g. mlContext.Transforms.NormalizeMinMax), or train with the squared-error loss.");
        }
    }

    private static string Expected(int? size) => size is int n ? $"Vector<Single, {n}>" : "a known-size vector of Single";

    private static string Describe(SchemaShape.Column c) => c.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"a scalar of {c.ItemType}",
        SchemaShape.Column.VectorKind.VariableVector => $"a variable-size vector of {c.ItemType} (give the array [VectorType(n)])",
        _ => $"a vector of {c.ItemType}",
    };

    private static ArgumentOutOfRangeException Mismatch(string stage, string column, string expected, string got, IEnumerable<string>? available = null)
    {
        var names = available?.Distinct().ToList();
        string tail = names is { Count: > 0 } ? $" The input has columns {string.Join(", ", names.Select(n => $"'{n}'"))}." : "";
        return new ArgumentOutOfRangeException("inputSchema", $"{stage}: schema mismatch for input column '{column}': expected {expected}, got {got}.{tail}");
    }
}
