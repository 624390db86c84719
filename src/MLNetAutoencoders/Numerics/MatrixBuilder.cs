using System.Runtime.InteropServices;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// Collects rows of a fixed width when their number is not known in advance (a CSV file, an ML.NET view without a row
/// count, a database reader), then hands them over as one <see cref="Matrix"/>. The rows wait in blocks of native
/// memory, each given back to the operating system as soon as <see cref="ToMatrix"/> has copied it, so building a
/// matrix of n rows holds at most about n rows plus one block; a growing managed array (a <c>List&lt;float&gt;</c>,
/// or blocks joined at the end) holds two to three times that at its peak.
/// </summary>
/// <remarks>Not thread-safe. Dispose it (or call <see cref="ToMatrix"/>, which empties it) to free the blocks.</remarks>
public sealed unsafe class MatrixBuilder : IDisposable
{
    private readonly List<nint> _blocks = [];
    private readonly int _blockRows;
    private int _inLast;
    private bool _disposed;

    /// <summary>Creates an empty builder for rows of <paramref name="width"/> values.</summary>
    /// <param name="width">Values per row (≥ 1).</param>
    /// <param name="blockRows">Rows per block (≥ 1); the default keeps a block at about 4 MB for 256 values a row.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public MatrixBuilder(int width, int blockRows = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        Width = width;
        _blockRows = blockRows;
        _inLast = blockRows;
    }

    /// <summary>Values per row.</summary>
    public int Width { get; }

    /// <summary>Rows added so far.</summary>
    public long Rows { get; private set; }

    /// <summary>
    /// Adds a row and returns its values to fill in (zero-initialised is not promised: write every value). The span is
    /// valid until the next call on the builder.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The builder was disposed or already turned into a matrix.</exception>
    public Span<float> AddRow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inLast == _blockRows)
        {
            _blocks.Add((nint)NativeMemory.Alloc((nuint)_blockRows * (nuint)Width, sizeof(float)));
            _inLast = 0;
        }
        Rows++;
        return new Span<float>((float*)_blocks[^1] + (long)_inLast++ * Width, Width);
    }

    /// <summary>Adds a copy of <paramref name="row"/>.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="Width"/>.</exception>
    public void Add(ReadOnlySpan<float> row)
    {
        if (row.Length != Width) throw new ArgumentException($"The row has {row.Length} values; this builder's rows have {Width}.", nameof(row));
        row.CopyTo(AddRow());
    }

    /// <summary>
    /// The rows added, in order, as one matrix; frees each block once copied, and leaves the builder empty (disposed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The rows do not fit in one array (more than <see cref="Array.MaxLength"/> values, or more than <see cref="int.MaxValue"/> rows).</exception>
    /// <exception cref="ObjectDisposedException">The builder was disposed or already turned into a matrix.</exception>
    public Matrix ToMatrix()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long values = Rows * Width;
        if (values > Array.MaxLength || Rows > int.MaxValue)
            throw new InvalidOperationException($"{Rows} rows of {Width} values do not fit in one array (at most {Array.MaxLength} values).");
        // Uninitialised: every value is written below, and pages not yet written are not yet resident.
        var data = GC.AllocateUninitializedArray<float>((int)values);
        long at = 0;
        for (int b = 0; b < _blocks.Count; b++)
        {
            long count = (b == _blocks.Count - 1 ? _inLast : _blockRows) * (long)Width;
            new ReadOnlySpan<float>((float*)_blocks[b], (int)count).CopyTo(data.AsSpan((int)at));
            at += count;
            NativeMemory.Free((void*)_blocks[b]);
            _blocks[b] = 0;
        }
        Dispose();
        return new Matrix((int)Rows, Width, data);
    }

    /// <summary>Frees the blocks (the rows added are lost).</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the blocks of a builder nobody disposed.</summary>
    ~MatrixBuilder() => Free();

    private void Free()
    {
        foreach (var block in _blocks) NativeMemory.Free((void*)block);
        _blocks.Clear();
        _disposed = true;
    }
}
