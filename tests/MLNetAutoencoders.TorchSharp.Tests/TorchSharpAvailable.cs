using MLNetAutoencoders.TorchSharp;

// One test at a time in this assembly. TorchSharp 0.107 turns a number passed to a tensor operation (and its own
// optimisers' numbers) into a native scalar that only the .NET finalizer frees, and does not keep it alive during the
// native call; a garbage collection started by another thread in that moment can free the value while LibTorch reads
// it ("toFloat" assertion in c10/core/Scalar.h). It struck twice in 13 runs of EngineQualityTests while the test
// classes ran in parallel; a training loop on one thread cannot meet it, since a collection then starts only between
// native calls.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// Every test that needs LibTorch calls <see cref="Require"/>: it fails (never skips) when TorchSharp cannot load, with
/// the engine's message, which names the command that fixes it.
/// </summary>
internal static class TorchSharpAvailable
{
    public static void Require()
    {
        try
        {
            TorchSharpEngine.EnsureAvailable();
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail(e.Message);
        }
    }
}

public class NativeLibraryTests
{
    [Fact]
    public void LibTorchLoadsAndComputes()
    {
        TorchSharpAvailable.Require();
        using var a = global::TorchSharp.torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    /// <summary>
    /// LibTorch's float32 convolutions agree with its float64 ones (a different code path) forward and backward. On this
    /// project's AMD EPYC machine the AVX-512 oneDNN kernels failed this (relative error 1e-3, sometimes NaN) until
    /// <see cref="TorchSharpEngine.EnsureAvailable"/> capped oneDNN at AVX2.
    /// </summary>
    [Fact]
    public void Conv2dAndConvTranspose2d_InFloat32_MatchFloat64()
    {
        TorchSharpAvailable.Require();
        using var scope = global::TorchSharp.torch.NewDisposeScope();
        var gen = new global::TorchSharp.torch.Generator(7);
        foreach (var (batch, cin, cout, side) in new[] { (16, 1, 4, 8), (64, 1, 32, 28), (64, 32, 64, 14) })
        {
            var x = global::TorchSharp.torch.rand(batch, cin, side, side, generator: gen).requires_grad_();
            var w = (global::TorchSharp.torch.randn(cout, cin, 4, 4, generator: gen) * 0.2f).requires_grad_();
            var y = global::TorchSharp.torch.nn.functional.conv2d(x, w, strides: [2, 2], padding: [1, 1]);
            var z = global::TorchSharp.torch.nn.functional.conv_transpose2d(y, w, strides: [2, 2], padding: [1, 1]);
            z.sum().backward();
            var x64 = x.detach().to(global::TorchSharp.torch.float64).requires_grad_();
            var w64 = w.detach().to(global::TorchSharp.torch.float64).requires_grad_();
            var y64 = global::TorchSharp.torch.nn.functional.conv2d(x64, w64, strides: [2, 2], padding: [1, 1]);
            var z64 = global::TorchSharp.torch.nn.functional.conv_transpose2d(y64, w64, strides: [2, 2], padding: [1, 1]);
            z64.sum().backward();
            foreach (var (what, f32, f64) in new[] { ("conv2d", y, y64), ("conv_transpose2d", z, z64), ("weight gradient", w.grad!, w64.grad!) })
            {
                double rel = ((f32.to(global::TorchSharp.torch.float64) - f64).norm() / f64.norm()).item<double>();
                Assert.True(rel < 1e-5, $"{what} ({batch}×{cin}×{side}×{side} → {cout} channels): float32 is {rel:E2} away from float64 relative (NaN: {f32.isnan().any().item<bool>()}).");
            }
        }
    }

    [Fact]
    public void TheLoadErrorSaysWhatFailedAndNamesTheFixCommand()
    {
        var e = new TypeInitializationException("TorchSharp.torch", new DllNotFoundException("Unable to load shared library 'LibTorchSharp'."));
        var message = TorchSharpEngine.LoadFailureMessage(e);
        Assert.Contains("Unable to load shared library 'LibTorchSharp'.", message);
        Assert.Contains("`bash scripts/setup.sh`", message);
        Assert.Contains("GLIBCXX_3.4.32", message);
    }
}
