using Microsoft.ML.Runtime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// Trains a variational autoencoder on a vector column and gives an <see cref="AutoencoderTransformer"/> that writes
/// μ(x), the mean of the approximate posterior (deterministic). Made by
/// <c>mlContext.Transforms.EncodeWithVariationalAutoencoder(...)</c>.
/// </summary>
public sealed class VariationalAutoencoderEstimator : AutoencoderEstimatorBase
{
    internal const string StageName = "EncodeWithVariationalAutoencoder";

    /// <summary>Everything the stage can be told: columns, the VAE's settings, seed, progress.</summary>
    public sealed class Options : AutoencoderStageOptions
    {
        /// <summary>
        /// The VAE: hidden layers, latent size, likelihood, β, optimisation (defaults of <see cref="AutoencoderDefaults"/>).
        /// Its <see cref="NetworkOptions.Seed"/> is replaced by the stage's <see cref="StageTrainingOptions.Seed"/>.
        /// </summary>
        public VaeOptions Vae { get; set; } = new();
    }

    private readonly Options _options;

    /// <summary>The settings this estimator was made with (for tests that compare the entry points).</summary>
    internal Options Settings => _options;

    internal VariationalAutoencoderEstimator(IHostEnvironment environment, Options options) : base(environment, StageName, options, () =>
    {
        ArgumentNullException.ThrowIfNull(options.Vae, nameof(options.Vae));
        options.Vae.Validate();
    })
    {
        _options = options;
    }

    private protected override bool NeedsUnitRange => _options.Vae.Likelihood == VaeLikelihood.Bernoulli;

    private protected override IAutoencoder Train(Matrix x, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
        => Trainer(seed).Fit(x, progress, cancellationToken);

    private protected override IAutoencoder Train(IRowStream rows, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken)
        => Trainer(seed).Fit(rows, progress, cancellationToken);

    private VaeTrainer Trainer(int seed)
    {
        var o = _options.Vae.Clone();
        o.Seed = seed;
        return new VaeTrainer(o);
    }
}
