using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Nn;
using Spectre.Console;

namespace MLNetAutoencoders.Cli;

/// <summary>Shared console plumbing: progress bars and messages on stderr, tables and the JSON line on stdout.</summary>
internal static class ConsoleUi
{
    /// <summary>A console writing to stderr (progress, notes), so stdout stays clean for tables and JSON.</summary>
    public static IAnsiConsole Err { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Writes one compact JSON object as a line on stdout.</summary>
    public static void WriteJson(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));

    /// <summary>Runs <paramref name="work"/> under a stderr progress bar with <paramref name="total"/> steps; the work gets a callback to advance it.</summary>
    public static T WithProgress<T>(string title, double total, Func<Action<double, string?>, T> work)
    {
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

