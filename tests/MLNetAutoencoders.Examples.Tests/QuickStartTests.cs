using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNetAutoencoders.Examples.Tests;

/// <summary>
/// README's three quick starts: README holds exactly the Program.cs of examples/QuickStartCsv, QuickStartImages and
/// QuickStartAnomaly (so README code that does not compile fails the build), and each runs on data made here.
/// </summary>
[Collection("examples")]
public sealed class QuickStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("quickstart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("csv", "QuickStartCsv")]
    [InlineData("images", "QuickStartImages")]
    [InlineData("anomaly", "QuickStartAnomaly")]
    public void ReadmeQuickStart_IsTheExamplesProgram(string marker, string project)
    {
        string readme = File.ReadAllText(Path.Combine(ExampleRunner.RepoRoot, "README.md"));
        var block = Regex.Match(readme, $"<!-- quickstart:{marker} -->\n```csharp\n(.*?)```\n<!-- /quickstart:{marker} -->", RegexOptions.Singleline);
        Assert.True(block.Success, $"README has no quickstart:{marker} block.");
        string program = File.ReadAllText(Path.Combine(ExampleRunner.RepoRoot, "examples", project, "Program.cs"));
        Assert.Equal(program.TrimEnd('\n') + "\n", block.Groups[1].Value);
    }

    /// <summary>400 rows: Label (0/1), then 12 features of which the first four carry the class.</summary>
    private void WriteDataCsv()
    {
        var random = new Random(7);
        var sb = new StringBuilder("Label," + string.Join(",", Enumerable.Range(0, 12).Select(j => $"f{j}")) + "\n");
        for (int i = 0; i < 400; i++)
        {
            int label = i % 2;
            sb.Append(label);
            for (int j = 0; j < 12; j++)
            {
                double v = random.NextDouble() * 2 - 1 + (j < 4 ? 1.5 * label : 0);
                sb.Append(',').Append(v.ToString("F4", CultureInfo.InvariantCulture));
            }
            sb.Append('\n');
        }
        File.WriteAllText(Path.Combine(_dir, "data.csv"), sb.ToString());
    }

    [Fact]
    public void CsvQuickStart_ClassifiesAndSavesTheZip()
    {
        WriteDataCsv();
        string output = ExampleRunner.RunOk("QuickStartCsv", _dir);
        var accuracy = Regex.Match(output, @"Accuracy ([\d.]+) %");
        Assert.True(accuracy.Success, output);
        Assert.True(double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture) > 75, output);
        Assert.True(new FileInfo(Path.Combine(_dir, "model.zip")).Length > 1000);
    }

    [Fact]
    public void AnomalyQuickStart_RanksTheAnomaliesAndSavesTheZip()
    {
        WriteDataCsv(); // Label 1 rows are shifted in four features: the anomalies
        string output = ExampleRunner.RunOk("QuickStartAnomaly", _dir);
        var auc = Regex.Match(output, @"AUC ([\d.]+)");
        Assert.True(auc.Success, output);
        Assert.True(double.Parse(auc.Groups[1].Value, CultureInfo.InvariantCulture) > 0.7, output);
        Assert.Equal(5, Regex.Matches(output, @"data row \d+: score [\d.]+").Count);
        Assert.True(File.Exists(Path.Combine(_dir, "anomaly-model.zip")));
    }

    [Fact]
    public void ImagesQuickStart_ReadsImagesOfSeveralSizesAndKinds_AndSavesTheZip()
    {
        ExampleRunner.RunOk("ImageFolder", _dir, "make-sample", "images"); // 200 faces: 25×25 and 50×50, grey PNG and colour JPEG
        string output = ExampleRunner.RunOk("QuickStartImages", _dir);
        var line = Regex.Match(output, @"^200 images; mean reconstruction error ([\d.]+), highest ([\d.]+)", RegexOptions.Multiline);
        Assert.True(line.Success, output);
        Assert.InRange(double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture), 0.001, 0.1);
        Assert.True(new FileInfo(Path.Combine(_dir, "images-model.zip")).Length > 1000);
    }
}
