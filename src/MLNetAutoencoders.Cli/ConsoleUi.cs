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

    /// <summary>Writes one compact JSON object as a line on stdout.</summary>
    public static void WriteJson(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    /// <summary>Runs <paramref name="work"/> under a stderr progress bar with <paramref name="total"/> steps; the work gets a callback to advance it.</summary>
    public static T WithProgress<T>(string title, double total, Func<Action<double, string?>, T> work)
    {
        if (!Interactive) return WithProgressLines(title, total, work);
        T result = default!;
        Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(total, 1));
                result = work((step, description) =>
                {
                    task.Increment(step);
                    if (description != null) task.Description = Markup.Escape(description);
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
        var result = work((step, description) =>
        {
            done += step;
            last = description ?? last;
            int tenth = (int)Math.Floor(10 * Math.Min(done / max, 1));
            if (tenth <= shown) return;
            shown = tenth;
            Console.Error.WriteLine($"{title}: {10 * tenth} %" + (last is null ? "" : $" — {last}"));
        });
        if (shown < 10) Console.Error.WriteLine($"{title}: 100 %");
        return result;
    }

    /// <summary>Epoch progress for a trainer: advances one step per epoch and shows the losses.</summary>
    public static IProgress<EpochReport> EpochProgress(string title, Action<double, string?> advance) =>
        new SyncProgress<EpochReport>(e => advance(1, $"{title} epoch {e.Epoch}/{e.Epochs} loss {e.TrainLoss:F4}" +
            (e.ValidationLoss is double v ? $" val {v:F4}" : "") + $" ({e.Seconds:F2}s)"));

    /// <summary>Prints an error message for the user.</summary>
    public static int Fail(string message)
    {
        Err.MarkupLine("[red]error:[/] " + Markup.Escape(message));
        return 1;
    }
}

