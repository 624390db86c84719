using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>Column names of a classifier stage (ML.NET's defaults).</summary>
public sealed record ClassifierColumns
{
    /// <summary>The label column read when training (integer classes or booleans). Default "Label".</summary>
    public string Label { get; init; } = DataTable.DefaultLabel;

    /// <summary>The feature vector column. Default "Features".</summary>
    public string Features { get; init; } = DataTable.DefaultFeatures;

    /// <summary>The class-probability vector column written (one value per class). Default "Score".</summary>
    public string Score { get; init; } = "Score";

    /// <summary>The predicted class column written (the most probable class). Default "PredictedLabel".</summary>
    public string PredictedLabel { get; init; } = "PredictedLabel";

    internal void Validate()
    {
        foreach (var (n, v) in new[] { ("Label", Label), ("Features", Features), ("Score", Score), ("PredictedLabel", PredictedLabel) })
            if (string.IsNullOrWhiteSpace(v)) throw new ArgumentException($"ClassifierColumns.{n} must not be empty.");
        if (Score == PredictedLabel) throw new ArgumentException($"The score and predicted-label columns must differ; both are '{Score}'.");
    }
}

/// <summary>
/// The common shape of a classifier trainer: reads a feature vector column and a label column; the fitted stage adds
/// a class-probability column and a predicted-class column.
/// </summary>
/// <typeparam name="TTransformer">The fitted classifier stage.</typeparam>
public abstract class ClassifierEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : ClassifierTransformer
{
    /// <summary>Sets the column names (null = the defaults).</summary>
    protected ClassifierEstimator(ClassifierColumns? columns)
    {
        Columns = columns ?? new ClassifierColumns();
        Columns.Validate();
    }

    /// <summary>The columns read and written.</summary>
    public ClassifierColumns Columns { get; }

    /// <summary>A short name for messages, e.g. <c>LogisticRegression</c>.</summary>
    protected abstract string StageName { get; }

    /// <summary>Trains on the features and class indices (classCount = K, at least 2).</summary>
    protected abstract TTransformer FitCore(Matrix features, int[] labels, int classCount, IProgress<EpochReport>? epochs, CancellationToken cancellationToken);

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        inputSchema.RequireVector(Columns.Features, role: $"the features of {StageName}");
        var label = inputSchema.RequireLabel(Columns.Label, $"the label of {StageName}");
        int k = label.Kind == ColumnKind.Boolean ? 2 : 0;
        return ClassifierTransformer.OutputSchema(inputSchema, Columns, k);
    }

    /// <inheritdoc />
    public TTransformer Fit(DataTable input, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = input.Schema;
        GetOutputSchema(schema);
        input.ThrowIfEmpty($"training {StageName} on column '{Columns.Features}'");
        var labels = input.GetLabels(Columns.Label);
        int k = Math.Max(schema[Columns.Label].Kind == ColumnKind.Boolean ? 2 : 0, labels.Max() + 1);
        if (k < 2)
            throw new ArgumentException($"Label column '{Columns.Label}' holds only class 0; a classifier needs at least two classes.");
        string name = $"{StageName}({Columns.Score})";
        var epochs = progress is null ? null : new Relay<EpochReport>(e => progress.Report(new PipelineProgress(name, 0, 1, e)));
        var t = FitCore(input.GetVector(Columns.Features), labels, k, epochs, cancellationToken);
        progress?.Report(new PipelineProgress(name, 0, 1, null));
        return t;
    }
}

/// <summary>
/// A fitted classifier stage: adds the class probabilities (<see cref="ClassifierColumns.Score"/>, a vector of
/// <see cref="ClassCount"/> values) and the most probable class (<see cref="ClassifierColumns.PredictedLabel"/>).
/// </summary>
public abstract class ClassifierTransformer : ITransformer
{
    /// <summary>Sets the columns and sizes.</summary>
    protected ClassifierTransformer(ClassifierColumns columns, int featureCount, int classCount)
    {
        ArgumentNullException.ThrowIfNull(columns);
        columns.Validate();
        Columns = columns;
        FeatureCount = featureCount;
        ClassCount = classCount;
    }

    /// <summary>The columns read and written.</summary>
    public ClassifierColumns Columns { get; }

    /// <summary>Length of the feature vectors.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount { get; }

    /// <summary>Class probabilities of the feature rows (N×K, rows summing to 1).</summary>
    public abstract Matrix PredictProbabilities(Matrix features);

    /// <summary>The model's own archive content (kind and parameters); the columns are added by <see cref="ToArchive"/>.</summary>
    protected abstract ModelArchive ToArchiveCore();

