using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.Anomaly;
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

    /// <summary>The mean distance of the row's code to its k nearest training codes (<see cref="KnnDistance"/>; k = <see cref="AutoencoderAnomalyEstimator.Options.Neighbours"/>).</summary>
    CodeNeighbours,

    /// <summary>The squared Mahalanobis distance of the row's code to the training codes' Gaussian (<see cref="GaussianDensity"/>).</summary>
    CodeGaussian,

    /// <summary>The reconstruction error plus <see cref="CodeNeighbours"/>, each standardised by the training rows' scores.</summary>
    ReconstructionAndCodeNeighbours,

    /// <summary>The reconstruction error plus <see cref="CodeGaussian"/>, each standardised by the training rows' scores.</summary>
    ReconstructionAndCodeGaussian,

    /// <summary>Deep SVDD: a bias-free encoder pretrained as an autoencoder, then trained to pull the training codes to their centre c; score ‖φ(x) − c‖² (<see cref="DeepSvddScorer"/>, settings <see cref="AutoencoderAnomalyEstimator.Options.Svdd"/>).</summary>
    DeepSvdd,

    /// <summary>Restoration of images: the autoencoder (dense, or convolutional when <c>Autoencoder.Conv</c> is set) is trained to undo right-angle rotations and flips of the normal images, and with <see cref="AutoencoderAnomalyEstimator.Options.ErasureSize"/> an erased square; score = the mean restoration error over them (<see cref="RestorationScorer"/>; needs <see cref="AutoencoderAnomalyEstimator.Options.ImageHeight"/> and <see cref="AutoencoderAnomalyEstimator.Options.ImageWidth"/>).</summary>
    Restoration,

    /// <summary>Transformation prediction for images (GeoTrans's idea): a dense softmax classifier, no autoencoder, is trained to tell which right-angle rotation or flip was applied to a normal image; score = the sum over the transformations of −log p(the right one) (<see cref="TransformationPredictionScorer"/>, settings <see cref="AutoencoderAnomalyEstimator.Options.Transformation"/>; needs <see cref="AutoencoderAnomalyEstimator.Options.ImageHeight"/> and <see cref="AutoencoderAnomalyEstimator.Options.ImageWidth"/>, or square images).</summary>
    TransformationPrediction,
}

/// <summary>
/// Anomaly detection with an autoencoder: trains an autoencoder of any kind of the family (or a VAE) on rows that
/// are mostly normal, and scores each row by how badly it is reconstructed, or by how far its code lies from the
/// training rows' codes (<see cref="AnomalyScore"/>). The fitted
/// <see cref="AutoencoderAnomalyTransformer"/> writes ML.NET's anomaly-detection columns, <c>Score</c> (higher = more
/// anomalous) and <c>PredictedLabel</c> (score above the threshold set on the training rows by
/// <see cref="Options.Contamination"/>), so <c>mlContext.AnomalyDetection.Evaluate</c> works on it. Made by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c>.
/// </summary>
public sealed class AutoencoderAnomalyEstimator : IEstimator<AutoencoderAnomalyTransformer>
{
    internal const string StageName = "AnomalyDetection.Trainers.Autoencoder";
    private const string CodeColumn = "AnomalyDetection.Code";

    /// <summary>The trainer's settings (streaming from <see cref="StreamingTrainingOptions"/>; seed, progress and cancellation from <see cref="StageTrainingOptions"/>).</summary>
    public sealed class Options : StreamingTrainingOptions
    {
        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>The autoencoder (every kind of the family: set its terms, or start from <see cref="ForKind"/>); used unless <see cref="Vae"/> is set. Default code size 8.</summary>
        public AutoencoderOptions Autoencoder { get; set; } = new() { CodeSize = AutoencoderDefaults.AnomalyCodeSize };

        /// <summary>If set, a variational autoencoder is trained instead.</summary>
        public VaeOptions? Vae { get; set; }

        /// <summary>The score: the reconstruction error (default), for a VAE its negative ELBO (the default of <c>ForKind(AutoencoderKind.Variational)</c>), or a code-space score alone or added to the reconstruction error.</summary>
        public AnomalyScore Score { get; set; }

        /// <summary>The neighbours k of the code-space neighbour scores; at most the training rows − 1. Default <see cref="AnomalyDefaults.Neighbours"/>.</summary>
        public int Neighbours { get; set; } = AnomalyDefaults.Neighbours;

