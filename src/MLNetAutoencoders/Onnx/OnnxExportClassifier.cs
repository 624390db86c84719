using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Onnx.Proto;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// ONNX export of the <see cref="EncoderClassifier"/>: its dense layers with their activations (Gemm + Relu/…; dropout
/// is the identity at inference), then Softmax over each row, so the graph's output is the class probabilities [N, K]
/// (the classifier's <see cref="EncoderClassifier.PredictProbabilities"/>).
/// </summary>
public static class OnnxExportClassifier
{
    /// <summary>The default name of the output: the class probabilities, as ML.NET's score column.</summary>
    public const string DefaultOutputName = "Score";

    /// <summary>An encoder classifier as a model: input [N, features] → class probabilities [N, K].</summary>
    public static ModelProto Classifier(EncoderClassifier model, string inputName = OnnxExport.DefaultInputName, string outputName = DefaultOutputName)
        => OnnxExport.Chain([Stage(model)], inputName, outputName);

    /// <summary>An encoder classifier's logits (the scores before the softmax): input [N, features] → [N, K].</summary>
    public static ModelProto Logits(EncoderClassifier model, string inputName, string outputName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = OnnxExport.CodeLayers(model.Network, EncoderClassifier.Kind);
        var options = JsonSerializer.SerializeToNode(model.Options, ModelArchive.JsonOptions) ?? new JsonObject();
        return OnnxExport.Chain([new OnnxExportStage(EncoderClassifier.Kind + "-logits", model.Network.InputSize, model.Network.OutputSize, options,
            (b, x) => OnnxExport.AppendLayers(b, x, layers, "classifier"))], inputName, outputName);
    }

    /// <summary>An encoder classifier as a stage of kind <c>encoder-classifier</c>.</summary>
    public static OnnxExportStage Stage(EncoderClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = OnnxExport.CodeLayers(model.Network, EncoderClassifier.Kind);
        var options = JsonSerializer.SerializeToNode(model.Options, ModelArchive.JsonOptions) ?? new JsonObject();
        return new OnnxExportStage(EncoderClassifier.Kind, model.Network.InputSize, model.Network.OutputSize, options,
            (b, x) => b.Activation(OnnxExport.AppendLayers(b, x, layers, "classifier"), OnnxActivation.Softmax, hint: "probabilities"));
    }
}
