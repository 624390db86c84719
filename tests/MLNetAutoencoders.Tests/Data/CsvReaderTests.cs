using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Tests.Data;

public class CsvReaderTests
{
    [Fact]
    public void HeaderDetected_LabelByName()
    {
        using var s = new Scratch();
        var path = s.WriteText("a.csv", "\"x\", y ,label,z\n1,2.5,3,-4\n\n5e-1,6,0,7\n");
        var d = CsvReader.Read(path, new CsvOptions { LabelColumn = "label" });
        Assert.Equal((2, 3), (d.Features.Rows, d.Features.Cols));
        Assert.Equal([1f, 2.5f, -4f, 0.5f, 6f, 7f], d.Features.Span.ToArray());
        Assert.Equal([3, 0], d.Labels!);
        Assert.Equal(["x", "y", "z"], d.FeatureNames);
        Assert.Equal("label", d.LabelName);
    }

    [Fact]
    public void NoHeaderDetected_LabelByIndex()
    {
        using var s = new Scratch();
        var path = s.WriteText("b.csv", "2,0.1,0.2\r\n1,0.3,0.4\r\n");
        var d = CsvReader.Read(path, new CsvOptions { LabelColumn = "0" });
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], d.Features.Span.ToArray());
        Assert.Equal([2, 1], d.Labels!);
        Assert.Equal(["col1", "col2"], d.FeatureNames);

        var all = CsvReader.Read(path);
        Assert.Null(all.Labels!);
        Assert.Equal((2, 3), (all.Features.Rows, all.Features.Cols));
    }

    [Fact]
    public void ForcedHeaderOption_IsHonoured()
    {
        using var s = new Scratch();
        var path = s.WriteText("c.csv", "1,2\n3,4\n");
        var d = CsvReader.Read(path, new CsvOptions { HasHeader = true });
        Assert.Equal(["1", "2"], d.FeatureNames);
        Assert.Equal([3f, 4f], d.Features.Span.ToArray());

        var tsv = s.WriteText("c.tsv", "a\tb\n1\t2\n");
        Assert.Equal([1f, 2f], CsvReader.Read(tsv, new CsvOptions { Delimiter = '\t' }).Features.Span.ToArray());
    }

    [Fact]
    public void BadCell_NamesLineColumnAndText()
    {
        using var s = new Scratch();
        var path = s.WriteText("bad.csv", "a,b,c\n1,2,3\n4,abc,6\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3, column 1 ('b'): 'abc' is not a number", e.Message);

        var noHeader = s.WriteText("bad2.csv", "1,2\n3,NaN\n");
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(noHeader, new CsvOptions { HasHeader = false }));
        Assert.Contains("line 2, column 1 ('col1'): 'NaN' is not a finite", e.Message);
    }

    [Fact]
    public void TextLabels_BecomeClassesInSortedOrder_AndReachTheDataset()
    {
        using var s = new Scratch();
        var path = s.WriteText("t.csv", "a,kind\n0.1,dog\n0.2,cat\n0.3,dog\n0.4,7\n");
        var csv = CsvReader.Read(path, new CsvOptions { LabelColumn = "kind" });
        Assert.Equal(["7", "cat", "dog"], csv.ClassNames!); // ordinal order
        Assert.Equal([2, 1, 2, 0], csv.Labels!);
        var data = DatasetResolver.Load(path, new DatasetLoadOptions { LabelColumn = "kind" });
        Assert.Equal(["7", "cat", "dog"], data.ClassNames!);
        Assert.Equal([2, 1, 2, 0], data.Train.Labels!);
        // whole numbers stay as they are, without names
        var ints = CsvReader.Read(s.WriteText("i.csv", "a,y\n0.1,3\n0.2,1\n"), new CsvOptions { LabelColumn = "y" });
        Assert.Null(ints.ClassNames);
        Assert.Equal([3, 1], ints.Labels!);
        Assert.Contains("line 3, label column 1 ('y') is empty",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("e2.csv", "a,y\n0.1,3\n0.2,\n"), new CsvOptions { LabelColumn = "y" })).Message);
    }

    [Fact]
    public void RaggedLinesBadLabelsAndUnknownColumns_AreErrors()
    {
        using var s = new Scratch();
        var ragged = s.WriteText("r.csv", "1,2,3\n4,5\n");
        Assert.Contains("line 2 has 2 columns; expected 3", Assert.Throws<InvalidDataException>(() => CsvReader.Read(ragged)).Message);
        var longer = s.WriteText("l.csv", "1,2\n4,5,6\n");
        Assert.Contains("line 2 has more than 2 columns", Assert.Throws<InvalidDataException>(() => CsvReader.Read(longer)).Message);

        var frac = s.WriteText("f.csv", "x,y\n1,0.5\n");
        Assert.Contains("line 2, label column 1 ('y'): '0.5' is not an integer label",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(frac, new CsvOptions { LabelColumn = "y" })).Message);
        Assert.Contains("label column 'q' is not in the header",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(frac, new CsvOptions { LabelColumn = "q" })).Message);
        Assert.Contains("index 5 is out of range",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(frac, new CsvOptions { LabelColumn = "5" })).Message);

        Assert.Contains("no data lines", Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("e.csv", "\n \n"))).Message);
        Assert.Contains("header line but no data", Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("h.csv", "a,b\n"))).Message);
        Assert.Throws<FileNotFoundException>(() => CsvReader.Read(s.Path("none.csv")));
    }
}
