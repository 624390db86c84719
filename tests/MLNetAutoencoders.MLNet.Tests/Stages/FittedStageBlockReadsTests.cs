using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Support;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>
/// How a fitted stage's cursors read their input: in the view's own order a second cursor runs ahead and the added
/// columns are computed for blocks of 1 024 rows (each input vector read once, the row id checked once per block);
/// shuffled cursors and the rows of a row mapper compute each row on their own; closing a cursor closes the input's.
/// Watched through a view that counts what is read from it.
/// </summary>
public class FittedStageBlockReadsTests
{
    private const int RowCount = 2500;   // two full blocks of 1 024 rows and a partial one

    private static (AutoencoderTransformer Stage, PixelRow[] Rows) Fitted(MLContext ml)
    {
        var o = SmallAe();
        o.ReconstructionColumnName = "Reconstruction";
        o.ErrorColumnName = "Error";
        var stage = ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml, 200));
        return (stage, Rows(RowCount, 4));
    }

    /// <summary>Reads Code and Reconstruction of every row through <paramref name="cursor"/>, both for each row.</summary>
    private static (float[][] Codes, float[][] Reconstructions) ReadBoth(DataViewRowCursor cursor)
    {
        var code = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Code"]);
        var reconstruction = cursor.GetGetter<VBuffer<float>>(cursor.Schema["Reconstruction"]);
        var codes = new List<float[]>();
        var reconstructions = new List<float[]>();
        VBuffer<float> c = default, r = default;
        while (cursor.MoveNext())
        {
            code(ref c);
            reconstruction(ref r);
            codes.Add(c.DenseValues().ToArray());
            reconstructions.Add(r.DenseValues().ToArray());
        }
        return ([.. codes], [.. reconstructions]);
    }

    [Fact]
    public void In_the_views_order_each_vector_is_read_once_ahead_and_rows_are_computed_in_blocks_equal_to_the_model()
    {
        var ml = new MLContext(seed: 1);
        var (stage, rows) = Fitted(ml);
        var view = new CountingView(ml.Data.LoadFromEnumerable(rows));
        var scored = stage.Transform(view);
        var x = Matrix(rows);
        var expectedCodes = StageTestData.Rows(stage.Model.Encode(x));
        var expectedReconstructions = StageTestData.Rows(stage.Model.Reconstruct(x));

        // Two of the three added columns: the error column is not computed for this cursor.
        using (var cursor = scored.GetRowCursor([scored.Schema["Code"], scored.Schema["Reconstruction"]]))
        {
            var (codes, reconstructions) = ReadBoth(cursor);
            AssertClose(expectedCodes, codes, 1e-5f, "codes computed in blocks");
            AssertClose(expectedReconstructions, reconstructions, 1e-5f, "reconstructions computed in blocks");
            Assert.Equal(2, view.Cursors.Count);
            var (main, ahead) = (view.Cursors[0], view.Cursors[1]);
            Assert.False(main.IsColumnActive(view.Schema["Features"]), "the run-ahead cursor reads the vectors; the main one does not");
            Assert.Equal(0, main.VectorReads);
            Assert.Equal(RowCount, ahead.VectorReads);
            Assert.Equal(3, main.IdReads);        // one check per block: rows 0, 1 024, 2 048
            Assert.Equal(RowCount, ahead.IdReads);
            Assert.False(main.Disposed || ahead.Disposed);
        }
        Assert.True(view.Cursors[0].Disposed, "closing the stage's cursor closes the input's cursor");
        Assert.True(view.Cursors[1].Disposed, "closing the stage's cursor closes the run-ahead cursor");

        // A cursor that asks for no added column opens no second cursor and reads no vector.
        using (var inputsOnly = scored.GetRowCursor([scored.Schema["Label"]]))
        {
            while (inputsOnly.MoveNext()) { }
        }
        Assert.Equal(3, view.Cursors.Count);
        Assert.Equal(0, view.Cursors[2].VectorReads);
    }

    /// <summary>A view whose first cursor reads <paramref name="first"/> and every later one <paramref name="later"/>: cursors that disagree.</summary>
    private sealed class SwitchingView(IDataView first, IDataView later) : IDataView
    {
        private bool _opened;

        public bool CanShuffle => false;

        public DataViewSchema Schema => first.Schema;

        public long? GetRowCount() => null;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var source = _opened ? later : first;
            _opened = true;
            return source.GetRowCursor(columnsNeeded.Select(c => source.Schema[c.Index]), rand);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    [Fact]
    public void When_the_run_ahead_cursor_sees_other_rows_a_cursor_reading_the_vectors_computes_row_by_row_and_one_that_does_not_says_why()
    {
        var ml = new MLContext(seed: 1);
        var (stage, rows) = Fitted(ml);
        var some = rows.Take(5).ToArray();
        IDataView Disagreeing() => new SwitchingView(ml.Data.LoadFromEnumerable(some), ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>()));

        var withVectors = stage.Transform(Disagreeing());
        using (var cursor = withVectors.GetRowCursor([withVectors.Schema["Features"], withVectors.Schema["Code"], withVectors.Schema["Reconstruction"]]))
        {
            var (codes, _) = ReadBoth(cursor);
            AssertClose(StageTestData.Rows(stage.Model.Encode(Matrix(some))), codes, 1e-5f, "codes computed row by row");
        }

        var codesOnly = stage.Transform(Disagreeing());
        using (var cursor = codesOnly.GetRowCursor([codesOnly.Schema["Code"], codesOnly.Schema["Reconstruction"]]))
        {
            var e = Assert.Throws<InvalidOperationException>(() => ReadBoth(cursor));
            Assert.Equal("EncodeWithAutoencoder: two cursors over the input view in its own order did not stand on the same row at row 0 " +
                "(compared by row id), so column 'Features' cannot be read ahead. The view must give every cursor the same rows in the same order.", e.Message);
        }
    }

    [Fact]
    public void A_shuffled_cursor_computes_each_row_on_its_own_reading_its_vector_once()
    {
        var ml = new MLContext(seed: 1);
        var (stage, rows) = Fitted(ml);
        var view = new CountingView(ml.Data.LoadFromEnumerable(rows));
        var scored = stage.Transform(view);
        using var cursor = scored.GetRowCursor([scored.Schema["Code"], scored.Schema["Reconstruction"]], new Random(3));
        var (codes, _) = ReadBoth(cursor);
        Assert.Single(view.Cursors);
        Assert.Equal(RowCount, view.Cursors[0].VectorReads);
        // The view cannot shuffle, so the rows come in order: each code is the model's code of that row.
        AssertClose(StageTestData.Rows(stage.Model.Encode(Matrix(rows))), codes, 1e-5f, "codes computed row by row");
    }

    [Fact]
    public void A_row_mapper_computes_the_row_it_is_given_whatever_its_position_and_checks_its_values()
    {
        var ml = new MLContext(seed: 1);
        var (stage, rows) = Fitted(ml);
        rows[2].Features[5] = float.NaN;
        var data = ml.Data.LoadFromEnumerable(rows.Take(3).ToArray());
        var mapper = stage.GetRowToRowMapper(data.Schema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var row = mapper.GetRow(cursor, [mapper.OutputSchema["Code"]]);
        var code = row.GetGetter<VBuffer<float>>(mapper.OutputSchema["Code"]);
        VBuffer<float> c = default;
        Assert.True(cursor.MoveNext());
        Assert.True(cursor.MoveNext());   // the first row the mapper sees is at position 1
        code(ref c);
        AssertClose(StageTestData.Rows(stage.Model.Encode(Matrix([rows[1]]))), [c.DenseValues().ToArray()], 1e-6f, "row 1 through the mapper");
        Assert.True(cursor.MoveNext());
        var e = Assert.Throws<ArgumentException>(() => code(ref c));
        Assert.Equal("EncodeWithAutoencoder: column 'Features', row 2, slot 5 is NaN; every value must be a finite number.", e.Message);
    }
}
