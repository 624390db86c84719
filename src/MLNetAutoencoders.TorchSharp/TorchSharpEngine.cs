using System.Runtime.InteropServices;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>
/// Trains the autoencoder family with TorchSharp (LibTorch on the CPU): set <c>options.Engine = new TorchSharpEngine()</c>
/// on <see cref="AutoencoderOptions"/> or <see cref="VaeOptions"/>. The networks are built and initialised by the
/// library exactly as for the managed engine; their weights are copied into LibTorch tensors, trained with the same
/// objective (loss, activity/KL sparsity, contractive penalty, the adversarial term with its discriminator, corruption,
/// dropout, tied weights, the VAE's ELBO) and LibTorch's Adam or SGD, and copied back after every epoch, so the fitted
/// model is the usual <see cref="AutoencoderModel"/> or <see cref="VaeModel"/>. Corruption noise, dropout masks,
/// contractive probes, the adversarial term's prior draws and the VAE's ε are drawn from the same seeded generator, in
/// the same order, as the managed engine draws them.
/// </summary>
public sealed class TorchSharpEngine : TrainingEngine
{
    /// <summary>The command that installs the fix for systems where LibTorchSharp cannot load.</summary>
    public const string FixCommand = "bash scripts/setup.sh";

    /// <inheritdoc />
    public override string Name => "torchsharp";

    /// <summary>The oneDNN setting that caps the instruction set of LibTorch's CPU convolution kernels.</summary>
    public const string OneDnnIsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>
    /// Loads LibTorch (once per process) or throws an <see cref="InvalidOperationException"/> that says why and how to fix it.
    /// Before LibTorch's first convolution, unless the process environment already sets <see cref="OneDnnIsaVariable"/>
    /// (or the older <c>DNNL_MAX_CPU_ISA</c>), it sets <see cref="OneDnnIsaVariable"/> to <c>AVX2</c> for this process:
    /// on an AMD EPYC machine with AVX-512, LibTorch 2.10's AVX-512 convolution kernels (oneDNN) returned float32
    /// results off by about 1e-3 relative, sometimes NaN, where the AVX2 kernels, PyTorch 1.13 and the managed engine
    /// agree to 1e-7. Set the variable yourself (e.g. to <c>ALL</c>) to lift the cap where those kernels are right.
    /// </summary>
    public static void EnsureAvailable()
    {
        _ = OneDnnCapped;
        try
        {
            using var t = torch.zeros(1);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or InvalidOperationException or BadImageFormatException)
        {
            throw new InvalidOperationException(LoadFailureMessage(e), e);
        }
    }

    /// <summary>True when this process's oneDNN was capped at AVX2 (once, before LibTorch ran anything).</summary>
    internal static readonly bool OneDnnCapped = CapOneDnn();

    private static bool CapOneDnn()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OneDnnIsaVariable)) ||
            !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA")))
            return false;
        // oneDNN reads the variable with the C library's getenv the first time it picks kernels; .NET's own
        // environment is a separate copy on Unix, so set it in both.
        Environment.SetEnvironmentVariable(OneDnnIsaVariable, "AVX2");
        if (!OperatingSystem.IsWindows()) SetEnv(OneDnnIsaVariable, "AVX2", 0);
        return true;
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>The message when LibTorch cannot load: the innermost error, and the command that fixes it.</summary>
    internal static string LoadFailureMessage(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return $"TorchSharp's native libraries could not be loaded: {e.Message} Is LibTorch referenced (TorchSharp-cpu or a CUDA build)? " +
            "On Debian 12 and other systems whose libstdc++ is GCC 12's (it lacks GLIBCXX_3.4.32, which libLibTorchSharp.so asks for), " +
            "the MLNetAutoencoders.TorchSharp package's build step puts a patched copy of libLibTorchSharp.so into the output when the " +
            "program is built on such a system (or with the MSBuild property MlaeTorchSharpGlibcxxFix=always) with the TorchSharp version " +
            $"the package depends on; in the MLNetAutoencoders repository, run `{FixCommand}` and rebuild.";
    }

    internal override TrainingHistory TrainAutoencoder(AutoencoderOptions options, Network encoder, Network decoder, IMinibatchSource<Matrix> source, int inputSize, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        EnsureAvailable();
        using var net = new TorchAutoencoder(options, encoder, decoder, AutoencoderTerms.Create(options, inputSize));
        return net.Train(source, rng, progress, cancellationToken);
    }

    internal override TrainingHistory TrainVae(VaeOptions options, VaeNetwork network, IMinibatchSource<Matrix> source, Rng rng,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        EnsureAvailable();
        using var net = new TorchVae(options, network);
        return net.Train(source, rng, progress, cancellationToken);
    }
}
