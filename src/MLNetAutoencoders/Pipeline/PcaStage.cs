using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Pipeline;

/// <summary>Fits PCA (<see cref="PcaModel.Fit"/>) on a vector column; the fitted stage writes the codes.</summary>
public sealed class PcaEstimator : VectorEstimator<PcaTransformer>
{
    /// <summary>Creates the estimator; the options are validated now.</summary>
    public PcaEstimator(string outputColumnName, string? inputColumnName, PcaOptions options) : base(outputColumnName, inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The PCA settings.</summary>
    public PcaOptions Options { get; }

    /// <inheritdoc />
    protected override string StageName => "PCA";

    /// <inheritdoc />
    protected override int OutputSize(int inputSize)
    {
        if (inputSize > 0 && Options.Components > inputSize)
            throw new ArgumentOutOfRangeException(nameof(PcaOptions.Components), Options.Components,
                $"PCA asks for {Options.Components} components but column '{InputColumnName}' has vectors of length {inputSize}.");
        return Options.Components;
    }

    /// <inheritdoc />
    protected override PcaTransformer FitCore(Matrix input, IProgress<EpochReport>? epochs, CancellationToken cancellationToken)
        => new(PcaModel.Fit(input, Options), OutputColumnName, InputColumnName);
}

/// <summary>A fitted PCA stage: writes <see cref="PcaModel.Transform"/> of the input column.</summary>
public sealed class PcaTransformer : VectorTransformer
{
    /// <summary>Model kind inside model files.</summary>
    public const string Kind = "pca";

    /// <summary>Wraps a fitted model.</summary>
    public PcaTransformer(PcaModel model, string outputColumnName, string inputColumnName)
        : base(outputColumnName, inputColumnName, (model ?? throw new ArgumentNullException(nameof(model))).InputDimension, model.ComponentCount)
    {
        Model = model;
    }

    /// <summary>The fitted PCA (components, mean, explained variance, reconstruction).</summary>
    public PcaModel Model { get; }

    /// <inheritdoc />
    protected override string StageName => "PCA";

    /// <inheritdoc />
    protected override Matrix Map(Matrix input) => Model.Transform(input);

    /// <inheritdoc />
    protected override ModelArchive ToArchiveCore()
    {
        var m = Model;
        var a = new ModelArchive(Kind);
        a.Add("mean", new Matrix(1, m.Mean.Length, (float[])m.Mean.Clone()));
        a.Add("components", m.Components.Clone());
        a.Set("explainedVariance", m.ExplainedVariance);
        a.Set("explainedVarianceRatio", m.ExplainedVarianceRatio);
        a.Set("singularValues", m.SingularValues);
        a.Set("noiseVariance", m.NoiseVariance);
        a.Set("whiten", m.Whiten);
        a.Set("sampleCount", m.SampleCount);
        a.Set("solver", m.Solver);
        return a;
    }

    internal static PcaTransformer FromArchive(ModelArchive a)
    {
        var (output, input) = Columns(a);
        var model = new PcaModel(a.Get("mean").Span.ToArray(), a.Get("components"),
            a.GetValue<double[]>("explainedVariance"), a.GetValue<double[]>("explainedVarianceRatio"), a.GetValue<double[]>("singularValues"),
            a.GetValue<double>("noiseVariance"), a.GetValue<bool>("whiten"), a.GetValue<int>("sampleCount"), a.GetValue<PcaSolver>("solver"));
        return new PcaTransformer(model, output, input);
    }
}
