using System.Numerics.Tensors;

namespace MLNetAutoencoders.Nn;

/// <summary>Element-wise activation functions.</summary>
public enum ActivationKind
{
    /// <summary>f(a) = a.</summary>
    Identity,
    /// <summary>f(a) = max(a, 0).</summary>
    Relu,
    /// <summary>f(a) = a for a &gt; 0, α·a otherwise (α = <c>LeakyReluSlope</c>, 0.01 by default).</summary>
    LeakyRelu,
    /// <summary>Scaled exponential linear unit (Klambauer et al.): λ·a for a &gt; 0, λ·α·(eᵃ − 1) otherwise.</summary>
    Selu,
    /// <summary>f(a) = 1 / (1 + e⁻ᵃ).</summary>
    Sigmoid,
    /// <summary>f(a) = tanh(a).</summary>
    Tanh,
}

/// <summary>Forward values and derivatives of <see cref="ActivationKind"/>; derivatives are computed from the outputs.</summary>
public static class Activations
{
    /// <summary>SELU's λ.</summary>
    public const float SeluLambda = 1.0507009873554805f;

    /// <summary>SELU's α.</summary>
    public const float SeluAlpha = 1.6732632423543772f;

    /// <summary>Parses a name such as <c>relu</c>, <c>leaky-relu</c>, <c>selu</c>, <c>sigmoid</c>, <c>tanh</c>, <c>identity</c>/<c>linear</c>.</summary>
    public static ActivationKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "identity" or "linear" or "none" => ActivationKind.Identity,
        "relu" => ActivationKind.Relu,
        "leaky-relu" or "leakyrelu" or "leaky_relu" => ActivationKind.LeakyRelu,
        "selu" => ActivationKind.Selu,
        "sigmoid" => ActivationKind.Sigmoid,
        "tanh" => ActivationKind.Tanh,
        _ => throw new ArgumentException($"Unknown activation '{name}'; expected identity, relu, leaky-relu, selu, sigmoid or tanh."),
    };

    /// <summary>Applies the activation in place.</summary>
    public static void Forward(ActivationKind kind, Span<float> x, float slope = 0.01f)
    {
        switch (kind)
        {
            case ActivationKind.Identity: break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, x); break;
            case ActivationKind.LeakyRelu:
                for (int i = 0; i < x.Length; i++) if (x[i] < 0) x[i] *= slope;
                break;
            case ActivationKind.Selu:
                for (int i = 0; i < x.Length; i++)
                    x[i] = x[i] > 0 ? SeluLambda * x[i] : SeluLambda * SeluAlpha * (MathF.Exp(x[i]) - 1f);
                break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, x); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, x); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Multiplies <paramref name="grad"/> in place by f'(a), computed from the outputs <paramref name="y"/> = f(a).</summary>
    public static void BackwardFromOutput(ActivationKind kind, ReadOnlySpan<float> y, Span<float> grad, float slope = 0.01f)
    {
        switch (kind)
        {
            case ActivationKind.Identity: break;
            case ActivationKind.Relu: FastMath.ReluBackward(y, grad); break;
            case ActivationKind.LeakyRelu:
                for (int i = 0; i < grad.Length; i++) if (y[i] <= 0) grad[i] *= slope;
                break;
            case ActivationKind.Selu:
                for (int i = 0; i < grad.Length; i++) grad[i] *= y[i] > 0 ? SeluLambda : y[i] + SeluLambda * SeluAlpha;
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < grad.Length; i++) grad[i] *= y[i] * (1 - y[i]);
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < grad.Length; i++) grad[i] *= 1 - y[i] * y[i];
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>f'(a) from the output y = f(a), one value.</summary>
    public static float DerivativeFromOutput(ActivationKind kind, float y, float slope = 0.01f) => kind switch
    {
        ActivationKind.Identity => 1f,
        ActivationKind.Relu => y > 0 ? 1f : 0f,
        ActivationKind.LeakyRelu => y > 0 ? 1f : slope,
        ActivationKind.Selu => y > 0 ? SeluLambda : y + SeluLambda * SeluAlpha,
        ActivationKind.Sigmoid => y * (1 - y),
        ActivationKind.Tanh => 1 - y * y,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>f''(a) from the output y = f(a), one value (0 for the piecewise-linear kinds).</summary>
    public static float SecondDerivativeFromOutput(ActivationKind kind, float y) => kind switch
    {
        ActivationKind.Identity or ActivationKind.Relu or ActivationKind.LeakyRelu => 0f,
        ActivationKind.Selu => y > 0 ? 0f : y + SeluLambda * SeluAlpha,
        ActivationKind.Sigmoid => y * (1 - y) * (1 - 2 * y),
        ActivationKind.Tanh => -2 * y * (1 - y * y),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The lower-case name used in options, model files and ONNX metadata.</summary>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.LeakyRelu => "leaky-relu",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