        /// <summary>
        /// Adapt the network to the training rows before training (default true; <see cref="AnomalyDefaults.AdaptToRows"/>):
        /// widths no wider than the input, a batch no larger than an eighth of the rows, and on small tables more epochs
        /// so that training makes enough optimizer steps. False trains the options exactly as set.
        /// </summary>
        public bool AdaptToRows { get; set; } = true;

        /// <summary>The second phase of <see cref="AnomalyScore.DeepSvdd"/> (the network and its pretraining are <see cref="Autoencoder"/>).</summary>
        public DeepSvddOptions Svdd { get; set; } = new();

        /// <summary>The classifier of <see cref="AnomalyScore.TransformationPrediction"/> (its seed is the trainer's, its threads those of <see cref="Autoencoder"/>).</summary>
        public TransformationPredictionOptions Transformation { get; set; } = new();

        /// <summary>Image height in pixels of the rows, for <see cref="AnomalyScore.Restoration"/> and <see cref="AnomalyScore.TransformationPrediction"/>; 0 (default) = not images (transformation prediction then takes square images of √width pixels a side).</summary>
        public int ImageHeight { get; set; }

        /// <summary>Image width in pixels of the rows, for <see cref="AnomalyScore.Restoration"/> and <see cref="AnomalyScore.TransformationPrediction"/>; 0 (default) = not images (transformation prediction then takes square images of √width pixels a side).</summary>
        public int ImageWidth { get; set; }

        /// <summary>
        /// Side in pixels of the square that <see cref="AnomalyScore.Restoration"/> erases (ARNet's erased attribute): during
        /// training a square of this side is set to 0 at a random place in half of the images, and the score also averages
        /// the restoration error of the image with the square at five fixed places (<see cref="ImageTransforms.ErasurePlaces"/>).
        /// 0 (default) = no erasure; at most the images' smaller side.
        /// </summary>
        public int ErasureSize { get; set; }

        /// <summary>
        /// Scores fitted beside <see cref="Score"/>, each with its own network from the same seed, to form an ensemble over
        /// kinds: a row's score is the mean of every member's score, each standardised by its own training rows' scores
        /// (<see cref="EnsembleScorer"/>). Empty (default) = <see cref="Score"/> alone. With <see cref="EnsembleSize"/> n &gt; 1,
        /// each of the n seeds fits every score.
        /// </summary>
        public IReadOnlyList<AnomalyScore> AdditionalScores { get; set; } = [];

        /// <summary>
        /// Add the k-nearest-neighbour distance in the input space (the mean distance of a row to its
        /// <see cref="Neighbours"/> nearest training rows, no network) as a member of the ensemble; the fitted detector
        /// keeps the training rows. Default false.
        /// </summary>
        public bool InputNeighbours { get; set; }

        /// <summary>
        /// Networks in the ensemble: 1 (default) fits one; n &gt; 1 fits n detectors of the same score from seeds s, s + 1, …,
        /// s + n − 1 and scores a row by the mean of their scores, each standardised by its own training rows' scores
        /// (<see cref="EnsembleScorer"/>). Range 1–<see cref="MaxEnsembleSize"/>.
        /// </summary>
        public int EnsembleSize { get; set; } = 1;

        /// <summary>The largest <see cref="EnsembleSize"/>: 32.</summary>
        public const int MaxEnsembleSize = 32;

        /// <summary>Train the autoencoder greedily layer by layer, then fine-tune (<see cref="AutoencoderDefaults.StackedFineTuneEpochs"/> epochs).</summary>
        public bool Stacked { get; set; }

        /// <summary>The expected share of anomalies among the training rows: the threshold of <c>PredictedLabel</c> is the training scores' (1 − Contamination) quantile. Range [0, 0.5); default 0.01.</summary>
        public double Contamination { get; set; } = 0.01;

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

