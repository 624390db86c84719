using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Tests.Stages;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Data;

/// <summary>
/// A stage's input column read into memory row for row, whether the view knows its row count or not (then in blocks),
/// and the schema-shape check's description of what it got instead of a known-size vector of Single.
/// </summary>
public class VectorColumnReadTests
{
    private sealed class ScalarRow { public float Features { get; set; } }

    private sealed class VariableRow { public float[] Features { get; set; } = []; }

    private sealed class IntRow { [VectorType(3)] public int[] Features { get; set; } = []; }

    private static SchemaShape Shape(DataViewSchema schema) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [schema])!;

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(9000)]
    public void Every_row_is_read_in_order_with_or_without_a_known_row_count(int count)
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(count, 2);
        var known = ml.Data.LoadFromEnumerable(rows);
        // A filter that keeps every row hides the count: ReadAll then collects the rows in blocks of 4 096.
        var unknown = ml.Data.FilterRowsByMissingValues(known, "Features");
        Assert.Equal(count, known.GetRowCount());
        Assert.Null(unknown.GetRowCount());
        var expected = Matrix(rows);
        foreach (var view in new[] { known, unknown })
        {
            var x = VectorColumn.ReadAll(view, "Features", "Stage", unitRange: true);
            Assert.Equal((count, PixelRow.Width), (x.Rows, x.Cols));
            Assert.Equal(expected.Span.ToArray(), x.Span.ToArray());
        }
    }

    [Fact]
    public void A_view_that_has_no_rows_names_the_stage_and_column()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(10, 1);
        foreach (var r in rows) r.Features[0] = float.NaN;
        var none = ml.Data.FilterRowsByMissingValues(ml.Data.LoadFromEnumerable(rows), "Features");   // drops every row; count unknown
        var e = Assert.Throws<ArgumentException>(() => VectorColumn.ReadAll(none, "Features", "Stage", unitRange: false));
        Assert.StartsWith("Stage: the input has no rows; column 'Features' needs at least one row to train on.", e.Message);
    }

    [Fact]
    public void A_view_with_more_rows_than_its_row_count_says_is_named()
    {
        var ml = new MLContext(seed: 1);
        var lying = new MLNetAutoencoders.MLNet.Tests.Support.CountingView(View(ml, 10), claimedRowCount: 9);
        var e = Assert.Throws<ArgumentException>(() => VectorColumn.ReadAll(lying, "Features", "Stage", unitRange: false));
        Assert.StartsWith("Stage: the input view gave more rows than the 9 its GetRowCount() says; column 'Features' cannot be read into memory.", e.Message);
        // Fewer rows than it says: the rows it gave, no more.
        var x = VectorColumn.ReadAll(new MLNetAutoencoders.MLNet.Tests.Support.CountingView(View(ml, 10), claimedRowCount: 12), "Features", "Stage", unitRange: false);
        Assert.Equal(10, x.Rows);
        Assert.Equal(VectorColumn.ReadAll(View(ml, 10), "Features", "Stage", unitRange: false).Span.ToArray(), x.Span.ToArray());
    }

    [Fact]
    public void A_cancelled_token_stops_the_read()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<OperationCanceledException>(() => VectorColumn.ReadAll(View(ml, 10), "Features", "Stage", unitRange: false, new CancellationToken(true)));
    }

    [Fact]
    public void The_schema_shape_check_says_what_the_column_is_instead()
    {
        var ml = new MLContext(seed: 1);
        foreach (var (view, got) in new (IDataView, string)[]
        {
            (ml.Data.LoadFromEnumerable(new[] { new ScalarRow() }), "got a scalar of Single."),
            (ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [1f] } }), "got a variable-size vector of Single (give the array [VectorType(n)])."),
            (ml.Data.LoadFromEnumerable(new[] { new IntRow { Features = [1, 2, 3] } }), "got a vector of Int32."),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => VectorColumn.Check(Shape(view.Schema), "Features", "Stage"));
            Assert.Equal("inputSchema", e.ParamName);
            Assert.Contains($"Stage: schema mismatch for input column 'Features': expected a known-size vector of Single, {got}", e.Message);
            Assert.DoesNotContain("The input has columns", e.Message);
        }
        var good = View(ml, 3);
        Assert.Equal("Features", VectorColumn.Check(Shape(good.Schema), "Features", "Stage").Name);
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => VectorColumn.Check(Shape(good.Schema), "Pixels", "Stage"));
        Assert.Contains("got no such column. The input has columns 'Features', 'Label'.", missing.Message);
    }
}
