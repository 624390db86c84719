using System.Diagnostics;
using MLNetAutoencoders.Tests.Support;
using Xunit;

namespace MLNetAutoencoders.Tests.Setup;

/// <summary>
/// scripts/setup.sh, as README's two commands and CI run it. Once everything is installed only its detection steps run;
/// they must never fail by chance (a reader that stopped early once killed a writer with SIGPIPE under pipefail, about
/// 8 runs in 20), and a step that does fail must say which step, which command, and what to do.
/// </summary>
public class SetupScriptTests
{
    static string Script => Path.Combine(TestEnv.RepoRoot, "scripts", "setup.sh");

    [Fact]
    public void Detection_steps_pass_200_runs_in_a_row_with_the_cores_loaded()
    {
        var first = RunSetup();
        Assert.True(first.ExitCode == 0, $"setup.sh failed before the loop (exit {first.ExitCode}):\n{first.Stderr}");
        var load = Enumerable.Range(0, 2).Select(_ => Start("bash", "-c", "while :; do :; done")).ToList();
        var failures = new List<string>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                var r = RunSetup();
                if (r.ExitCode != 0 || !r.Stdout.TrimEnd().EndsWith("setup: done", StringComparison.Ordinal))
                    failures.Add($"run {i}: exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
            }
        }
        finally
        {
            foreach (var p in load) { p.Kill(entireProcessTree: true); p.WaitForExit(); p.Dispose(); }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of 200 runs failed; the first:\n{failures.FirstOrDefault()}");
    }

    [Fact]
    public void A_failing_detection_step_names_the_step_the_command_and_what_to_do()
    {
        using var stubs = new StubFolder();
        stubs.Add("ldconfig", "echo 'ldconfig: cache is broken' >&2; exit 3");
        var r = RunSetup(stubs.Path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("setup: FAILED in step \"find the host's libstdc++\": `ldconfig_list=\"$(ldconfig -p)\"` exited with code 3.", r.Stderr);
        Assert.Contains("setup: what to do: check that `ldconfig -p` lists libstdc++.so.6", r.Stderr);
    }

    [Fact]
    public void A_failing_install_step_names_the_packages_and_what_to_do()
    {
        using var stubs = new StubFolder();
        stubs.Add("dpkg-query", "exit 1");
        stubs.Add("apt-get", "echo 'E: Could not get lock /var/lib/dpkg/lock-frontend' >&2; exit 100");
        var r = RunSetup(stubs.Path);
        Assert.Equal(100, r.ExitCode);
        Assert.Contains("setup: FAILED in step \"install the Debian packages dataset-fashion-mnist", r.Stderr);
        Assert.Contains("apt-get update -qq` exited with code 100.", r.Stderr);
        Assert.Contains("setup: what to do: check that Debian's package mirror answers", r.Stderr);
        Assert.DoesNotContain("setup: done", r.Stdout);
    }

    sealed record Result(int ExitCode, string Stdout, string Stderr);

    static Result RunSetup(string? stubPath = null)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Script);
        if (stubPath != null) psi.Environment["PATH"] = stubPath + ":" + Environment.GetEnvironmentVariable("PATH");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout, stderr.Result);
    }

    static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>A temporary folder of stand-in commands put first on PATH, to make one step fail on purpose.</summary>
    sealed class StubFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mlae-setup-stubs-").FullName;

        public void Add(string command, string body)
        {
            var file = System.IO.Path.Combine(Path, command);
            File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
