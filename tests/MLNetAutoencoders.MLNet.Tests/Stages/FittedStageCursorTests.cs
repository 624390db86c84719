using Microsoft.ML;
using Microsoft.ML.Data;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>
/// A fitted stage's view used as ML.NET's cursor contract says: getters of the wrong type, columns not asked for and
/// reads before the first row are errors naming the column; a cursor that asks only for input columns computes nothing.
/// </summary>
public class FittedStageCursorTests
{
    private static (MLContext Ml, IDataView Data, IDataView Scored) Scored(int rows = 40)
    {
        var ml = new MLContext(seed: 1);
        var o = SmallAe();
        o.ReconstructionColumnName = "Reconstruction";
        o.ErrorColumnName = "Error";
        var data = View(ml, rows);
        return (ml, data, ml.Transforms.EncodeWithAutoencoder(o).Fit(data).Transform(data));
    }

    [Fact]
    public void A_getter_of_the_wrong_type_names_the_column_its_type_and_the_type_asked_for()
    {
        var (_, _, scored) = Scored();
        using var cursor = scored.GetRowCursor(scored.Schema);
        var code = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<float>(scored.Schema["Code"]));
        Assert.Equal("Column 'Code' is Vector<Single, 3>; a getter of Single was asked for.", code.Message);
        var error = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(scored.Schema["Error"]));
        Assert.Equal("Column 'Error' is Single; a getter of VBuffer`1 was asked for.", error.Message);
    }

    [Fact]
    public void An_added_column_not_asked_for_is_inactive_and_its_getter_is_an_error()
    {
        var (_, data, scored) = Scored();
        using var cursor = scored.GetRowCursor([scored.Schema["Features"], scored.Schema["Error"]]);
        Assert.True(cursor.IsColumnActive(scored.Schema["Features"]));
        Assert.False(cursor.IsColumnActive(scored.Schema["Label"]));
        Assert.False(cursor.IsColumnActive(scored.Schema["Code"]));
        Assert.True(cursor.IsColumnActive(scored.Schema["Error"]));
        var e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(scored.Schema["Code"]));
        Assert.Equal("Column 'Code' was not requested when the cursor was made.", e.Message);

        // The input columns pass through unchanged, and the errors equal those of a cursor that asks for every column.
        var expected = Scalars(scored, "Error");
        var features = Column(data, "Features");
        var errorGetter = cursor.GetGetter<float>(scored.Schema["Error"]);
        var featureGetter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
        int i = 0;
        float v = 0;
        VBuffer<float> f = default;
        while (cursor.MoveNext())
        {
            errorGetter(ref v);
            featureGetter(ref f);
            Assert.Equal(expected[i], v);
            Assert.Equal(features[i], f.DenseValues().ToArray());
            Assert.Equal(i, cursor.Position);
            i++;
        }
        Assert.Equal(40, i);
    }

    [Fact]
    public void Reading_an_added_column_before_MoveNext_is_an_error_that_says_so()
    {
        var (_, _, scored) = Scored();
        using var cursor = scored.GetRowCursor(scored.Schema);
        var getter = cursor.GetGetter<float>(scored.Schema["Error"]);
        float v = 0;
        var e = Assert.Throws<InvalidOperationException>(() => getter(ref v));
        Assert.Equal("The cursor is not on a row: call MoveNext first.", e.Message);
    }

    [Fact]
    public void The_row_mapper_needs_the_input_column_only_for_the_added_columns()
    {
        var (ml, data, _) = Scored();
        var mapper = ((ITransformer)ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data)).GetRowToRowMapper(data.Schema);
        string[] Needs(params string[] columns) => mapper.GetDependencies(columns.Select(c => mapper.OutputSchema[c])).Select(c => c.Name).ToArray();
        Assert.Equal(["Label"], Needs("Label"));
        Assert.Equal(["Features"], Needs("Code"));
        Assert.Equal(["Features"], Needs("Features", "Code"));
        Assert.Equal(["Label", "Features"], Needs("Label", "Code"));
    }

    [Fact]
    public void A_row_of_the_row_mapper_gives_the_transforms_codes_and_cannot_move()
    {
        var (ml, data, _) = Scored();
        var model = (ITransformer)ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data);
        // An ML.NET row that is not a cursor (a mapper's row) as the input, as a prediction engine hands it over.
        var copy = ((ITransformer)ml.Transforms.CopyColumns("Copy", "Label").Fit(data)).GetRowToRowMapper(data.Schema);
        using var cursor = data.GetRowCursor(data.Schema);
        using var input = copy.GetRow(cursor, copy.OutputSchema);
        Assert.True(cursor.MoveNext());
        var mapperOverCopy = model.GetRowToRowMapper(copy.OutputSchema);
        using var row = mapperOverCopy.GetRow(input, mapperOverCopy.OutputSchema);
        var codes = row.GetGetter<VBuffer<float>>(mapperOverCopy.OutputSchema["Code"]);
        VBuffer<float> c = default;
        codes(ref c);
        AssertClose([Column(model.Transform(data), "Code")[0]], [c.DenseValues().ToArray()], 1e-6f, "one row through the mapper");
        var e = Assert.Throws<InvalidOperationException>(() => ((DataViewRowCursor)row).MoveNext());
        Assert.Equal("This row belongs to a row mapper; it cannot move.", e.Message);
    }
}
