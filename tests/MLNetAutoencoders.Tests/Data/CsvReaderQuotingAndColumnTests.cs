using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>
/// The corners of the CSV reader that the other tests leave open: text labels that keep quotes, line breaks and blank
/// lines inside a quoted field; a quoted field followed by an empty last field; column lists of a file without a header
/// (named by index only, the index just past the last column refused); and the whole text of two messages.
/// </summary>
public class CsvReaderQuotingAndColumnTests
{
    [Fact]
    public void Quoted_labels_keep_doubled_quotes_line_breaks_and_blank_lines()
    {
        using var s = new Scratch();
        var path = s.WriteText("labels.csv", "a,label\n1,\"say \"\"hi\"\"\"\n2,\"two\nlines\"\n3,\"a\n\nblank\"\n");
        var d = CsvReader.Read(path, new CsvOptions { LabelColumn = "label" });
        Assert.Equal(["a\n\nblank", "say \"hi\"", "two\nlines"], d.ClassNames!);
        Assert.Equal([1, 2, 0], d.Labels!);
        Assert.Equal([1f, 2f, 3f], d.Features.Span.ToArray());
    }

    [Fact]
    public void A_quoted_field_then_an_empty_last_field_is_an_empty_cell_not_a_crash()
    {
        using var s = new Scratch();
        var e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("end.csv", "a,b\n\"1\",\n")));
        Assert.Contains("line 2, column 1 ('b'): '' is not a number", e.Message);
        e = Assert.Throws<InvalidDataException>(() => CsvReader.Read(s.WriteText("end2.csv", "a,b\n\"1\",  \n")));
        Assert.Contains("line 2, column 1 ('b'): '' is not a number", e.Message);
    }

    [Fact]
    public void Without_a_header_columns_are_named_by_index_only_and_the_index_past_the_last_is_refused()
    {
        using var s = new Scratch();
        var path = s.WriteText("n.csv", "1,2\n3,4\n");
        Assert.Equal($"{path}: ignored column 'col0' is not a 0-based index below 2 (the file has no header, so columns are named by index).",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { Ignore = ["col0"] })).Message);
        Assert.Contains("feature column '2' is not a 0-based index below 2",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { Features = ["2"] })).Message);
        Assert.Equal([2f, 4f], CsvReader.Read(path, new CsvOptions { Features = ["1"] }).Features.Span.ToArray());
    }

    [Fact]
    public void No_feature_left_and_a_text_column_are_reported_in_full()
    {
        using var s = new Scratch();
        var path = s.WriteText("c.csv", "a,b,label\n1,x,0\n");
        Assert.Equal($"{path}: no feature column is left (a, b, label).",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label", Ignore = ["a", "b"] })).Message);
        Assert.Equal($"{path}: line 2, column 1 ('b'): 'x' is not a number. If 'b' is a text column, make it the label or leave it out: "
            + "--ignore b, or choose the feature columns with --features (CsvOptions.Ignore, CsvOptions.Features in code).",
            Assert.Throws<InvalidDataException>(() => CsvReader.Read(path, new CsvOptions { LabelColumn = "label" })).Message);
    }
}
