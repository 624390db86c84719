using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>One fold of <see cref="ClassificationCatalog.CrossValidate"/>.</summary>
/// <param name="Fold">0-based fold number.</param>
/// <param name="Metrics">Scores on the fold's held-out rows.</param>
/// <param name="Model">The pipeline fitted on the other folds.</param>
/// <param name="ScoredHoldOut">The held-out rows with the model's output columns.</param>
public sealed record CrossValidationResult(int Fold, ClassificationReport Metrics, ITransformer Model, DataTable ScoredHoldOut);

/// <summary>Classification (ML.NET's <c>mlContext.MulticlassClassification</c>): trainers, evaluation, cross-validation.</summary>
public sealed class ClassificationCatalog
{
    private readonly MLAEContext _ctx;

    internal ClassificationCatalog(MLAEContext ctx)
    {
        _ctx = ctx;
        Trainers = new ClassificationTrainers(ctx);
    }

    /// <summary>The classifier trainers.</summary>
    public ClassificationTrainers Trainers { get; }

    /// <summary>
    /// Scores a table that a fitted classifier has transformed: accuracy, macro-F1, log-loss, ROC AUC (two classes) and
    /// the confusion matrix, computed as scikit-learn does.
    /// </summary>
    /// <exception cref="SchemaMismatchException">A column is missing or of the wrong kind.</exception>
    /// <exception cref="ArgumentException">The table is empty.</exception>
    public ClassificationReport Evaluate(DataTable data, string labelColumnName = DataTable.DefaultLabel,
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = data.Schema;
        s.RequireLabel(labelColumnName, "the truth for evaluation");
        s.RequireVector(scoreColumnName, role: "the class probabilities for evaluation");
        s.RequireLabel(predictedLabelColumnName, "the predictions for evaluation");
        data.ThrowIfEmpty("evaluation");
        var probabilities = data.GetVector(scoreColumnName);
        var truth = data.GetLabels(labelColumnName);
        return ClassificationMetrics.Compute(truth, data.GetLabels(predictedLabelColumnName), probabilities, Math.Max(probabilities.Cols, truth.Max() + 1));
    }

    /// <summary>
    /// Stratified k-fold cross-validation of a whole pipeline: the rows are split into <paramref name="numberOfFolds"/>
    /// folds keeping the class proportions (<see cref="StratifiedKFold"/>); for each fold the estimator is fitted on the
    /// other folds only and evaluated on it. Deterministic for a given seed (and deterministic stages).
    /// </summary>
    /// <param name="data">Labelled rows.</param>
    /// <param name="estimator">The pipeline; its output must hold the score and predicted-label columns.</param>
    /// <param name="numberOfFolds">Folds, 2 … rows.</param>
    /// <param name="seed">Seed of the fold assignment (null = the context's seed).</param>
    /// <param name="labelColumnName">The label column (stratification and truth).</param>
    /// <param name="scoreColumnName">The class-probability column the pipeline writes.</param>
    /// <param name="predictedLabelColumnName">The predicted-class column the pipeline writes.</param>
    /// <param name="progress">Receives each stage's progress; <see cref="PipelineProgress.Stage"/> is prefixed with <c>fold i/k</c>.</param>
    /// <param name="cancellationToken">Stops between and inside fits.</param>
    public IReadOnlyList<CrossValidationResult> CrossValidate(DataTable data, IEstimator<ITransformer> estimator, int numberOfFolds = 5,
        ulong? seed = null, string labelColumnName = DataTable.DefaultLabel, string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(estimator);
        var output = estimator.GetOutputSchema(data.Schema);
        output.RequireVector(scoreColumnName, role: "the class probabilities the pipeline must write");
        output.RequireLabel(predictedLabelColumnName, "the predictions the pipeline must write");
        data.ThrowIfEmpty("cross-validation");
        var labels = data.GetLabels(labelColumnName);
        var splits = StratifiedKFold.Split(labels, numberOfFolds, seed ?? _ctx.Seed);
        var results = new CrossValidationResult[splits.Count];
        for (int f = 0; f < splits.Count; f++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string prefix = $"fold {f + 1}/{splits.Count} ";
            var inner = progress is null ? null : new Relay<PipelineProgress>(p => progress.Report(p with { Stage = prefix + p.Stage }));
            var model = estimator.Fit(data.SelectRows(splits[f].Train), inner, cancellationToken);
            var scored = model.Transform(data.SelectRows(splits[f].Test));
            results[f] = new CrossValidationResult(f, Evaluate(scored, labelColumnName, scoreColumnName, predictedLabelColumnName), model, scored);
        }
        return results;
    }
}

/// <summary>Classifier trainers (ML.NET's <c>mlContext.MulticlassClassification.Trainers</c>).</summary>
public sealed class ClassificationTrainers
{
    private readonly MLAEContext _ctx;

    internal ClassificationTrainers(MLAEContext ctx) => _ctx = ctx;

    /// <summary>Multinomial logistic regression (L2, L-BFGS) on the given columns.</summary>
    public LogisticRegressionEstimator LogisticRegression(ClassifierColumns columns, LogisticRegressionOptions options)
        => new(columns, options);

    /// <summary>Multinomial logistic regression with scikit-learn's defaults (C = 1, 100 iterations; threads from the context).</summary>
    public LogisticRegressionEstimator LogisticRegression(string labelColumnName = DataTable.DefaultLabel, string featureColumnName = DataTable.DefaultFeatures,
        double c = 1.0, int maxIterations = 100)
        => new(new ClassifierColumns { Label = labelColumnName, Features = featureColumnName },
            new LogisticRegressionOptions { C = c, MaxIterations = maxIterations, Threads = _ctx.Threads });

    /// <summary>
    /// A classifier starting from a fitted autoencoder's encoder plus a softmax head (probe, fine-tune, or a random-init
    /// baseline: see <see cref="EncoderClassifierOptions"/>); null options = defaults with the context's seed, threads and GEMM.
    /// </summary>
    public EncoderClassifierEstimator EncoderClassifier(Autoencoders.IAutoencoder encoder, ClassifierColumns? columns = null, EncoderClassifierOptions? options = null)
        => new(encoder, columns, options ?? new EncoderClassifierOptions { Seed = _ctx.Seed, Threads = _ctx.Threads, Gemm = _ctx.Gemm });

    /// <summary>An MLP classifier on the given columns.</summary>
    public MlpClassifierEstimator MlpClassifier(ClassifierColumns columns, MlpClassifierOptions options)
        => new(columns, options);

    /// <summary>An MLP classifier with one hidden layer per entry of <paramref name="hiddenSizes"/> (default 64; seed, threads and GEMM from the context).</summary>
    public MlpClassifierEstimator MlpClassifier(string labelColumnName = DataTable.DefaultLabel, string featureColumnName = DataTable.DefaultFeatures,
        int[]? hiddenSizes = null, int epochs = 50, int batchSize = 64, float learningRate = 1e-3f)
        => new(new ClassifierColumns { Label = labelColumnName, Features = featureColumnName }, new MlpClassifierOptions
        {
            HiddenSizes = hiddenSizes ?? new[] { 64 }, Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate,
            Seed = _ctx.Seed, Threads = _ctx.Threads, Gemm = _ctx.Gemm,
        });
}
