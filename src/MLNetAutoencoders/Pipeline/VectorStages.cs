using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// The common shape of a featurizer estimator: learns from one vector input column and produces a transformer that
/// writes one vector output column (output and input names as in ML.NET: output first, input defaulting to output).
/// </summary>
/// <typeparam name="TTransformer">The fitted stage.</typeparam>
public abstract class VectorEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : ITransformer
{
    /// <summary>Sets the column names; <paramref name="inputColumnName"/> null means the output column (replaced in the output table).</summary>
    protected VectorEstimator(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName ?? outputColumnName;
    }

    /// <summary>The column the fitted stage writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The vector column the stage reads.</summary>
    public string InputColumnName { get; }

    /// <summary>A short name for messages and progress, e.g. <c>PCA</c>.</summary>
    protected abstract string StageName { get; }

    /// <summary>The output vector length for inputs of <paramref name="inputSize"/> values (throws when the options cannot fit such input).</summary>
    protected abstract int OutputSize(int inputSize);

    /// <summary>Fits on the input column's vectors (a non-empty, finite matrix).</summary>
    protected abstract TTransformer FitCore(Matrix input, IProgress<EpochReport>? epochs, CancellationToken cancellationToken);

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var c = inputSchema.RequireVector(InputColumnName, role: $"the input of {StageName}");
        return inputSchema.With(new SchemaColumn(OutputColumnName, ColumnKind.Vector, OutputSize(c.Size)));
    }

    /// <inheritdoc />
    public TTransformer Fit(DataTable input, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        input.ThrowIfEmpty($"fitting {StageName} on column '{InputColumnName}'");
        string name = $"{StageName}({OutputColumnName})";
        var epochs = progress is null ? null : new Relay<EpochReport>(e => progress.Report(new PipelineProgress(name, 0, 1, e)));
        var t = FitCore(input.GetVector(InputColumnName), epochs, cancellationToken);
        progress?.Report(new PipelineProgress(name, 0, 1, null));
        return t;
    }
}

/// <summary>
/// The common shape of a fitted featurizer: reads one vector column of <see cref="InputSize"/> values and adds (or
/// replaces) one vector column of <see cref="OutputSize"/> values.
/// </summary>
public abstract class VectorTransformer : ITransformer
{
    /// <summary>Sets the column names and sizes.</summary>
    protected VectorTransformer(string outputColumnName, string inputColumnName, int inputSize, int outputSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column read.</summary>
    public string InputColumnName { get; }

    /// <summary>Length of the input vectors.</summary>
    public int InputSize { get; }

    /// <summary>Length of the output vectors.</summary>
    public int OutputSize { get; }

    /// <summary>A short name for messages, e.g. <c>PCA</c>.</summary>
    protected abstract string StageName { get; }

    /// <summary>Maps input rows to a new matrix of output rows.</summary>
    protected abstract Matrix Map(Matrix input);

    /// <summary>The stage's own archive content (kind and model); the column names are added by <see cref="ToArchive"/>.</summary>
    protected abstract ModelArchive ToArchiveCore();

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        inputSchema.RequireVector(InputColumnName, InputSize, $"the input of {StageName}");
        return inputSchema.With(new SchemaColumn(OutputColumnName, ColumnKind.Vector, OutputSize));
    }

    /// <inheritdoc />
    public DataTable Transform(DataTable input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        var x = input.GetVector(InputColumnName);
        return input.AddColumn(OutputColumnName, x.Rows == 0 ? new Matrix(0, OutputSize) : Map(x));
    }

    /// <inheritdoc />
    public ModelArchive ToArchive()
    {
        var a = ToArchiveCore();
        a.Set("outputColumn", OutputColumnName);
        a.Set("inputColumn", InputColumnName);
        return a;
    }

    /// <summary>Reads the column names written by <see cref="ToArchive"/>.</summary>
    protected static (string Output, string Input) Columns(ModelArchive archive) =>
        (archive.GetValue<string>("outputColumn"), archive.GetValue<string>("inputColumn"));
}
