using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>
/// What a person sees at the command line: `mlae` runs in its own process with stdout and stderr redirected (as in a
/// log or a pipe), so these check the real streams, exit codes and escape codes.
/// </summary>
public sealed class CliMessageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-msg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Each command runs as a user's terminal would: NO_COLOR unset unless a test sets it.
    private static (int Code, string Stdout, string Stderr) Mlae(params string[] args) => Mlae(new Dictionary<string, string?>(), args);

    private static (int Code, string Stdout, string Stderr) Mlae(Dictionary<string, string?> env, params string[] args) =>
        MlaeProcess.Run(new Dictionary<string, string?>(env) { ["NO_COLOR"] = env.GetValueOrDefault("NO_COLOR") }, args);

    /// <summary>200 rows × 16 values in [0, 1] × <paramref name="scale"/> with a label column of class names or numbers.</summary>
    private string Csv(float scale = 1f, bool names = false) =>
        LabelledCsv.Write(Path.Combine(_dir, $"data-{scale}-{names}.csv"), TestData.LowRankData(200, 16), scale: scale,
            label: names ? i => i % 2 == 0 ? "sneaker" : "boot" : null);

    private static void NoDotNetTails(string text)
    {
        foreach (var tail in new[] { "(Parameter '", "Actual value was", "System.", "Nullable`1", "   at " })
            Assert.DoesNotContain(tail, text);
        Assert.DoesNotContain('\u001b', text); // redirected: no colour or cursor codes
    }

    [Fact]
    public void OptionErrors_NameTheOptionAsTyped_WithoutDotNetTails()
    {
        var csv = Csv();
        var (code, _, err) = Mlae("train", "--dataset", csv, "--label-column", "label", "--lr", "-1");
        Assert.Equal(1, code);
        Assert.Equal("error: --lr must be positive (got -1).", err.Trim());
        NoDotNetTails(err);

        (code, _, err) = Mlae("train", "--dataset", csv, "--label-column", "label", "--epochs", "1", "--batch", "0");
        Assert.Equal(1, code);
        Assert.Contains("--batch", err);
        Assert.DoesNotContain("BatchSize", err);
        NoDotNetTails(err);
    }

    [Fact]
    public void ParseErrors_AreOneLineAndAHint_NotTheHelp()
    {
        var (code, stdout, err) = Mlae("train", "--dataset", "faces", "--lr", "abc");
        Assert.Equal(2, code);
        Assert.Equal(["error: --lr: 'abc' is not a number.", "Run 'mlae train --help' to see the options."], err.Trim().Split('\n').Select(l => l.TrimEnd()));
        Assert.Equal("", stdout);

        (code, _, err) = Mlae("compare", "--dataset", "faces", "--epochs", "x"); // an int? option
        Assert.Equal(2, code);
        Assert.StartsWith("error: --epochs: 'x' is not a whole number.", err);
        NoDotNetTails(err);

        (code, _, err) = Mlae("train", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal(2, err.Trim().Split('\n').Length);
        Assert.StartsWith("error: unknown option or argument '--bogus'.", err);
        Assert.DoesNotContain("Usage:", err);

        (code, stdout, _) = Mlae("train", "--help"); // help itself still works
        Assert.Equal(0, code);
        Assert.Contains("--lr", stdout);
    }

    [Fact]
    public void NoColour_WhenNoColorIsSet_OrTheOutputIsNotATerminal()
    {
        var csv = Csv();
        foreach (var env in new[] { new Dictionary<string, string?>(), new Dictionary<string, string?> { ["NO_COLOR"] = "1", ["TERM"] = "xterm-256color" } })
        {
            var (code, stdout, err) = Mlae(env, "train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "2", "--threads", "1");
            Assert.Equal(0, code);
            Assert.DoesNotContain('\u001b', stdout + err);
            Assert.Contains("ae training: 100 %", err);
        }
    }

    [Fact]
    public void DataOutsideTheUnitRange_SuggestsScaleAndLabelColumn()
    {
        var (code, _, err) = Mlae("train", "--dataset", Csv(scale: 5f), "--label-column", "label", "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("outside [0, 1]", err);
        Assert.Contains("--scale scales every column to [0, 1]", err); // --scale is a flag: no value to suggest
        Assert.DoesNotContain("--scale min-max", err);
        Assert.Contains("--label-column", err);
        Assert.Contains("--loss mse", err);
        NoDotNetTails(err);
    }

    [Fact]
    public void CsvClassNames_AreMappedToClasses_PrintedAndSaved()
    {
        var csv = Csv(names: true);
        var json = Path.Combine(_dir, "compare.json");
        var (code, _, err) = Mlae("compare", "--dataset", csv, "--label-column", "label", "--codes", "2", "--methods", "pca,raw",
            "--folds", "2", "--no-figures", "--json-out", json);
        Assert.Equal(0, code);
        Assert.Contains("label: 2 classes: 0 = boot, 1 = sneaker", err); // sorted
        var result = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(["boot", "sneaker"], result["classNames"]!.AsArray().Select(n => (string)n!));
        // the same rows with the classes as numbers (0/1 instead of sneaker/boot) give the same accuracies
        var numeric = Path.Combine(_dir, "numeric.json");
        Assert.Equal(0, Mlae("compare", "--dataset", Csv(), "--label-column", "label", "--codes", "2", "--methods", "pca,raw",
            "--folds", "2", "--no-figures", "--json-out", numeric).Code);
        double Acc(string file, string method) => (double)JsonNode.Parse(File.ReadAllText(file))!["rows"]!.AsArray().First(r => (string)r!["method"]! == method)!["accuracy"]!;
        Assert.Equal(Acc(numeric, "raw"), Acc(json, "raw"), 9);
    }

    [Fact]
    public void TestFractionZero_FitsOnEveryRow()
    {
        var csv = Csv();
        var json = Path.Combine(_dir, "train.json");
        var (code, _, err) = Mlae("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1",
            "--threads", "1", "--test-fraction", "0", "--json-out", json);
        Assert.Equal(0, code);
        var result = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(200, (int)result["trainRows"]!);
        Assert.Equal("train", (string)result["measuredOn"]!);
        Assert.Contains("training-rows MSE", err);
        // the default still holds 20 % out
        var model = Path.Combine(_dir, "m.mlae");
        Assert.Equal(0, Mlae("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1",
            "--threads", "1", "--json-out", json, "--out", model).Code);
        Assert.Equal(160, (int)JsonNode.Parse(File.ReadAllText(json))!["trainRows"]!);
        // the option means the same in mlae pca: the components of every row, the test measurements left out
        (code, var pcaOut, err) = Mlae("pca", "--dataset", csv, "--label-column", "label", "--components", "2", "--repeats", "1", "--test-fraction", "0", "--json");
        Assert.Equal(0, code);
        var pca = JsonNode.Parse(pcaOut.TrimEnd().Split('\n')[^1])!.AsObject();
        Assert.Equal((200, 0), ((int)pca["trainRows"]!, (int)pca["testRows"]!));
        Assert.False(pca.ContainsKey("testMse"));
        Assert.All(pca["rows"]!.AsArray(), row => Assert.False(row!.AsObject().ContainsKey("testMse")));
        Assert.Contains("(no held-out rows)", err);
        // mlae map: the methods fitted on every row, and those rows mapped
        var png = Path.Combine(_dir, "map.png");
        (code, var mapOut, err) = Mlae("map", "--dataset", csv, "--label-column", "label", "--methods", "pca", "--code", "2", "--count", "50", "--test-fraction", "0", "--out", png, "--json");
        Assert.True(code == 0, err);
        var map = JsonNode.Parse(mapOut.TrimEnd().Split('\n')[^1])!;
        Assert.Equal(("training", 50), ((string)map["mapped"]!, (int)map["count"]!));
        // mlae pretrain reports accuracy on held-out rows only: without a test split it takes them from --eval-rows
        string[] pretrain = ["pretrain", "--dataset", csv, "--label-column", "label", "--test-fraction", "0", "--labels", "10", "--kinds", "ae", "--seeds", "1",
            "--hidden", "8", "--code", "2", "--pretrain-epochs", "1", "--steps", "0", "--epochs", "1", "--batch", "8", "--threads", "1", "--no-logreg"];
        (code, _, err) = Mlae(pretrain);
        Assert.Equal(1, code);
        Assert.Contains("--eval-rows", err);
        (code, var pretrainOut, err) = Mlae([.. pretrain, "--eval-rows", "150-199", "--json"]);
        Assert.True(code == 0, err);
        var scored = JsonNode.Parse(pretrainOut.TrimEnd().Split('\n')[^1])!;
        Assert.Equal(("train:150-199", 150, 200), ((string)scored["scoredOn"]!, (int)scored["labelledPool"]!, (int)scored["unlabelled"]!));
        // a command that needs held-out rows says which option to change
        (code, _, err) = Mlae("encode", "--model", model, "--dataset", csv, "--label-column", "label", "--test-fraction", "0", "--out", Path.Combine(_dir, "c.npy"));
        Assert.Equal(1, code);
        Assert.Contains("--test-fraction", err);
        (code, _, err) = Mlae("train", "--dataset", csv, "--test-fraction", "1");
        Assert.Equal(1, code);
        Assert.Contains("--test-fraction must be at least 0 and below 1", err);
    }

    [Fact]
    public void ParallelJobs_ShowOneProgressThatOnlyRises()
    {
        var (code, _, err) = Mlae("compare", "--dataset", Csv(), "--label-column", "label", "--codes", "2,3", "--methods", "pca,ae,raw",
            "--folds", "2", "--epochs", "4", "--threads", "2", "--no-figures");
        Assert.Equal(0, code);
        var percents = err.Split('\n').Where(l => l.StartsWith("compare: ", StringComparison.Ordinal))
            .Select(l => int.Parse(l["compare: ".Length..l.IndexOf(' ', "compare: ".Length)], CultureInfo.InvariantCulture)).ToList();
        Assert.True(percents.Count >= 3, err);
        Assert.Equal(100, percents[^1]);
        for (int i = 1; i < percents.Count; i++) Assert.True(percents[i] > percents[i - 1], $"progress fell or repeated: {string.Join(", ", percents)}");
    }

    [Fact]
    public void Pretrain_RedrawsTheChartFromASavedResult()
    {
        var saved = Path.Combine(_dir, "runs.json");
        File.WriteAllText(saved, """
            {"dataset":"fashion-mnist","seeds":2,"runs":[
             {"labels":10,"kind":"none","mode":"scratch","seed":0,"accuracy":0.5,"epochs":3,"seconds":0.1},
             {"labels":10,"kind":"none","mode":"scratch","seed":1,"accuracy":0.6,"epochs":3,"seconds":0.1},
             {"labels":100,"kind":"none","mode":"scratch","seed":0,"accuracy":0.7,"epochs":3,"seconds":0.1},
             {"labels":100,"kind":"ae","mode":"finetune","seed":0,"accuracy":0.8,"epochs":3,"seconds":0.1}]}
            """);
        var png = Path.Combine(_dir, "curves.png");
        var (code, _, err) = Mlae("pretrain", "--dataset", "fashion-mnist", "--redraw", saved, "--chart", png);
        Assert.Equal(0, code);
        Assert.Contains("learning curves of 4 runs", err);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.Equal((800, 500), (bitmap.Width, bitmap.Height));

        File.WriteAllText(saved, "{\"dataset\":\"x\"}");
        (code, _, err) = Mlae("pretrain", "--dataset", "fashion-mnist", "--redraw", saved, "--chart", png);
        Assert.Equal(1, code);
        Assert.Contains("has no \"runs\" array", err);
        NoDotNetTails(err);
    }

    [Fact]
    public void Compare_RedrawsTheAccuracyChartFromASavedResult()
    {
        var saved = Path.Combine(_dir, "compare.json");
        File.WriteAllText(saved, """
            {"dataset":"faces","rows":[
             {"method":"pca","code":1,"foldAccuracies":[0.8,0.9]},{"method":"pca","code":2,"foldAccuracies":[0.9,0.95]},
             {"method":"ae","code":1,"foldAccuracies":[0.7,0.8]},{"method":"ae","code":2,"foldAccuracies":[0.95,1.0]},
             {"method":"raw","code":625,"foldAccuracies":[0.96,0.97]}]}
            """);
        var (code, _, err) = Mlae("compare", "--dataset", "faces", "--redraw", saved, "--out-dir", _dir);
        Assert.Equal(0, code);
        Assert.Contains("accuracy chart of 5 rows", err);
        using var bitmap = SkiaSharp.SKBitmap.Decode(Path.Combine(_dir, "accuracy.png"));
        Assert.Equal((800, 500), (bitmap.Width, bitmap.Height));
    }

    /// <summary>The CSV a person has: a header, a quoted text column holding commas, a yes/no label and four numeric columns.</summary>
    private string PeoplesCsv()
    {
        var sb = new StringBuilder("name,a,b,c,d,label\n");
        for (int i = 0; i < 60; i++)
            sb.Append(CultureInfo.InvariantCulture, $"\"item {i}, batch {i / 10}\",{i % 7 / 7.0},{i % 5 / 5.0},{i % 3 / 3.0},{i % 2},{(i % 2 == 0 ? "yes" : "no")}\n");
        var path = Path.Combine(_dir, "q.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public void QuotedTextColumn_IsNamedWithTheOptions_ThenLeftOutOrChosenAway_InEveryCsvCommand()
    {
        var q = PeoplesCsv();
        var (code, stdout, err) = Mlae("train", "--dataset", q, "--label-column", "label", "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("line 2, column 0 ('name'): 'item 0, batch 0' is not a number. If 'name' is a text column, make it the label or leave it out: --ignore name", err);
        Assert.Contains("--features", err);
        NoDotNetTails(err);

        // --ignore: the four numeric columns are the features, the yes/no label two classes
        var model = Path.Combine(_dir, "q.mlae");
        (code, _, err) = Mlae("train", "--dataset", q, "--label-column", "label", "--ignore", "name", "--epochs", "1", "--code", "2", "--hidden", "8", "--out", model, "--json");
        Assert.True(code == 0, err);
        Assert.Contains("label: 2 classes: 0 = no, 1 = yes", err);
        Assert.True(File.Exists(model));

        // --features by name in other commands that read CSV; the encoder sees exactly the columns chosen
        (code, stdout, err) = Mlae("pca", "--dataset", q, "--label-column", "label", "--features", "a,b,c", "--components", "2", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(3, JsonNode.Parse(stdout.Trim().Split('\n')[^1])!["dimension"]!.GetValue<int>());
        var codes = Path.Combine(_dir, "codes.npy");
        (code, _, err) = Mlae("encode", "--model", model, "--dataset", q, "--label-column", "label", "--features", "a,b,c,d", "--out", codes);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(codes));
        (code, _, err) = Mlae("encode", "--model", model, "--dataset", q, "--label-column", "label", "--features", "a,b,c", "--out", codes);
        Assert.Equal(1, code); // a model of four inputs and three columns chosen
        NoDotNetTails(err);

        (code, _, err) = Mlae("compare", "--dataset", q, "--label-column", "label", "--ignore", "nmae", "--methods", "raw", "--codes", "2", "--folds", "2");
        Assert.Equal(1, code);
        Assert.Contains("ignored column 'nmae' is not in the header (name, a, b, c, d, label)", err);
        (code, _, err) = Mlae("train", "--dataset", "faces", "--features", "a");
        Assert.Equal(1, code);
        Assert.Contains("faces: choosing feature columns (--features, --ignore) is for CSV files", err);
    }
}
