using System.Reflection;
using System.Runtime.InteropServices;

namespace MLNetAutoencoders.Cli;

/// <summary>
/// LibTorch for <c>--backend torchsharp</c>. The mlae tool carries TorchSharp's managed bindings and native glue but not
/// LibTorch (about 600 MB), so installing it downloads none. When the TorchSharp backend is asked for and no LibTorch
/// lies beside the program, this loads LibTorch's libraries from the folder named by <see cref="FolderVariable"/>, or
/// from the NuGet package folder, where restoring a project that references <c>libtorch-cpu-&lt;platform&gt;</c> (or
/// <c>TorchSharp-cpu</c>) puts them (the install guide gives the commands). TorchSharp then finds them already loaded.
/// </summary>
internal static class LibTorch
{
    /// <summary>The environment variable that names a folder holding LibTorch's libraries.</summary>
    public const string FolderVariable = "MLAE_LIBTORCH";

    /// <summary>The LibTorch release that this build's TorchSharp binds to (from the project file).</summary>
    public static string Version => typeof(LibTorch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "LibTorchVersion").Value!;

    /// <summary>Makes LibTorch loadable for this process, or throws an <see cref="InvalidOperationException"/> saying how to get it.</summary>
    public static void Locate()
    {
        var (rid, libraries) = Platform();
        if (rid is null || NativeLibrary.TryLoad(libraries[^1], typeof(LibTorch).Assembly, null, out _)) return;
        string? folder = Folder(rid, libraries[^1]);
        if (folder is null) throw new InvalidOperationException(MissingMessage(rid));
        foreach (string library in libraries) NativeLibrary.Load(Path.Combine(folder, library));
    }

    /// <summary>The first folder holding <paramref name="probe"/>: <see cref="FolderVariable"/>'s, then the NuGet package's.</summary>
    internal static string? Folder(string rid, string probe)
    {
        string? own = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrEmpty(own))
            return File.Exists(Path.Combine(own, probe)) ? own
                : throw new InvalidOperationException($"{FolderVariable}={own}: no {probe} in that folder.");
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string nuget = Path.Combine(packages, $"libtorch-cpu-{rid}", Version, "runtimes", rid, "native");
        return File.Exists(Path.Combine(nuget, probe)) ? nuget : null;
    }

    /// <summary>What to do when no LibTorch is found.</summary>
    internal static string MissingMessage(string rid) =>
        $"--backend torchsharp needs LibTorch {Version}, which the mlae tool does not carry. Get it once with NuGet " +
        $"(about 130 MB to download, 600 MB on disk): `dotnet new console -o libtorch-fetch && dotnet add libtorch-fetch package libtorch-cpu-{rid} --version {Version}` " +
        $"(mlae finds it in the NuGet package folder), or set {FolderVariable} to a folder holding LibTorch's libraries.";

    /// <summary>The runtime identifier of LibTorch's CPU package for this machine, and its libraries in load order (null where none is published).</summary>
    private static (string? Rid, string[] Libraries) Platform()
    {
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            return ("linux-x64", ["libc10.so", "libtorch_cpu.so", "libtorch.so"]);
        if (OperatingSystem.IsWindows() && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            return ("win-x64", ["c10.dll", "torch_cpu.dll", "torch.dll"]);
        if (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
            return ("osx-arm64", ["libc10.dylib", "libtorch_cpu.dylib", "libtorch.dylib"]);
        return (null, []);
    }
}
