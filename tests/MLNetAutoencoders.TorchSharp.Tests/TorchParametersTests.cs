using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// The LibTorch copies of the library's parameters (<see cref="TorchParameters"/>): a tied parameter is one tensor, a
/// frozen one is left alone by the optimiser and has no gradient, a learning-rate scale is refused naming the
/// parameter, Adam's and SGD with momentum's steps are PyTorch's, and values copy both ways.
/// </summary>
public class TorchParametersTests
{
    private static Parameter Make(string name, params float[] values)
    {
        var p = new Parameter(name, 1, values.Length);
        values.CopyTo(p.Value.Span);
        return p;
    }

    /// <summary>Loss Σ ½ t² over every tensor, so each gradient is the tensor's values.</summary>
    private static void Backward(TorchParameters t)
    {
        using var scope = torch.NewDisposeScope();
        torch.Tensor? loss = null;
        foreach (var p in t.Parameters.Where(p => !p.Frozen))
        {
            var s = 0.5f * t[p].pow(2).sum();
            loss = loss is null ? s : loss + s;
        }
        loss!.backward();
    }

    [Fact]
    public void A_learning_rate_scale_is_refused_naming_the_parameter()
    {
        TorchSharpAvailable.Require();
        var p = Make("encoder.w", 1, 2);
        p.LearningRateScale = 0.5f;
        var e = Assert.Throws<NotSupportedException>(() => new TorchParameters([p]));
        Assert.Equal("Parameter 'encoder.w' has a learning-rate scale of 0.5; the TorchSharp engine trains every parameter at the base rate.", e.Message);
    }

    [Fact]
    public void Sgd_moves_the_trainable_parameters_only_and_keeps_tied_ones_one_tensor()
    {
        TorchSharpAvailable.Require();
        var frozen = Make("frozen", 1, -2);
        frozen.Frozen = true;
        var w = Make("w", 2, -4, 6);
        using var t = new TorchParameters([w, frozen, w]);
        Assert.Equal(["w", "frozen"], t.Parameters.Select(p => p.Name));
        Assert.False(t[frozen].requires_grad);
        Assert.True(t[w].requires_grad);
        t.CreateOptimizer(OptimizerKind.Sgd, 0.25f, momentum: 0.5f);

        // Step 1: w − 0.25 w; step 2 with momentum: buffer = g₂ + 0.5 g₁.
        Backward(t);
        w.Grad.Clear();
        t.AddGradientsTo();
        Assert.Equal(new float[] { 2, -4, 6 }, w.Grad.Span.ToArray());
        Assert.Equal(new float[] { 0, 0 }, frozen.Grad.Span.ToArray());
        t.Step();
        Backward(t);
        t.Step();
        t.Store();
        float[] expected = new float[3];
        for (int i = 0; i < 3; i++)
        {
            float v0 = new[] { 2f, -4, 6 }[i], v1 = v0 - 0.25f * v0, buffer = v1 + 0.5f * v0;
            expected[i] = v1 - 0.25f * buffer;
        }
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], w.Value.Span[i], 5);
        Assert.Equal(new float[] { 1, -2 }, frozen.Value.Span.ToArray());
        // Step zeroes the gradients: nothing is added after it.
        w.Grad.Clear();
        t.AddGradientsTo();
        Assert.Equal(new float[] { 0, 0, 0 }, w.Grad.Span.ToArray());
    }

    [Fact]
    public void Adam_takes_PyTorchs_first_step_of_the_learning_rate_against_the_gradients_sign()
    {
        TorchSharpAvailable.Require();
        var w = Make("w", 2, -4, 6);
        using var t = new TorchParameters([w]);
        t.CreateOptimizer(OptimizerKind.Adam, 0.1f, momentum: 0.9f);
        Backward(t);
        t.Step();
        t.Store();
        Assert.Equal(new float[] { 1.9f, -3.9f, 5.9f }, w.Value.Span.ToArray().Select(v => MathF.Round(v, 5)));
    }

    [Fact]
    public void ZeroGrad_clears_the_gradients_and_values_copy_both_ways()
    {
        TorchSharpAvailable.Require();
        var w = Make("w", 3, 5);
        using var t = new TorchParameters([w]);
        Backward(t);
        t.ZeroGrad();
        t.AddGradientsTo();
        Assert.Equal(new float[] { 0, 0 }, w.Grad.Span.ToArray());

        // A matrix whose buffer is longer than its values (a reused buffer) is copied by its values.
        Matrix? m = null;
        Matrix.Ensure(ref m, 3, 2);
        m!.Span.Fill(7);
        m = Matrix.Ensure(ref m, 2, 2);
        for (int i = 0; i < 4; i++) m.Span[i] = i;
        using var tensor = TorchParameters.ToTensor(m);
        Assert.Equal([2L, 2], tensor.shape);
        Assert.Equal(new float[] { 0, 1, 2, 3 }, tensor.data<float>().ToArray());
        var back = new Matrix(2, 2);
        TorchParameters.CopyTo(tensor.t(), back);
        Assert.Equal(new float[] { 0, 2, 1, 3 }, back.Span.ToArray());
    }
}
