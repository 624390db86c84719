using System.CommandLine;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.TorchSharp;

namespace MLNetAutoencoders.Cli;

/// <summary>The <c>--backend</c> option: which engine trains (the fitted model is the same type either way).</summary>
internal static class Backends
{
    public static readonly string[] Names = ["managed", "torchsharp"];

    public static Option<string> CreateOption() => new("--backend")
    {
        Description = "training engine: managed (this library's C# engine) or torchsharp (LibTorch on the CPU)",
        DefaultValueFactory = _ => Names[0],
    };

    /// <summary>The engine named by <paramref name="name"/>; an unknown name is an error listing the known ones.</summary>
    public static TrainingEngine Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "managed" => TrainingEngine.Managed,
        "torchsharp" => TorchSharp(),
        _ => throw new ArgumentException($"--backend: unknown '{name}'; expected {string.Join(" or ", Names)}."),
    };

    private static TorchSharpEngine TorchSharp()
    {
        LibTorch.Locate();
        return new TorchSharpEngine();
    }
}
