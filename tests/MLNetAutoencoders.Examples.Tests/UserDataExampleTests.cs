using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNetAutoencoders.Examples.Tests;

/// <summary>examples/CsvFile and examples/ImageFolder on their sample data with tiny settings, and on bad input.</summary>
[Collection("examples")]
public sealed class UserDataExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("user-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out => Path.Combine(_dir, "out");

    [Fact]
    public void CsvFile_WithALabel_ClassifiesSavesAndScoresRowsWithAPredictionEngine()
    {
        ExampleRunner.RunOk("CsvFile", _dir, "make-sample", "faces.csv");
        string output = ExampleRunner.RunOk("CsvFile", _dir, "faces.csv", "--label", "kind", "--ignore", "name", "--epochs", "5", "--out", Out);
        Assert.Contains("faces.csv: 200 rows, 625 feature columns (p0, p1, p2, …, p624), label 'kind' with 2 classes.", output);
        var accuracy = Regex.Match(output, @"accuracy ([\d.]+) %");
        Assert.True(accuracy.Success, output);
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) > 60, output);
        Assert.Equal(3, Regex.Matches(output, @"predicted (face|other) \(true face\)").Count); // the first rows of the file are faces
        Assert.True(File.Exists(Path.Combine(Out, "csv-model.zip")));

        // new rows from another file: the pixel columns found by name, beside a text column of its own and without the label
        var lines = File.ReadLines(Path.Combine(_dir, "faces.csv")).ToList();
        string Pixels(string line, int skip) => string.Join(",", line.Split(',').Skip(skip)); // data rows: the quoted name holds a comma
        File.WriteAllLines(Path.Combine(_dir, "new.csv"), ["note," + Pixels(lines[0], 2), "\"new, today\"," + Pixels(lines[1], 3), "later," + Pixels(lines[150], 3)]);
        output = ExampleRunner.RunOk("CsvFile", _dir, "faces.csv", "--label", "kind", "--ignore", "name", "--epochs", "5", "--out", Out, "--score", "new.csv");
        Assert.Contains("scoring 2 new rows of new.csv one at a time with the loaded model:", output);
        Assert.Equal(2, Regex.Matches(output, @"^  predicted (face|other)$", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void CsvFile_WithoutALabel_DetectsAnomalies_AndFeaturesCanBeChosen()
    {
        ExampleRunner.RunOk("CsvFile", _dir, "make-sample", "faces.csv");
        string output = ExampleRunner.RunOk("CsvFile", _dir, "faces.csv", "--features", "p0,p1,p2,p3,p4,p5,p6,p7", "--code", "2", "--epochs", "3", "--out", Out);
        Assert.Contains("faces.csv: 200 rows, 8 feature columns (p0, p1, p2, …, p7), no label.", output);
        Assert.Equal(5, Regex.Matches(output, @"  row \d+: score [\d.]+").Count);
        Assert.Equal(3, Regex.Matches(output, @"  score [\d.]+, (normal|anomaly)").Count);
        Assert.True(File.Exists(Path.Combine(Out, "csv-model.zip")));
    }

    [Fact]
    public void CsvFile_BadInput_NamesTheLineOrColumn_AndWritesNothing()
    {
        File.WriteAllText(Path.Combine(_dir, "ragged.csv"), "a,b,c\n1,2,3\n4,5\n");
        var (code, _, err) = ExampleRunner.Run("CsvFile", _dir, "ragged.csv", "--out", Out);
        Assert.Equal(1, code);
        Assert.Equal("error: ragged.csv: line 3 has 2 columns; expected 3 like the first line.", err.Trim());

        File.WriteAllText(Path.Combine(_dir, "text.csv"), "name,a,label\n\"x, 1\",0.5,yes\n\"y\",0.7,no\n");
        (code, _, err) = ExampleRunner.Run("CsvFile", _dir, "text.csv", "--label", "label", "--out", Out);
        Assert.Equal(1, code);
        Assert.Contains("text.csv: line 2, column 0 ('name'): 'x, 1' is not a number", err);
        Assert.Contains("--ignore name", err);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void ImageFolder_CodesReconstructionsNeighboursAnomalies_AndTheLoadedPipeline()
    {
        ExampleRunner.RunOk("ImageFolder", _dir, "make-sample", "faces");
        string output = ExampleRunner.RunOk("ImageFolder", _dir, "faces", "--epochs", "2", "--size", "24", "--colour", "--code", "8", "--out", Out);
        Assert.Contains("200 images in faces; resized to 24×24, colour.", output);
        var written = Directory.GetFiles(Path.Combine(Out, "reconstructions"));
        Assert.Equal(200, written.Length);
        Assert.All(written, f => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(f)[..4]));
        Assert.Equal(3, Regex.Matches(output, @"^  (face|other)-\d{3}\.(png|jpg): .*\(.*\), .*\(.*\), .*\(.*\)$", RegexOptions.Multiline).Count);
        Assert.Equal(5, Regex.Matches(output, @"^  (face|other)-\d{3}\.(png|jpg): error [\d.]+$", RegexOptions.Multiline).Count);
        var same = Regex.Match(output, @"loaded back, it gives the same codes \(largest difference ([^)]+)\)");
        Assert.True(same.Success, output);
        Assert.True(double.Parse(same.Groups[1].Value, CultureInfo.InvariantCulture) < 1e-4, output);
    }

    [Fact]
    public void ImageFolder_BadInput_NamesTheFile_AndWritesNothing()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "imgs")).FullName;
        var (code, _, err) = ExampleRunner.Run("ImageFolder", _dir, "imgs", "--out", Out);
        Assert.Equal(1, code);
        Assert.Equal("error: imgs: the folder is empty; put PNG or JPEG images in it.", err.Trim());

        ExampleRunner.RunOk("ImageFolder", _dir, "make-sample", "imgs"); // 25×25 and 50×50 images
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an image");
        (code, _, err) = ExampleRunner.Run("ImageFolder", _dir, "imgs", "--out", Out);
        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(folder, "notes.txt")}: not a PNG or JPEG image (by its name); the folder must hold images only.", err.Trim());
        File.Delete(Path.Combine(folder, "notes.txt"));

        File.WriteAllText(Path.Combine(folder, "broken.png"), "not an image either");
        (code, _, err) = ExampleRunner.Run("ImageFolder", _dir, "imgs", "--out", Out);
        Assert.Equal(1, code);
        Assert.StartsWith($"error: {Path.Combine(folder, "broken.png")}: not a readable PNG or JPEG image", err.Trim());
        File.Delete(Path.Combine(folder, "broken.png"));

        (code, _, err) = ExampleRunner.Run("ImageFolder", _dir, "imgs", "--no-resize", "--out", Out);
        Assert.Equal(1, code);
        Assert.Equal($"error: {Path.Combine(folder, "face-003.png")} is 50×50 but {Path.Combine(folder, "face-000.png")} is 25×25; "
            + "without a resize every image must have one size (give --size N to resize them all to N×N).", err.Trim());
        Assert.False(Directory.Exists(Out));
    }
}
