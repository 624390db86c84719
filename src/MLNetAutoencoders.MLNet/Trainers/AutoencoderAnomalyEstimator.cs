using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.MLNet.Trainers;

/// <summary>How the anomaly detector scores a row.</summary>
public enum AnomalyScore
{
    /// <summary>The reconstruction error: the mean of (x − x̂)² over the row's values (x̂ decoded from the code, μ for a VAE).</summary>
    ReconstructionError,

    /// <summary>A VAE's negative ELBO at z = μ(x), in nats (<see cref="VaeModel.NegativeElboAtMean"/>).</summary>
    NegativeElbo,
}

/// <summary>
/// Anomaly detection by reconstruction error: trains an autoencoder of any kind of the family (or a VAE) on rows that
/// are mostly normal, and scores each row by how badly it is reconstructed. The fitted
/// <see cref="AutoencoderAnomalyTransformer"/> writes ML.NET's anomaly-detection columns, <c>Score</c> (higher = more
/// anomalous) and <c>PredictedLabel</c> (score above the threshold set on the training rows by
/// <see cref="Options.Contamination"/>), so <c>mlContext.AnomalyDetection.Evaluate</c> works on it. Made by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c>.
/// </summary>
public sealed class AutoencoderAnomalyEstimator : IEstimator<AutoencoderAnomalyTransformer>
{
    internal const string StageName = "AnomalyDetection.Trainers.Autoencoder";
    private const string CodeColumn = "AnomalyDetection.Code";

    /// <summary>The trainer's settings (seed, progress and cancellation from <see cref="StageTrainingOptions"/>).</summary>
    public sealed class Options : StageTrainingOptions
    {
        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The autoencoder (every kind of the family: set its terms, or start from <see cref="ForKind"/>); used unless <see cref="Vae"/> is set. Default code size 8.</summary>
        public AutoencoderOptions Autoencoder { get; set; } = new() { CodeSize = AutoencoderDefaults.AnomalyCodeSize };

        /// <summary>If set, a variational autoencoder is trained instead.</summary>
        public VaeOptions? Vae { get; set; }

        /// <summary>The score: the reconstruction error (default), or for a VAE its negative ELBO (the default of <c>ForKind(AutoencoderKind.Variational)</c>).</summary>
        public AnomalyScore Score { get; set; }

        /// <summary>Train the autoencoder greedily layer by layer, then fine-tune (<see cref="AutoencoderDefaults.StackedFineTuneEpochs"/> epochs).</summary>
        public bool Stacked { get; set; }

        /// <summary>The expected share of anomalies among the training rows: the threshold of <c>PredictedLabel</c> is the training scores' (1 − Contamination) quantile. Range [0, 0.5); default 0.01.</summary>
        public double Contamination { get; set; } = 0.01;

        /// <summary>Train from an in-memory copy of the feature column or stream it (default: in memory up to 512 MB). The threshold is then set from one more streamed pass that keeps one score per row.</summary>
        public StreamingOptions Streaming { get; set; } = new();

        /// <summary>The options of a kind of the family (<see cref="AutoencoderKinds.Apply"/>; a VAE scored by its negative ELBO for <see cref="AutoencoderKind.Variational"/>), code size <see cref="AutoencoderDefaults.AnomalyCodeSize"/>.</summary>
        /// <exception cref="ArgumentException">A value that is not a kind.</exception>
        public static Options ForKind(AutoencoderKind kind)
        {
            var o = new Options();
            if (kind == AutoencoderKind.Variational) (o.Vae, o.Score) = (new VaeOptions { LatentSize = AutoencoderDefaults.AnomalyCodeSize }, AnomalyScore.NegativeElbo);
            else { AutoencoderKinds.Apply(kind, o.Autoencoder); o.Stacked = kind == AutoencoderKind.Stacked; }
            return o;
        }
    }

    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    /// <summary>The settings this estimator was made with (for tests that compare the entry points).</summary>
    internal Options Settings => _options;
    private readonly IEstimator<AutoencoderTransformer> _autoencoder;