    internal AutoencoderAnomalyEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.FeatureColumnName)) throw new ArgumentException($"{StageName}: FeatureColumnName must be a column name.", nameof(options));
        options.ValidateStreaming(StageName);
        if (!(options.Contamination >= 0 && options.Contamination < 0.5))
            throw new ArgumentOutOfRangeException(nameof(options.Contamination), options.Contamination, $"{StageName}: Contamination must be in [0, 0.5).");
        ArgumentNullException.ThrowIfNull(options.AdditionalScores);
        CheckScore(options, options.Score, nameof(options.Score), "Score");
        for (int k = 0; k < options.AdditionalScores.Count; k++)
            CheckScore(options, options.AdditionalScores[k], nameof(options.AdditionalScores), $"AdditionalScores[{k}]");
        if (options.Neighbours < 1) throw new ArgumentOutOfRangeException(nameof(options.Neighbours), options.Neighbours, $"{StageName}: Neighbours must be ≥ 1.");
        if (options.EnsembleSize is < 1 or > Options.MaxEnsembleSize)
            throw new ArgumentOutOfRangeException(nameof(options.EnsembleSize), options.EnsembleSize, $"{StageName}: EnsembleSize must be in 1–{Options.MaxEnsembleSize}.");
        if (IsEnsemble(options) && options.Streaming.Mode == TrainingDataMode.Streaming)
            throw new ArgumentOutOfRangeException(nameof(options.EnsembleSize), options.EnsembleSize, $"{StageName}: an ensemble keeps the training rows in memory; it cannot stream them.");
        if (options.ErasureSize < 0) throw new ArgumentOutOfRangeException(nameof(options.ErasureSize), options.ErasureSize, $"{StageName}: ErasureSize must be ≥ 0.");
        if (options.ErasureSize > 0 && !Scores(options).Contains(AnomalyScore.Restoration))
            throw new ArgumentOutOfRangeException(nameof(options.ErasureSize), options.ErasureSize, $"{StageName}: ErasureSize applies to Score = Restoration, which neither Score nor AdditionalScores names.");
        ArgumentNullException.ThrowIfNull(options.Svdd);
        options.Svdd.Validate();
        ArgumentNullException.ThrowIfNull(options.Transformation);
        options.Transformation.Validate();
        if (options.ImageHeight < 0 || options.ImageWidth < 0 || (options.ImageHeight == 0) != (options.ImageWidth == 0))
            throw new ArgumentOutOfRangeException(nameof(options.ImageHeight), options.ImageHeight, $"{StageName}: ImageHeight and ImageWidth must both be ≥ 1 (images) or both 0; got {options.ImageHeight} × {options.ImageWidth}.");
        _environment = environment;
        _options = options;
        // Checks the rest of the options now (the network is built again at Fit, adapted to the rows).
        _ = Featurizer(options.Autoencoder);
    }

    /// <summary>Score and AdditionalScores: every score the detector fits.</summary>
    private static AnomalyScore[] Scores(Options o) => [o.Score, .. o.AdditionalScores];

    /// <summary>An ensemble: several seeds, several scores, or the input neighbours.</summary>
    private static bool IsEnsemble(Options o) => o.EnsembleSize > 1 || o.AdditionalScores.Count > 0 || o.InputNeighbours;

    /// <summary>The checks of one score that need no rows; errors name <paramref name="name"/>.</summary>
    private static void CheckScore(Options options, AnomalyScore score, string parameter, string name)
    {
        if (!Enum.IsDefined(score)) throw new ArgumentOutOfRangeException(parameter, score, $"{StageName}: unknown {name}.");
        if (score == AnomalyScore.NegativeElbo && options.Vae is null)
            throw new ArgumentOutOfRangeException(parameter, score, $"{StageName}: {name} = NegativeElbo needs a VAE (set Options.Vae).");
        if (score is not (AnomalyScore.ReconstructionError or AnomalyScore.NegativeElbo) && options.Streaming.Mode == TrainingDataMode.Streaming)
            throw new ArgumentOutOfRangeException(parameter, score, $"{StageName}: {name} = {score} keeps the training rows in memory; it cannot stream them.");
        if (score is AnomalyScore.DeepSvdd or AnomalyScore.Restoration && options.Vae is not null)
            throw new ArgumentOutOfRangeException(parameter, score, $"{StageName}: {name} = {score} trains a deterministic autoencoder; unset Options.Vae.");
        if (score == AnomalyScore.Restoration && (options.ImageHeight < 1 || options.ImageWidth < 1))
            throw new ArgumentOutOfRangeException(nameof(options.ImageHeight), options.ImageHeight, $"{StageName}: {name} = Restoration needs the images' ImageHeight and ImageWidth (≥ 1); got {options.ImageHeight} × {options.ImageWidth}.");
    }

    /// <summary>The featurizer estimator that trains the network, with <paramref name="autoencoder"/> as its settings.</summary>
    private IEstimator<AutoencoderTransformer> Featurizer(AutoencoderOptions autoencoder)
    {
        var o = _options;
        return o.Vae is { } vae
            ? new VariationalAutoencoderEstimator(_environment, new VariationalAutoencoderEstimator.Options
            {
                InputColumnName = o.FeatureColumnName, OutputColumnName = CodeColumn, Vae = vae,
                Seed = o.Seed, Progress = o.Progress, CancellationToken = o.CancellationToken, Streaming = o.Streaming,
            })
            : new AutoencoderEstimator(_environment, new AutoencoderEstimator.Options
            {
                InputColumnName = o.FeatureColumnName, OutputColumnName = CodeColumn,
                Autoencoder = autoencoder, Stacked = o.Stacked,
                Seed = o.Seed, Progress = o.Progress, CancellationToken = o.CancellationToken, Streaming = o.Streaming,
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
        ArgumentNullException.ThrowIfNull(input);
        var (_, width) = VectorColumn.Check(input.Schema, _options.FeatureColumnName, StageName);
        // Every score that keeps the training rows reads them here; a plain reconstruction or −ELBO score follows
        // Streaming (the same decision the network's stage makes), and its rows are read here only when held in memory
        // anyway: the checks below need them.
        bool keepsRows = _options.Score is not (AnomalyScore.ReconstructionError or AnomalyScore.NegativeElbo) || IsEnsemble(_options);
        var (stream, reason, decidedRows) = keepsRows ? (false, "the score keeps the training rows", null) : _options.Streaming.Decide(input, width);
        var host = new MLNetHost(_environment, StageName);
        host.Info($"{StageName}: {(stream ? "streaming the rows" : "reading the rows into memory")} ({reason}).");
        var rows = stream ? null : VectorColumn.ReadAll(input, _options.FeatureColumnName, StageName, unitRange: false, _options.CancellationToken);
        long count = rows?.Rows ?? decidedRows ?? input.GetRowCount() ?? StreamingOptions.CountRows(input);
        if (rows is not null) CheckTrainingRows(rows);
        if (Scores(_options).Contains(AnomalyScore.TransformationPrediction)) _ = ImageSize(width);
        if (_options.Neighbours >= count && (_options.InputNeighbours || Scores(_options).Any(s => s is AnomalyScore.CodeNeighbours or AnomalyScore.ReconstructionAndCodeNeighbours)))
            throw new ArgumentOutOfRangeException(nameof(Options.Neighbours), _options.Neighbours,
                $"{StageName}: Neighbours = {_options.Neighbours} needs at least {_options.Neighbours + 1} training rows (a row is not its own neighbour); column '{_options.FeatureColumnName}' has {count}.");
        var network = _options.AdaptToRows && _options.Vae is null ? AnomalyDefaults.AdaptToRows(_options.Autoencoder, (int)Math.Min(count, int.MaxValue), width) : _options.Autoencoder;
        if (!ReferenceEquals(network, _options.Autoencoder))
            host.Info(FormattableString.Invariant(
                $"{StageName}: adapted to {count} rows of {width}: hidden {string.Join("-", network.HiddenSizes)}, code {network.CodeSize}, batch {network.BatchSize}, epochs {network.Epochs}"));
        IAutoencoder? model;
        IAnomalyScorer? scorer;
        float[] scores;
        if (IsEnsemble(_options))
        {
            // Members from seeds s, s + 1, …: the given seed, or one drawn from the context; each seed fits every score.
            int first = _options.Seed ?? host.Seed(null);
            var members = Enumerable.Range(0, _options.EnsembleSize).SelectMany(k => Scores(_options).Select(score =>
                FitOne(input, rows!, network, unchecked(first + k), score, ensemble: true).Scorer ?? throw new InvalidOperationException("An ensemble member has no scorer."))).ToList();
            scorer = EnsembleScorer.Create(members, _options.InputNeighbours ? new KnnDistance(rows!, _options.Neighbours, network.Threads) : null);
            (model, scores) = (scorer.Model, [.. scorer.TrainingScores]);
        }
        else (model, scorer, scores) = FitOne(input, rows, network, _options.Seed, _options.Score, ensemble: false);
        float threshold = AutoencoderAnomalyTransformer.Quantile(scores, 1 - _options.Contamination);
        Array.Sort(scores);
        host.Info(FormattableString.Invariant(
            $"{StageName}: threshold {threshold:G6} (training scores: median {scores[scores.Length / 2]:G6}, max {scores[^1]:G6}; contamination {_options.Contamination})"));
        return new AutoencoderAnomalyTransformer(model, width, _options.FeatureColumnName, threshold, _options.Score, scorer);
    }

    /// <summary>
    /// The images' height and width for transformation prediction: the options' when set, else the side of a square of
    /// <paramref name="width"/> pixels; a named error when the rows are neither.
    /// </summary>
    private (int Height, int Width) ImageSize(int width)
    {
        if (_options.ImageHeight > 0) return (_options.ImageHeight, _options.ImageWidth);
        int side = (int)Math.Round(Math.Sqrt(width));
        if (side * side != width)
            throw new ArgumentException($"{StageName}: Score = TransformationPrediction turns images; column '{_options.FeatureColumnName}' has {width} values, not a square image, so set ImageHeight and ImageWidth.");
        return (side, side);
    }

    /// <summary>
    /// Fits one detector of <paramref name="score"/> with <paramref name="seed"/>: its network, its scorer (null for a
    /// plain reconstruction or −ELBO score outside an ensemble, which the transformer computes itself) and the training
    /// rows' scores.
    /// </summary>
    private (IAutoencoder? Model, IAnomalyScorer? Scorer, float[] Scores) FitOne(IDataView input, Numerics.Matrix? rows, AutoencoderOptions network, int? seed,
        AnomalyScore score, bool ensemble)
    {
        var o = _options;
        var host = new MLNetHost(_environment, StageName);
        if (score == AnomalyScore.TransformationPrediction)
        {
            var (height, width) = ImageSize(rows!.Cols);
            var geo = Named(() => TransformationPredictionScorer.Fit(rows, height, width, o.Transformation, host.Seed(seed), o.Autoencoder.Threads,
                host.EpochLog(StageName, o.Progress), o.CancellationToken));
            return (null, geo, [.. geo.TrainingScores]);
        }
        if (score is AnomalyScore.DeepSvdd or AnomalyScore.Restoration)
        {
            var seeded = network.Clone();
            seeded.Seed = host.Seed(seed);
            var progress = host.EpochLog(StageName, o.Progress);
            IAnomalyScorer own = Named<IAnomalyScorer>(() => score == AnomalyScore.DeepSvdd
                ? DeepSvddScorer.Fit(rows!, seeded, o.Svdd, progress, o.CancellationToken)
                : RestorationScorer.Fit(rows!, seeded, o.ImageHeight, o.ImageWidth, o.ErasureSize, progress, o.CancellationToken));
            return (own.Model, own, [.. own.TrainingScores]);
        }
        var member = new AutoencoderAnomalyEstimator(_environment, Clone(o, seed, score));
        var fitted = member.Featurizer(network).Fit(input);
        IAnomalyScorer? scorer = null;
        if (score is AnomalyScore.ReconstructionError or AnomalyScore.NegativeElbo)
        {
            if (rows is not null && ensemble) scorer = ReconstructionScorer.Fit(fitted.Model, rows, score == AnomalyScore.NegativeElbo);
            else
            {
                var detector = new AutoencoderAnomalyTransformer(fitted.Model, fitted.Model.InputSize, o.FeatureColumnName, float.PositiveInfinity, score, null);
                return (fitted.Model, null, detector.Transform(input).GetColumn<float>(AutoencoderAnomalyTransformer.ScoreColumn).ToArray());
            }
        }
        else
        {
            var density = score is AnomalyScore.CodeNeighbours or AnomalyScore.ReconstructionAndCodeNeighbours ? CodeDensity.NearestNeighbours : CodeDensity.Gaussian;
            bool combined = score is AnomalyScore.ReconstructionAndCodeNeighbours or AnomalyScore.ReconstructionAndCodeGaussian;
            scorer = Named(() => CodeAnomalyScorer.Fit(fitted.Model, rows!, density, combined, o.Neighbours, threads: network.Threads));
        }
        return (fitted.Model, scorer, [.. scorer.TrainingScores]);
    }

    /// <summary>Runs a core fit, naming the stage and the column in the message of bad input.</summary>
    private T Named<T>(Func<T> fit)
    {
        try { return fit(); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{StageName}: column '{_options.FeatureColumnName}': {e.Message}", e);
        }
    }

    /// <summary>A copy of <paramref name="o"/> for one member: its own seed and score, a single network.</summary>
    private static Options Clone(Options o, int? seed, AnomalyScore score) => new()
    {
        FeatureColumnName = o.FeatureColumnName, Autoencoder = o.Autoencoder, Vae = o.Vae, Score = score, Neighbours = o.Neighbours,
        AdaptToRows = o.AdaptToRows, Stacked = o.Stacked, Contamination = o.Contamination, Streaming = o.Streaming, Svdd = o.Svdd, Transformation = o.Transformation,
        ImageHeight = o.ImageHeight, ImageWidth = o.ImageWidth, Seed = seed, Progress = o.Progress, CancellationToken = o.CancellationToken,
    };

    /// <summary>A single row, or rows all equal, leave nothing to learn what normal looks like.</summary>
    private void CheckTrainingRows(Numerics.Matrix rows)
    {
        string column = _options.FeatureColumnName;
        if (rows.Rows < 2)
            throw new ArgumentException($"{StageName}: column '{column}' has {rows.Rows} training row; an anomaly detector needs at least 2 normal rows to learn what normal looks like.");
        var first = rows.Row(0);
        for (int i = 1; i < rows.Rows; i++)
            if (!rows.Row(i).SequenceEqual(first)) return;
        throw new ArgumentException($"{StageName}: every column of '{column}' is constant over the {rows.Rows} training rows (all rows are equal), so there is nothing to learn; a row is then normal only if it equals them.");
    }
}

/// <summary>
/// A fitted autoencoder anomaly detector: adds <c>Score</c> (each row's reconstruction error, the mean of (x − x̂)², a
/// VAE's negative ELBO, or a code-space score, <see cref="AnomalyScore"/>; higher = more anomalous) and <c>PredictedLabel</c> (Score &gt; <see cref="Threshold"/>).
/// </summary>
public sealed class AutoencoderAnomalyTransformer : RowMappingTransformer
{
    /// <summary>The score column: <c>Score</c>.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>The prediction column: <c>PredictedLabel</c>.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    private const string RawScore = "Score.Raw";

    internal AutoencoderAnomalyTransformer(IAutoencoder? model, int inputSize, string featureColumnName, float threshold, AnomalyScore score, IAnomalyScorer? scorer)
        : base(AutoencoderAnomalyEstimator.StageName, featureColumnName, inputSize,
            [new OutputColumn(ScoreColumn, 0), new OutputColumn(PredictedLabelColumn, 0, IsBoolean: true)])
    {
        Model = model;
        Threshold = threshold;
        Score = score;
        Scorer = scorer;
    }

    /// <summary>The code-space scorer (training codes or their Gaussian, and the standardisations) for the code scores; null for the other scores and for ensembles.</summary>
    public CodeAnomalyScorer? CodeScorer => Scorer as CodeAnomalyScorer;

    /// <summary>The fitted scorer: code-space, Deep SVDD, restoration or an ensemble; null for a single network's reconstruction error or negative ELBO, which <see cref="Model"/> computes.</summary>
    public IAnomalyScorer? Scorer { get; }

    /// <summary>The same detector with another threshold: rows scoring above <paramref name="threshold"/> are predicted anomalous (as ML.NET's <c>ChangeModelThreshold</c> does for binary classifiers).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN.</exception>
    public AutoencoderAnomalyTransformer WithThreshold(float threshold)
    {
        if (float.IsNaN(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"{StageName}: the threshold must be a number.");
        return new AutoencoderAnomalyTransformer(Model, InputSize, InputColumnName, threshold, Score, Scorer);
    }

    /// <summary>
    /// The threshold that flags about <paramref name="falsePositiveRate"/> of <paramref name="normalRows"/> (validation
    /// rows known to be normal, not the training rows): their scores' (1 − rate) quantile. Pass it to <see cref="WithThreshold"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="falsePositiveRate"/> outside [0, 1).</exception>
    /// <exception cref="ArgumentException">No rows, or the feature column is missing or of the wrong kind.</exception>
    public float ThresholdForFalsePositiveRate(IDataView normalRows, double falsePositiveRate)
    {
        ArgumentNullException.ThrowIfNull(normalRows);
        if (!(falsePositiveRate >= 0 && falsePositiveRate < 1))
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, $"{StageName}: the false-positive rate must be in [0, 1).");
        var scores = Transform(normalRows).GetColumn<float>(ScoreColumn).ToArray();
        if (scores.Length == 0) throw new ArgumentException($"{StageName}: the normal rows are empty; the threshold needs at least one scored row.", nameof(normalRows));
        return Quantile(scores, 1 - falsePositiveRate);
    }

    /// <summary>
    /// Why each row is anomalous: each feature's share of the row's reconstruction error, (x_j − x̂_j)² / D, in the order
    /// of the feature column (they add up to the reconstruction error; for the code-space scores they explain the
    /// reconstruction part). The feature with the largest value contributes most.
    /// </summary>
    /// <exception cref="ArgumentException">The feature column is missing or of the wrong width, or a value is not finite.</exception>
    /// <exception cref="InvalidOperationException">The detector has no autoencoder (transformation prediction alone, or with the input neighbours).</exception>
    public float[][] FeatureContributions(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Model is null)
            throw new InvalidOperationException($"{StageName}: feature contributions split a reconstruction error, and this detector ({Score}) has no autoencoder.");
        VectorColumn.Check(data.Schema, InputColumnName, StageName, InputSize);
        var x = VectorColumn.ReadAll(data, InputColumnName, StageName, unitRange: false);
        var c = Anomaly.FeatureContributions.Of(Model, x);
        return Enumerable.Range(0, c.Rows).Select(i => c.Row(i).ToArray()).ToArray();
    }

    /// <summary>The <paramref name="q"/> quantile of <paramref name="scores"/> by linear interpolation between order statistics (sorts a copy).</summary>
    internal static float Quantile(float[] scores, double q)
    {
        var s = (float[])scores.Clone();
        Array.Sort(s);
        double at = q * (s.Length - 1);
        int lo = (int)Math.Floor(at);
        return lo + 1 < s.Length ? (float)(s[lo] + (at - lo) * (s[lo + 1] - s[lo])) : s[^1];
    }

    /// <summary>How rows are scored.</summary>
    public AnomalyScore Score { get; }

    /// <summary>The trained autoencoder (an ensemble's first that has one); null when no score uses one (transformation prediction, alone or with the input neighbours).</summary>
    public IAutoencoder? Model { get; }

    /// <summary>Rows scoring above this are predicted anomalous.</summary>
    public float Threshold { get; }

    /// <inheritdoc />
    private protected override Numerics.Matrix[] Map(Numerics.Matrix rows)
    {
        var score = Scorer is not null ? new Numerics.Matrix(rows.Rows, 1, Scorer.Score(rows))
            : Score == AnomalyScore.NegativeElbo
            ? new Numerics.Matrix(rows.Rows, 1, ((VaeModel)Model!).NegativeElboAtMean(rows).Select(v => (float)v).ToArray())
            : AutoencoderMetrics.RowErrors(rows, Model!.Reconstruct(rows));
        var predicted = new Numerics.Matrix(rows.Rows, 1);
        for (int i = 0; i < rows.Rows; i++) predicted[i, 0] = score[i, 0] > Threshold ? 1 : 0;
        return [score, predicted];
    }

    /// <inheritdoc />
    internal override Onnx.Proto.ModelProto ToOnnx() => ScorerModel(ScoreColumn, PredictedLabelColumn, Threshold);

    private Onnx.Proto.ModelProto ScorerModel(string scoreName, string? predictedLabelName, float threshold) => Scorer is not null
        ? Onnx.OnnxExport.AnomalyScorer(Scorer, InputColumnName, scoreName, predictedLabelName, threshold)
        : Onnx.OnnxExport.AnomalyScorer(Model!, InputColumnName, scoreName, predictedLabelName, threshold, Score == AnomalyScore.NegativeElbo);

    /// <summary>
    /// In a model zip: the ONNX model computes the score as a one-value vector, and ML.NET's own binary prediction
    /// transformer (weight 1, bias 0, this threshold) turns it into a scalar <c>Score</c> and a Boolean
    /// <c>PredictedLabel</c>, the types ML.NET's anomaly evaluation needs; the raw column is then dropped.
    /// </summary>
    private protected override ITransformer ToNativeStage(MLContext ml)
    {
        var onnx = OnnxStage(ml, Onnx.OnnxExport.SingleRow(ScorerModel(RawScore, null, 0)), [RawScore]);
        var afterOnnx = onnx.GetOutputSchema(EmptyInput(ml).Schema);
        var threshold = NativePredictors.Threshold(ml, afterOnnx, RawScore, Threshold);
        var drop = ml.Transforms.DropColumns(RawScore).Fit(threshold.Transform(onnx.Transform(EmptyInput(ml))));
        return new TransformerChain<ITransformer>(onnx, threshold, drop);
    }
}
