namespace MLNetAutoencoders.Tests.Support;

/// <summary>
/// Access to data and tools that `scripts/setup.sh` installs. Tests that need them fail (never skip)
/// with a message that says how to install them; CI runs the set-up first.
/// </summary>
internal static class TestEnv
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository root (the folder holding MLNetAutoencoders.sln): searched above the test binaries, else above this source file (builds with --artifacts-path put binaries outside the repo).</summary>
    public static string RepoRoot => FindRoot(AppContext.BaseDirectory) ?? FindRoot(Path.GetDirectoryName(SourceFile())!)
        ?? throw new InvalidOperationException("Could not find MLNetAutoencoders.sln above " + AppContext.BaseDirectory);

    private static string SourceFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

    private static string? FindRoot(string start)
    {
        var d = new DirectoryInfo(start);
        while (d != null && !File.Exists(Path.Combine(d.FullName, "MLNetAutoencoders.sln"))) d = d.Parent;
        return d?.FullName;
    }

    /// <summary>Fails the test with an install hint when <paramref name="path"/> does not exist.</summary>
    public static string RequireFile(string path, string what)
    {
        if (!File.Exists(path))
            Assert.Fail($"{what} is missing: {path} was not found. Run `bash scripts/setup.sh` (it installs it).");
        return path;
    }

    /// <summary>Finds an executable on PATH or fails with an install hint.</summary>
    public static string RequireTool(string name, string hint)
    {
        if (File.Exists(name)) return name;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        Assert.Fail($"Tool '{name}' is missing. {hint}");
        return name;
    }
}
