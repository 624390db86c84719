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
    private readonly int _seed;
    private readonly string _stage;

    private protected AutoencoderEstimatorBase(IHostEnvironment environment, string stage, AutoencoderStageOptions options, Action validate)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateColumns(stage);
        options.ValidateStreaming(stage);
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

    /// <summary>
    /// Trains the model on the input column: copied into memory through a cursor, or streamed (a new cursor every epoch,
    /// a bounded shuffle buffer), as <see cref="StreamingTrainingOptions.Streaming"/> decides.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong kind.</exception>
    /// <exception cref="ArgumentException">No rows, a NaN/∞ value, or (cross-entropy or Bernoulli models) a value outside [0, 1]; the message names the row.</exception>
    /// <exception cref="InvalidDataException">Streaming: the view failed to give a row (e.g. a damaged file); the message names the row and carries the view's own.</exception>
    /// <exception cref="IOException">Streaming: the view's file could not be read (e.g. it was deleted); the message names the row and the view's own message the file.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled.</exception>
    public AutoencoderTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (_, width) = VectorColumn.Check(input.Schema, _options.InputColumnName, _stage);
        var (stream, reason, _) = _options.Streaming.Decide(input, width);
        _host.Info($"{_stage}: {(stream ? "streaming the rows" : "training from an in-memory copy")} ({reason}).");
        var progress = _host.EpochLog(_stage, _options.Progress);
        var model = stream
            ? Train(new CursorRowStream(input, _options.InputColumnName, _stage, NeedsUnitRange), _seed, progress, _options.CancellationToken)
            : Train(VectorColumn.ReadAll(input, _options.InputColumnName, _stage, NeedsUnitRange, _options.CancellationToken), _seed, progress, _options.CancellationToken);
        return new AutoencoderTransformer(_stage, model, _options.InputColumnName, _options.OutputColumnName, _options.ReconstructionColumnName, _options.ErrorColumnName);
    }

    /// <summary>True when the loss needs inputs in [0, 1] (cross-entropy, Bernoulli likelihood).</summary>
    private protected abstract bool NeedsUnitRange { get; }

    /// <summary>Trains on the rows with the given seed.</summary>
    private protected abstract IAutoencoder Train(Matrix x, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken);

    /// <summary>Trains on rows streamed pass after pass, with the given seed.</summary>
    private protected abstract IAutoencoder Train(IRowStream rows, int seed, IProgress<EpochReport> progress, CancellationToken cancellationToken);
}
