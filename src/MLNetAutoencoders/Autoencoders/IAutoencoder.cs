using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// What every trained model of the autoencoder family offers: deterministic encoding and decoding, a model file, and
/// the dense layers of its code path (for Jacobian measurements). Implemented by <see cref="AutoencoderModel"/>
/// (plain, sparse, contractive, denoising, dropout, tied, stacked) and <see cref="VaeModel"/>.
/// </summary>
public interface IAutoencoder
{
    /// <summary>Input width.</summary>
    int InputSize { get; }

    /// <summary>Code width.</summary>
    int CodeSize { get; }

    /// <summary>Number of distinct trainable scalars (tied weights counted once).</summary>
    int ParameterCount { get; }

    /// <summary>Per-epoch losses and times of training.</summary>
    TrainingHistory History { get; }

    /// <summary>Codes of the rows of <paramref name="x"/> (deterministic: no corruption, dropout or sampling).</summary>
    Matrix Encode(Matrix x);

    /// <summary>Reconstructions (values in the data's scale; probabilities for Bernoulli/cross-entropy models) from codes.</summary>
    Matrix Decode(Matrix codes);

    /// <summary>Decode(Encode(x)).</summary>
    Matrix Reconstruct(Matrix x);

    /// <summary>The dense layers from the input to the code <see cref="Encode"/> returns, input side first (dropout omitted).</summary>
    IReadOnlyList<DenseLayer> CodePath { get; }

    /// <summary>The model as a model-file archive.</summary>
    ModelArchive ToArchive();

    /// <summary>Saves to a versioned model file (written atomically).</summary>
    void Save(string path);
}

/// <summary>Opens model files of any autoencoder kind.</summary>
public static class AutoencoderFile
{
    /// <summary>
    /// Loads an <see cref="AutoencoderModel"/> or a <see cref="VaeModel"/>, whichever the file holds; a file of another
    /// kind, or a damaged one, gives an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static IAutoencoder Load(string path) => ModelArchive.Load<IAutoencoder>(path, null, a => a.Kind switch
    {
        AutoencoderModel.Kind => AutoencoderModel.FromArchive(a),
        VaeModel.Kind => VaeModel.FromArchive(a),
        _ => throw new InvalidDataException($"it holds a '{a.Kind}' model; expected an autoencoder ('{AutoencoderModel.Kind}' or '{VaeModel.Kind}')."),
    });
}
