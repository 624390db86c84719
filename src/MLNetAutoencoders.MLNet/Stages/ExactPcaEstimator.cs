using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// The project's PCA as an ML.NET stage: exact (eigen-decomposition of the scatter matrix in double) or randomised with
/// power iterations, centred, optionally whitened. ML.NET's own <c>ProjectToPrincipalComponents</c> is randomised in
/// float32 without power iterations or whitening; this one matches scikit-learn's components. Made by
/// <c>mlContext.Transforms.ProjectToExactPrincipalComponents(...)</c>.
/// </summary>
public sealed class ExactPcaEstimator : IEstimator<PcaTransformer>
{
    internal const string StageName = "ProjectToExactPrincipalComponents";

    /// <summary>The stage's settings.</summary>
    public sealed class Options
    {
        /// <summary>The projection column written: <c>Vector&lt;Single, Pca.Components&gt;</c>. Default <c>Code</c>.</summary>
        public string OutputColumnName { get; set; } = "Code";

        /// <summary>The column read: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string InputColumnName { get; set; } = "Features";

        /// <summary>
        /// The PCA: components (default <see cref="PcaDefaults.Components"/>), solver, centring, whitening, the
        /// randomised solver's settings and the threads of the matrix products (default here 1: bit-identical results).
        /// Its <see cref="PcaOptions.Seed"/> is replaced by the stage's <see cref="Seed"/>, and its
        /// <see cref="PcaOptions.Gemm"/> by a provider with its <see cref="PcaOptions.Threads"/>.
        /// </summary>
        public PcaOptions Pca { get; set; } = new() { Threads = 1 };

        /// <summary>Seed of the randomised solver; null = drawn from the MLContext's seed.</summary>
        public int? Seed { get; set; }
    }

    private readonly MLNetHost _host;
    private readonly Options _options;

    /// <summary>The settings this estimator was made with (for tests that compare the entry points).</summary>
    internal Options Settings => _options;
    private readonly PcaOptions _pca;

    internal ExactPcaEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.OutputColumnName)) throw new ArgumentException($"{StageName}: OutputColumnName must be a column name.", nameof(options));
        if (string.IsNullOrWhiteSpace(options.InputColumnName)) throw new ArgumentException($"{StageName}: InputColumnName must be a column name.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.Pca, nameof(options.Pca));
        if (options.Pca.Threads < 1) throw new ArgumentOutOfRangeException(nameof(options.Pca.Threads), options.Pca.Threads, $"{StageName}: Pca.Threads must be ≥ 1.");
        _host = new MLNetHost(environment, StageName);
        _options = options;
        var p = options.Pca;
        _pca = new PcaOptions
        {
            Components = p.Components, Solver = p.Solver, Center = p.Center, Whiten = p.Whiten, Oversampling = p.Oversampling,
            PowerIterations = p.PowerIterations, Seed = _host.Seed(options.Seed), Threads = p.Threads, Gemm = Gemm.Create(GemmKind.Auto, p.Threads),
        };
        _pca.Validate();
    }

    /// <summary>The schema the fitted stage will produce; fails before fitting when the input column is not a known-size vector of Single.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong kind.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        VectorColumn.Check(inputSchema, _options.InputColumnName, StageName);
        return SchemaShapes.Append(inputSchema, [SchemaShapes.SingleColumn(_options.OutputColumnName, vector: true)]);
    }

    /// <summary>Reads the input column through a cursor and fits the components.</summary>
    /// <exception cref="ArgumentException">No rows, a NaN/∞ value (the message names the row), or a rank above min(rows, width).</exception>
    public PcaTransformer Fit(IDataView input)
    {
        var x = VectorColumn.ReadAll(input, _options.InputColumnName, StageName, unitRange: false);
        if (_pca.Components > Math.Min(x.Rows, x.Cols))
            throw new ArgumentOutOfRangeException(nameof(PcaOptions.Components), _pca.Components, $"{StageName}: Pca.Components {_pca.Components} exceeds min(rows {x.Rows}, width {x.Cols}).");
        var model = PcaModel.Fit(x, _pca);
        _host.Info(FormattableString.Invariant($"{StageName}: {model.ComponentCount} components explain {model.ExplainedVarianceRatio.Sum():P2} of the variance."));
        return new PcaTransformer(model, _options.InputColumnName, _options.OutputColumnName);
    }
}

/// <summary>A fitted exact-PCA stage: adds the projection of the input column onto the components.</summary>
public sealed class PcaTransformer : RowMappingTransformer
{
    internal PcaTransformer(PcaModel model, string inputColumnName, string outputColumnName)
        : base(ExactPcaEstimator.StageName, inputColumnName, model.InputDimension, [new OutputColumn(outputColumnName, model.ComponentCount)])
    {
        Model = model;
        OutputColumnName = outputColumnName;
    }

    /// <summary>The fitted PCA (components, mean, explained variance, reconstruction).</summary>
    public PcaModel Model { get; }

    /// <summary>The projection column.</summary>
    public string OutputColumnName { get; }

    /// <inheritdoc />
    /// <remarks>A GEMM provider per block: the managed kernel keeps packing buffers, so one provider must not serve
    /// several cursors at once (Transform may run on several threads).</remarks>
    private protected override Matrix[] Map(Matrix rows) => [Model.Transform(rows, Gemm.Create(GemmKind.Auto, 1))];

    /// <inheritdoc />
    internal override ModelProto ToOnnx() => OnnxExport.Pca(Model, InputColumnName, OutputColumnName);
}
