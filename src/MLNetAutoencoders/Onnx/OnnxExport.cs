using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// Exports fitted featurizers — every autoencoder's encoder (μ for a VAE), with its reconstruction and per-row error if
/// asked, PCA (with whitening), and chains of them — as ONNX models that ONNX Runtime (and so ML.NET's
/// <c>ApplyOnnxModel</c>) runs; <see cref="SingleRow"/> gives the one-row form that the ML.NET stages save into
/// ML.NET's model zip.
/// </summary>
/// <remarks>
/// <para>Every model has IR version <see cref="OnnxGraphBuilder.IrVersion"/> and opset <see cref="OnnxGraphBuilder.OpsetVersion"/>,
/// one float32 input [N, D] and float32 outputs [N, k] (N symbolic, named <see cref="OnnxGraphBuilder.BatchDimension"/>),
/// weights as initializers, standard operators only (Gemm, Sub, Mul, Add, Clip, Relu, LeakyRelu, Selu, Sigmoid, Tanh; models that
/// write their own graph, <see cref="IOnnxAutoencoder"/>, may use the builder's others), and
/// the metadata <see cref="MetadataModelKind"/>, <see cref="MetadataStageKinds"/>, <see cref="MetadataInputSize"/>,
/// <see cref="MetadataCodeSize"/> and <see cref="MetadataTrainingOptions"/> (plus the producer name and version).</para>
/// <para>The graphs compute what the library computes, operation for operation (e.g. PCA as (x − x̄)·Vᵀ), so outputs agree to float32 rounding. Save a model with <see cref="OnnxModelFile.Save"/>.</para>
/// </remarks>
public static partial class OnnxExport
{
    /// <summary>Default name of the graph input (ML.NET's default feature column).</summary>
    public const string DefaultInputName = "Features";

    /// <summary>Default name of the graph output of an encoder or PCA.</summary>
    public const string DefaultOutputName = "Code";

    /// <summary>Metadata key: the model kind (<c>autoencoder</c>, <c>vae</c>, <c>pca</c>, <c>encoder-classifier</c>, or <c>chain</c>).</summary>
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