    internal static DataSchema OutputSchema(DataSchema input, ClassifierColumns c, int classCount) => input
        .With(new SchemaColumn(c.Score, ColumnKind.Vector, classCount))
        .With(new SchemaColumn(c.PredictedLabel, ColumnKind.Label, 1));

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        inputSchema.RequireVector(Columns.Features, FeatureCount, $"the features of {GetType().Name}");
        return OutputSchema(inputSchema, Columns, ClassCount);
    }

    /// <inheritdoc />
    public DataTable Transform(DataTable input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var x = input.GetVector(Columns.Features);
        var p = x.Rows == 0 ? new Matrix(0, ClassCount) : PredictProbabilities(x);
        var predicted = new int[p.Rows];
        for (int i = 0; i < p.Rows; i++)
        {
            var row = p.Row(i);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            predicted[i] = best;
        }
        return input.AddColumn(Columns.Score, p).AddColumn(Columns.PredictedLabel, predicted);
    }

    /// <inheritdoc />
    public ModelArchive ToArchive()
    {
        var a = ToArchiveCore();
        a.Set("columns", Columns);
        return a;
    }
}

/// <summary>Trains multinomial logistic regression (<see cref="LogisticRegression.Fit"/>, L-BFGS with an L2 penalty).</summary>
public sealed class LogisticRegressionEstimator : ClassifierEstimator<LogisticRegressionTransformer>
{
    /// <summary>Creates the trainer; the options are validated now.</summary>
    public LogisticRegressionEstimator(ClassifierColumns? columns = null, LogisticRegressionOptions? options = null) : base(columns)
    {
        Options = options ?? new LogisticRegressionOptions();
        Options.Validate();
    }

    /// <summary>The optimiser settings.</summary>
    public LogisticRegressionOptions Options { get; }

    /// <inheritdoc />
    protected override string StageName => "LogisticRegression";

    /// <inheritdoc />
    protected override LogisticRegressionTransformer FitCore(Matrix features, int[] labels, int classCount, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
        => new(LogisticRegression.Fit(features, labels, Options, classCount), Columns);
}

/// <summary>A fitted logistic regression stage.</summary>
public sealed class LogisticRegressionTransformer : ClassifierTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "logistic-regression";

    /// <summary>Wraps a fitted model.</summary>
    public LogisticRegressionTransformer(LogisticRegression model, ClassifierColumns? columns = null)
        : base(columns ?? new ClassifierColumns(), (model ?? throw new ArgumentNullException(nameof(model))).FeatureCount, model.ClassCount)
    {
        Model = model;
    }

    /// <summary>The fitted model (coefficients, intercepts, training summary).</summary>
    public LogisticRegression Model { get; }

    /// <inheritdoc />
    public override Matrix PredictProbabilities(Matrix features) => Model.PredictProbabilities(features);

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var a = new ModelArchive(Kind);
        a.Add("coefficients", Model.Coefficients.Clone());
        a.Add("intercepts", new Matrix(1, Model.Intercepts.Length, (float[])Model.Intercepts.Clone()));
        if (Model.Training is { } t) a.Set("training", t);
        return a;
    }

    internal static LogisticRegressionTransformer FromArchive(ModelArchive a) =>
        new(new LogisticRegression(a.Get("coefficients"), a.Get("intercepts").Span.ToArray()), a.GetValue<ClassifierColumns>("columns"));
}

/// <summary>Trains an <see cref="MlpClassifier"/> (dense ReLU layers, softmax cross-entropy, Adam).</summary>
public sealed class MlpClassifierEstimator : ClassifierEstimator<MlpClassifierTransformer>
{
    /// <summary>Creates the trainer; the options are validated and copied now.</summary>
    public MlpClassifierEstimator(ClassifierColumns? columns = null, MlpClassifierOptions? options = null) : base(columns)
    {
        Options = (options ?? new MlpClassifierOptions()).Clone();
        Options.Validate();
    }

    /// <summary>The training settings.</summary>
    public MlpClassifierOptions Options { get; }

    /// <inheritdoc />
    protected override string StageName => "MlpClassifier";

    /// <inheritdoc />
    protected override MlpClassifierTransformer FitCore(Matrix features, int[] labels, int classCount, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
        => new(MlpClassifier.Fit(features, labels, Options, classCount, epochs, cancellationToken), Columns);
}

/// <summary>A fitted MLP classifier stage.</summary>
public sealed class MlpClassifierTransformer : ClassifierTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "mlp-classifier-stage";

    /// <summary>Wraps a trained model.</summary>
    public MlpClassifierTransformer(MlpClassifier model, ClassifierColumns? columns = null)
        : base(columns ?? new ClassifierColumns(), (model ?? throw new ArgumentNullException(nameof(model))).FeatureCount, model.ClassCount)
    {
        Model = model;
    }

    /// <summary>The trained model.</summary>
    public MlpClassifier Model { get; }

    /// <inheritdoc />
    public override Matrix PredictProbabilities(Matrix features) => Model.PredictProbabilities(features);

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var a = new ModelArchive(Kind);
        ArchiveNesting.Put(a, "model", Model.ToArchive());
        return a;
    }

    internal static MlpClassifierTransformer FromArchive(ModelArchive a) =>
        new(MlpClassifier.FromArchive(ArchiveNesting.Take(a, "model")), a.GetValue<ClassifierColumns>("columns"));
}
