using System.Runtime.InteropServices;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// What the engine says when LibTorch cannot load, word for word (the innermost error, the libstdc++ cause, the build
/// step's fix and the command), and the oneDNN cap seen where oneDNN reads it: the C library's copy of the environment,
/// not only .NET's.
/// </summary>
public class LoadMessageAndOneDnnCapTests
{
    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi)]
    private static extern IntPtr GetEnv(string name);

    [Fact]
    public void The_load_failure_message_names_the_inner_error_the_cause_and_the_fix()
    {
        var e = new TypeInitializationException("TorchSharp.torch", new DllNotFoundException("Unable to load shared library 'LibTorchSharp'."));
        Assert.Equal(
            "TorchSharp's native libraries could not be loaded: Unable to load shared library 'LibTorchSharp'. Is LibTorch referenced " +
            "(TorchSharp-cpu or a CUDA build)? On Debian 12 and other systems whose libstdc++ is GCC 12's (it lacks GLIBCXX_3.4.32, " +
            "which libLibTorchSharp.so asks for), the MLNetAutoencoders.TorchSharp package's build step puts a patched copy of " +
            "libLibTorchSharp.so into the output when the program is built on such a system (or with the MSBuild property " +
            "MlaeTorchSharpGlibcxxFix=always) with the TorchSharp version the package depends on; in the MLNetAutoencoders " +
            "repository, run `bash scripts/setup.sh` and rebuild.",
            TorchSharpEngine.LoadFailureMessage(e));
    }

    [Fact]
    public void The_cap_is_in_the_C_librarys_environment_where_oneDNN_reads_it()
    {
        TorchSharpAvailable.Require();
        TorchSharpEngine.EnsureAvailable();
        if (OperatingSystem.IsWindows() || !TorchSharpEngine.OneDnnCapped) return; // the process chose its own setting (checked by OneDnnCapTests)
        Assert.Equal("AVX2", Marshal.PtrToStringAnsi(GetEnv(TorchSharpEngine.OneDnnIsaVariable)));
    }
}
