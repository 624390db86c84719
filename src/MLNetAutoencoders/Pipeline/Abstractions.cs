using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// A fitted stage (ML.NET's <c>ITransformer</c>): maps a table to a new table with its output column(s) added; the input
/// table and its columns are left untouched.
/// </summary>
public interface ITransformer
{
    /// <summary>
    /// The schema <see cref="Transform"/> would produce for <paramref name="inputSchema"/>. Throws a
    /// <see cref="SchemaMismatchException"/> (before any work) when an input column is missing or of the wrong kind or size.
    /// </summary>
    DataSchema GetOutputSchema(DataSchema inputSchema);

    /// <summary>A new table: <paramref name="input"/>'s columns plus the output column(s).</summary>
    DataTable Transform(DataTable input);

    /// <summary>The stage as a model archive (what <see cref="ModelOperationsCatalog.Save(ITransformer, string)"/> writes).</summary>
    ModelArchive ToArchive();
}

/// <summary>
/// An untrained stage (ML.NET's <c>IEstimator&lt;TTransformer&gt;</c>): learns from a table and returns the fitted
/// <typeparamref name="TTransformer"/>. Chain estimators with <see cref="EstimatorExtensions.Append{TNew}(IEstimator{ITransformer}, IEstimator{TNew})"/>.
/// </summary>
/// <typeparam name="TTransformer">The fitted stage's type.</typeparam>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>The schema the fitted stage will produce; throws a <see cref="SchemaMismatchException"/> before any training.</summary>
    DataSchema GetOutputSchema(DataSchema inputSchema);

    /// <summary>
    /// Trains on <paramref name="input"/>. Epochs of iterative trainers are reported to <paramref name="progress"/>;
    /// <paramref name="cancellationToken"/> stops training with an <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="SchemaMismatchException">A needed column is missing or of the wrong kind or size.</exception>
    /// <exception cref="ArgumentException">The table is empty (0 rows).</exception>
    TTransformer Fit(DataTable input, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Progress of a fit: an epoch of an iterative stage, or (with no epoch) a stage that has finished.</summary>
/// <param name="Stage">A short name of the stage, e.g. <c>autoencoder(Code)</c>.</param>
/// <param name="StageIndex">0-based position of the stage in its chain (0 for a lone estimator).</param>
/// <param name="StageCount">Number of stages in the chain (1 for a lone estimator).</param>
/// <param name="Epoch">The finished epoch, or null when the whole stage has finished.</param>
public sealed record PipelineProgress(string Stage, int StageIndex, int StageCount, EpochReport? Epoch);

/// <summary>Chaining helpers (ML.NET's <c>Append</c>).</summary>
public static class EstimatorExtensions
{
    /// <summary>A chain that fits <paramref name="first"/>, transforms the data with it, then fits <paramref name="next"/> on the result.</summary>
    public static EstimatorChain<TNew> Append<TNew>(this IEstimator<ITransformer> first, IEstimator<TNew> next) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(first);
        return new EstimatorChain<ITransformer>().Append(first).Append(next);
    }

    /// <summary>A fitted chain applying <paramref name="first"/> then <paramref name="next"/>.</summary>
    public static TransformerChain<TNew> Append<TNew>(this ITransformer first, TNew next) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(next);
        return new TransformerChain<TNew>(new[] { first, next });
    }
}

/// <summary>An <see cref="IProgress{T}"/> that forwards each report synchronously on the calling thread.</summary>
internal sealed class Relay<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
