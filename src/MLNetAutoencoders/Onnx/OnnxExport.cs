using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Pipeline;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// Exports fitted featurizers — every autoencoder's encoder (μ for a VAE), PCA (with whitening), the normalisers, and
/// fitted pipeline chains of them — as ONNX models that ONNX Runtime (and so ML.NET's <c>ApplyOnnxModel</c>) runs.
/// </summary>
/// <remarks>
/// <para>Every model has IR version <see cref="OnnxGraphBuilder.IrVersion"/> and opset <see cref="OnnxGraphBuilder.OpsetVersion"/>,
/// one float32 input [N, D] and one float32 output [N, k] (N symbolic, named <see cref="OnnxGraphBuilder.BatchDimension"/>),
/// weights as initializers, standard operators only (Gemm, Sub, Mul, Add, Clip, Relu, LeakyRelu, Selu, Sigmoid, Tanh), and
/// the metadata <see cref="MetadataModelKind"/>, <see cref="MetadataStageKinds"/>, <see cref="MetadataInputSize"/>,
/// <see cref="MetadataCodeSize"/> and <see cref="MetadataTrainingOptions"/> (plus the producer name and version).</para>
/// <para>The graphs compute what the library computes, operation for operation (e.g. PCA as (x − x̄)·Vᵀ, a normaliser
/// as x·scale + offset), so outputs agree to float32 rounding. Save a model with <see cref="OnnxModelFile.Save"/>.</para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>Default name of the graph input (ML.NET's default feature column).</summary>
    public const string DefaultInputName = DataTable.DefaultFeatures;

    /// <summary>Default name of the graph output of an encoder or PCA.</summary>
    public const string DefaultOutputName = "Code";

    /// <summary>Metadata key: the model kind (<c>autoencoder</c>, <c>vae</c>, <c>pca</c>, <c>normalizer-min-max</c>, <c>normalizer-mean-variance</c>, or <c>chain</c>).</summary>
    public const string MetadataModelKind = "model_kind";

    /// <summary>Metadata key: the kinds of the stages in order, joined by <c>" > "</c> (one kind for a single featurizer).</summary>
    public const string MetadataStageKinds = "stage_kinds";

    /// <summary>Metadata key: the input width D.</summary>
    public const string MetadataInputSize = "input_size";

    /// <summary>Metadata key: the output (code) width k.</summary>
    public const string MetadataCodeSize = "code_size";

    /// <summary>Metadata key: the training options as JSON (an object; for a chain an array of <c>{"kind", "options"}</c>).</summary>
    public const string MetadataTrainingOptions = "training_options";

    /// <summary>Model kind of a chain of several stages.</summary>
    public const string ChainKind = "chain";

    // ---------------------------------------------------------------- whole models

    /// <summary>The encoder of any autoencoder (<see cref="AutoencoderModel"/> of every variant, stacked included; <see cref="VaeModel"/> gives μ(x)).</summary>
    /// <exception cref="NotSupportedException">The model (or one of its layers) is of a kind the exporter does not know.</exception>
    public static ModelProto Encoder(IAutoencoder model, string inputName = DefaultInputName, string outputName = DefaultOutputName)
        => Chain([EncoderStage(model)], inputName, outputName);

    /// <summary>PCA: the projection onto the components (scaled to unit variance when the model whitens).</summary>
    public static ModelProto Pca(PcaModel model, string inputName = DefaultInputName, string outputName = DefaultOutputName)
        => Chain([PcaStage(model)], inputName, outputName);

    /// <summary>A normaliser (<see cref="MinMaxScaler"/> or <see cref="MeanVarianceScaler"/>); <paramref name="clip"/> clamps min-max outputs to its target range.</summary>
    public static ModelProto Scaler(ColumnScaler scaler, string inputName = DefaultInputName, string outputName = "Normalized", bool clip = false)
        => Chain([ScalerStage(scaler, clip)], inputName, outputName);

    /// <summary>
    /// A fitted pipeline stage or chain (nested chains included). The graph input feeds <paramref name="inputColumn"/> and
    /// the graph output is <paramref name="outputColumn"/>; both ONNX names are the column names, as ML.NET's
    /// <c>ApplyOnnxModel</c> expects. Only the stages that compute the output column from the input column are
    /// exported (see <see cref="ResolvePath"/>).
    /// </summary>
    /// <param name="model">The fitted transformer.</param>
    /// <param name="inputColumn">The column the graph input feeds; null = the column the path starts from.</param>
    /// <param name="outputColumn">The column exported; null = the last stage's output column.</param>
    /// <exception cref="NotSupportedException">A stage on the path (named in the message) cannot be exported.</exception>
    /// <exception cref="ArgumentException">The columns do not connect, or the output would overwrite the input column.</exception>
    public static ModelProto Transformer(ITransformer model, string? inputColumn = null, string? outputColumn = null)
    {
        var path = ResolvePath(model, inputColumn, outputColumn);
        if (path.InputColumn == path.OutputColumn)
            throw new ArgumentException(
                $"The pipeline writes its result into its input column '{path.InputColumn}'; an ONNX graph needs distinct input and output names. " +
                "Give the last stage another output column.", nameof(outputColumn));
        return Chain(path.Stages.Select(Stage).ToList(), path.InputColumn, path.OutputColumn);
    }

    /// <summary>
    /// Stages applied in order as one graph (each stage's output width must be the next one's input width), with the
    /// metadata of the whole chain.
    /// </summary>
    public static ModelProto Chain(IReadOnlyList<OnnxExportStage> stages, string inputName = DefaultInputName, string outputName = DefaultOutputName)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Count == 0) throw new ArgumentException("There are no stages to export.", nameof(stages));
        if (stages.Any(s => s is null)) throw new ArgumentException("A stage is null.", nameof(stages));
        ArgumentException.ThrowIfNullOrWhiteSpace(inputName);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        if (inputName == outputName)
            throw new ArgumentException($"The input and the output are both named '{inputName}'; ONNX needs distinct names.", nameof(outputName));
        for (int i = 1; i < stages.Count; i++)
        {
            if (stages[i].InputSize != stages[i - 1].OutputSize)
                throw new ArgumentException($"Stage {i} ({stages[i]}) reads {stages[i].InputSize} features; stage {i - 1} ({stages[i - 1]}) writes {stages[i - 1].OutputSize}.", nameof(stages));
        }

        var kinds = string.Join(" > ", stages.Select(s => s.Kind));
        var b = new OnnxGraphBuilder(inputName, stages[0].InputSize, graphName: kinds);
        var y = b.Chain(b.Input, stages);
        b.Output(y, outputName, stages[^1].OutputSize);

        string kind = stages.Count == 1 ? stages[0].Kind : ChainKind;
        JsonNode options = stages.Count == 1
            ? stages[0].Options
            : new JsonArray(stages.Select(s => (JsonNode)new JsonObject { ["kind"] = s.Kind, ["options"] = s.Options }).ToArray());
        b.SetMetadata(MetadataModelKind, kind);
        b.SetMetadata(MetadataStageKinds, kinds);
        b.SetMetadata(MetadataInputSize, stages[0].InputSize.ToString(CultureInfo.InvariantCulture));
        b.SetMetadata(MetadataCodeSize, stages[^1].OutputSize.ToString(CultureInfo.InvariantCulture));
        b.SetMetadata(MetadataTrainingOptions, options.ToJsonString(ModelArchive.JsonOptions));
        b.DocString = $"{kinds}: input '{inputName}' float32 [{OnnxGraphBuilder.BatchDimension}, {stages[0].InputSize}] → " +
            $"output '{outputName}' float32 [{OnnxGraphBuilder.BatchDimension}, {stages[^1].OutputSize}]. Exported by {OnnxGraphBuilder.ProducerName} {OnnxGraphBuilder.LibraryVersion}.";
        return b.Build();
    }

    /// <summary>
    /// The stages of <paramref name="model"/> (chains flattened) that compute <paramref name="outputColumn"/> from
    /// <paramref name="inputColumn"/>: walking back from the output column through the stage that last wrote each column.
    /// Stages off that path are ignored, so a pipeline ending in a classifier exports its featurizer part when asked for
    /// the featurizer's column.
    /// </summary>
    /// <param name="model">The fitted transformer.</param>
    /// <param name="inputColumn">The column the path must start from; null = wherever it starts.</param>
    /// <param name="outputColumn">The column the path computes; null = the last stage's output column.</param>
    /// <exception cref="NotSupportedException">A stage the path needs, or a stage whose output columns are unknown, cannot be exported.</exception>
    /// <exception cref="ArgumentException">No stage writes <paramref name="outputColumn"/>, or the path does not start from <paramref name="inputColumn"/>.</exception>
    public static TransformerPath ResolvePath(ITransformer model, string? inputColumn = null, string? outputColumn = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = new List<ITransformer>();
        Flatten(model, all);
        if (outputColumn is null)
        {
            var last = all[^1];
            outputColumn = last is VectorTransformer v ? v.OutputColumnName
                : throw Unsupported(last, all.Count - 1, "it is the last stage; export a featurizer's column by naming it as the output column");
        }

        var path = new List<VectorTransformer>();
        string need = outputColumn;
        for (int i = all.Count - 1; i >= 0; i--)
        {
            switch (all[i])
            {
                case VectorTransformer v:
                    if (v.OutputColumnName != need) continue;
                    if (v is not (NormalizingTransformer or PcaTransformer or AutoencoderTransformer))
                        throw Unsupported(v, i, $"it computes column '{need}'");
                    path.Add(v);
                    need = v.InputColumnName;
                    break;
                case ClassifierTransformer c:
                    if (c.Columns.Score == need || c.Columns.PredictedLabel == need)
                        throw Unsupported(c, i, $"it computes column '{need}'; only featurizers export");
                    break;
                default:
                    throw Unsupported(all[i], i, "its output columns are unknown to the exporter");
            }
        }
        if (path.Count == 0)
        {
            var written = all.OfType<VectorTransformer>().Select(v => $"'{v.OutputColumnName}'").Distinct();
            throw new ArgumentException($"No featurizer of the pipeline writes column '{outputColumn}'; its featurizers write {string.Join(", ", written)}.", nameof(outputColumn));
        }
        path.Reverse();
        if (inputColumn is not null && inputColumn != need)
            throw new ArgumentException($"Column '{outputColumn}' is computed from column '{need}', not from '{inputColumn}'.", nameof(inputColumn));
        return new TransformerPath(need, outputColumn, path);
    }

    // ---------------------------------------------------------------- stages

    /// <summary>Any supported pipeline stage (<see cref="NormalizingTransformer"/>, <see cref="PcaTransformer"/>, <see cref="AutoencoderTransformer"/>) as an export stage.</summary>
    /// <exception cref="NotSupportedException">Another kind of stage (a chain: use <see cref="Transformer"/>).</exception>
    public static OnnxExportStage Stage(ITransformer stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return stage switch
        {
            NormalizingTransformer n => ScalerStage(n.Scaler, n.Clip),
            PcaTransformer p => PcaStage(p.Model),
            AutoencoderTransformer a => EncoderStage(a.Model),
            _ => throw Unsupported(stage, null, "only normalisers, PCA and autoencoders export"),
        };
    }

    /// <summary>The encoder of an autoencoder (see <see cref="Encoder"/>) as a stage.</summary>
    /// <exception cref="NotSupportedException">The model (or one of its layers) is of a kind the exporter does not know.</exception>
    public static OnnxExportStage EncoderStage(IAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        switch (model)
        {
            case AutoencoderModel ae:
            {
                var layers = CodeLayers(ae.Encoder, "autoencoder encoder");
                return new OnnxExportStage(AutoencoderModel.Kind, ae.InputSize, ae.CodeSize, Json(ae.Options),
                    (b, x) => AppendDense(b, x, layers, "encoder"));
            }
            case VaeModel vae:
            {
                var layers = CodeLayers(vae.Encoder, "VAE encoder");
                layers.Add(vae.MeanHead);
                return new OnnxExportStage(VaeModel.Kind, vae.InputSize, vae.CodeSize, Json(vae.Options),
                    (b, x) => AppendDense(b, x, layers, "vae"));
            }
            default:
                throw new NotSupportedException($"ONNX export does not support the autoencoder type {model.GetType().Name}; it exports {nameof(AutoencoderModel)} and {nameof(VaeModel)}.");
        }
    }

    /// <summary>
    /// PCA (see <see cref="Pca"/>) as a stage, as <see cref="PcaModel.Transform"/> computes it: Sub the mean (when the
    /// model is centred), Gemm with the components (x·Vᵀ), then Mul by 1/√(explained variance) when whitening.
    /// </summary>
    public static OnnxExportStage PcaStage(PcaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int k = model.ComponentCount, d = model.InputDimension;
        var mean = (float[])model.Mean.Clone();
        bool centred = Array.Exists(mean, v => v != 0);
        var components = model.Components.Clone();
        var whitenScale = new float[k];
        for (int r = 0; r < k; r++)
            whitenScale[r] = model.ExplainedVariance[r] > 0 ? (float)(1 / Math.Sqrt(model.ExplainedVariance[r])) : 0f;
        var options = new JsonObject
        {
            ["components"] = k,
            ["whiten"] = model.Whiten,
            ["solver"] = model.Solver.ToString().ToLowerInvariant(),
            ["sampleCount"] = model.SampleCount,
            ["explainedVarianceRatioTotal"] = model.ExplainedVarianceRatio.Sum(),
        };
        return new OnnxExportStage("pca", d, k, options, (b, x) =>
        {
            var c = centred ? b.Sub(x, mean, "pca_centre") : x;
            var z = b.Dense(c, components, ReadOnlySpan<float>.Empty, hint: "pca");
            return model.Whiten ? b.Mul(z, whitenScale, "pca_whiten") : z;
        });
    }

    /// <summary>
    /// A normaliser as a stage: x·Multiplier + Offset (Mul, Add), then, with <paramref name="clip"/> and a
    /// <see cref="MinMaxScaler"/>, Clip to [Low, High] (as <see cref="NormalizingTransformer"/> with clipping).
    /// </summary>
    /// <exception cref="NotSupportedException">A scaler other than <see cref="MinMaxScaler"/> or <see cref="MeanVarianceScaler"/>.</exception>
    public static OnnxExportStage ScalerStage(ColumnScaler scaler, bool clip = false)
    {
        ArgumentNullException.ThrowIfNull(scaler);
        var multiplier = (float[])scaler.Multiplier.Clone();
        var offset = (float[])scaler.Offset.Clone();
        (string kind, JsonObject options, float? low, float? high) = scaler switch
        {
            MinMaxScaler m => ("normalizer-min-max", new JsonObject { ["low"] = m.Low, ["high"] = m.High, ["clip"] = clip }, clip ? m.Low : (float?)null, clip ? m.High : (float?)null),
            MeanVarianceScaler => ("normalizer-mean-variance", new JsonObject(), null, null),
            _ => throw new NotSupportedException($"ONNX export does not support the scaler type {scaler.GetType().Name}; it exports {nameof(MinMaxScaler)} and {nameof(MeanVarianceScaler)}."),
        };
        return new OnnxExportStage(kind, scaler.ColumnCount, scaler.ColumnCount, options, (b, x) =>
        {
            var y = b.Add(b.Mul(x, multiplier, "scale"), offset, "offset");
            return low is null ? y : b.Clip(y, low, high, "clip");
        });
    }

    // ---------------------------------------------------------------- helpers

    private static List<DenseLayer> CodeLayers(Network network, string what)
    {
        var layers = new List<DenseLayer>();
        for (int i = 0; i < network.Layers.Count; i++)
        {
            switch (network.Layers[i])
            {
                case DenseLayer d: layers.Add(d); break;
                case DropoutLayer: break; // the identity at inference
                case var l: throw new NotSupportedException($"ONNX export does not support layer {i} of the {what}: a {l.GetType().Name}.");
            }
        }
        return layers;
    }

    /// <summary>Appends dense layers (Gemm, then the activation as its ONNX operator with the library's constants); returns the last output.</summary>
    internal static string AppendDense(OnnxGraphBuilder b, string x, IReadOnlyList<DenseLayer> layers, string hint)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            string h = $"{hint}{i}";
            x = b.Dense(x, l.Weight.Value, l.Bias.Value.Span, l.Transposed, h);
            x = l.Activation switch
            {
                ActivationKind.Identity => x,
                ActivationKind.Relu => b.Activation(x, OnnxActivation.Relu, hint: h + "_relu"),
                ActivationKind.LeakyRelu => b.Activation(x, OnnxActivation.LeakyRelu, alpha: l.Slope, hint: h + "_leaky_relu"),
                // The library's constants, not ONNX's defaults (they differ in the last float digits).
                ActivationKind.Selu => b.Activation(x, OnnxActivation.Selu, alpha: Activations.SeluAlpha, gamma: Activations.SeluLambda, hint: h + "_selu"),
                ActivationKind.Sigmoid => b.Activation(x, OnnxActivation.Sigmoid, hint: h + "_sigmoid"),
                ActivationKind.Tanh => b.Activation(x, OnnxActivation.Tanh, hint: h + "_tanh"),
                var a => throw new NotSupportedException($"ONNX export does not support the activation {a} of layer {l.Weight.Name}."),
            };
        }
        return x;
    }

    private static JsonNode Json<T>(T options) => JsonSerializer.SerializeToNode(options, ModelArchive.JsonOptions) ?? new JsonObject();

    private static void Flatten(ITransformer t, List<ITransformer> into)
    {
        if (t is IEnumerable<ITransformer> chain)
        {
            foreach (var s in chain) Flatten(s, into);
        }
        else
        {
            into.Add(t);
        }
    }

    private static NotSupportedException Unsupported(ITransformer stage, int? index, string why)
    {
        string at = index is int i ? $"stage {i} " : "";
        string columns = stage switch
        {
            VectorTransformer v => $" ('{v.InputColumnName}' → '{v.OutputColumnName}')",
            ClassifierTransformer c => $" (writes '{c.Columns.Score}' and '{c.Columns.PredictedLabel}')",
            _ => "",
        };
        return new NotSupportedException($"ONNX export does not support {at}{stage.GetType().Name}{columns}: {why}.");
    }
}

