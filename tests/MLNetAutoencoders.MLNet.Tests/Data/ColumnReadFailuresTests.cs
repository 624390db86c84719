using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Tests.Stages;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Data;

/// <summary>
/// A streamed column whose view fails: opening the cursor, moving it or reading a row are rethrown naming the stage,
/// the column and the row with the view's own message, as an <see cref="IOException"/> when the view's error is one
/// (a file gone) and an <see cref="InvalidDataException"/> otherwise; a vector of another length than the column's
/// type says is an error naming the row. Made with a view that fails where told.
/// </summary>
public class ColumnReadFailuresTests
{
    private enum Failure { Open, Move, Read, ShortVector }

    private sealed class FailingView(IDataView inner, Failure failure, long row, Exception error) : IDataView
    {
        public bool CanShuffle => false;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
            => failure == Failure.Open ? throw error : new FailingCursor(inner.GetRowCursor(columnsNeeded), failure, row, error);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class FailingCursor(DataViewRowCursor inner, Failure failure, long row, Exception error) : DataViewRowCursor
    {
        public override DataViewSchema Schema => inner.Schema;

        public override long Position => inner.Position;

        public override long Batch => inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => inner.IsColumnActive(column);

        public override bool MoveNext() => failure == Failure.Move && inner.Position + 1 == row ? throw error : inner.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var g = inner.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                if (failure == Failure.Read && inner.Position == row) throw error;
                g(ref value);
                if (failure == Failure.ShortVector && inner.Position == row && value is VBuffer<float> v)
                    value = (TValue)(object)new VBuffer<float>(5, v.DenseValues().Take(5).ToArray());
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Reads every row of the streamed column once.</summary>
    private static void ReadAllRows(IDataView view)
    {
        var stream = new CursorRowStream(view, "Features", "Stage", unitRange: false);
        using var reader = stream.Open();
        var row = new float[stream.Width];
        while (reader.MoveNext()) reader.Read(row);
    }

    private static IDataView Failing(Failure failure, long row, Exception error)
        => new FailingView(View(new MLContext(seed: 1), 10), failure, row, error);

    [Fact]
    public void A_view_that_cannot_open_a_cursor_is_an_error_at_row_0_with_its_message()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReadAllRows(Failing(Failure.Open, 0, new InvalidOperationException("the view is broken"))));
        Assert.Equal("Stage: reading column 'Features' failed at row 0: the view is broken", e.Message);
    }

    [Fact]
    public void A_failure_moving_to_a_row_or_reading_it_names_the_row_and_keeps_the_views_message()
    {
        var move = Assert.Throws<InvalidDataException>(() => ReadAllRows(Failing(Failure.Move, 4, new FormatException("bad bytes"))));
        Assert.Equal("Stage: reading column 'Features' failed at row 4: bad bytes", move.Message);
        var read = Assert.Throws<InvalidDataException>(() => ReadAllRows(Failing(Failure.Read, 3, new InvalidOperationException("wrapper", new FormatException("bad value")))));
        Assert.Equal("Stage: reading column 'Features' failed at row 3: bad value", read.Message);
        Assert.IsType<InvalidOperationException>(read.InnerException);
        var gone = Assert.Throws<IOException>(() => ReadAllRows(Failing(Failure.Read, 6, new InvalidOperationException("wrapper", new FileNotFoundException("data.csv is gone")))));
        Assert.Equal("Stage: reading column 'Features' failed at row 6: data.csv is gone", gone.Message);
    }

    [Fact]
    public void A_vector_of_another_length_than_its_type_says_names_the_row()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReadAllRows(Failing(Failure.ShortVector, 2, new Exception())));
        Assert.Equal($"Stage: column 'Features', row 2 has 5 values; the column's type says {PixelRow.Width}.", e.Message);
    }
}
