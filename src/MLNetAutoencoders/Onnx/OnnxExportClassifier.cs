using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.Pipeline;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// ONNX export of the neural classifiers (<see cref="EncoderClassifier"/>, <see cref="MlpClassifier"/> and their pipeline
/// stages): the dense layers with their activations (Gemm + Relu/…; dropout is the identity at inference), then Softmax over each row, so the graph's output
/// is the class probabilities [N, K] (the classifier's <see cref="EncoderClassifier.PredictProbabilities"/>).
/// </summary>
public static class OnnxExportClassifier
{
    /// <summary>The default name of the output: the class probabilities, as the pipeline's score column.</summary>
    public const string DefaultOutputName = "Score";

    /// <summary>An encoder classifier as a model: input [N, features] → class probabilities [N, K].</summary>
    public static ModelProto Classifier(EncoderClassifier model, string inputName = OnnxExport.DefaultInputName, string outputName = DefaultOutputName)
        => OnnxExport.Chain([Stage(model)], inputName, outputName);

    /// <summary>An MLP classifier as a model: input [N, features] → class probabilities [N, K].</summary>
    public static ModelProto Classifier(MlpClassifier model, string inputName = OnnxExport.DefaultInputName, string outputName = DefaultOutputName)
        => OnnxExport.Chain([Stage(model)], inputName, outputName);

    /// <summary>
    /// A fitted classifier stage (<see cref="EncoderClassifierTransformer"/> or <see cref="MlpClassifierTransformer"/>) as a
    /// model whose input and output are named after the stage's feature and score columns.
    /// </summary>
    /// <exception cref="NotSupportedException">Another kind of classifier stage.</exception>
    public static ModelProto Classifier(ClassifierTransformer stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return OnnxExport.Chain([Stage(stage)], stage.Columns.Features, stage.Columns.Score);
    }

    /// <summary>A classifier stage of the pipeline as an export stage (see <see cref="Classifier(ClassifierTransformer)"/>).</summary>
    /// <exception cref="NotSupportedException">Another kind of classifier stage.</exception>
    public static OnnxExportStage Stage(ClassifierTransformer stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return stage switch
        {
            EncoderClassifierTransformer e => Stage(e.Model),
            MlpClassifierTransformer m => Stage(m.Model),
            _ => throw new NotSupportedException($"ONNX export does not support the classifier stage {stage.GetType().Name}; it exports the encoder and MLP classifiers."),
        };
    }

    /// <summary>An encoder classifier as a stage of kind <c>encoder-classifier</c>.</summary>
    public static OnnxExportStage Stage(EncoderClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Probabilities(EncoderClassifier.Kind, model.Network, JsonSerializer.SerializeToNode(model.Options, ModelArchive.JsonOptions));
    }

    /// <summary>An MLP classifier as a stage of kind <c>mlp-classifier</c>.</summary>
    public static OnnxExportStage Stage(MlpClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Probabilities(MlpClassifier.Kind, model.Network, JsonSerializer.SerializeToNode(model.Options, ModelArchive.JsonOptions));
    }

    private static OnnxExportStage Probabilities(string kind, Network network, JsonNode? options)
    {
        var layers = network.Layers.Where(l => l is not DropoutLayer).Select((l, i) => l as DenseLayer
            ?? throw new NotSupportedException($"ONNX export of a {kind} does not support a {l.GetType().Name} layer.")).ToList();
        foreach (var l in layers) Map(l.Activation, l.Weight.Name);
        return new OnnxExportStage(kind, network.InputSize, network.OutputSize, options ?? new JsonObject(), (b, x) =>
        {
            for (int i = 0; i < layers.Count; i++)
            {
                var l = layers[i];
                x = b.Dense(x, l.Weight.Value, l.Bias.Value.Span, l.Transposed, l.Weight.Name.Replace(".weight", "", StringComparison.Ordinal));
                if (l.Activation == ActivationKind.Identity) continue;
                var act = Map(l.Activation, l.Weight.Name);
                x = act switch
                {
                    OnnxActivation.LeakyRelu => b.Activation(x, act, alpha: l.Slope),
                    OnnxActivation.Selu => b.Activation(x, act, alpha: Activations.SeluAlpha, gamma: Activations.SeluLambda),
                    _ => b.Activation(x, act),
                };
            }
            return b.Activation(x, OnnxActivation.Softmax, hint: "probabilities");
        });
    }

    private static OnnxActivation Map(ActivationKind kind, string layer) => kind switch
    {
        ActivationKind.Identity => OnnxActivation.Identity,
        ActivationKind.Relu => OnnxActivation.Relu,
        ActivationKind.LeakyRelu => OnnxActivation.LeakyRelu,
        ActivationKind.Selu => OnnxActivation.Selu,
        ActivationKind.Sigmoid => OnnxActivation.Sigmoid,
        ActivationKind.Tanh => OnnxActivation.Tanh,
        _ => throw new NotSupportedException($"ONNX export does not support the activation {kind} of layer {layer}."),
    };
}