/// <summary>The featurizer stages of a pipeline that compute one column from another (see <see cref="OnnxExport.ResolvePath"/>).</summary>
public sealed class TransformerPath
{
    internal TransformerPath(string inputColumn, string outputColumn, IReadOnlyList<VectorTransformer> stages)
    {
        InputColumn = inputColumn;
        OutputColumn = outputColumn;
        Stages = stages;
    }

    /// <summary>The column the path starts from (the ONNX graph's input).</summary>
    public string InputColumn { get; }

    /// <summary>The column the path computes (the ONNX graph's output).</summary>
    public string OutputColumn { get; }

    /// <summary>The stages, in the order they run.</summary>
    public IReadOnlyList<VectorTransformer> Stages { get; }

    /// <summary>Width of the input vectors.</summary>
    public int InputSize => Stages[0].InputSize;

    /// <summary>Width of the output vectors.</summary>
    public int OutputSize => Stages[^1].OutputSize;

    /// <summary>Runs the path's stages on <paramref name="input"/> (rows of <see cref="InputSize"/> values) and returns the output column.</summary>
    public Numerics.Matrix Transform(Numerics.Matrix input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var table = DataTable.FromVectors(InputColumn, input);
        foreach (var s in Stages) table = s.Transform(table);
        return table.GetVector(OutputColumn);
    }
}
