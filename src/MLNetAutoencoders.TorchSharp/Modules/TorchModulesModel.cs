using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.TorchSharp.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Modules;

/// <summary>
/// An autoencoder trained from a user's own TorchSharp modules (<see cref="TorchModules"/>): encodes and decodes with
/// them (eval mode, no gradients), and exports them to ONNX through <see cref="TorchOnnxExport"/>, so the ML.NET stage
/// that holds it saves into ML.NET's model zip like the built-in ones. Encoding and decoding may run on several threads at once.
/// </summary>
public sealed class TorchModulesModel : IOnnxAutoencoder
{
    /// <summary>The model kind written into ONNX metadata.</summary>
    public const string Kind = "torch-modules";

    private readonly long[] _inputShape;
    private readonly long[] _codeShape;

    internal TorchModulesModel(AutoencoderOptions options, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder,
        long[] inputShape, long[] codeShape, int codeSize, TrainingHistory history)
    {
        Options = options;
        Encoder = encoder;
        Decoder = decoder;
        _inputShape = inputShape;
        _codeShape = codeShape;
        InputSize = checked((int)TorchOnnxExport.RowSize(inputShape));
        CodeSize = codeSize;
        History = history;
        ParameterCount = checked((int)encoder.parameters().Concat(decoder.parameters()).Sum(p => p.numel()));
    }

    /// <summary>The options it was trained with.</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>The trained encoder (in eval mode). Changing it changes the model.</summary>
    public nn.Module<Tensor, Tensor> Encoder { get; }

    /// <summary>The trained decoder (in eval mode; its output is logits with the cross-entropy loss).</summary>
    public nn.Module<Tensor, Tensor> Decoder { get; }

    /// <summary>One input row's shape as the encoder sees it.</summary>
    public IReadOnlyList<long> InputShape => _inputShape;

    /// <summary>One code's shape as the encoder gives it (the code column holds it flattened).</summary>
    public IReadOnlyList<long> CodeShape => _codeShape;

    /// <inheritdoc />
    public int InputSize { get; }

    /// <inheritdoc />
    public int CodeSize { get; }

    /// <inheritdoc />
    public int ParameterCount { get; }

    /// <inheritdoc />
    public TrainingHistory History { get; }

    /// <summary>Empty: the modules are not the library's dense layers (Jacobian measurements do not apply).</summary>
    public IReadOnlyList<DenseLayer> CodePath => [];

    /// <inheritdoc />
    public Matrix Encode(Matrix x) => Run(Encoder, x, _inputShape, InputSize, CodeSize, sigmoid: false);

    /// <inheritdoc />
    public Matrix Decode(Matrix codes) => Run(Decoder, codes, _codeShape, CodeSize, InputSize, sigmoid: Options.Loss == LossKind.CrossEntropy);

    /// <inheritdoc />
    public Matrix Reconstruct(Matrix x) => Decode(Encode(x));

    private static Matrix Run(nn.Module<Tensor, Tensor> module, Matrix x, long[] rowShape, int width, int outWidth, bool sigmoid)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != width) throw new ArgumentException($"The rows have {x.Cols} values; the module reads {width}.", nameof(x));
        if (x.Rows == 0) return new Matrix(0, outWidth);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var y = module.forward(torch.tensor(x.Span.ToArray(), [x.Rows, .. rowShape])).reshape(x.Rows, outWidth);
        if (sigmoid) y = y.sigmoid();
        return new Matrix(x.Rows, outWidth, y.contiguous().data<float>().ToArray());
    }

    /// <summary>Not available: the library's model file holds its own networks. Save the modules with TorchSharp (<c>module.save</c>); the ML.NET stage saves the model into ML.NET's zip as ONNX.</summary>
    public ModelArchive ToArchive() => throw new NotSupportedException(
        "A model of your own TorchSharp modules has no library model file: save the modules with TorchSharp (Encoder.save, Decoder.save), " +
        "or the ML.NET stage into ML.NET's model zip (as ONNX), or export it with OnnxExport.");

    /// <inheritdoc cref="ToArchive" />
    public void Save(string path) => ToArchive();

    /// <inheritdoc />
    public OnnxExportStage EncoderStage()
    {
        var options = JsonSerializer.SerializeToNode(Options, ModelArchive.JsonOptions)?.AsObject() ?? [];
        options["inputShape"] = new JsonArray(_inputShape.Select(v => (JsonNode)v).ToArray());
        options["encoder"] = Describe(Encoder);
        options["decoder"] = Describe(Decoder);
        return new OnnxExportStage(Kind, InputSize, CodeSize, options, (b, x) => TorchOnnxExport.Append(b, x, Encoder, _inputShape, "encoder"));
    }

    /// <inheritdoc />
    public string AppendReconstruction(OnnxGraphBuilder builder, string code)
    {
        var r = TorchOnnxExport.Append(builder, code, Decoder, _codeShape, "decoder");
        return Options.Loss == LossKind.CrossEntropy ? builder.Activation(r, OnnxActivation.Sigmoid, hint: "reconstruction_sigmoid") : r;
    }

    /// <summary>The module's layers in order, e.g. "Conv2d > ReLU > Flatten > Linear".</summary>
    private static string Describe(nn.Module m) => m is global::TorchSharp.Modules.Sequential
        ? string.Join(" > ", m.named_children().Select(c => Describe(c.module)))
        : m.GetType().Name;
}
