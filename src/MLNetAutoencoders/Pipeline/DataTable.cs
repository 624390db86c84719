using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// A columnar in-memory table, the data that flows through pipelines (ML.NET's <c>IDataView</c>, kept simple): named
/// columns of fixed-length float vectors (one contiguous <see cref="Matrix"/> per column), float scalars, integer class
/// labels or booleans, all with the same number of rows.
/// <para>Tables are immutable: <see cref="AddColumn(string, Matrix)"/> and the other builders return a new table that
/// shares the other columns' storage. The table wraps the matrices it is given (no copy) and returns them from
/// <see cref="GetVector(string)"/>; do not modify them afterwards. Vectors and scalars must be finite: a NaN or ∞ is reported
/// with its column, row and index when the column is added.</para>
/// </summary>
public sealed class DataTable
{
    /// <summary>The default name of the feature column (as in ML.NET).</summary>
    public const string DefaultFeatures = "Features";

    /// <summary>The default name of the label column (as in ML.NET).</summary>
    public const string DefaultLabel = "Label";

    private readonly Column[] _columns;

    private DataTable(Column[] columns, int rowCount)
    {
        _columns = columns;
        RowCount = rowCount;
        Schema = new DataSchema(columns.Select(c => c.Schema));
    }

    /// <summary>Number of rows (0 is allowed; fitting a stage on an empty table throws).</summary>
    public int RowCount { get; }

    /// <summary>The columns' names, kinds and sizes.</summary>
    public DataSchema Schema { get; }

    // ---------------------------------------------------------------- construction

    /// <summary>A one-column table of vectors (one row of <paramref name="values"/> per table row).</summary>
    public static DataTable FromVectors(string name, Matrix values) => Start(Column.OfVectors(name, values));

    /// <summary>A one-column table of scalars.</summary>
    public static DataTable FromScalars(string name, float[] values) => Start(Column.OfScalars(name, values));

    /// <summary>A one-column table of integer class labels (≥ 0).</summary>
    public static DataTable FromLabels(string name, int[] labels) => Start(Column.OfLabels(name, labels));

    /// <summary>A one-column table of booleans.</summary>
    public static DataTable FromBooleans(string name, bool[] values) => Start(Column.OfBooleans(name, values));

    /// <summary>A table with a feature vector column and, when given, an integer label column.</summary>
    public static DataTable FromMatrix(Matrix features, int[]? labels = null, string featureColumn = DefaultFeatures, string labelColumn = DefaultLabel)
    {
        var t = FromVectors(featureColumn, features);
        return labels is null ? t : t.AddColumn(labelColumn, labels);
    }

