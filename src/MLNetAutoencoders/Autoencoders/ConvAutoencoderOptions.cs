namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The convolutional autoencoder's architecture (the <c>conv</c> kind), one definition for both engines: each input row
/// is seen as an image of <see cref="ImageShape"/> (channels × height × width, row-major, as Fashion-MNIST's 784 pixels
/// are 1 × 28 × 28). Encoder: per entry of <see cref="Channels"/> a convolution with kernel <see cref="Kernel"/>, stride
/// <see cref="Stride"/>, padding <see cref="Padding"/> (halving height and width) and ReLU, then a linear layer to the
/// code. Decoder: a linear layer and ReLU back to the last feature map, then transposed convolutions of the same
/// geometry (doubling height and width) with ReLU between them, the last giving the image's channels (logits with the
/// cross-entropy loss). Set <see cref="AutoencoderOptions.Conv"/> to train it on the managed engine; the TorchSharp
/// package's <c>ConvAutoencoder</c> builds the same networks as TorchSharp modules.
/// </summary>
public sealed class ConvAutoencoderOptions
{
    /// <summary>Kernel size of every (transposed) convolution.</summary>
    public const int Kernel = 4;

    /// <summary>Stride of every (transposed) convolution.</summary>
    public const int Stride = 2;

    /// <summary>Padding of every (transposed) convolution.</summary>
    public const int Padding = 1;

    /// <summary>Channels, height and width of one input row. Default 1, 28, 28 (Fashion-MNIST).</summary>
    public int[] ImageShape { get; set; } = [1, 28, 28];

    /// <summary>Output channels of the strided convolutions, input side first; each halves height and width. Default 32, 64.</summary>
    public int[] Channels { get; set; } = [32, 64];

    /// <summary>Values per input row: channels · height · width.</summary>
    public int InputSize => ImageShape[0] * ImageShape[1] * ImageShape[2];

    /// <summary>Channels, height and width of the last feature map (the encoder's input to its linear code layer).</summary>
    public int[] FeatureShape => [Channels[^1], ImageShape[1] >> Channels.Length, ImageShape[2] >> Channels.Length];

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (ImageShape is not { Length: 3 } || ImageShape.Any(v => v < 1))
            throw new ArgumentOutOfRangeException(nameof(ImageShape), "ImageShape must be three numbers ≥ 1: channels, height, width (e.g. 1, 28, 28).");
        if (Channels is not { Length: > 0 } || Channels.Any(c => c < 1))
            throw new ArgumentOutOfRangeException(nameof(Channels), "Channels needs at least one convolution width, all ≥ 1 (e.g. 32, 64).");
        int factor = 1 << Channels.Length;
        if (ImageShape[1] % factor != 0 || ImageShape[2] % factor != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageShape),
                $"ImageShape {ImageShape[0]}×{ImageShape[1]}×{ImageShape[2]}: height and width must be divisible by {factor} for {Channels.Length} stride-2 convolutions.");
    }

    /// <summary>A copy with its own arrays.</summary>
    public ConvAutoencoderOptions Clone() => new() { ImageShape = (int[])ImageShape.Clone(), Channels = (int[])Channels.Clone() };
}
