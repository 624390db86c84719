using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.MLNet.Hosting;

/// <summary>
/// What a stage takes from the <see cref="MLContext"/> it was made in: a seed when the user gives none (drawn from the
/// context's random source, as ML.NET's own components do, so <c>new MLContext(seed: 1)</c> makes runs repeatable), and
/// the channel through which progress reaches <see cref="MLContext.Log"/>.
/// </summary>
internal sealed class MLNetHost
{
    private readonly IHost _host;

    public MLNetHost(IHostEnvironment environment, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _host = environment.Register(name);
        Name = name;
    }

    /// <summary>The component's name in log messages.</summary>
    public string Name { get; }

    /// <summary>The catalog's environment (the MLContext); ML.NET keeps the accessor internal (<see cref="MLNetInternals"/>).</summary>
    public static IHostEnvironment Environment(object catalog) => MLNetInternals.Environment(catalog);

    /// <summary><paramref name="seed"/> itself, or the next number of the context's random source when it is null.</summary>
    public int Seed(int? seed) => seed ?? _host.Rand.Next();

    /// <summary>Sends an informational message to <see cref="MLContext.Log"/>.</summary>
    public void Info(string message)
    {
        using var ch = _host.Start(Name);
        ch.Info(MessageSensitivity.None, message);
    }

    /// <summary>A progress sink that logs each epoch to <see cref="MLContext.Log"/> and passes it on to <paramref name="user"/>.</summary>
    public IProgress<EpochReport> EpochLog(string what, IProgress<EpochReport>? user) => new SyncProgress<EpochReport>(e =>
    {
        Info(FormattableString.Invariant($"{what}: epoch {e.Epoch}/{e.Epochs}, training loss {e.TrainLoss:G6}") +
             (e.ValidationLoss is double v ? FormattableString.Invariant($", validation loss {v:G6}") : "") +
             FormattableString.Invariant($" ({e.Seconds:F2} s)"));
        user?.Report(e);
    });
}
