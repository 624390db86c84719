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
        /// The options of a named kind of the family (<see cref="AutoencoderKinds"/>: ae, sparse-l1, sparse-kl,
        /// contractive, denoising, dropout, tied, stacked) with its preset strength, the same table the <c>mlae</c>
        /// command line uses.
        /// </summary>
        /// <exception cref="ArgumentException">An unknown kind.</exception>
        public static Options ForKind(string kind)
        {
            var o = new Options { Stacked = kind == AutoencoderKinds.Stacked };
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

    private protected override IAutoencoder Train(Matrix x, ulong seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
    {
        var o = Seeded(seed);
        if (o.Modules is { } modules) return modules.Fit(o, x, progress, cancellationToken);
        return _options.Stacked ? Stacked(seed).Fit(x, progress, cancellationToken) : new AutoencoderTrainer(o).Fit(x, progress, cancellationToken);
    }

    private protected override IAutoencoder Train(IRowStream rows, ulong seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
    {
        if (_options.Autoencoder.Modules is not null)
            throw new NotSupportedException($"{StageName}: the user's own modules (Autoencoder.Modules) train on rows held in memory; set Streaming.Mode = TrainingDataMode.InMemory.");
        return _options.Stacked ? Stacked(seed).Fit(rows, progress, cancellationToken) : new AutoencoderTrainer(Seeded(seed)).Fit(rows, progress, cancellationToken);
    }

    private AutoencoderOptions Seeded(ulong seed)
    {
        var o = _options.Autoencoder.Clone();
        o.Seed = seed;
        return o;
    }

    private StackedAutoencoderTrainer Stacked(ulong seed) => new(new StackedAutoencoderOptions { Autoencoder = Seeded(seed), FineTuneEpochs = _options.FineTuneEpochs });
}
