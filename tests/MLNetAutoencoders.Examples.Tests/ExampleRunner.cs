using System.Diagnostics;
using System.Reflection;

namespace MLNetAutoencoders.Examples.Tests;

/// <summary>Runs an example's built program (examples/NAME/bin/CONFIGURATION/net10.0/NAME.dll) in its own process.</summary>
internal static class ExampleRunner
{
    /// <summary>The repository's root: the first folder above the test's output that holds the solution file.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MLNetAutoencoders.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no MLNetAutoencoders.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Runs the example in <paramref name="workDir"/> and returns its exit code and both streams.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string example, string workDir, params string[] args)
    {
        string configuration = typeof(ExampleRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string dll = Path.Combine(RepoRoot, "examples", example, "bin", configuration, "net10.0", example + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet build MLNetAutoencoders.sln -c {configuration}).");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_gcServer"] = "0";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Runs the example and fails with its output unless it exits with 0.</summary>
    public static string RunOk(string example, string workDir, params string[] args)
    {
        var (code, stdout, stderr) = Run(example, workDir, args);
        Assert.True(code == 0, $"{example} {string.Join(' ', args)} exited with {code}:\n{stdout}\n{stderr}");
        return stdout;
    }
}
