using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.MLNet.Data;

/// <summary>
/// A stage's input column as a <see cref="IRowStream"/>: every pass opens a new cursor over the view (a file-backed view
/// reads its file again), and each row read is checked as <see cref="VectorColumn.ReadAll"/> checks it. A failure of
/// the view itself (a damaged file, a file that is gone) is rethrown naming the stage, the column and the row it was
/// reading, with the view's own message (which names the file).
/// </summary>
internal sealed class CursorRowStream : IRowStream
{
    private readonly IDataView _data;
    private readonly DataViewSchema.Column _column;
    private readonly string _stage;
    private readonly bool _unitRange;

    public CursorRowStream(IDataView data, string column, string stage, bool unitRange)
    {
        (_column, Width) = VectorColumn.Check(data.Schema, column, stage);
        _data = data;
        _stage = stage;
        _unitRange = unitRange;
    }

    public int Width { get; }

    public IRowReader Open() => new Reader(this);

    private Exception Failure(long row, Exception e)
    {
        // ML.NET wraps what went wrong; the innermost message says it (e.g. the file that is gone).
        var inner = e;
        while (inner.InnerException != null) inner = inner.InnerException;
        string message = $"{_stage}: reading column '{_column.Name}' failed at row {row}: {inner.Message}";
        return inner is IOException ? new IOException(message, e) : new InvalidDataException(message, e);
    }

    private static bool IsViewFailure(Exception e) => e is not (OperationCanceledException or OutOfMemoryException);

    private sealed class Reader : IRowReader
    {
        private readonly CursorRowStream _s;
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>> _getter;
        private VBuffer<float> _buffer;
        private long _row = -1;

        public Reader(CursorRowStream s)
        {
            _s = s;
            try
            {
                _cursor = s._data.GetRowCursor([s._column]);
                _getter = _cursor.GetGetter<VBuffer<float>>(s._column);
            }
            catch (Exception e) when (IsViewFailure(e)) { throw s.Failure(0, e); }
        }

        public bool MoveNext()
        {
            try
            {
                bool more = _cursor.MoveNext();
                if (more) _row++;
                return more;
            }
            catch (Exception e) when (IsViewFailure(e)) { throw _s.Failure(_row + 1, e); }
        }

        public void Read(Span<float> row)
        {
            try { _getter(ref _buffer); }
            catch (Exception e) when (IsViewFailure(e)) { throw _s.Failure(_row, e); }
            if (_buffer.Length != row.Length)
                throw new InvalidDataException($"{_s._stage}: column '{_s._column.Name}', row {_row} has {_buffer.Length} values; the column's type says {row.Length}.");
            _buffer.CopyTo(row);
            VectorColumn.CheckRow(row, _row, _s._stage, _s._column.Name, _s._unitRange);
        }

        public void Dispose() => _cursor.Dispose();
    }
}