    /// <summary>A table from jagged feature rows (all of one length, copied) and optional integer labels.</summary>
    public static DataTable FromArrays(IReadOnlyList<float[]> features, int[]? labels = null, string featureColumn = DefaultFeatures, string labelColumn = DefaultLabel)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Count == 0)
            throw new ArgumentException("The feature rows are empty: without a row the vector length is unknown. Use FromMatrix with a 0×d matrix for an empty table.", nameof(features));
        return FromMatrix(Matrix.FromRows(features), labels, featureColumn, labelColumn);
    }

    /// <summary>A table of an image dataset: the pixels as column "Features" and, when labelled, the classes as "Label".</summary>
    public static DataTable FromDataset(ImageDataset dataset, string featureColumn = DefaultFeatures, string labelColumn = DefaultLabel)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return FromMatrix(dataset.Images, dataset.Labels, featureColumn, labelColumn);
    }

    /// <summary>Tables of a loaded dataset's training part and (when it has one) its test part.</summary>
    public static (DataTable Train, DataTable? Test) FromDataset(LoadedDataset dataset, string featureColumn = DefaultFeatures, string labelColumn = DefaultLabel)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return (FromDataset(dataset.Train, featureColumn, labelColumn),
            dataset.Test is null ? null : FromDataset(dataset.Test, featureColumn, labelColumn));
    }

    /// <summary>
    /// Reads a CSV of numbers: every column except the label column becomes one feature vector column; the label column
    /// (<see cref="CsvOptions.LabelColumn"/>, integers) becomes an integer label column. Errors name the file, line and column.
    /// </summary>
    public static DataTable FromCsv(string path, CsvOptions? options = null, string featureColumn = DefaultFeatures, string labelColumn = DefaultLabel)
    {
        var csv = CsvReader.Read(path, options);
        return FromMatrix(csv.Features, csv.Labels, featureColumn, labelColumn);
    }

    private static DataTable Start(Column c) => new(new[] { c }, c.Rows);

    /// <summary>A new table with a vector column added (or replacing the column of the same name in place).</summary>
    public DataTable AddColumn(string name, Matrix values) => With(Column.OfVectors(name, values));

    /// <summary>A new table with a scalar column added (or replacing the column of the same name in place).</summary>
    public DataTable AddColumn(string name, float[] values) => With(Column.OfScalars(name, values));

    /// <summary>A new table with an integer label column added (or replacing the column of the same name in place).</summary>
    public DataTable AddColumn(string name, int[] labels) => With(Column.OfLabels(name, labels));

    /// <summary>A new table with a boolean column added (or replacing the column of the same name in place).</summary>
    public DataTable AddColumn(string name, bool[] values) => With(Column.OfBooleans(name, values));

    private DataTable With(Column c)
    {
        if (c.Rows != RowCount)
            throw new ArgumentException($"Column '{c.Name}' has {c.Rows} rows; the table has {RowCount} (columns {Schema.Describe()}).");
        var cols = _columns.ToList();
        int i = cols.FindIndex(x => x.Name == c.Name);
        if (i >= 0) cols[i] = c;
        else cols.Add(c);
        return new DataTable(cols.ToArray(), RowCount);
    }

    /// <summary>A new table without the named columns (each must exist).</summary>
    public DataTable DropColumns(params string[] names)
    {
        foreach (var n in names) Schema.Require(n);
        var keep = _columns.Where(c => !names.Contains(c.Name)).ToArray();
        if (keep.Length == 0) throw new ArgumentException("Dropping every column would leave a table without columns.", nameof(names));
        return new DataTable(keep, RowCount);
    }

    /// <summary>A new table holding copies of the given rows, in the given order (indices may repeat).</summary>
    public DataTable SelectRows(ReadOnlySpan<int> rows)
    {
        foreach (int r in rows)
            if ((uint)r >= (uint)RowCount) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index {r} is outside the table's {RowCount} rows.");
        var cols = new Column[_columns.Length];
        for (int i = 0; i < cols.Length; i++) cols[i] = _columns[i].Select(rows);
        return new DataTable(cols, rows.Length);
    }

    // ---------------------------------------------------------------- access

    /// <summary>The vectors of a column (the stored matrix, not a copy: do not modify it).</summary>
    /// <exception cref="SchemaMismatchException">No such column (the message lists the available ones), or it is not a vector column.</exception>
    public Matrix GetVector(string name) => Get(name, ColumnKind.Vector).Values!;

    /// <summary>The vectors of a column, which must have <paramref name="size"/> values per row.</summary>
    public Matrix GetVector(string name, int size)
    {
        Schema.RequireVector(name, size);
        return GetVector(name);
    }

    /// <summary>The values of a scalar column (the stored array: do not modify it).</summary>
    public float[] GetScalars(string name) => Get(name, ColumnKind.Scalar).Scalars!;

    /// <summary>
    /// The classes of a label column: integer labels as stored, booleans as 0 (false) and 1 (true). Returns the stored
    /// array for integer labels (do not modify it).
    /// </summary>
    /// <exception cref="SchemaMismatchException">No such column, or it holds vectors or scalars.</exception>
    public int[] GetLabels(string name)
    {
        Schema.RequireLabel(name);
        var c = Find(name);
        return c.Ints ?? c.Bools!.Select(b => b ? 1 : 0).ToArray();
    }

    /// <summary>The values of a boolean column.</summary>
    public bool[] GetBooleans(string name) => Get(name, ColumnKind.Boolean).Bools!;

    private Column Get(string name, ColumnKind kind)
    {
        var s = Schema.Require(name);
        if (s.Kind != kind)
            throw new SchemaMismatchException(name, $"Column '{name}' holds {s.TypeName} values; {kind} values were asked for.");
        return Find(name);
    }

    private Column Find(string name) => _columns.First(c => c.Name == name);

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="what"/> when the table has no rows.</summary>
    public void ThrowIfEmpty(string what)
    {
        if (RowCount == 0)
            throw new ArgumentException($"The table is empty (0 rows; columns {Schema.Describe()}); {what} needs at least one row.");
    }

    /// <inheritdoc />
    public override string ToString() => $"DataTable {RowCount} rows: {Schema.Describe()}";

    /// <summary>One column's storage: exactly one of the arrays is set.</summary>
    private sealed class Column
    {
        private Column(SchemaColumn schema, int rows, Matrix? values, float[]? scalars, int[]? ints, bool[]? bools)
        {
            Schema = schema; Rows = rows; Values = values; Scalars = scalars; Ints = ints; Bools = bools;
        }

        public SchemaColumn Schema { get; }
        public string Name => Schema.Name;
        public int Rows { get; }
        public Matrix? Values { get; }
        public float[]? Scalars { get; }
        public int[]? Ints { get; }
        public bool[]? Bools { get; }

        public static Column OfVectors(string name, Matrix m)
        {
            CheckName(name);
            ArgumentNullException.ThrowIfNull(m);
            if (m.Cols < 1) throw new ArgumentException($"Column '{name}' has vectors of length 0; a vector column needs at least one value per row.", nameof(m));
            CheckFinite(name, m.Span, m.Cols);
            return new Column(new SchemaColumn(name, ColumnKind.Vector, m.Cols), m.Rows, m, null, null, null);
        }

        public static Column OfScalars(string name, float[] v)
        {
            CheckName(name);
            ArgumentNullException.ThrowIfNull(v);
            CheckFinite(name, v, 1);
            return new Column(new SchemaColumn(name, ColumnKind.Scalar, 1), v.Length, null, v, null, null);
        }

        public static Column OfLabels(string name, int[] labels)
        {
            CheckName(name);
            ArgumentNullException.ThrowIfNull(labels);
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < 0)
                    throw new ArgumentException($"Column '{name}', row {i}: label {labels[i]} is negative; class labels must be 0, 1, 2, …", nameof(labels));
            return new Column(new SchemaColumn(name, ColumnKind.Label, 1), labels.Length, null, null, (int[])labels.Clone(), null);
        }

        public static Column OfBooleans(string name, bool[] v)
        {
            CheckName(name);
            ArgumentNullException.ThrowIfNull(v);
            return new Column(new SchemaColumn(name, ColumnKind.Boolean, 1), v.Length, null, null, null, (bool[])v.Clone());
        }

        public Column Select(ReadOnlySpan<int> rows)
        {
            if (Values is not null) return new Column(Schema, rows.Length, Values.SelectRows(rows), null, null, null);
            if (Scalars is not null) return new Column(Schema, rows.Length, null, Pick(Scalars, rows), null, null);
            if (Ints is not null) return new Column(Schema, rows.Length, null, null, Pick(Ints, rows), null);
            return new Column(Schema, rows.Length, null, null, null, Pick(Bools!, rows));
        }

        private static T[] Pick<T>(T[] source, ReadOnlySpan<int> rows)
        {
            var r = new T[rows.Length];
            for (int i = 0; i < r.Length; i++) r[i] = source[rows[i]];
            return r;
        }

        private static void CheckName(string name)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column name must not be empty.", nameof(name));
        }

        private static void CheckFinite(string name, ReadOnlySpan<float> s, int width)
        {
            if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(s))) return; // a finite sum rules out NaN and ∞
            for (int i = 0; i < s.Length; i++)
            {
                if (!float.IsFinite(s[i]))
                    throw new ArgumentException(width == 1
                        ? $"Column '{name}', row {i} is {s[i]}; values must be finite (no NaN or ∞)."
                        : $"Column '{name}', row {i / width}, index {i % width} is {s[i]}; features must be finite (no NaN or ∞).");
            }
        }
    }
}
