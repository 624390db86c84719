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
        Assert.Equal("col0", d.LabelName);

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
        Assert.Contains("label column 'q' is not in the header (x, y)",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(frac, new CsvOptions { LabelColumn = "q" })).Message);
        Assert.Contains("index 5 is out of range",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(frac, new CsvOptions { LabelColumn = "5" })).Message);

        Assert.Contains("no data lines", Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("e.csv", "\n \n"))).Message);
        Assert.Contains("header line but no data", Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("h.csv", "a,b\n"))).Message);
        Assert.Contains("CSV file not found", Assert.Throws<FileNotFoundException>(() => CsvReader.Read(s.Path("none.csv"))).Message);
        Assert.Throws<ArgumentException>(() => CsvReader.Read(""));
    }

    [Fact]
    public void LeadingBlankLinesAndQuotedCells_KeepTrueLineNumbers()
    {
        using var s = new Scratch();
        var path = s.WriteText("q.csv", "\n  \na,b\n\"1.5\", \" 2 \"\n3,\"\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path));
        Assert.Contains("line 5, column 1: a quoted field is not closed before the end of the file", e.Message);
        var ok = CsvReader.Read(s.WriteText("q2.csv", "\n\na,b\n\"1.5\", \" 2 \"\n"));
        Assert.Equal([1.5f, 2f], ok.Features.Span.ToArray());
        Assert.Equal(["a", "b"], ok.FeatureNames);
        var noHeader = s.WriteText("q3.csv", "\n1,2\n3,x\n");
        Assert.Contains("line 3, column 1 ('col1'): 'x'", Assert.Throws<InvalidDataException>(() => CsvReader.Read(noHeader, new CsvOptions { HasHeader = false })).Message);
    }

    [Fact]
    public void LabelColumn_ByIndexBesideAHeader_OutOfRangeAndHugeLabels()
    {
        using var s = new Scratch();
        var path = s.WriteText("h.csv", "a,b,c\n1,2,3\n4,5,6\n");
        var d = CsvReader.Read(path, new CsvOptions { LabelColumn = "2" }); // not a header name: a 0-based index
        Assert.Equal([3, 6], d.Labels!);
        Assert.Equal("c", d.LabelName);
        Assert.Equal(["a", "b"], d.FeatureNames);
        Assert.Contains("label column index 3 is out of range; the file has 3 columns (0-based indices 0–2)",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "3" })).Message);
        Assert.Contains("label column '-1' is not in the header",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "-1" })).Message);
        var noHeader = s.WriteText("n.csv", "1,2\n3,4\n");
        Assert.Contains("the file has no header, so the label column must be a 0-based index, not 'y'",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(noHeader, new CsvOptions { LabelColumn = "y" })).Message);
        var huge = s.WriteText("big.csv", "x,y\n1,3e9\n");
        Assert.Contains("'3e9' is not an integer label",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(huge, new CsvOptions { LabelColumn = "y" })).Message);
        var negative = s.WriteText("neg.csv", "x,y\n1,-3e9\n");
        Assert.Contains("'-3e9' is not an integer label",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(negative, new CsvOptions { LabelColumn = "y" })).Message);
        var whole = CsvReader.Read(s.WriteText("w.csv", "x,y\n1,2.0\n2,-1\n"), new CsvOptions { LabelColumn = "y" });
        Assert.Equal([2, -1], whole.Labels!);
        Assert.Null(whole.ClassNames);
    }

    [Fact]
    public void EmptyCellsAndEmptyQuotes_AreReportedAsEmpty()
    {
        using var s = new Scratch();
        Assert.Contains("line 2, column 0 ('a'): '' is not a number",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("e.csv", "a,b\n,2\n"))).Message);
        Assert.Contains("line 2, column 1 ('b'): '' is not a number",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("q.csv", "a,b\n1,\"\"\n"))).Message);
    }

    [Fact]
    public void HeaderWithSomeNumericNames_Utf16Files_AndLabelsAtTheIntLimits()
    {
        using var s = new Scratch();
        var years = CsvReader.Read(s.WriteText("y.csv", "id,2020,2021\n1,2,3\n")); // one non-numeric cell makes a header
        Assert.Equal(["id", "2020", "2021"], years.FeatureNames);
        var path = s.Path("u16.csv");
        File.WriteAllText(path, "a,b\n1,2\n", System.Text.Encoding.Unicode); // UTF-16 with a byte order mark
        Assert.Equal([1f, 2f], CsvReader.Read(path).Features.Span.ToArray());
        var limits = CsvReader.Read(s.WriteText("lim.csv", "x,y\n1,-2147483648\n2,2147483647\n"), new CsvOptions { LabelColumn = "y" });
        Assert.Equal([int.MinValue, int.MaxValue], limits.Labels!);
        Assert.Null(limits.ClassNames);
    }

    [Fact]
    public void QuotedFields_HoldDelimitersQuotesAndLineBreaks_Rfc4180()
    {
        using var s = new Scratch();
        var path = s.WriteText("rfc.csv",
            "name,\"x, first\",y,label\n\"item 0, batch 0\",1,2,yes\n\"say \"\"hi\"\"\nthen go\", \"3\" ,4,no\n\"plain\",5,\"6\",yes\n");
        var d = CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Ignore = ["name"] });
        Assert.Equal(["x, first", "y"], d.FeatureNames);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], d.Features.Span.ToArray());
        Assert.Equal(["no", "yes"], d.ClassNames!);
        Assert.Equal([1, 0, 1], d.Labels!);

        // a record spanning two lines keeps the true line numbers after it
        var bad = s.WriteText("rfc2.csv", "a,b\n\"x\ny\",1\n2,z\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(bad, new CsvOptions { Ignore = ["a"] }));
        Assert.Contains("line 4, column 1 ('b'): 'z' is not a number", e.Message);
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("rfc3.csv", "a,b\n\"1\"x,2\n")));
        Assert.Contains("line 2, column 0: text after the closing quote", e.Message);
    }

    [Fact]
    public void TextColumn_NeitherLabelNorLeftOut_IsNamedWithTheOptionThatFixesIt()
    {
        using var s = new Scratch();
        var path = s.WriteText("q.csv", "name,a,b,label\n\"item 0, batch 0\",1,2,yes\n\"item 1, batch 0\",3,4,no\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label" }));
        Assert.Contains("line 2, column 0 ('name'): 'item 0, batch 0' is not a number. If 'name' is a text column, make it the label or leave it out: --ignore name", e.Message);
        Assert.Contains("--features", e.Message);

        var byFeatures = CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Features = ["b", "1"] });
        Assert.Equal(["a", "b"], byFeatures.FeatureNames); // file order, by name or 0-based index
        Assert.Equal([1f, 2f, 3f, 4f], byFeatures.Features.Span.ToArray());
        var byIndex = CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Ignore = ["0", "b"] });
        Assert.Equal(["a"], byIndex.FeatureNames);
        Assert.Equal([1f, 3f], byIndex.Features.Span.ToArray());
    }

    [Fact]
    public void FeatureAndIgnoreLists_UnknownOrConflictingColumns_AreErrors()
    {
        using var s = new Scratch();
        var path = s.WriteText("c.csv", "a,b,label\n1,2,0\n");
        Assert.Contains("feature column 'q' is not in the header (a, b, label)",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { Features = ["a", "q"] })).Message);
        Assert.Contains("ignored column 'z' is not in the header",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { Ignore = ["z"] })).Message);
        Assert.Contains("column 'label' cannot be both the label and a feature",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Features = ["label"] })).Message);
        Assert.Contains("column 'label' cannot be both the label and ignored",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Ignore = ["label"] })).Message);
        Assert.Contains("no feature column is left",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Ignore = ["a", "b"] })).Message);
        Assert.Contains("the list of feature columns is empty",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { Features = [] })).Message);
        var noHeader = s.WriteText("n.csv", "1,2\n3,4\n");
        Assert.Contains("feature column '7' is not a 0-based index below 2",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(noHeader, new CsvOptions { Features = ["7"] })).Message);
        Assert.Equal([2f, 4f], CsvReader.Read(noHeader, new CsvOptions { Ignore = ["0"] }).Features.Span.ToArray());
        // the dataset loader passes the lists on, and refuses them for files that have no columns
        Assert.Equal([2f], DatasetResolver.Load(path, new DatasetLoadOptions { LabelColumn = "label", Features = ["b"] }).Train.Images.Span.ToArray());
        var npy = s.Write("x.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", Scratch.Bytes(0f)));
        Assert.Contains($"{npy}: choosing feature columns (--features, --ignore) is for CSV files",
            Assert.Throws<InvalidDataException>(() => DatasetResolver.Load(npy, new DatasetLoadOptions { Ignore = ["a"] })).Message);
    }
}
