using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetAutoencoders.MLNet.Tests.Support;

/// <summary>A view that records every cursor opened on it (and, given <paramref name="claimedRowCount"/>, says it has that many rows).</summary>
internal sealed class CountingView(IDataView inner, long? claimedRowCount = null) : IDataView
{
    public readonly List<CountingCursor> Cursors = [];

    public bool CanShuffle => inner.CanShuffle;

    public DataViewSchema Schema => inner.Schema;

    public long? GetRowCount() => claimedRowCount ?? inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var c = new CountingCursor(inner.GetRowCursor(columnsNeeded, rand));
        Cursors.Add(c);
        return c;
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [GetRowCursor(columnsNeeded, rand)];
}

/// <summary>A cursor that counts the reads of the Features vectors and of the row ids, and whether it was closed.</summary>
internal sealed class CountingCursor(DataViewRowCursor inner) : DataViewRowCursor
{
    public int VectorReads;
    public int IdReads;
    public bool Disposed;

    public override DataViewSchema Schema => inner.Schema;

    public override long Position => inner.Position;

    public override long Batch => inner.Batch;

    public override bool MoveNext() => inner.MoveNext();

    public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

    public override ValueGetter<DataViewRowId> GetIdGetter()
    {
        var g = inner.GetIdGetter();
        return (ref DataViewRowId v) => { IdReads++; g(ref v); };
    }

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        var g = inner.GetGetter<TValue>(column);
        if (column.Name != "Features") return g;
        return (ref TValue v) => { VectorReads++; g(ref v); };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !Disposed)
        {
            Disposed = true;
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
