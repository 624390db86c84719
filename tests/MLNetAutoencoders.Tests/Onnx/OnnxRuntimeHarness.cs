using System.Diagnostics;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// Verifies exported ONNX models with the reference tools: onnx's checker (<c>tools/onnx_check.py</c> under
/// <c>/usr/bin/python3</c>) and ONNX Runtime (<c>tools/ort/run.mjs</c> under node with onnxruntime-node).
/// A missing tool fails the test with an install hint (`bash scripts/setup.sh`).
/// </summary>
internal static class OnnxRuntimeHarness
{
    public const string Python = "/usr/bin/python3";
    private const string Hint = "Run `bash scripts/setup.sh` (installs python3-onnx, and onnxruntime-node into tools/ort/node_modules).";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The repository root (see <see cref="TestEnv.RepoRoot"/>).</summary>
    public static string RepoRoot => TestEnv.RepoRoot;

    /// <summary>Runs onnx.checker.check_model(full_check=True) on each model; fails the test with the checker's message otherwise.</summary>
    public static void Check(params string[] modelPaths)
    {
        TestEnv.RequireFile(Python, "Debian's python3 (with python3-onnx)");
        var script = TestEnv.RequireFile(Path.Combine(RepoRoot, "tools", "onnx_check.py"), "tools/onnx_check.py");
        var (code, stdout, stderr) = Exec(Python, [script, .. modelPaths]);
        if (code == 3) Assert.Fail($"The Python package onnx is missing for {Python}. {Hint}\n{stderr}");
        if (code != 0) Assert.Fail($"onnx checker rejected the model (exit code {code}):\n{stdout}{stderr}");
    }

    /// <summary>
    /// Runs the model in ONNX Runtime on <paramref name="input"/> ([N, D]) and returns its first output (or the output
    /// named <paramref name="outputName"/>) as a matrix (rank-2 outputs only; integer outputs converted to float).
    /// </summary>
    public static Matrix Run(string modelPath, Matrix input, string? outputName = null)
    {
        var node = TestEnv.RequireTool("node", "Install nodejs and npm, then " + Hint);
        var ortDir = Path.Combine(RepoRoot, "tools", "ort");
        TestEnv.RequireFile(Path.Combine(ortDir, "node_modules", "onnxruntime-node", "package.json"), "onnxruntime-node (npm)");
        var dir = Directory.CreateTempSubdirectory("mlae-ort-");
        try
        {
            var inPath = Path.Combine(dir.FullName, "input.npy");
            var outPath = Path.Combine(dir.FullName, "output.npy");
            Npy.Write(inPath, input);
            List<string> args = [Path.Combine(ortDir, "run.mjs"), modelPath, inPath, outPath];
            if (outputName != null) args.AddRange(["--output", outputName]);
            var (code, stdout, stderr) = Exec(node, args);
            if (code == 3) Assert.Fail($"onnxruntime-node cannot be loaded. {Hint}\n{stderr}");
            if (code != 0) Assert.Fail($"ONNX Runtime failed on {modelPath} (exit code {code}):\n{stdout}{stderr}");
            return Npy.ReadMatrix(outPath);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Checks the model, runs it on <paramref name="input"/> and asserts that the output equals
    /// <paramref name="expected"/> within <paramref name="tolerance"/> (max absolute difference). Returns the difference.
    /// </summary>
    public static float AssertMatches(string modelPath, Matrix input, Matrix expected, float tolerance = 1e-5f, string? outputName = null)
    {
        Check(modelPath);
        return AssertClose(expected, Run(modelPath, input, outputName), tolerance, $"ONNX Runtime output '{outputName ?? "(first)"}' of {Path.GetFileName(modelPath)}");
    }

    /// <summary>Asserts equal shapes and max |expected − actual| ≤ tolerance, naming the worst element; returns the max difference.</summary>
    public static float AssertClose(Matrix expected, Matrix actual, float tolerance, string what)
    {
        Assert.True(expected.Rows == actual.Rows && expected.Cols == actual.Cols,
            $"{what}: shape {actual.Rows}×{actual.Cols}, expected {expected.Rows}×{expected.Cols}.");
        float worst = 0;
        int at = 0;
        var e = expected.Span;
        var a = actual.Span;
        for (int i = 0; i < e.Length; i++)
        {
            float d = MathF.Abs(e[i] - a[i]);
            if (!(d <= worst)) { worst = d; at = i; } // also catches NaN
        }
        Assert.True(worst <= tolerance,
            $"{what}: max |diff| {worst} at row {at / expected.Cols}, column {at % expected.Cols} (expected {e[at]}, got {a[at]}); tolerance {tolerance}.");
        return worst;
    }

    private static (int Code, string Stdout, string Stderr) Exec(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{exe} {string.Join(' ', psi.ArgumentList)} did not finish within {Timeout.TotalSeconds} s.");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
