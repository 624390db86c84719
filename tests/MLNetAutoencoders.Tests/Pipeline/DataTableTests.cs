using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pipeline;

namespace MLNetAutoencoders.Tests.Pipeline;

public class DataTableTests
{
    private static Matrix M(int rows, int cols, float start = 0)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Length; i++) m.Data[i] = start + i;
        return m;
    }

    [Fact]
    public void Schema_ListsColumnsWithKindsAndSizes()
    {
        var t = DataTable.FromMatrix(M(4, 3), new[] { 0, 1, 1, 0 })
            .AddColumn("Weight", new[] { 1f, 2f, 3f, 4f })
            .AddColumn("IsFace", new[] { true, false, true, false });
        Assert.Equal(4, t.RowCount);
        Assert.Equal(new[] { "Features", "Label", "Weight", "IsFace" }, t.Schema.Names);
        Assert.Equal(new SchemaColumn("Features", ColumnKind.Vector, 3), t.Schema["Features"]);
        Assert.Equal(ColumnKind.Label, t.Schema["Label"].Kind);
        Assert.Equal(ColumnKind.Scalar, t.Schema["Weight"].Kind);
        Assert.Equal(ColumnKind.Boolean, t.Schema["IsFace"].Kind);
        Assert.Equal(new[] { 1, 0, 1, 0 }, t.GetLabels("IsFace"));
        Assert.Equal(new[] { 0, 1, 1, 0 }, t.GetLabels("Label"));
        Assert.Equal(5f, t.GetVector("Features")[1, 2]);
    }

    [Fact]
    public void AddColumn_ReturnsNewTableSharingColumns_AndLeavesOriginalUnchanged()
    {
        var x = M(3, 2);
        var t = DataTable.FromVectors("A", x);
        var t2 = t.AddColumn("B", M(3, 5));
        Assert.Single(t.Schema);
        Assert.Equal(2, t2.Schema.Count);
        Assert.Same(x, t2.GetVector("A"));
        var t3 = t2.AddColumn("A", M(3, 1)); // same name replaces, in place
        Assert.Equal(new[] { "A", "B" }, t3.Schema.Names);
        Assert.Equal(1, t3.Schema["A"].Size);
        Assert.Same(x, t2.GetVector("A"));
    }

    [Fact]
    public void UnknownColumn_NamesItAndListsAvailableColumns()
    {
        var t = DataTable.FromMatrix(M(2, 3), new[] { 0, 1 });
        var e = Assert.Throws<SchemaMismatchException>(() => t.GetVector("Pixels"));
        Assert.Equal("Pixels", e.ColumnName);
        Assert.Contains("Unknown column 'Pixels'", e.Message);
        Assert.Contains("Features: Vector<3>", e.Message);
        Assert.Contains("Label: Label", e.Message);

        var pca = new MLAEContext().Transforms.Pca("Code", "Pixels", components: 1);
        var e2 = Assert.Throws<SchemaMismatchException>(() => pca.Fit(t));
        Assert.Contains("'Pixels'", e2.Message);
        Assert.Contains("the input of PCA", e2.Message);
    }

    [Fact]
    public void WrongVectorLength_IsReportedWithBothLengths()
    {
        var train = DataTable.FromMatrix(Random(20, 6, 1));
        var pca = new MLAEContext().Transforms.Pca("Code", "Features", components: 2).Fit(train);
        var other = DataTable.FromMatrix(Random(5, 4, 2));
        var e = Assert.Throws<SchemaMismatchException>(() => pca.Transform(other));
        Assert.Contains("length 4", e.Message);
        Assert.Contains("expects length 6", e.Message);
        Assert.Throws<SchemaMismatchException>(() => pca.GetOutputSchema(other.Schema));
        Assert.Throws<SchemaMismatchException>(() => train.GetVector("Features", 5));
        // An estimator asking for more components than the vectors have fails at schema time.
        var big = new MLAEContext().Transforms.Pca("Code", "Features", components: 9);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => big.GetOutputSchema(train.Schema));
        Assert.Contains("length 6", e2.Message);
    }

    [Fact]
    public void LabelColumnOfWrongType_IsRejectedByNameAndType()
    {
        var t = DataTable.FromMatrix(Random(10, 3, 1)).AddColumn("Label", new float[10]);
        var e = Assert.Throws<SchemaMismatchException>(() => t.GetLabels("Label"));
        Assert.Contains("'Label'", e.Message);
        Assert.Contains("Scalar", e.Message);
        var lr = new MLAEContext().Classification.Trainers.LogisticRegression();
        var e2 = Assert.Throws<SchemaMismatchException>(() => lr.Fit(t));
        Assert.Contains("integer classes", e2.Message);
        Assert.Throws<SchemaMismatchException>(() => t.GetLabels("Features"));
        Assert.Throws<SchemaMismatchException>(() => t.GetScalars("Features"));
    }

    [Fact]
    public void EmptyTable_FailsToFitWithClearMessage()
    {
        var t = DataTable.FromMatrix(new Matrix(0, 4), Array.Empty<int>());
        Assert.Equal(0, t.RowCount);
        var ctx = new MLAEContext();
        var e = Assert.Throws<ArgumentException>(() => ctx.Transforms.NormalizeMeanVariance("Features").Fit(t));
        Assert.Contains("empty", e.Message);
        Assert.Contains("0 rows", e.Message);
        Assert.Throws<ArgumentException>(() => ctx.Classification.Trainers.LogisticRegression().Fit(t));
        Assert.Throws<ArgumentException>(() => ctx.Transforms.NormalizeMinMax("Features").Append(ctx.Transforms.Pca("C", "Features", components: 1)).Fit(t));
        Assert.Throws<ArgumentException>(() => DataTable.FromArrays(Array.Empty<float[]>()));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteFeature_NamesColumnRowAndIndex(float bad)
    {
        var x = M(5, 4);
        x[3, 2] = bad;
        var e = Assert.Throws<ArgumentException>(() => DataTable.FromMatrix(x));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("row 3", e.Message);
        Assert.Contains("index 2", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => DataTable.FromMatrix(M(5, 4)).AddColumn("W", new[] { 1f, 2f, bad, 0f, 0f }));
        Assert.Contains("'W', row 2", e2.Message);
    }

    [Fact]
    public void RowCountMismatch_AndNegativeLabels_AreRejected()
    {
        var t = DataTable.FromMatrix(M(4, 2));
        var e = Assert.Throws<ArgumentException>(() => t.AddColumn("Label", new[] { 0, 1, 0 }));
        Assert.Contains("3 rows; the table has 4", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => t.AddColumn("Label", new[] { 0, 1, -1, 0 }));
        Assert.Contains("row 2", e2.Message);
        Assert.Throws<ArgumentException>(() => new DataSchema(new[] { new SchemaColumn("A", ColumnKind.Label, 1), new SchemaColumn("A", ColumnKind.Scalar, 1) }));
    }

    [Fact]
    public void SelectRowsAndDropColumns_CopyTheRightValues()
    {
        var t = DataTable.FromMatrix(M(5, 2), new[] { 0, 1, 2, 3, 4 }).AddColumn("B", new[] { true, false, true, false, true });
        var s = t.SelectRows(new[] { 4, 1, 1 });
        Assert.Equal(3, s.RowCount);
        Assert.Equal(new[] { 4, 1, 1 }, s.GetLabels("Label"));
        Assert.Equal(new[] { true, false, false }, s.GetBooleans("B"));
        Assert.Equal(8f, s.GetVector("Features")[0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.SelectRows(new[] { 5 }));
        var d = t.DropColumns("B");
        Assert.Equal(new[] { "Features", "Label" }, d.Schema.Names);
        Assert.Throws<SchemaMismatchException>(() => t.DropColumns("Nope"));
    }

    [Fact]
    public void FromCsv_AndFromDataset_BuildFeaturesAndLabel()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pipeline-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "a,b,label,c\n1,2,0,3\n4,5,1,6\n");
        try
        {
            var t = DataTable.FromCsv(path, new CsvOptions { LabelColumn = "label" });
            Assert.Equal(2, t.RowCount);
            Assert.Equal(3, t.Schema["Features"].Size);
            Assert.Equal(new[] { 0, 1 }, t.GetLabels("Label"));
            Assert.Equal(6f, t.GetVector("Features")[1, 2]);
        }
        finally { File.Delete(path); }

        var ds = new ImageDataset(M(3, 4), new[] { 1, 0, 1 }, 2, 2, "tiny");
        var dt = DataTable.FromDataset(ds);
        Assert.Same(ds.Images, dt.GetVector("Features"));
        Assert.Equal(new[] { 1, 0, 1 }, dt.GetLabels("Label"));
        var (train, test) = DataTable.FromDataset(new LoadedDataset { Name = "x", Train = ds, Test = ds.Take(1) });
        Assert.Equal(3, train.RowCount);
        Assert.Equal(1, test!.RowCount);
    }

    private static Matrix Random(int rows, int cols, ulong seed)
    {
        var m = new Matrix(rows, cols);
        new Rng(seed).FillGaussian(m.Span);
        return m;
    }
}
