using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Modules;

/// <summary>
/// The built-in convolutional autoencoder (the <c>conv</c> kind), trained on the TorchSharp engine. Encoder: per entry
/// of <see cref="ConvAutoencoderOptions.Channels"/> a Conv2d with kernel 4, stride 2, padding 1 (halving height and
/// width) and ReLU, then a linear layer to the code. Decoder: a linear layer and ReLU back to the last feature map, then
/// ConvTranspose2d layers (kernel 4, stride 2, padding 1, doubling height and width) with ReLU between them, the last
/// one giving the image's channels (logits with the cross-entropy loss). It is a <see cref="TorchModules"/> pair, so the
/// family's loss, corruption and activity/KL penalties apply, the ML.NET stage takes it
/// (<c>options.Autoencoder.Modules = ConvAutoencoder.Modules(...)</c>) and ONNX export writes Conv and ConvTranspose nodes.
/// The architecture is <see cref="ConvAutoencoderOptions"/>'s, which the managed engine builds as its own layers
/// (<see cref="AutoencoderOptions.Conv"/>).
/// </summary>
public static class ConvAutoencoder
{
    /// <summary>The model kind in model files.</summary>
    public const string Kind = "conv-autoencoder";

    /// <summary>
    /// The encoder and decoder factories for codes of width <paramref name="codeSize"/>, the code layer followed by
    /// <paramref name="codeActivation"/> (<see cref="AutoencoderOptions.CodeActivation"/>, as the managed engine's conv layers).
    /// </summary>
    public static TorchModules Modules(ConvAutoencoderOptions conv, int codeSize, ActivationKind codeActivation = ActivationKind.Identity, float leakyReluSlope = 0.01f)
    {
        ArgumentNullException.ThrowIfNull(conv);
        conv = conv.Clone();
        conv.Validate();
        if (codeSize < 1) throw new ArgumentOutOfRangeException(nameof(codeSize), codeSize, "codeSize must be ≥ 1.");
        var (k, s, p) = (ConvAutoencoderOptions.Kernel, ConvAutoencoderOptions.Stride, ConvAutoencoderOptions.Padding);
        int last = conv.FeatureShape[0], hs = conv.FeatureShape[1], ws = conv.FeatureShape[2];
        var widths = new[] { conv.ImageShape[0] }.Concat(conv.Channels).ToArray();

        nn.Module<Tensor, Tensor> Encoder()
        {
            var layers = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i + 1 < widths.Length; i++)
            {
                layers.Add(nn.Conv2d(widths[i], widths[i + 1], k, stride: s, padding: p));
                layers.Add(nn.ReLU());
            }
            layers.Add(nn.Flatten());
            layers.Add(nn.Linear(last * hs * ws, codeSize));
            if (Activation(codeActivation, leakyReluSlope) is { } act) layers.Add(act);
            return nn.Sequential(layers);
        }

        nn.Module<Tensor, Tensor> Decoder()
        {
            var layers = new List<nn.Module<Tensor, Tensor>> { nn.Linear(codeSize, last * hs * ws), nn.ReLU(), nn.Unflatten(1, [last, hs, ws]) };
            for (int i = widths.Length - 1; i > 0; i--)
            {
                layers.Add(nn.ConvTranspose2d(widths[i], widths[i - 1], k, stride: s, padding: p));
                if (i > 1) layers.Add(nn.ReLU());
            }
            return nn.Sequential(layers);
        }

        return new TorchModules(Encoder, Decoder, conv.ImageShape.Select(v => (long)v).ToArray());
    }

    private static nn.Module<Tensor, Tensor>? Activation(ActivationKind kind, float slope) => kind switch
    {
        ActivationKind.Identity => null,
        ActivationKind.Relu => nn.ReLU(),
        ActivationKind.LeakyRelu => nn.LeakyReLU(slope),
        ActivationKind.Selu => nn.SELU(),
        ActivationKind.Sigmoid => nn.Sigmoid(),
        ActivationKind.Tanh => nn.Tanh(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown code activation."),
    };

    private static TorchModules Modules(ConvAutoencoderOptions conv, AutoencoderOptions options) =>
        Modules(conv, options.CodeSize, options.CodeActivation, options.LeakyReluSlope);

    /// <summary>
    /// Trains the convolutional autoencoder on the rows of <paramref name="data"/> with the loss, corruption, penalties and
    /// optimisation settings of <paramref name="options"/> (its <see cref="AutoencoderOptions.CodeSize"/> is the code width).
    /// </summary>
    public static TorchModulesModel Fit(ConvAutoencoderOptions conv, AutoencoderOptions options, Matrix data,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Modules(conv, options).Fit(options, data, progress, cancellationToken);
    }

    /// <summary>Saves a model fitted by <see cref="Fit"/> (options, architecture, history and every tensor of both modules) atomically.</summary>
    public static void Save(TorchModulesModel model, ConvAutoencoderOptions conv, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var a = new ModelArchive(Kind);
        a.Set("options", model.Options);
        a.Set("conv", conv);
        a.Set("history", model.History);
        foreach (var (prefix, module) in new[] { ("encoder.", model.Encoder), ("decoder.", model.Decoder) })
            foreach (var (name, t) in module.state_dict())
                a.Add(prefix + name, new Matrix(1, (int)t.numel(), t.detach().contiguous().data<float>().ToArray()));
        a.Save(path);
    }

    /// <summary>Loads a model saved with <see cref="Save"/>; errors name the file and what is wrong.</summary>
    public static (TorchModulesModel Model, ConvAutoencoderOptions Conv) Load(string path) => ModelArchive.Load(path, Kind, FromArchive);

    /// <summary>Rebuilds a model from an archive written by <see cref="Save"/>.</summary>
    public static (TorchModulesModel Model, ConvAutoencoderOptions Conv) FromArchive(ModelArchive a)
    {
        ArgumentNullException.ThrowIfNull(a);
        TorchSharpEngine.EnsureAvailable();
        var options = a.GetValue<AutoencoderOptions>("options");
        var conv = a.GetValue<ConvAutoencoderOptions>("conv");
        var modules = Modules(conv, options);
        var encoder = modules.Encoder();
        var decoder = modules.Decoder();
        using (torch.no_grad())
        {
            foreach (var (prefix, module) in new[] { ("encoder.", encoder), ("decoder.", decoder) })
                foreach (var (name, t) in module.state_dict())
                {
                    var m = a.Get(prefix + name);
                    if (m.Length != t.numel())
                        throw new InvalidDataException($"tensor '{prefix + name}' has {m.Length} values; the architecture needs {t.numel()}.");
                    t.copy_(torch.tensor(m.Span.ToArray(), t.shape));
                }
        }
        encoder.eval();
        decoder.eval();
        long[] shape = conv.ImageShape.Select(v => (long)v).ToArray();
        var model = new TorchModulesModel(options, encoder, decoder, shape, [options.CodeSize], options.CodeSize, a.GetValue<TrainingHistory>("history"));
        return (model, conv);
    }
}
