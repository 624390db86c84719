using MLNetAutoencoders.TorchSharp;

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
