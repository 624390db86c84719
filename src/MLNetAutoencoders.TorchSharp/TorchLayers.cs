using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>The library's layers, activations and losses as LibTorch operations (the same formulas as the managed engine).</summary>
internal static class TorchLayers
{
    /// <summary>
    /// Runs <paramref name="network"/> on <paramref name="x"/>. With <paramref name="dropoutRng"/> (training) each dropout
    /// layer draws its mask from it, value by value in row order, as the managed layer does; without it dropout is the identity.
    /// </summary>
    public static Tensor Forward(Network network, TorchParameters p, Tensor x, Rng? dropoutRng)
    {
        foreach (var layer in network.Layers)
        {
            x = layer switch
            {
                DenseLayer d => Dense(d, p, x),
                Conv2dLayer c => Conv(c, p, x),
                ConvTranspose2dLayer t => ConvTranspose(t, p, x),
                DropoutLayer o when dropoutRng is not null && o.Rate > 0 => x * DropoutMask(o.Rate, (int)x.shape[0], (int)x.shape[1], dropoutRng),
                DropoutLayer => x,
                _ => throw new NotSupportedException($"The TorchSharp engine has no counterpart of the layer {layer.GetType().Name}."),
            };
        }
        return x;
    }

    /// <summary>f(x·Wᵀ + b), or f(x·W + b) for a tied (transposed) weight.</summary>
    public static Tensor Dense(DenseLayer d, TorchParameters p, Tensor x) =>
        Activate(d.Activation, d.Slope, torch.addmm(p[d.Bias], x, d.Transposed ? p[d.Weight] : p[d.Weight].t(), 1f, 1f));

    /// <summary>Conv2d on rows viewed as [N, C, H, W], flattened back to rows (the weight viewed as [out, in, k, k]).</summary>
    public static Tensor Conv(Conv2dLayer c, TorchParameters p, Tensor x)
    {
        var g = c.Geometry;
        var y = nn.functional.conv2d(x.view(-1, g.Channels, g.Height, g.Width), p[c.Weight].view(c.OutChannels, g.Channels, g.Kernel, g.Kernel),
            p[c.Bias].view(-1), strides: [g.Stride, g.Stride], padding: [g.Padding, g.Padding]);
        return Activate(c.Activation, c.Slope, y.flatten(1));
    }

    /// <summary>ConvTranspose2d on rows viewed as [N, C, H, W], flattened back to rows (the weight viewed as [in, out, k, k]).</summary>
    public static Tensor ConvTranspose(ConvTranspose2dLayer t, TorchParameters p, Tensor x)
    {
        var g = t.Geometry;
        var y = nn.functional.conv_transpose2d(x.view(-1, t.InChannels, g.OutHeight, g.OutWidth), p[t.Weight].view(t.InChannels, g.Channels, g.Kernel, g.Kernel),
            p[t.Bias].view(-1), strides: [g.Stride, g.Stride], padding: [g.Padding, g.Padding], output_padding: [t.OutputPadding, t.OutputPadding]);
        return Activate(t.Activation, t.Slope, y.flatten(1));
    }

    public static Tensor Activate(ActivationKind kind, float slope, Tensor a) => kind switch
    {
        ActivationKind.Identity => a,
        ActivationKind.Relu => nn.functional.relu(a),
        ActivationKind.LeakyRelu => nn.functional.leaky_relu(a, slope),
        ActivationKind.Selu => nn.functional.selu(a),
        ActivationKind.Sigmoid => torch.sigmoid(a),
        ActivationKind.Tanh => torch.tanh(a),
        _ => throw new NotSupportedException($"Activation {kind} is not supported by the TorchSharp engine."),
    };

    /// <summary>s'(a) written in terms of the output y = s(a), differentiable where s' is (as the managed Jacobian uses it).</summary>
    public static Tensor DerivativeFromOutput(ActivationKind kind, float slope, Tensor y) => kind switch
    {
        ActivationKind.Identity => torch.ones_like(y),
        ActivationKind.Relu => y.gt(0).to_type(ScalarType.Float32),
        ActivationKind.LeakyRelu => torch.where(y.gt(0), 1f, slope),
        ActivationKind.Selu => torch.where(y.gt(0), torch.full_like(y, Activations.SeluLambda), y + Activations.SeluLambda * Activations.SeluAlpha),
        ActivationKind.Sigmoid => y * (1 - y),
        ActivationKind.Tanh => 1 - y * y,
        _ => throw new NotSupportedException($"Activation {kind} is not supported by the TorchSharp engine."),
    };

    /// <summary>Inverted-dropout mask: 0 with probability <paramref name="rate"/>, 1/(1 − rate) otherwise.</summary>
    private static Tensor DropoutMask(float rate, int rows, int cols, Rng rng)
    {
        var mask = new float[rows * cols];
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextFloat() < rate ? 0f : keep;
        return torch.tensor(mask, new long[] { rows, cols });
    }

    /// <summary>The reconstruction loss summed over the batch (logits for cross-entropy).</summary>
    public static Tensor Loss(LossKind kind, Tensor output, Tensor target) => kind == LossKind.CrossEntropy
        ? nn.functional.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.Sum)
        : 0.5f * (output - target).pow(2).sum();

    /// <summary>A tensor holding a copy of <paramref name="m"/>'s values.</summary>
    public static Tensor Input(Matrix m) => TorchParameters.ToTensor(m);
}
