using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// Verifies exported ONNX models with the reference tools: onnx's checker (<c>tools/onnx_check.py</c> under
/// <c>/usr/bin/python3</c>) and ONNX Runtime, in process (the Microsoft.ML.OnnxRuntime package, a dependency of the
/// test project only). A missing checker fails the test with an install hint (`bash scripts/setup.sh`).
/// </summary>
internal static class OnnxRuntimeHarness
{
    public const string Python = "/usr/bin/python3";
    private const string Hint = "Run `bash scripts/setup.sh` (installs python3-onnx).";
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
    /// Runs the model in ONNX Runtime on <paramref name="input"/> ([N, D], fed to the model's single input) and returns
    /// its first output (or the output named <paramref name="outputName"/>) as a matrix: [N, M] outputs as they are
    /// (a higher-rank output [N, a, b, …] as [N, a·b·…]); integer, boolean and double outputs are converted to float.
    /// </summary>
    public static Matrix Run(string modelPath, Matrix input, string? outputName = null)
    {
        TestEnv.RequireFile(modelPath, "The ONNX model");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        InferenceSession session;
        try { session = new InferenceSession(modelPath, options); }
        catch (OnnxRuntimeException e) { Assert.Fail($"ONNX Runtime cannot load {modelPath}: {e.Message}"); throw; }
        using (session)
        {
            if (session.InputNames.Count != 1)
                Assert.Fail($"{modelPath} has {session.InputNames.Count} inputs ({string.Join(", ", session.InputNames)}); expected exactly 1.");
            var name = outputName ?? session.OutputNames[0];
            if (!session.OutputNames.Contains(name))
                Assert.Fail($"{modelPath} has no output '{name}' (outputs: {string.Join(", ", session.OutputNames)}).");

            using var x = OrtValue.CreateTensorValueFromMemory(input.Span.ToArray(), [input.Rows, input.Cols]);
            using var runOptions = new RunOptions();
            IDisposableReadOnlyCollection<OrtValue> results;
            try { results = session.Run(runOptions, [session.InputNames[0]], [x], [name]); }
            catch (OnnxRuntimeException e) { Assert.Fail($"ONNX Runtime failed on {modelPath}: {e.Message}"); throw; }
            using (results) return ToMatrix(results[0], $"output '{name}' of {Path.GetFileName(modelPath)}");
        }
    }

    /// <summary>Copies a tensor of rank ≥ 2 into a matrix [shape[0], product of the other dimensions], converting to float.</summary>
    private static Matrix ToMatrix(OrtValue value, string what)
    {
        if (!value.IsTensor) Assert.Fail($"{what} is not a tensor ({value.OnnxType}).");
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        if (shape.Length < 2) Assert.Fail($"{what} has shape [{string.Join(", ", shape)}]; a matrix needs at least 2 dimensions.");
        long cols = 1;
        for (int d = 1; d < shape.Length; d++) cols *= shape[d];
        var m = new Matrix(checked((int)shape[0]), checked((int)cols));
        var dst = m.Span;
        switch (info.ElementDataType)
        {
            case TensorElementType.Float: value.GetTensorDataAsSpan<float>().CopyTo(dst); break;
            case TensorElementType.Double: ConvertTo(value.GetTensorDataAsSpan<double>(), dst, v => (float)v); break;
            case TensorElementType.Int64: ConvertTo(value.GetTensorDataAsSpan<long>(), dst, v => v); break;
            case TensorElementType.Int32: ConvertTo(value.GetTensorDataAsSpan<int>(), dst, v => v); break;
            case TensorElementType.Int16: ConvertTo(value.GetTensorDataAsSpan<short>(), dst, v => v); break;
            case TensorElementType.Int8: ConvertTo(value.GetTensorDataAsSpan<sbyte>(), dst, v => v); break;
            case TensorElementType.UInt8: ConvertTo(value.GetTensorDataAsSpan<byte>(), dst, v => v); break;
            case TensorElementType.Bool: ConvertTo(value.GetTensorDataAsSpan<bool>(), dst, v => v ? 1f : 0f); break;
            default: Assert.Fail($"{what} has element type {info.ElementDataType}, which this harness does not convert."); break;
        }
        return m;
    }

    private static void ConvertTo<T>(ReadOnlySpan<T> src, Span<float> dst, Func<T, float> f)
    {
        Assert.Equal(dst.Length, src.Length);
        for (int i = 0; i < src.Length; i++) dst[i] = f(src[i]);
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
