using System.Runtime.Intrinsics;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// A dense row-major matrix of <see cref="float"/>. The backing array may be longer than
/// <c>Rows * Cols</c> so that a buffer can be reused for batches of different sizes
/// (see <see cref="Ensure"/>).
/// </summary>
public sealed class Matrix
{
    /// <summary>Creates a zero matrix.</summary>
    public Matrix(int rows, int cols)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Rows must be ≥ 0.");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, "Cols must be ≥ 0.");
        Rows = rows;
        Cols = cols;
        Data = new float[(long)rows * cols];
    }

    /// <summary>Wraps an existing row-major array (not copied); its length must be at least <c>rows * cols</c>.</summary>
    public Matrix(int rows, int cols, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows < 0 || cols < 0 || (long)rows * cols > data.Length)
            throw new ArgumentException($"A {rows}×{cols} matrix needs {(long)rows * cols} values; the array has {data.Length}.", nameof(data));
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; private set; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; private set; }

    /// <summary>The backing array, row-major; only the first <see cref="Length"/> values belong to the matrix.</summary>
    public float[] Data { get; private set; }

    /// <summary><c>Rows * Cols</c>.</summary>
    public int Length => Rows * Cols;

    /// <summary>The matrix's values as one span, row after row.</summary>
    public Span<float> Span => Data.AsSpan(0, Rows * Cols);

    /// <summary>Element access.</summary>
    public float this[int row, int col]
    {
        get => Data[row * Cols + col];
        set => Data[row * Cols + col] = value;
    }

    /// <summary>One row as a span.</summary>
    public Span<float> Row(int row) => Data.AsSpan(row * Cols, Cols);

    /// <summary>A deep copy with a tight backing array.</summary>
    public Matrix Clone() => new(Rows, Cols, Span.ToArray());

    /// <summary>Copies rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>-1 into a new matrix.</summary>
    public Matrix SliceRows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows {start}..{start + count} are outside a matrix of {Rows} rows.");
        return new Matrix(count, Cols, Data.AsSpan(start * Cols, count * Cols).ToArray());
    }

    /// <summary>Copies the given rows, in order, into a new matrix.</summary>
    public Matrix SelectRows(ReadOnlySpan<int> rows)
    {
        var m = new Matrix(rows.Length, Cols);
        for (int i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(m.Row(i));
        return m;
    }

    /// <summary>Copies the given rows of this matrix into <paramref name="dest"/> (resized as needed, storage reused).</summary>
    public void GatherRows(ReadOnlySpan<int> rows, ref Matrix? dest)
    {
        var d = Ensure(ref dest, rows.Length, Cols);
        for (int i = 0; i < rows.Length; i++) Row(rows[i]).CopyTo(d.Row(i));
    }

    /// <summary>Sets every value to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>
    /// Makes <paramref name="m"/> a <paramref name="rows"/>×<paramref name="cols"/> matrix, reusing its array when it is
    /// large enough (values are then unspecified) and allocating otherwise. Returns it.
    /// </summary>
    public static Matrix Ensure(ref Matrix? m, int rows, int cols)
    {
        long need = (long)rows * cols;
        if (m is null || m.Data.Length < need)
        {
            m = new Matrix(rows, cols);
            return m;
        }
        m.Rows = rows;
        m.Cols = cols;
        return m;
    }

    /// <summary>Builds a matrix from jagged rows (all of one length).</summary>
    public static Matrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int cols = rows.Count == 0 ? 0 : rows[0].Length;
        var m = new Matrix(rows.Count, cols);
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != cols)
                throw new ArgumentException($"Row {i} has {rows[i].Length} values; row 0 has {cols}.", nameof(rows));
            rows[i].CopyTo(m.Row(i));
        }
        return m;
    }

    /// <summary>Throws if any value is NaN or infinite, naming <paramref name="what"/>, the row and the column.</summary>
    public void ThrowIfNotFinite(string what)
    {
        var s = Span;
        if (AllFinite(s)) return;
        for (int i = 0; i < s.Length; i++)
        {
            if (!float.IsFinite(s[i]))
                throw new ArgumentException($"{what}: row {i / Cols}, column {i % Cols} is {s[i]}; all values must be finite.");
        }
    }

    /// <summary>True when every value is finite: v − v is +0 for a finite v and NaN otherwise, so OR-ing those bits is 0 only then.</summary>
    private static bool AllFinite(ReadOnlySpan<float> s)
    {
        int i = 0;
        var acc = Vector256<uint>.Zero;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(s);
            for (; i <= s.Length - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref r, (nuint)i);
                acc |= (v - v).AsUInt32();
            }
        }
        if (acc != Vector256<uint>.Zero) return false;
        for (; i < s.Length; i++) if (!float.IsFinite(s[i])) return false;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"Matrix {Rows}×{Cols}";
}
