using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>Weight initialisation schemes (biases start at zero).</summary>
public enum InitKind
{
    /// <summary>He for ReLU-family, LeCun normal for SELU, Glorot uniform otherwise.</summary>
    Auto,
    /// <summary>Glorot/Xavier uniform: U(±√(6/(in+out))).</summary>
    GlorotUniform,
    /// <summary>Glorot/Xavier normal: N(0, 2/(in+out)).</summary>
    GlorotNormal,
    /// <summary>He/Kaiming uniform: U(±√(6/in)).</summary>
    HeUniform,
    /// <summary>He/Kaiming normal: N(0, 2/in).</summary>
    HeNormal,
    /// <summary>LeCun normal: N(0, 1/in) (the one SELU needs).</summary>
    LecunNormal,
    /// <summary>PyTorch's nn.Linear default: U(±1/√in) for weights and biases.</summary>
    PyTorchDefault,
}

/// <summary>Initialises dense layers.</summary>
public static class Initializer
{
    /// <summary>
    /// Parses <c>auto</c>, <c>glorot-uniform</c>, <c>glorot-normal</c>, <c>he-uniform</c>, <c>he-normal</c>,
    /// <c>lecun-normal</c> or <c>pytorch</c> (any case, surrounding spaces ignored).
    /// </summary>
    public static InitKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => InitKind.Auto,
        "glorot-uniform" => InitKind.GlorotUniform,
        "glorot-normal" => InitKind.GlorotNormal,
        "he-uniform" => InitKind.HeUniform,
        "he-normal" => InitKind.HeNormal,
        "lecun-normal" => InitKind.LecunNormal,
        "pytorch" => InitKind.PyTorchDefault,
        _ => throw new ArgumentException($"Unknown initialisation '{name}'; expected auto, glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal or pytorch."),
    };

    /// <summary>Initialises a dense layer's own (non-transposed) weight and bias with the given scheme.</summary>
    public static void Initialize(DenseLayer layer, InitKind kind, Rng rng)
        => Initialize(layer.Weight, layer.Bias, layer.InputSize, layer.OutputSize, layer.Activation, kind, rng);

    /// <summary>Initialises a convolution's weight and bias (fan-in = in channels · kernel², fan-out = out channels · kernel²).</summary>
    public static void Initialize(Conv2dLayer layer, InitKind kind, Rng rng)
        => Initialize(layer.Weight, layer.Bias, layer.Geometry.WindowSize, layer.OutChannels * layer.Geometry.Kernel * layer.Geometry.Kernel, layer.Activation, kind, rng);

    /// <summary>Initialises a transposed convolution's weight and bias (fan-in = in channels · kernel², fan-out = out channels · kernel²).</summary>
    public static void Initialize(ConvTranspose2dLayer layer, InitKind kind, Rng rng)
        => Initialize(layer.Weight, layer.Bias, layer.InChannels * layer.Geometry.Kernel * layer.Geometry.Kernel, layer.Geometry.WindowSize, layer.Activation, kind, rng);

    private static void Initialize(Parameter weight, Parameter bias, int fanIn, int fanOut, ActivationKind activation, InitKind kind, Rng rng)
    {
        if (kind == InitKind.Auto)
            kind = activation switch
            {
                ActivationKind.Relu or ActivationKind.LeakyRelu => InitKind.HeUniform,
                ActivationKind.Selu => InitKind.LecunNormal,
                _ => InitKind.GlorotUniform,
            };
        var w = weight.Value.Span;
        switch (kind)
        {
            case InitKind.GlorotUniform: { float a = MathF.Sqrt(6f / (fanIn + fanOut)); rng.FillUniform(w, -a, a); break; }
            case InitKind.GlorotNormal: rng.FillGaussian(w, 0, MathF.Sqrt(2f / (fanIn + fanOut))); break;
            case InitKind.HeUniform: { float a = MathF.Sqrt(6f / fanIn); rng.FillUniform(w, -a, a); break; }
            case InitKind.HeNormal: rng.FillGaussian(w, 0, MathF.Sqrt(2f / fanIn)); break;
            case InitKind.LecunNormal: rng.FillGaussian(w, 0, MathF.Sqrt(1f / fanIn)); break;
            case InitKind.PyTorchDefault:
            {
                float a = 1f / MathF.Sqrt(fanIn);
                rng.FillUniform(w, -a, a);
                if (!ReferenceEquals(bias, weight)) rng.FillUniform(bias.Value.Span, -a, a);
                return;
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        bias.Value.Clear();
    }
}