    internal AutoencoderAnomalyEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.FeatureColumnName)) throw new ArgumentException($"{StageName}: FeatureColumnName must be a column name.", nameof(options));
        if (!(options.Contamination >= 0 && options.Contamination < 0.5))
            throw new ArgumentOutOfRangeException(nameof(options.Contamination), options.Contamination, $"{StageName}: Contamination must be in [0, 0.5).");
        if (!Enum.IsDefined(options.Score)) throw new ArgumentOutOfRangeException(nameof(options.Score), options.Score, $"{StageName}: unknown Score.");
        if (options.Score == AnomalyScore.NegativeElbo && options.Vae is null)
            throw new ArgumentOutOfRangeException(nameof(options.Score), options.Score, $"{StageName}: Score = NegativeElbo needs a VAE (set Options.Vae).");
        _environment = environment;
        _options = options;
        // The network is trained by one of the featurizer estimators, which check the rest of the options.
        _autoencoder = options.Vae is { } vae
            ? new VariationalAutoencoderEstimator(environment, new VariationalAutoencoderEstimator.Options
            {
                InputColumnName = options.FeatureColumnName, OutputColumnName = CodeColumn, Vae = vae,
                Seed = options.Seed, Progress = options.Progress, CancellationToken = options.CancellationToken, Streaming = options.Streaming,
            })
            : new AutoencoderEstimator(environment, new AutoencoderEstimator.Options
            {
                InputColumnName = options.FeatureColumnName, OutputColumnName = CodeColumn,
                Autoencoder = options.Autoencoder, Stacked = options.Stacked,
                Seed = options.Seed, Progress = options.Progress, CancellationToken = options.CancellationToken, Streaming = options.Streaming,
            });
    }

    /// <summary>The schema the fitted detector will produce (<c>Score</c>: Single, <c>PredictedLabel</c>: Boolean); fails before training when the feature column is not a known-size vector of Single.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing or of the wrong kind.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        VectorColumn.Check(inputSchema, _options.FeatureColumnName, StageName);
        return SchemaShapes.Append(inputSchema, [SchemaShapes.SingleColumn(AutoencoderAnomalyTransformer.ScoreColumn, vector: false), SchemaShapes.BooleanColumn(AutoencoderAnomalyTransformer.PredictedLabelColumn)]);
    }

    /// <summary>Trains the autoencoder on the feature column, then sets the threshold on the training rows' scores.</summary>
    /// <exception cref="ArgumentException">No rows, a NaN/∞ value, or (cross-entropy or Bernoulli models) a value outside [0, 1]; the message names the row.</exception>
    public AutoencoderAnomalyTransformer Fit(IDataView input)
    {
        var fitted = _autoencoder.Fit(input);
        var detector = new AutoencoderAnomalyTransformer(fitted.Model, _options.FeatureColumnName, float.PositiveInfinity, _options.Score);
        var scores = detector.Transform(input).GetColumn<float>(AutoencoderAnomalyTransformer.ScoreColumn).ToArray();
        Array.Sort(scores);
        // The (1 − contamination) quantile, by linear interpolation between order statistics; contamination 0: the largest training score.
        double at = (1 - _options.Contamination) * (scores.Length - 1);
        int lo = (int)Math.Floor(at);
        float threshold = lo + 1 < scores.Length ? (float)(scores[lo] + (at - lo) * (scores[lo + 1] - scores[lo])) : scores[^1];
        new MLNetHost(_environment, StageName).Info(FormattableString.Invariant(
            $"{StageName}: threshold {threshold:G6} (training scores: median {scores[scores.Length / 2]:G6}, max {scores[^1]:G6}; contamination {_options.Contamination})"));
        return new AutoencoderAnomalyTransformer(fitted.Model, _options.FeatureColumnName, threshold, _options.Score);
    }
}

/// <summary>
/// A fitted autoencoder anomaly detector: adds <c>Score</c> (each row's reconstruction error, the mean of (x − x̂)², or
/// a VAE's negative ELBO; higher = more anomalous) and <c>PredictedLabel</c> (Score &gt; <see cref="Threshold"/>).
/// </summary>
public sealed class AutoencoderAnomalyTransformer : RowMappingTransformer
{
    /// <summary>The score column: <c>Score</c>.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>The prediction column: <c>PredictedLabel</c>.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    private const string RawScore = "Score.Raw";

    internal AutoencoderAnomalyTransformer(IAutoencoder model, string featureColumnName, float threshold, AnomalyScore score)
        : base(AutoencoderAnomalyEstimator.StageName, featureColumnName, model.InputSize,
            [new OutputColumn(ScoreColumn, 0), new OutputColumn(PredictedLabelColumn, 0, IsBoolean: true)])
    {
        Model = model;
        Threshold = threshold;
        Score = score;
    }

    /// <summary>How rows are scored.</summary>
    public AnomalyScore Score { get; }

    /// <summary>The trained autoencoder.</summary>
    public IAutoencoder Model { get; }

    /// <summary>Rows scoring above this are predicted anomalous.</summary>
    public float Threshold { get; }

    /// <inheritdoc />
    private protected override Numerics.Matrix[] Map(Numerics.Matrix rows)
    {
        var score = Score == AnomalyScore.NegativeElbo
            ? new Numerics.Matrix(rows.Rows, 1, ((VaeModel)Model).NegativeElboAtMean(rows).Select(v => (float)v).ToArray())
            : AutoencoderMetrics.RowErrors(rows, Model.Reconstruct(rows));
        var predicted = new Numerics.Matrix(rows.Rows, 1);
        for (int i = 0; i < rows.Rows; i++) predicted[i, 0] = score[i, 0] > Threshold ? 1 : 0;
        return [score, predicted];
    }

    /// <inheritdoc />
    public override Onnx.Proto.ModelProto ToOnnx()
        => Onnx.OnnxExport.AnomalyScorer(Model, InputColumnName, ScoreColumn, PredictedLabelColumn, Threshold, Score == AnomalyScore.NegativeElbo);

    /// <summary>
    /// In a model zip: the ONNX model computes the score as a one-value vector, and ML.NET's own binary prediction
    /// transformer (weight 1, bias 0, this threshold) turns it into a scalar <c>Score</c> and a Boolean
    /// <c>PredictedLabel</c>, the types ML.NET's anomaly evaluation needs; the raw column is then dropped.
    /// </summary>
    private protected override ITransformer ToNativeStage(MLContext ml)
    {
        var onnx = OnnxStage(ml, Onnx.OnnxExport.SingleRow(Onnx.OnnxExport.AnomalyScorer(Model, InputColumnName, RawScore, null, 0, Score == AnomalyScore.NegativeElbo)), [RawScore]);
        var afterOnnx = onnx.GetOutputSchema(EmptyInput(ml).Schema);
        var threshold = NativePredictors.Threshold(ml, afterOnnx, RawScore, Threshold);
        var drop = ml.Transforms.DropColumns(RawScore).Fit(threshold.Transform(onnx.Transform(EmptyInput(ml))));
        return new TransformerChain<ITransformer>(onnx, threshold, drop);
    }
}
