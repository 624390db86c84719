using Microsoft.ML.Runtime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// Trains a deterministic autoencoder of any kind of the family on a vector column and gives an
/// <see cref="AutoencoderTransformer"/> that writes the codes. Made by
/// <c>mlContext.Transforms.EncodeWithAutoencoder(...)</c>.
/// </summary>
public sealed class AutoencoderEstimator : AutoencoderEstimatorBase
{
    internal const string StageName = "EncodeWithAutoencoder";

    /// <summary>Everything the stage can be told: columns, the family's settings (or the user's own modules, <see cref="AutoencoderOptions.Modules"/>), greedy stacking, seed, progress.</summary>
    public sealed class Options : AutoencoderStageOptions
    {
        /// <summary>
        /// The network, loss, optimiser and the family's terms (sparsity, contraction, corruption, dropout, tying), with
        /// the defaults of <see cref="AutoencoderDefaults"/>. Its <see cref="NetworkOptions.Seed"/> is replaced by the
        /// stage's <see cref="StageTrainingOptions.Seed"/>.
        /// </summary>
        public AutoencoderOptions Autoencoder { get; set; } = new();

        /// <summary>Train greedily layer by layer (a stacked autoencoder), then fine-tune end to end for <see cref="FineTuneEpochs"/>.</summary>
        public bool Stacked { get; set; }

        /// <summary>With <see cref="Stacked"/>: epochs of end-to-end fine-tuning after the greedy phase. Default <see cref="AutoencoderDefaults.StackedFineTuneEpochs"/>.</summary>
        public int FineTuneEpochs { get; set; } = AutoencoderDefaults.StackedFineTuneEpochs;

        /// <summary>
        /// The options of a kind of the family with its preset strength (<see cref="AutoencoderKinds.Apply"/>, the same
        /// registry the <c>mlae</c> command line uses); <see cref="AutoencoderKind.Stacked"/> also sets <see cref="Stacked"/>.
        /// </summary>
        /// <exception cref="ArgumentException"><see cref="AutoencoderKind.Variational"/> (use <see cref="VariationalAutoencoderEstimator"/>) or a value that is not a kind.</exception>
        public static Options ForKind(AutoencoderKind kind)
        {
            if (kind == AutoencoderKind.Variational)
                throw new ArgumentException($"{StageName}: the vae kind is trained by EncodeWithVariationalAutoencoder (VariationalAutoencoderEstimator).", nameof(kind));
            var o = new Options { Stacked = kind == AutoencoderKind.Stacked };
            AutoencoderKinds.Apply(kind, o.Autoencoder);
            return o;
        }
    }

    private readonly Options _options;

    /// <summary>The settings this estimator was made with (for tests that compare the entry points).</summary>
    internal Options Settings => _options;

    internal AutoencoderEstimator(IHostEnvironment environment, Options options) : base(environment, StageName, options, () =>
    {
        ArgumentNullException.ThrowIfNull(options.Autoencoder, nameof(options.Autoencoder));
        options.Autoencoder.Validate();
        if (options.Stacked && options.Autoencoder.Modules is not null)
            throw new ArgumentException($"{StageName}: Stacked trains the built-in dense layers greedily; it cannot be combined with Autoencoder.Modules (the user's own modules).", nameof(options.Stacked));
        if (options.FineTuneEpochs is < 0 or > 10000)
            throw new ArgumentOutOfRangeException(nameof(options.FineTuneEpochs), options.FineTuneEpochs, $"{StageName}: FineTuneEpochs must be in 0–10000.");
    })
    {
        _options = options;
    }

    private protected override bool NeedsUnitRange => _options.Autoencoder.Loss == LossKind.CrossEntropy;

    private protected override IAutoencoder Train(Matrix x, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
    {
        var o = Seeded(seed);
        if (o.Modules is { } modules) return modules.Fit(o, x, progress, cancellationToken);
        return AutoencoderKinds.Fit(Kind, o, x, progress, cancellationToken, _options.FineTuneEpochs);
    }

    private protected override IAutoencoder Train(IRowStream rows, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
    {
        if (_options.Autoencoder.Modules is not null)
            throw new NotSupportedException($"{StageName}: the user's own modules (Autoencoder.Modules) train on rows held in memory; set Streaming.Mode = TrainingDataMode.InMemory.");
        return AutoencoderKinds.Fit(Kind, Seeded(seed), rows, progress, cancellationToken, _options.FineTuneEpochs);
    }

    // The trainer depends only on whether the layers are trained greedily; the other kinds' terms are in the options.
    private AutoencoderKind Kind => _options.Stacked ? AutoencoderKind.Stacked : AutoencoderKind.Plain;

    private AutoencoderOptions Seeded(int seed)
    {
        var o = _options.Autoencoder.Clone();
        o.Seed = seed;
        return o;
    }
}
