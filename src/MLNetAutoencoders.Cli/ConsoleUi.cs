using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Nn;
using Spectre.Console;

namespace MLNetAutoencoders.Cli;

/// <summary>Shared console plumbing: progress bars and messages on stderr, tables and the JSON line on stdout.</summary>
internal static class ConsoleUi
{
    /// <summary>
    /// True when stderr is a terminal and NO_COLOR is not set: then progress is a live bar with colours; otherwise (a
    /// log file, a pipe) plain lines without escape codes.
    /// </summary>
    public static bool Interactive { get; } = !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>A console writing to stderr (progress, notes), so stdout stays clean for tables and JSON.</summary>
    public static IAnsiConsole Err { get; } = CreateErr();

    private static IAnsiConsole CreateErr()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!Interactive) console.Profile.Width = 4096; // a log gets whole lines, not lines wrapped at 80 columns
        return console;
    }

    /// <summary>Writes one compact JSON object as a line on stdout (numbers made finite by <see cref="Finite"/>).</summary>
    public static void WriteJson(JsonNode node) => Console.Out.WriteLine(ToJson(node, indented: false));

    /// <summary>The results as JSON text, every number finite or null (see <see cref="Finite"/>).</summary>
    public static string ToJson(JsonNode node, bool indented) => Finite(node).ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    /// <summary>
    /// A copy of <paramref name="node"/> in which every infinite or NaN number is null, and an object at the top gains
    /// <c>"nonFinite"</c>: each replaced value's path and what it was (<c>"Infinity"</c>, <c>"-Infinity"</c>, <c>"NaN"</c>).
    /// JSON has no such numbers (writing them throws), yet a measurement can be one: the prior KL of codes with a dead unit is +∞.
    /// </summary>
    internal static JsonNode Finite(JsonNode node)
    {
        var copy = node.DeepClone();
        var replaced = new JsonObject();
        Replace(copy, "", replaced);
        if (replaced.Count > 0 && copy is JsonObject top) top["nonFinite"] = replaced;
        return copy;
    }

    private static void Replace(JsonNode? node, string path, JsonObject replaced)
    {
        if (node is JsonObject o)
            foreach (var (key, value) in o.ToList())
            {
                string at = path.Length == 0 ? key : $"{path}.{key}";
                if (value is JsonValue v && NonFinite(v) is double d) { o[key] = null; replaced[at] = Name(d); }
                else Replace(value, at, replaced);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                if (a[i] is JsonValue v && NonFinite(v) is double d) { a[i] = null; replaced[$"{path}[{i}]"] = Name(d); }
                else Replace(a[i], $"{path}[{i}]", replaced);
            }
    }

    private static string Name(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";

    private static double? NonFinite(JsonValue v) =>
        v.TryGetValue<double>(out var d) ? (double.IsFinite(d) ? null : d)
        : v.TryGetValue<float>(out var f) && !float.IsFinite(f) ? f : null;

    /// <summary>Runs <paramref name="work"/> under a stderr progress bar with <paramref name="total"/> steps; the work gets a callback to advance it.</summary>
    public static T WithProgress<T>(string title, double total, Func<Action<double, string?>, T> work)
    {
        if (!Interactive) return WithProgressLines(title, total, work);
        T result = default!;
        var gate = new object();
        Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1));
                result = work((step, description) =>
                {
                    lock (gate) // parallel jobs share the one bar; it only rises
                    {
                        if (step > 0) task.Increment(Math.Min(step, task.MaxValue - task.Value));
                        if (description != null) task.Description = Markup.Escape(description);
                    }
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Progress as plain lines on stderr, for logs: one line whenever another tenth of the work is done.</summary>
    private static T WithProgressLines<T>(string title, double total, Func<Action<double, string?>, T> work)
    {
        double done = 0, max = Math.Max(total, 1);
        int shown = -1;
        string? last = null;
        var gate = new object();
        var result = work((step, description) =>
        {
            lock (gate) // parallel jobs report here at once: one count, lines only for a higher tenth
            {
                if (step > 0) done += step;
                last = description ?? last;
                int tenth = (int)Math.Floor(10 * Math.Min(done / max, 1));
                if (tenth <= shown) return;
                shown = tenth;
                Console.Error.WriteLine($"{title}: {10 * tenth} %" + (last is null ? "" : $" — {last}"));
            }
        });
        if (shown < 10) Console.Error.WriteLine($"{title}: 100 %");
        return result;
    }

    /// <summary>Epoch progress for a trainer: advances one step per epoch and shows the losses.</summary>
    public static IProgress<EpochReport> EpochProgress(string title, Action<double, string?> advance) =>
        new SyncProgress<EpochReport>(e => advance(1, $"{title} epoch {e.Epoch}/{e.Epochs} loss {e.TrainLoss:F4}" +
            (e.ValidationLoss is double v ? $" val {v:F4}" : "") + $" ({e.Seconds:F2}s)"));

    /// <summary>Prints an error message for the user (see <see cref="Clean"/>).</summary>
    public static int Fail(string message)
    {
        Err.MarkupLine("[red]error:[/] " + Markup.Escape(Clean(message)));
        return 1;
    }

    /// <summary>
    /// The library's option names as the command line spells them: an options class says "LearningRate must be
    /// positive", the user typed <c>--lr</c>.
    /// </summary>
    private static readonly (string Property, string Option)[] OptionNames =
    [
        ("LearningRate", "--lr"), ("PretrainLearningRate", "--pretrain-lr"), ("EncoderLearningRate", "--encoder-lr"),
        ("PretrainEpochs", "--pretrain-epochs"), ("StackedFineTuneEpochs", "--finetune-epochs"), ("FineTuneEpochs", "--finetune-epochs"),
        ("Epochs", "--epochs"), ("PretrainBatchSize", "--batch"), ("BatchSize", "--batch"), ("CodeSize", "--code"), ("LatentSize", "--code"),
        ("HiddenSizes", "--hidden"), ("Threads", "--threads"), ("DropoutRate", "--dropout"), ("ValidationFraction", "--validation-fraction"),
        ("EarlyStoppingPatience", "--patience"), ("Patience", "--patience"), ("Likelihood", "--likelihood"), ("GaussianSigma", "--gaussian-sigma"),
        ("CorruptionLevel", "--noise"), ("Corruption", "--noise"), ("L1Activity", "--l1"), ("WeightDecay", "--l2"),
        ("ContractiveWeight", "--contractive"), ("ContractiveProbes", "--contractive-probes"), ("KlSparsityTarget", "--kl"),
        ("KlSparsityWeight", "--kl"), ("Seeds", "--seeds"), ("LabelCounts", "--labels"), ("Components", "--components"),
        ("testFraction", "--test-fraction"), ("Contamination", "--contamination"),
        ("TeacherDecay", "--teacher-decay"), ("StrongRotation", "--strong-rotation"), ("StrongContrast", "--strong-contrast"),
    ];

    /// <summary>
    /// Makes an exception message fit for a person at a command line: option names as typed (<c>--lr</c>, not
    /// <c>LearningRate</c>), no .NET tails ("(Parameter '…')", "Actual value was …" becomes "(got …)", CLR type names
    /// become words), and for values outside [0, 1] the options that fix them.
    /// </summary>
    internal static string Clean(string message)
    {
        var actual = Regex.Match(message, @"\s*Actual value was (.*?)\.?\s*$", RegexOptions.Singleline);
        if (actual.Success) message = message[..actual.Index];
        message = Regex.Replace(message, @"\s*\(Parameter '[^']*'\)", "").TrimEnd();
        message = Regex.Replace(message, @"\s*\(see https?://[^)]*\)|\s*https?://\S+", "").TrimEnd();
        if (actual.Success && !message.Contains(actual.Groups[1].Value, StringComparison.Ordinal))
            message = message.TrimEnd('.') + $" (got {actual.Groups[1].Value}).";
        message = Regex.Replace(message, @"System\.Nullable`1\[System\.(\w+)\]|System\.(\w+)", m => TypeWord(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value));
        foreach (var (property, option) in OptionNames)
            message = Regex.Replace(message, $@"(?<![\w-]){property}\b", option);
        if (message.Contains("outside [0, 1]", StringComparison.Ordinal))
            message += " On the command line: --scale scales every column to [0, 1] (fitted on the training rows), --loss mse"
                + " trains on any range, and if that column is the class label, name it with --label-column.";
        return message;
    }

    private static string TypeWord(string clrName) => clrName switch
    {
        "Single" or "Double" or "Decimal" => "a number",
        "Int32" or "Int64" or "Int16" => "a whole number",
        "UInt64" or "UInt32" => "a whole number ≥ 0",
        "Boolean" => "true or false",
        "String" => "text",
        _ => clrName,
    };

    /// <summary>
    /// A command-line parse error as one line and a hint (not the whole help): the most specific error first (a value
    /// that does not parse, an unknown option), else the first.
    /// </summary>
    internal static int ParseFailed(System.CommandLine.ParseResult parse)
    {
        var errors = parse.Errors.Select(e => e.Message).ToList();
        string message = errors.FirstOrDefault(e => e.StartsWith("Cannot parse", StringComparison.Ordinal))
            ?? errors.FirstOrDefault(e => e.StartsWith("Unrecognized", StringComparison.Ordinal))
            ?? errors[0];
        var parsed = Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.$");
        if (parsed.Success) message = $"{parsed.Groups[2].Value}: '{parsed.Groups[1].Value}' is not {TypeWord(Regex.Match(parsed.Groups[3].Value, @"(\w+)\]?$").Groups[1].Value)}.";
        var unknown = Regex.Match(message, @"^Unrecognized command or argument '(.*)'\.$");
        if (unknown.Success) message = $"unknown option or argument '{unknown.Groups[1].Value}'.";
        string command = string.Join(' ', parse.CommandResult.Command.Name == "mlae" || parse.CommandResult.Parent is null
            ? ["mlae"] : new[] { "mlae", parse.CommandResult.Command.Name });
        Err.MarkupLine("[red]error:[/] " + Markup.Escape(Clean(message.Split('\n')[0].Trim())));
        Err.MarkupLine(Markup.Escape($"Run '{command} --help' to see the options."));
        return 2;
    }
}