        var b = new OnnxGraphBuilder(inputName, stages[0].InputSize, graphName: string.Join(" > ", stages.Select(s => s.Kind)));
        var y = b.Chain(b.Input, stages);
        b.Output(y, outputName, stages[^1].OutputSize);
        Describe(b, stages, inputName, [outputName]);
        return b.Build();
    }

    /// <summary>
    /// An autoencoder for scoring: the code (<see cref="IAutoencoder.Encode"/>, μ for a VAE) as output
    /// <paramref name="codeName"/>, and optionally the reconstruction <c>Decode(Encode(x))</c> ([N, D]) and the per-row
    /// reconstruction error, the mean of (x − x̂)² over the row ([N, 1]), as further outputs.
    /// </summary>
    /// <exception cref="NotSupportedException">The model (or one of its layers) is of a kind the exporter does not know.</exception>
    public static ModelProto Autoencoder(IAutoencoder model, string inputName, string codeName, string? reconstructionName = null, string? errorName = null)
    {
        var stage = EncoderStage(model);
        var b = new OnnxGraphBuilder(inputName, model.InputSize, graphName: stage.Kind);
        var code = b.Append(b.Input, stage);
        b.Output(code, codeName, model.CodeSize);
        var outputs = new List<string> { codeName };
        if (reconstructionName != null || errorName != null)
        {
            var r = AppendReconstruction(b, model, code);
            if (reconstructionName != null) { b.Output(r, reconstructionName, model.InputSize); outputs.Add(reconstructionName); }
            if (errorName != null) { b.Output(AppendRowError(b, r), errorName, 1); outputs.Add(errorName); }
        }
        Describe(b, [stage], inputName, outputs);
        return b.Build();
    }

    /// <summary>
    /// An autoencoder as an anomaly detector: output <paramref name="scoreName"/> is each row's score ([N, 1]) — the
    /// reconstruction error mean((x − x̂)²), or with <paramref name="negativeElbo"/> (a VAE only) the negative ELBO at
    /// z = μ as <see cref="VaeModel.NegativeElboAtMean"/> computes it — and, if <paramref name="predictedLabelName"/> is
    /// given, score &gt; <paramref name="threshold"/> (boolean [N, 1]).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="negativeElbo"/> for a model that is not a VAE.</exception>
    public static ModelProto AnomalyScorer(IAutoencoder model, string inputName, string scoreName, string? predictedLabelName, float threshold, bool negativeElbo = false)
    {
        var stage = EncoderStage(model);
        var b = new OnnxGraphBuilder(inputName, model.InputSize, graphName: stage.Kind + " anomaly score");
        var code = b.Append(b.Input, stage);
        string score;
        if (!negativeElbo) score = AppendRowError(b, AppendReconstruction(b, model, code));
        else if (model is VaeModel vae) score = AppendNegativeElbo(b, vae, code);
        else throw new ArgumentException($"The negative ELBO is a VAE's score; this model is a {model.GetType().Name}.", nameof(negativeElbo));
        return ScorerOutputs(b, stage, inputName, score, scoreName, predictedLabelName, threshold);
    }

    /// <summary>Ends an anomaly scorer's graph: the score output, the predicted label above the threshold if asked for, the description.</summary>
    private static ModelProto ScorerOutputs(OnnxGraphBuilder b, OnnxExportStage stage, string inputName, string score, string scoreName, string? predictedLabelName, float threshold)
    {
        b.Output(score, scoreName, 1);
        var outputs = new List<string> { scoreName };
        if (predictedLabelName != null)
        {
            b.Output(b.Greater(score, threshold, "predicted_label"), predictedLabelName, 1);
            outputs.Add(predictedLabelName);
        }
        Describe(b, [stage], inputName, outputs);
        return b.Build();
    }

    /// <summary>−log p(x | decoder(μ)) + KL(N(μ, e^{lv}) ‖ N(0, I)) of each row: [N, 1] (see <see cref="VaeModel.NegativeElboAtMean"/>).</summary>
    private static string AppendNegativeElbo(OnnxGraphBuilder b, VaeModel vae, string mu)
    {
        var logVarianceLayers = CodeLayers(vae.Encoder, "VAE encoder");
        logVarianceLayers.Add(vae.LogVarianceHead);
        var lv = AppendLayers(b, b.Input, logVarianceLayers, "vae_log_variance");
        var a = AppendLayers(b, mu, CodeLayers(vae.Decoder, "VAE decoder"), "decoder");
        string rec;
        if (vae.Options.Likelihood == VaeLikelihood.Bernoulli)
        {
            rec = b.RowSum(b.Sub(b.Softplus(a, "softplus"), b.Mul(b.Input, a, "x_a"), "bernoulli_nll"), "reconstruction_nll");
        }
        else
        {
            double sigma2 = (double)vae.Options.GaussianSigma * vae.Options.GaussianSigma;
            var d = b.Sub(b.Input, a, "residual");
            var half = b.Mul(b.RowSum(b.Mul(d, d, "residual_sq"), "residual_sum"), b.Constant((float)(0.5 / sigma2), "half_inverse_variance"));
            rec = b.Add(half, b.Constant((float)(0.5 * vae.InputSize * Math.Log(2 * Math.PI * sigma2)), "gaussian_constant"), "reconstruction_nll");
        }
        // KL = ½ Σ (μ² + e^{lv} − 1 − lv)
        var terms = b.Sub(b.Add(b.Mul(mu, mu, "mu_sq"), b.Exp(lv, "variance"), "kl_sum"), b.Add(lv, b.Constant(1f, "one"), "lv_plus_one"), "kl_terms");
        var kl = b.Mul(b.RowSum(terms, "kl_row"), b.Constant(0.5f, "half"), "kl");
        return b.Add(rec, kl, "negative_elbo");
    }

    /// <summary>Decodes <paramref name="code"/> (with the sigmoid for cross-entropy / Bernoulli models): the reconstruction [N, D].</summary>
    private static string AppendReconstruction(OnnxGraphBuilder b, IAutoencoder model, string code)
    {
        if (model is IOnnxAutoencoder own) return own.AppendReconstruction(b, code);
        var (layers, sigmoid) = DecoderLayers(model);
        var r = AppendLayers(b, code, layers, "decoder");
        return sigmoid ? b.Activation(r, OnnxActivation.Sigmoid, hint: "reconstruction_sigmoid") : r;
    }

    /// <summary>mean((x − r)²) over each row of the graph input x: [N, 1].</summary>
    private static string AppendRowError(OnnxGraphBuilder b, string reconstruction)
    {
        var d = b.Sub(b.Input, reconstruction, "residual");
        return b.RowMean(b.Mul(d, d, "residual_sq"), "reconstruction_error");
    }

    /// <summary>
    /// The same computation for one row at a time, as ML.NET's <c>OnnxTransformer</c> feeds it: every graph input loses
    /// its batch dimension ([D] instead of [N, D]; an Unsqueeze restores it inside), and every output [N, k] becomes [k],
    /// so that ML.NET types the columns <c>Vector&lt;Single, D&gt;</c> and <c>Vector&lt;Single, k&gt;</c> (with the batch
    /// dimension it would type them <c>Vector&lt;Single, 1, k&gt;</c>). ML.NET's <c>OnnxTransformer</c> cannot produce
    /// scalar columns from tensors, so a width-1 output stays a one-element vector.
    /// </summary>
    public static ModelProto SingleRow(ModelProto batchModel)
    {
        ArgumentNullException.ThrowIfNull(batchModel);
        var m = batchModel.Clone();
        var g = m.Graph;
        var initializers = g.Initializer.Select(t => t.Name).ToHashSet();
        var pre = new List<NodeProto>();
        var post = new List<NodeProto>();
        void Rename(string from, string to, bool outputs)
        {
            foreach (var n in g.Node)
            {
                for (int i = 0; i < n.Input.Count; i++) if (n.Input[i] == from) n.Input[i] = to;
                if (outputs) for (int i = 0; i < n.Output.Count; i++) if (n.Output[i] == from) n.Output[i] = to;
            }
        }
        string Int64(string name, long[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            g.Initializer.Add(t);
            return name;
        }
        foreach (var input in g.Input.Where(v => !initializers.Contains(v.Name)))
        {
            var dims = input.Type.TensorType.Shape.Dim;
            if (dims.Count != 2) throw new ArgumentException($"Input '{input.Name}' has rank {dims.Count}; a batch model's inputs are [N, D].", nameof(batchModel));
            string batched = input.Name + "__rows";
            Rename(input.Name, batched, outputs: false);
            pre.Add(Node("Unsqueeze", [input.Name, Int64(input.Name + "__axes", [0])], batched));
            dims.RemoveAt(0);
        }
        foreach (var output in g.Output)
        {
            var dims = output.Type.TensorType.Shape.Dim;
            if (dims.Count != 2) throw new ArgumentException($"Output '{output.Name}' has rank {dims.Count}; a batch model's outputs are [N, k].", nameof(batchModel));
            string batched = output.Name + "__rows";
            Rename(output.Name, batched, outputs: true);
            post.Add(Node("Reshape", [batched, Int64(output.Name + "__shape", [dims[1].DimValue])], output.Name));
            dims.RemoveAt(0);
        }
        for (int i = pre.Count - 1; i >= 0; i--) g.Node.Insert(0, pre[i]);
        g.Node.AddRange(post);
        return m;

        static NodeProto Node(string op, string[] inputs, string output)
        {
            var n = new NodeProto { OpType = op, Name = output + "__" + op.ToLowerInvariant() };
            n.Input.AddRange(inputs);
            n.Output.Add(output);
            return n;
        }
    }

    /// <summary>Writes the metadata and doc string of a model made of <paramref name="stages"/>.</summary>
    private static void Describe(OnnxGraphBuilder b, IReadOnlyList<OnnxExportStage> stages, string inputName, IReadOnlyList<string> outputs)
    {
        var kinds = string.Join(" > ", stages.Select(s => s.Kind));
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
            $"outputs {string.Join(", ", outputs.Select(o => $"'{o}'"))}. Exported by {OnnxGraphBuilder.ProducerName} {OnnxGraphBuilder.LibraryVersion}.";
    }

    /// <summary>The decoder's dense layers (dropout omitted) and whether its output passes through a sigmoid (Bernoulli / cross-entropy models).</summary>
    private static (List<Layer> Layers, bool Sigmoid) DecoderLayers(IAutoencoder model) => model switch
    {
        AutoencoderModel ae => (CodeLayers(ae.Decoder, "autoencoder decoder"), ae.Options.Loss == LossKind.CrossEntropy),
        VaeModel vae => (CodeLayers(vae.Net.Decoder, "VAE decoder"), vae.Options.Likelihood == VaeLikelihood.Bernoulli),
        _ => throw new NotSupportedException($"ONNX export does not support the autoencoder type {model.GetType().Name}."),
    };

    // ---------------------------------------------------------------- stages

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
                    (b, x) => AppendLayers(b, x, layers, "encoder"));
            }
            case VaeModel vae:
            {
                var layers = CodeLayers(vae.Encoder, "VAE encoder");
                layers.Add(vae.MeanHead);
                return new OnnxExportStage(VaeModel.Kind, vae.InputSize, vae.CodeSize, Json(vae.Options),
                    (b, x) => AppendLayers(b, x, layers, "vae"));
            }
            case IOnnxAutoencoder own:
                return own.EncoderStage();
            default:
                throw new NotSupportedException($"ONNX export does not support the autoencoder type {model.GetType().Name}; it exports {nameof(AutoencoderModel)}, {nameof(VaeModel)} and models that implement {nameof(IOnnxAutoencoder)}.");
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

    // ---------------------------------------------------------------- helpers

    /// <summary>The layers of <paramref name="network"/> that compute something at inference (dropout, the identity there, is left out).</summary>
    internal static List<Layer> CodeLayers(Network network, string what)
    {
        var layers = new List<Layer>();
        for (int i = 0; i < network.Layers.Count; i++)
        {
            switch (network.Layers[i])
            {
                case DenseLayer or Conv2dLayer or ConvTranspose2dLayer: layers.Add(network.Layers[i]); break;
                case DropoutLayer: break; // the identity at inference
                case var l: throw new NotSupportedException($"ONNX export does not support layer {i} of the {what}: a {l.GetType().Name}.");
            }
        }
        return layers;
    }

    /// <summary>
    /// Appends layers (Gemm, or Conv / ConvTranspose on the rows viewed as [N, C, H, W], each followed by its activation
    /// as an ONNX operator with the library's constants); returns the last output, flat [N, D] like the rows.
    /// </summary>
    internal static string AppendLayers(OnnxGraphBuilder b, string x, IReadOnlyList<Layer> layers, string hint)
    {
        bool spatial = false;
        for (int i = 0; i < layers.Count; i++)
        {
            string h = $"{hint}{i}";
            var (weight, activation, slope) = layers[i] switch
            {
                DenseLayer d => (d.Weight, d.Activation, d.Slope),
                Conv2dLayer c => (c.Weight, c.Activation, c.Slope),
                ConvTranspose2dLayer t => (t.Weight, t.Activation, t.Slope),
                var l => throw new NotSupportedException($"ONNX export does not support the layer {l.GetType().Name}."),
            };
            switch (layers[i])
            {
                case DenseLayer d:
                    if (spatial) { x = b.Flatten(x, h + "_flatten"); spatial = false; }
                    x = b.Dense(x, d.Weight.Value, d.Bias.Value.Span, d.Transposed, h);
                    break;
                case Conv2dLayer c:
                {
                    var g = c.Geometry;
                    if (!spatial) { x = b.Reshape(x, [g.Channels, g.Height, g.Width], h + "_image"); spatial = true; }
                    x = b.Conv(x, c.Weight.Value.Span, [c.OutChannels, g.Channels, g.Kernel, g.Kernel], c.Bias.Value.Span,
                        [g.Stride, g.Stride], [g.Padding, g.Padding, g.Padding, g.Padding], [1, 1], hint: h);
                    break;
                }
                case ConvTranspose2dLayer t:
                {
                    var g = t.Geometry;
                    if (!spatial) { x = b.Reshape(x, [t.InChannels, g.OutHeight, g.OutWidth], h + "_image"); spatial = true; }
                    x = b.ConvTranspose(x, t.Weight.Value.Span, [t.InChannels, g.Channels, g.Kernel, g.Kernel], t.Bias.Value.Span,
                        [g.Stride, g.Stride], [g.Padding, g.Padding, g.Padding, g.Padding], [1, 1], [t.OutputPadding, t.OutputPadding], hint: h);
                    break;
                }
            }
            x = activation switch
            {
                ActivationKind.Identity => x,
                ActivationKind.Relu => b.Activation(x, OnnxActivation.Relu, hint: h + "_relu"),
                ActivationKind.LeakyRelu => b.Activation(x, OnnxActivation.LeakyRelu, alpha: slope, hint: h + "_leaky_relu"),
                // The library's constants, not ONNX's defaults (they differ in the last float digits).
                ActivationKind.Selu => b.Activation(x, OnnxActivation.Selu, alpha: Activations.SeluAlpha, gamma: Activations.SeluLambda, hint: h + "_selu"),
                ActivationKind.Sigmoid => b.Activation(x, OnnxActivation.Sigmoid, hint: h + "_sigmoid"),
                ActivationKind.Tanh => b.Activation(x, OnnxActivation.Tanh, hint: h + "_tanh"),
                var a => throw new NotSupportedException($"ONNX export does not support the activation {a} of layer {weight.Name}."),
            };
        }
        return spatial ? b.Flatten(x, hint + "_flatten") : x;
    }

    private static JsonNode Json<T>(T options) => JsonSerializer.SerializeToNode(options, ModelArchive.JsonOptions) ?? new JsonObject();
}
