using System.Text.Json.Nodes;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// A fitted featurizer as one stage of an ONNX graph (made by <see cref="OnnxExport"/>): what it is, the widths it
/// maps between, the settings it was trained with (written into the model's metadata), and how to write its nodes.
/// </summary>
public sealed class OnnxExportStage : IOnnxStage
{
    private readonly Func<OnnxGraphBuilder, string, string> _append;
    private readonly JsonNode _options;

    /// <summary>
    /// A stage of kind <paramref name="kind"/> from <paramref name="inputSize"/> to <paramref name="outputSize"/> features;
    /// <paramref name="append"/> writes its nodes (given the builder and the input's name, it returns the output's name).
    /// </summary>
    public OnnxExportStage(string kind, int inputSize, int outputSize, JsonNode options, Func<OnnxGraphBuilder, string, string> append)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(append);
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "A stage reads at least 1 feature.");
        if (outputSize < 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "A stage writes at least 1 feature.");
        Kind = kind;
        InputSize = inputSize;
        OutputSize = outputSize;
        _options = options;
        _append = append;
    }

    /// <summary>The model kind written as metadata, e.g. <c>autoencoder</c>, <c>vae</c>, <c>pca</c>, <c>normalizer-min-max</c>.</summary>
    public string Kind { get; }

    /// <summary>Width of the rows the stage reads.</summary>
    public int InputSize { get; }

    /// <summary>Width of the rows the stage writes.</summary>
    public int OutputSize { get; }

    /// <summary>The training settings (a JSON object; a fresh copy each call), written as the model's <c>training_options</c>.</summary>
    public JsonNode Options => _options.DeepClone();

    /// <summary>Appends the stage's initializers and nodes reading <paramref name="input"/> ([N, <see cref="InputSize"/>]); returns its [N, <see cref="OutputSize"/>] result.</summary>
    public string AppendTo(OnnxGraphBuilder builder, string input)
    {
        ArgumentNullException.ThrowIfNull(builder);
        int width = builder.WidthOf(input);
        if (width != InputSize)
            throw new ArgumentException($"The {Kind} stage reads {InputSize} features, but '{input}' has {width}.", nameof(input));
        return _append(builder, input);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind} ({InputSize} → {OutputSize})";
}
