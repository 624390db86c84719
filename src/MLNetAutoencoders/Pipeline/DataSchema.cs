using System.Collections;

namespace MLNetAutoencoders.Pipeline;

/// <summary>What a <see cref="DataTable"/> column holds.</summary>
public enum ColumnKind
{
    /// <summary>A fixed-length float vector per row (stored as one contiguous matrix).</summary>
    Vector,
    /// <summary>One float per row.</summary>
    Scalar,
    /// <summary>An integer class label (0, 1, …) per row.</summary>
    Label,
    /// <summary>A boolean per row (a binary label: false = class 0, true = class 1).</summary>
    Boolean,
}

/// <summary>One column of a schema: its name, kind and vector size (1 for the other kinds).</summary>
/// <param name="Name">Column name (case-sensitive).</param>
/// <param name="Kind">What the column holds.</param>
/// <param name="Size">
/// Values per row: the vector length for <see cref="ColumnKind.Vector"/>, else 1. In an estimator's output schema a
/// vector size of 0 means "known after fitting" (e.g. a classifier's scores, one per class), as in ML.NET.
/// </param>
public sealed record SchemaColumn(string Name, ColumnKind Kind, int Size)
{
    /// <summary>True for label-like columns (<see cref="ColumnKind.Label"/> or <see cref="ColumnKind.Boolean"/>).</summary>
    public bool IsLabel => Kind is ColumnKind.Label or ColumnKind.Boolean;

    /// <summary>A short description such as <c>Features: Vector&lt;784&gt;</c>.</summary>
    public override string ToString() => $"{Name}: {TypeName}";

    /// <summary>The type part of <see cref="ToString"/>: <c>Vector&lt;784&gt;</c>, <c>Scalar</c>, <c>Label</c> or <c>Boolean</c>.</summary>
    public string TypeName => Kind == ColumnKind.Vector ? $"Vector<{(Size == 0 ? "?" : Size)}>" : Kind.ToString();
}

/// <summary>Thrown when a table or schema lacks a column a stage needs, or the column has the wrong kind or size.</summary>
public sealed class SchemaMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public SchemaMismatchException(string columnName, string message) : base(message) => ColumnName = columnName;

    /// <summary>The column the problem is about.</summary>
    public string ColumnName { get; }
}

/// <summary>The ordered columns of a <see cref="DataTable"/>, with checks that fail early and name the problem.</summary>
public sealed class DataSchema : IReadOnlyList<SchemaColumn>
{
    private readonly SchemaColumn[] _columns;

    /// <summary>Creates a schema; names must be unique and non-empty, vector sizes ≥ 0 (0 = known after fitting), other sizes 1.</summary>
    public DataSchema(IEnumerable<SchemaColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in _columns)
        {
            if (string.IsNullOrEmpty(c.Name)) throw new ArgumentException("A column name must not be empty.", nameof(columns));
            if (!seen.Add(c.Name)) throw new ArgumentException($"The column name '{c.Name}' appears twice.", nameof(columns));
            if (c.Size < 0 || (c.Kind != ColumnKind.Vector && c.Size != 1))
                throw new ArgumentException($"Column '{c.Name}' has size {c.Size}; vector sizes must be ≥ 0 (0 = unknown) and other kinds exactly 1.", nameof(columns));
        }
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public SchemaColumn this[int index] => _columns[index];

    /// <summary>The column named <paramref name="name"/>, or a <see cref="SchemaMismatchException"/> listing the available columns.</summary>
    public SchemaColumn this[string name] => Require(name);

    /// <summary>The column names, in order.</summary>
    public IEnumerable<string> Names => _columns.Select(c => c.Name);

    /// <summary>Looks a column up by name.</summary>
    public bool TryGet(string name, out SchemaColumn column)
    {
        foreach (var c in _columns)
        {
            if (c.Name == name) { column = c; return true; }
        }
        column = null!;
        return false;
    }

    /// <summary>True when a column named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>
    /// The column named <paramref name="name"/>; throws a <see cref="SchemaMismatchException"/> that names it, says who
    /// needs it (<paramref name="role"/>, e.g. "the PCA's input") and lists the available columns.
    /// </summary>
    public SchemaColumn Require(string name, string? role = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryGet(name, out var c)) return c;
        throw new SchemaMismatchException(name,
            $"Unknown column '{name}'{(role is null ? "" : $" ({role})")}. Available columns: {Describe()}.");
    }

    /// <summary>
    /// A vector column named <paramref name="name"/>, of <paramref name="size"/> values when given (a column of unknown
    /// size 0 passes); otherwise a <see cref="SchemaMismatchException"/> naming the column, the expected and the actual type.
    /// </summary>
    public SchemaColumn RequireVector(string name, int? size = null, string? role = null)
    {
        var c = Require(name, role);
        string who = role is null ? "" : $" ({role})";
        if (c.Kind != ColumnKind.Vector)
            throw new SchemaMismatchException(name, $"Column '{name}'{who} holds {c.TypeName} values; a Vector{(size is int n ? $"<{n}>" : "")} column is needed.");
        if (size is int s && c.Size != 0 && c.Size != s)
            throw new SchemaMismatchException(name, $"Column '{name}'{who} has vectors of length {c.Size}; the stage expects length {s}.");
        return c;
    }

    /// <summary>A label column (integer classes or booleans) named <paramref name="name"/>, else a <see cref="SchemaMismatchException"/>.</summary>
    public SchemaColumn RequireLabel(string name, string? role = null)
    {
        var c = Require(name, role);
        if (!c.IsLabel)
            throw new SchemaMismatchException(name,
                $"Column '{name}'{(role is null ? "" : $" ({role})")} holds {c.TypeName} values; a label column must hold integer classes (Label) or booleans (Boolean).");
        return c;
    }

    /// <summary>A new schema with <paramref name="column"/> added at the end, or replacing the column of the same name in place.</summary>
    public DataSchema With(SchemaColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        var list = _columns.ToList();
        int i = list.FindIndex(c => c.Name == column.Name);
        if (i >= 0) list[i] = column;
        else list.Add(column);
        return new DataSchema(list);
    }

    /// <summary>All columns as <c>name: type</c>, comma-separated (or "none").</summary>
    public string Describe() => _columns.Length == 0 ? "none" : string.Join(", ", _columns.Select(c => c.ToString()));

    /// <inheritdoc />
    public IEnumerator<SchemaColumn> GetEnumerator() => ((IEnumerable<SchemaColumn>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => Describe();
}
