using System.Collections;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// Estimators run in sequence (ML.NET's <c>EstimatorChain</c>): <see cref="Fit"/> checks the whole chain's schema
/// first, then fits each estimator on the output of the stages fitted before it.
/// </summary>
/// <typeparam name="TLast">The type of the last stage's transformer.</typeparam>
public sealed class EstimatorChain<TLast> : IEstimator<TransformerChain<TLast>> where TLast : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;

    /// <summary>An empty chain; <see cref="Append{TNew}"/> estimators to it.</summary>
    public EstimatorChain() => _estimators = Array.Empty<IEstimator<ITransformer>>();

    private EstimatorChain(IEstimator<ITransformer>[] estimators) => _estimators = estimators;

    /// <summary>The estimators, in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A new chain with <paramref name="estimator"/> appended (this chain is unchanged).</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNew>(_estimators.Append(estimator).ToArray());
    }

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var e in _estimators) s = e.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc />
    public TransformerChain<TLast> Fit(DataTable input, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_estimators.Length == 0) throw new InvalidOperationException("The estimator chain is empty; Append estimators before fitting.");
        GetOutputSchema(input.Schema); // fail before training anything
        var fitted = new ITransformer[_estimators.Length];
        var data = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int index = i;
            var inner = progress is null ? null : new Relay<PipelineProgress>(p => progress.Report(p with { StageIndex = index, StageCount = _estimators.Length }));
            fitted[i] = _estimators[i].Fit(data, inner, cancellationToken);
            if (i + 1 < _estimators.Length) data = fitted[i].Transform(data);
        }
        return new TransformerChain<TLast>(fitted);
    }
}

/// <summary>
/// Fitted stages applied in sequence (ML.NET's <c>TransformerChain</c>); itself a transformer, so it can be saved,
/// loaded and nested.
/// </summary>
/// <typeparam name="TLast">The type of the last stage.</typeparam>
public sealed class TransformerChain<TLast> : ITransformer, IReadOnlyList<ITransformer> where TLast : class, ITransformer
{
    /// <summary>Model kind of a chain inside a model file.</summary>
    public const string Kind = "chain";

    private readonly ITransformer[] _stages;

    /// <summary>Creates a chain; the last stage must be a <typeparamref name="TLast"/>.</summary>
    public TransformerChain(IEnumerable<ITransformer> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        _stages = stages.ToArray();
        if (_stages.Length == 0) throw new ArgumentException("A transformer chain needs at least one stage.", nameof(stages));
        if (_stages.Any(s => s is null)) throw new ArgumentException("A transformer chain cannot hold a null stage.", nameof(stages));
        if (_stages[^1] is not TLast)
            throw new ArgumentException($"The last stage is a {_stages[^1].GetType().Name}, not a {typeof(TLast).Name}.", nameof(stages));
    }

    /// <summary>The last stage (e.g. the classifier, to read its parameters).</summary>
    public TLast LastTransformer => (TLast)_stages[^1];

    /// <summary>Number of stages.</summary>
    public int Count => _stages.Length;

    /// <summary>The stage at <paramref name="index"/>.</summary>
    public ITransformer this[int index] => _stages[index];

    /// <inheritdoc />
    public DataSchema GetOutputSchema(DataSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var s = inputSchema;
        foreach (var t in _stages) s = t.GetOutputSchema(s);
        return s;
    }

    /// <inheritdoc />
    public DataTable Transform(DataTable input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema);
        foreach (var t in _stages) input = t.Transform(input);
        return input;
    }

    /// <inheritdoc />
    public ModelArchive ToArchive()
    {
        var a = new ModelArchive(Kind);
        a.Set("count", _stages.Length);
        for (int i = 0; i < _stages.Length; i++) ArchiveNesting.Put(a, i.ToString(System.Globalization.CultureInfo.InvariantCulture), _stages[i].ToArchive());
        return a;
    }

    internal static TransformerChain<ITransformer> FromArchive(ModelArchive a, Func<ModelArchive, ITransformer> load)
    {
        int n = a.GetValue<int>("count");
        if (n < 1) throw new InvalidDataException($"the chain declares {n} stages");
        var stages = new ITransformer[n];
        for (int i = 0; i < n; i++) stages[i] = load(ArchiveNesting.Take(a, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new TransformerChain<ITransformer>(stages);
    }

    /// <inheritdoc />
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_stages).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
