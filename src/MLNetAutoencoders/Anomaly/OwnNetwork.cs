using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>The checks and the untrained networks of a scorer that trains a network of its own (Deep SVDD, restoration).</summary>
internal static class OwnNetwork
{
    /// <summary>
    /// Validates a copy of <paramref name="network"/> and the rows, then builds its networks from its seed; errors start with <paramref name="scorer"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two rows, values that are not finite (or outside [0, 1] for the cross-entropy loss), or options naming modules of the user's own or another engine.</exception>
    public static (AutoencoderOptions Options, Rng Rng, Network Encoder, Network Decoder) Build(Matrix trainingRows, AutoencoderOptions network, string scorer)
    {
        ArgumentNullException.ThrowIfNull(trainingRows);
        ArgumentNullException.ThrowIfNull(network);
        var o = network.Clone();
        o.Validate();
        if (o.Modules is not null || o.Engine != TrainingEngine.Managed)
            throw new ArgumentException($"{scorer} trains the library's own networks with the managed engine; the options name modules of the user's own or another engine.", nameof(network));
        if (trainingRows.Rows < 2) throw new ArgumentException($"{scorer} needs at least 2 training rows; got {trainingRows.Rows}.", nameof(trainingRows));
        AutoencoderTrainer.ValidateData(trainingRows, o.Loss);
        var rng = new Rng(o.Seed);
        var (encoder, decoder) = AutoencoderTrainer.Build(o, trainingRows.Cols, rng);
        return (o, rng, encoder, decoder);
    }
}
