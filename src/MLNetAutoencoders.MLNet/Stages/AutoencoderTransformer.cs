using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// A fitted autoencoder stage of any kind of the family (plain, sparse, contractive, denoising, dropout, tied, stacked,
/// variational): adds the deterministic code of the input column (μ for a VAE), and optionally the reconstruction and
/// the per-row reconstruction error.
/// </summary>
public sealed class AutoencoderTransformer : RowMappingTransformer
{
    internal AutoencoderTransformer(string stageName, IAutoencoder model, string inputColumnName, string codeColumnName,
        string? reconstructionColumnName, string? errorColumnName)
        : base(stageName, inputColumnName, model.InputSize, Columns(model, codeColumnName, reconstructionColumnName, errorColumnName))
    {
        Model = model;
        CodeColumnName = codeColumnName;
        ReconstructionColumnName = reconstructionColumnName;
        ErrorColumnName = errorColumnName;
    }

    /// <summary>
    /// The stage of a model trained with the core library or loaded from its model file (<see cref="AutoencoderFile.Load"/>):
    /// writes the code of <paramref name="inputColumnName"/> to <paramref name="codeColumnName"/>, as a fitted
    /// <c>EncodeWithAutoencoder</c> (or, for a <see cref="VaeModel"/>, <c>EncodeWithVariationalAutoencoder</c>) stage would.
    /// </summary>
    public static AutoencoderTransformer FromModel(IAutoencoder model, string inputColumnName = "Features", string codeColumnName = "Code")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(codeColumnName);
        return new AutoencoderTransformer(model is VaeModel ? VariationalAutoencoderEstimator.StageName : AutoencoderEstimator.StageName,
            model, inputColumnName, codeColumnName, null, null);
    }

    /// <summary>The trained autoencoder (encode, decode, reconstruct, history, the library's model file); a <see cref="VaeModel"/> for a VAE stage.</summary>
    public IAutoencoder Model { get; }

    /// <summary>The code column.</summary>
    public string CodeColumnName { get; }

    /// <summary>The reconstruction column, if any.</summary>
    public string? ReconstructionColumnName { get; }

    /// <summary>The reconstruction-error column, if any.</summary>
    public string? ErrorColumnName { get; }

    private static List<OutputColumn> Columns(IAutoencoder model, string code, string? reconstruction, string? error)
    {
        var list = new List<OutputColumn> { new(code, model.CodeSize) };
        if (reconstruction != null) list.Add(new(reconstruction, model.InputSize));
        if (error != null) list.Add(new(error, 0));
        return list;
    }

    /// <inheritdoc />
    private protected override Matrix[] Map(Matrix rows)
    {
        var code = Model.Encode(rows);
        if (ReconstructionColumnName is null && ErrorColumnName is null) return [code];
        var reconstruction = Model.Decode(code);
        var result = new List<Matrix> { code };
        if (ReconstructionColumnName != null) result.Add(reconstruction);
        if (ErrorColumnName != null) result.Add(AutoencoderMetrics.RowErrors(rows, reconstruction));
        return [.. result];
    }

    /// <inheritdoc />
    internal override ModelProto ToOnnx() => OnnxExport.Autoencoder(Model, InputColumnName, CodeColumnName, ReconstructionColumnName, ErrorColumnName);
}
