using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// What the autoencoder estimators share: option checks when made, the seed taken from the MLContext, the schema
/// check before training, reading the input column through a cursor, progress to <c>MLContext.Log</c>, and the
/// fitted <see cref="AutoencoderTransformer"/>.
/// </summary>
public abstract class AutoencoderEstimatorBase : IEstimator<AutoencoderTransformer>
{
    private readonly MLNetHost _host;
    private readonly AutoencoderStageOptions _options;
    private readonly ulong _seed;
    private readonly string _stage;

    private protected AutoencoderEstimatorBase(IHostEnvironment environment, string stage, AutoencoderStageOptions options, Action validate)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateColumns(stage);
        validate();
        _stage = stage;
        _host = new MLNetHost(environment, stage);
        _options = options;
        _seed = _host.Seed(options.Seed);
    }

    /// <summary>The schema the fitted stage will produce; fails before any training when the input column is not a known-size vector of Single.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong kind.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        VectorColumn.Check(inputSchema, _options.InputColumnName, _stage);
        var added = new List<SchemaShape.Column> { SchemaShapes.SingleColumn(_options.OutputColumnName, vector: true) };
        if (_options.ReconstructionColumnName != null) added.Add(SchemaShapes.SingleColumn(_options.ReconstructionColumnName, vector: true));
        if (_options.ErrorColumnName != null) added.Add(SchemaShapes.SingleColumn(_options.ErrorColumnName, vector: false));
        return SchemaShapes.Append(inputSchema, added);
    }

    /// <summary>Reads the input column through a cursor and trains the model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong kind.</exception>
    /// <exception cref="ArgumentException">No rows, a NaN/∞ value, or (cross-entropy or Bernoulli models) a value outside [0, 1]; the message names the row.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = VectorColumn.ReadAll(input, _options.InputColumnName, _stage, NeedsUnitRange, _options.CancellationToken);
        var model = Train(x, _seed, _host.EpochLog(_stage, _options.Progress), _options.CancellationToken);
        return new AutoencoderTransformer(_stage, model, _options.InputColumnName, _options.OutputColumnName, _options.ReconstructionColumnName, _options.ErrorColumnName);
    }

    /// <summary>True when the loss needs inputs in [0, 1] (cross-entropy, Bernoulli likelihood).</summary>
    private protected abstract bool NeedsUnitRange { get; }

    /// <summary>Trains on the rows with the given seed.</summary>
    private protected abstract IAutoencoder Train(Matrix x, ulong seed, IProgress<EpochReport> progress, CancellationToken cancellationToken);
}
