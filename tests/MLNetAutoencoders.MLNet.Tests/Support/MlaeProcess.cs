using System.Diagnostics;

namespace MLNetAutoencoders.MLNet.Tests;

/// <summary>Runs the <c>mlae</c> command line built beside the tests in a process of its own.</summary>
internal static class MlaeProcess
{
    /// <summary><c>mlae ARGS</c>: the exit code, stdout and stderr.</summary>
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(null, args);

    /// <summary>
    /// <c>mlae ARGS</c> with environment variables changed: a null value removes the variable (e.g. NO_COLOR, to see
    /// what a terminal that allows colour gets).
    /// </summary>
    public static (int Code, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlae.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }
}
