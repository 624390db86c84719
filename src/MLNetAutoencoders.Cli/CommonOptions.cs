using System.CommandLine;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Cli;

/// <summary>Options several commands share, and how they turn into data and engine settings.</summary>
internal sealed class CommonOptions
{
    public Option<string> Dataset { get; } = new("--dataset") { Description = "fashion-mnist, faces, or a path to an IDX, NPY or CSV file", Required = true };
    public Option<double> TestFraction { get; } = new("--test-fraction") { Description = "held-out share for a file without a test split (0 = fit on every row, hold none out)", DefaultValueFactory = _ => ExperimentDefaults.TestFraction };
    public Option<string?> LabelColumn { get; } = new("--label-column") { Description = "CSV: label column by name or 0-based index (integers, or class names: mapped to 0, 1, … in sorted order)" };
    public Option<string?> Features { get; } = new("--features") { Description = "CSV: the feature columns, by name or 0-based index (a,b,c); default: all but the label and --ignore" };
    public Option<string?> Ignore { get; } = new("--ignore") { Description = "CSV: columns to leave out, such as names or ids (a,b)" };
    public Option<bool> Scale { get; } = new("--scale") { Description = "min-max scale each feature to [0,1] using the training rows" };
    public Option<int> Seed { get; } = new("--seed") { Description = "seed of all randomness", DefaultValueFactory = _ => ExperimentDefaults.Seed };
    public Option<int> Threads { get; } = new("--threads") { Description = "threads for the GEMM kernels", DefaultValueFactory = _ => ExperimentDefaults.Threads };
    public Option<string> Gemm { get; } = new("--gemm") { Description = "GEMM provider: auto, managed or openblas", DefaultValueFactory = _ => Numerics.GemmKind.Auto.ToString().ToLowerInvariant() };
    public Option<bool> Json { get; } = new("--json") { Description = "print one JSON object as the last line of stdout" };
    public Option<string?> JsonOut { get; } = new("--json-out") { Description = "write the results as an indented JSON file here" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Dataset, TestFraction, LabelColumn, Features, Ignore, Scale, Seed, Threads, Gemm, Json, JsonOut }) c.Options.Add(o);
    }

    /// <summary>True when the results are wanted as JSON (<c>--json</c> or <c>--json-out</c>).</summary>
    public bool WantsJson(ParseResult r) => r.GetValue(Json) || r.GetValue(JsonOut) is not null;

    /// <summary>Writes the results: one line on stdout (<c>--json</c>) and/or an indented file (<c>--json-out</c>, atomically).</summary>
    public void WriteJson(ParseResult r, System.Text.Json.Nodes.JsonNode node)
    {
        if (r.GetValue(Json)) ConsoleUi.WriteJson(node);
        if (r.GetValue(JsonOut) is { } path)
        {
            AtomicFile.WriteAllText(path, ConsoleUi.ToJson(node, indented: true) + "\n");
            Spectre.Console.AnsiConsoleExtensions.WriteLine(ConsoleUi.Err, $"results written to {path}");
        }
    }

    public GemmKind GemmKind(ParseResult r) => Parse(r.GetValue(Gemm)!, "--gemm", Numerics.Gemm.ParseKind);

    /// <summary>
    /// Loads the dataset with a train/test split (the built-in split, or a seeded one for files; none with
    /// <c>--test-fraction 0</c>), optionally min-max scaled. Class names read from a CSV's label column are printed.
    /// </summary>
    public LoadedDataset Load(ParseResult r)
    {
        var name = r.GetValue(Dataset)!;
        double fraction = r.GetValue(TestFraction);
        if (!(fraction >= 0 && fraction < 1))
            throw new ArgumentException($"--test-fraction must be at least 0 and below 1 (0 = no held-out rows); got {fraction}.");
        var data = LoadAll(r);
        if (fraction > 0) data = data.WithTestSplit(fraction, r.GetValue(Seed));
        if (r.GetValue(Scale)) data = MinMaxScale(data);
        AnnounceClasses(r, data);
        return data;
    }

    /// <summary>The whole dataset as <c>--dataset</c>, <c>--label-column</c>, <c>--features</c> and <c>--ignore</c> say, without a split or scaling.</summary>
    public LoadedDataset LoadAll(ParseResult r)
    {
        string[]? List(Option<string?> option) => r.GetValue(option) is { } text
            ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
        return BuiltInDatasets.Load(r.GetValue(Dataset)!, new DatasetLoadOptions
        {
            LabelColumn = r.GetValue(LabelColumn), Features = List(Features), Ignore = List(Ignore),
        });
    }

    /// <summary>Prints the classes a CSV's label column of names was mapped to (they are also in the JSON results).</summary>
    public void AnnounceClasses(ParseResult r, LoadedDataset data)
    {
        if (data.ClassNames is { } names && !BuiltInDatasets.IsBuiltIn(r.GetValue(Dataset)!))
            Spectre.Console.AnsiConsoleExtensions.WriteLine(ConsoleUi.Err,
                $"{r.GetValue(LabelColumn)}: {names.Count} classes: " + string.Join(", ", names.Select((n, i) => $"{i} = {n}")));
    }

    /// <summary>The held-out rows; an error naming <c>--test-fraction</c> when there are none.</summary>
    public static ImageDataset RequireTest(LoadedDataset data, string command) =>
        data.Test ?? throw new ArgumentException($"{data.Name} has no held-out rows (--test-fraction 0), which `mlae {command}` needs; give --test-fraction above 0.");

    private static LoadedDataset MinMaxScale(LoadedDataset d)
    {
        var train = d.Train.Images;
        var lo = new float[train.Cols]; var hi = new float[train.Cols];
        Array.Fill(lo, float.PositiveInfinity); Array.Fill(hi, float.NegativeInfinity);
        for (int i = 0; i < train.Rows; i++)
            for (int j = 0; j < train.Cols; j++) { lo[j] = Math.Min(lo[j], train[i, j]); hi[j] = Math.Max(hi[j], train[i, j]); }
        Matrix Apply(Matrix m)
        {
            var s = m.Clone();
            for (int i = 0; i < s.Rows; i++)
                for (int j = 0; j < s.Cols; j++)
                    s[i, j] = hi[j] > lo[j] ? Math.Clamp((s[i, j] - lo[j]) / (hi[j] - lo[j]), 0f, 1f) : 0f;
            return s;
        }
        ImageDataset Scaled(ImageDataset x) => new(Apply(x.Images), x.Labels, x.Width, x.Height, x.Name);
        return new LoadedDataset { Name = d.Name, Train = Scaled(d.Train), Test = d.Test is null ? null : Scaled(d.Test), ClassNames = d.ClassNames };
    }

    /// <summary>Parses a comma-separated list of choices (lower-cased, duplicates dropped); an empty list or an unknown choice is an error naming <paramref name="option"/>.</summary>
    public static IReadOnlyList<string> ParseChoices(string text, IReadOnlyCollection<string> known, string option)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).Distinct().ToList();
        if (list.Count == 0) throw new ArgumentException($"{option} needs at least one value; expected some of {string.Join(", ", known)}.");
        foreach (var m in list)
            if (!known.Contains(m)) throw new ArgumentException($"{option}: unknown '{m}'; expected {string.Join(", ", known)}.");
        return list;
    }

    /// <summary>The names of <paramref name="kinds"/>, comma-separated (the help text of a kind option).</summary>
    public static string KindNames(IEnumerable<AutoencoderKind> kinds) => string.Join(", ", kinds.Select(AutoencoderKinds.Name));

    /// <summary>Parses a kind's name; an unknown name, or a kind not in <paramref name="allowed"/>, is an error naming <paramref name="option"/> and listing the valid names.</summary>
    public static AutoencoderKind ParseKind(string text, string option, IReadOnlyCollection<AutoencoderKind> allowed)
    {
        if (AutoencoderKinds.TryParse(text, out var kind) && allowed.Contains(kind)) return kind;
        throw new ArgumentException($"{option}: unknown '{text.Trim().ToLowerInvariant()}'; expected {KindNames(allowed)}.");
    }

    /// <summary>Parses an option's value with the library's parser; its error is prefixed with the option's name.</summary>
    public static T Parse<T>(string text, string option, Func<string, T> parse)
    {
        try { return parse(text); }
        catch (ArgumentException e) { throw new ArgumentException($"{option}: {e.Message}", e); }
    }

    /// <summary>Parses "256,128" into sizes; empty text gives none.</summary>
    public static int[] ParseSizes(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return Array.Empty<int>();
        try { return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray(); }
        catch (FormatException) { throw new ArgumentException($"{option} expects comma-separated whole numbers such as 256,128; got '{text}'."); }
    }
}
