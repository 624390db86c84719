using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>
/// The dense layer's element-wise passes split over two threads: the forward's three steps (bias copy, product,
/// activation) that a GEMM provider other than the managed one takes, against the managed provider's fused product; and
/// the backward of a layer whose bias is frozen, against the same layer with a trainable bias.
/// </summary>
public class DenseLayerThreadedPathsTests
{
    // 1 100 rows of 256 outputs: more than two threads' share of an element-wise pass (NnContext.MinValuesPerThread =
    // 2^17 values each), so the passes split into two row ranges.
    private const int Rows = 1100, In = 24, Out = 256;

    private static DenseLayer Layer(ActivationKind activation)
    {
        var l = new DenseLayer("d", In, Out, activation, 0.3f);
        var rng = new Rng(7);
        foreach (var p in l.Parameters) rng.FillUniform(p.Value.Span, -1, 1);
        return l;
    }

    private static Matrix Random(int rows, int cols, ulong seed)
    {
        var m = new Matrix(rows, cols);
        new Rng(seed).FillUniform(m.Span, -1, 1);
        return m;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}: value {i} (row {i / Out}) is {actual[i]}, expected {expected[i]}");
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.LeakyRelu)]
    public void The_three_step_forward_on_two_threads_equals_the_fused_product(ActivationKind activation)
    {
        var x = Random(Rows, In, 5);
        var fused = Layer(activation).Forward(x, false, NnContext.Create(GemmKind.Managed, 1)).Span.ToArray();
        var threeSteps = Layer(activation).Forward(x, false, NnContext.Create(GemmKind.OpenBlas, 2)).Span.ToArray();
        AssertClose(fused, threeSteps, 1e-5f, $"{activation}, OpenBLAS on 2 threads against the managed fused product");
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    public void A_frozen_bias_on_two_threads_leaves_the_other_gradients_as_they_are(ActivationKind activation)
    {
        var ctx = NnContext.Create(GemmKind.Managed, 2);
        var x = Random(Rows, In, 5);
        var dy = Random(Rows, Out, 6);
        var trainable = Layer(activation);
        var frozen = Layer(activation);
        frozen.Bias.Frozen = true;
        trainable.Forward(x, true, ctx);
        var dxTrainable = trainable.Backward(dy.Clone(), true, ctx)!.Span.ToArray();
        frozen.Forward(x, true, ctx);
        var dxFrozen = frozen.Backward(dy.Clone(), true, ctx)!.Span.ToArray();
        AssertClose(dxTrainable, dxFrozen, 1e-6f, $"{activation}: input gradient with the bias frozen");
        AssertClose(trainable.Weight.Grad.Span.ToArray(), frozen.Weight.Grad.Span.ToArray(), 1e-6f, $"{activation}: weight gradient with the bias frozen");
        Assert.All(frozen.Bias.Grad.Span.ToArray(), g => Assert.Equal(0f, g));
        Assert.Contains(trainable.Bias.Grad.Span.ToArray(), g => g != 0f);
    }
}
