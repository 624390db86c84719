namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// Loading LibTorch caps oneDNN at AVX2 unless the process's environment already chose: after
/// <see cref="TorchSharpEngine.EnsureAvailable"/> the variable is AVX2 when the engine set it, and otherwise one of the
/// two variables was set before; the engine reports the name it records in training histories.
/// </summary>
public class OneDnnCapTests
{
    [Fact]
    public void The_oneDNN_variable_is_capped_at_AVX2_unless_the_environment_chose()
    {
        TorchSharpAvailable.Require();
        string? isa = Environment.GetEnvironmentVariable(TorchSharpEngine.OneDnnIsaVariable);
        Assert.Equal("ONEDNN_MAX_CPU_ISA", TorchSharpEngine.OneDnnIsaVariable);
        if (TorchSharpEngine.OneDnnCapped) Assert.Equal("AVX2", isa);
        else Assert.False(string.IsNullOrEmpty(isa) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")),
            "the cap was not set although neither variable was");
        Assert.Equal("torchsharp", new TorchSharpEngine().Name);
    }
}
