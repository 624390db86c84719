using System.CommandLine;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.TorchSharp.Modules;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae export-onnx</c>: writes a model file's featurizer (an autoencoder's or VAE's encoder) or an encoder classifier as
/// one ONNX model. (A PCA is exported by <c>mlae pca --onnx</c>; ML.NET model zips from <c>mlae pca --out</c> already hold ONNX.)
/// </summary>
internal static class ExportOnnxCommand
{
    public static Command Create()
    {
        var model = FeaturizerFile.ModelOption();
        var (inputName, outputName) = FeaturizerFile.NameOptions();
        var output = new Option<string>("--out") { Description = "the .onnx file to write", Required = true };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line of stdout" };
        var cmd = new Command("export-onnx", "Export a model file (autoencoder, VAE, encoder classifier) to ONNX (IR 8, opset 17, float32 [N, D] → [N, k]) for ONNX Runtime and ML.NET's ApplyOnnxModel.");
        foreach (var o in new Option[] { model, output, inputName, outputName, json }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var f = FeaturizerFile.Load(r.GetValue(model)!, r.GetValue(inputName), r.GetValue(outputName));
                var onnx = f.Export();
                var path = r.GetValue(output)!;
                OnnxModelFile.Save(onnx, path);
                var kinds = onnx.MetadataProps.Single(p => p.Key == OnnxExport.MetadataStageKinds).Value;
                ConsoleUi.Err.MarkupLine(Markup.Escape(
                    $"{kinds}: input '{f.InputName}' float32 [N, {f.InputSize}] → output '{f.OutputName}' float32 [N, {f.OutputSize}]; " +
                    $"{onnx.Graph.Node.Count} nodes, {onnx.Graph.Initializer.Count} initializers, {new FileInfo(path).Length:N0} bytes written to {path}"));
                if (r.GetValue(json))
                {
                    ConsoleUi.WriteJson(new JsonObject
                    {
                        ["model"] = r.GetValue(model), ["onnx"] = path, ["kind"] = f.Kind, ["stages"] = kinds,
                        ["inputName"] = f.InputName, ["inputShape"] = new JsonArray("N", f.InputSize),
                        ["outputName"] = f.OutputName, ["outputShape"] = new JsonArray("N", f.OutputSize),
                        ["irVersion"] = onnx.IrVersion, ["opset"] = onnx.OpsetImport[0].Version,
                        ["nodes"] = onnx.Graph.Node.Count, ["initializers"] = onnx.Graph.Initializer.Count,
                    });
                }
                else
                {
                    Console.WriteLine($"{path}  {f.InputName} [N,{f.InputSize}] -> {f.OutputName} [N,{f.OutputSize}]");
                }
                return 0;
            }
            catch (Exception e) when (FeaturizerFile.IsUserError(e))
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }
}

/// <summary>A featurizer loaded from a model file: how it encodes rows and how it exports to ONNX, under its input and output names.</summary>
/// <param name="Kind">The model file's kind (<c>autoencoder</c>, <c>vae</c>, <c>encoder-classifier</c>).</param>
/// <param name="InputName">The ONNX input name.</param>
/// <param name="OutputName">The ONNX output name.</param>
/// <param name="InputSize">Input width D.</param>
/// <param name="OutputSize">Code width k (class count for an encoder classifier).</param>
/// <param name="Encode">The library's own encoding of N×D rows (class probabilities for an encoder classifier).</param>
/// <param name="Export">The ONNX model.</param>
internal sealed record Featurizer(string Kind, string InputName, string OutputName, int InputSize, int OutputSize,
    Func<Matrix, Matrix> Encode, Func<ModelProto> Export);

/// <summary>Opens the model files <c>mlae export-onnx</c> and <c>mlae encode</c> read, by the kind stored in the file.</summary>
internal static class FeaturizerFile
{
    public static Option<string> ModelOption() => new("--model")
    {
        Description = "a model file: an autoencoder or VAE from `mlae train`, or an encoder classifier from `mlae pretrain`",
        Required = true,
    };

    public static (Option<string?> Input, Option<string?> Output) NameOptions() => (
        new Option<string?>("--input-name") { Description = $"input name (default {OnnxExport.DefaultInputName})" },
        new Option<string?>("--output-name") { Description = $"output name (default {OnnxExport.DefaultOutputName}; {OnnxExportClassifier.DefaultOutputName} for an encoder classifier)" });

    /// <summary>Loads a model file by its stored kind; errors name the file.</summary>
    public static Featurizer Load(string path, string? inputName, string? outputName)
    {
        if (IsZip(path))
            throw new InvalidDataException($"Model file '{path}' is an ML.NET model zip (it already holds its stage as ONNX; load it with mlContext.Model.Load). " +
                "Export a PCA with `mlae pca --onnx`, or give an autoencoder, VAE or encoder-classifier model file.");
        var archive = ModelArchive.Load(path);
        try
        {
            switch (archive.Kind)
            {
                case AutoencoderModel.Kind or VaeModel.Kind:
                {
                    IAutoencoder model = archive.Kind == VaeModel.Kind ? VaeModel.FromArchive(archive) : AutoencoderModel.FromArchive(archive);
                    string input = inputName ?? OnnxExport.DefaultInputName, output = outputName ?? OnnxExport.DefaultOutputName;
                    return new Featurizer(archive.Kind, input, output, model.InputSize, model.CodeSize, model.Encode, () => OnnxExport.Encoder(model, input, output));
                }
                case ConvAutoencoder.Kind:
                {
                    var (model, _) = ConvAutoencoder.FromArchive(archive);
                    string input = inputName ?? OnnxExport.DefaultInputName, output = outputName ?? OnnxExport.DefaultOutputName;
                    return new Featurizer(archive.Kind, input, output, model.InputSize, model.CodeSize, model.Encode, () => OnnxExport.Encoder(model, input, output));
                }
                case EncoderClassifier.Kind:
                {
                    var model = EncoderClassifier.FromArchive(archive);
                    string input = inputName ?? OnnxExport.DefaultInputName, output = outputName ?? OnnxExportClassifier.DefaultOutputName;
                    return new Featurizer(archive.Kind, input, output, model.FeatureCount, model.ClassCount, model.PredictProbabilities,
                        () => OnnxExportClassifier.Classifier(model, input, output));
                }
                default:
                    throw new InvalidDataException($"holds a '{archive.Kind}' model; expected '{AutoencoderModel.Kind}', '{VaeModel.Kind}', '{ConvAutoencoder.Kind}' or '{EncoderClassifier.Kind}'.");
            }
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"Model file '{path}' {e.Message}", e);
        }
    }

    private static bool IsZip(string path)
    {
        if (!File.Exists(path)) return false;
        using var f = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        return f.Read(head) == 2 && head[0] == (byte)'P' && head[1] == (byte)'K';
    }

    /// <summary>Errors reported to the user as a message (not a stack trace).</summary>
    public static bool IsUserError(Exception e) =>
        e is ArgumentException or IOException or InvalidDataException or NotSupportedException or InvalidOperationException or UnauthorizedAccessException;
}
