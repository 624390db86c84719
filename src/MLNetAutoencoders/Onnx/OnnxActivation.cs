namespace MLNetAutoencoders.Onnx;

/// <summary>Element-wise (or, for <see cref="Softmax"/>, row-wise) activations that <see cref="OnnxGraphBuilder.Activation"/> emits.</summary>
public enum OnnxActivation
{
    /// <summary>f(a) = a (ONNX <c>Identity</c>).</summary>
    Identity,
    /// <summary>f(a) = max(a, 0) (ONNX <c>Relu</c>).</summary>
    Relu,
    /// <summary>f(a) = a for a ≥ 0, α·a otherwise (ONNX <c>LeakyRelu</c>; α defaults to 0.01).</summary>
    LeakyRelu,
    /// <summary>f(a) = a for a &gt; 0, α·(eᵃ − 1) otherwise (ONNX <c>Elu</c>; α defaults to 1).</summary>
    Elu,
    /// <summary>f(a) = γ·a for a &gt; 0, γ·α·(eᵃ − 1) otherwise (ONNX <c>Selu</c>; α ≈ 1.6733 and γ ≈ 1.0507 by default).</summary>
    Selu,
    /// <summary>f(a) = 1 / (1 + e⁻ᵃ) (ONNX <c>Sigmoid</c>).</summary>
    Sigmoid,
    /// <summary>f(a) = tanh(a) (ONNX <c>Tanh</c>).</summary>
    Tanh,
    /// <summary>f(a) = ln(1 + eᵃ) (ONNX <c>Softplus</c>).</summary>
    Softplus,
    /// <summary>Softmax over each row (ONNX <c>Softmax</c> with axis = 1).</summary>
    Softmax,
    /// <summary>The logarithm of the softmax over each row (ONNX <c>LogSoftmax</c> with axis = 1), computed stably.</summary>
    LogSoftmax,
}
