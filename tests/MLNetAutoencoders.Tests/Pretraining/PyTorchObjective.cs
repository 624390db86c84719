using System.Globalization;
using System.Runtime.InteropServices;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>
/// The PyTorch 1.13 references of the semi-supervised objectives (benchmarks/semisupervised/*_loss.py): the matrices
/// and the dense layers' weights and biases go to the script as one float32 file, in that order; the script prints
/// its numbers on one line.
/// </summary>
internal static class PyTorchObjective
{
    /// <summary>Runs <paramref name="scriptName"/> on the values and the further arguments; returns the numbers it printed.</summary>
    public static double[] Evaluate(string scriptName, IEnumerable<Matrix> matrices, IEnumerable<DenseLayer> layers, params string[] args)
    {
        using var scratch = new Scratch();
        var input = scratch.Path("in.f32");
        using (var f = File.Create(input))
        {
            foreach (var m in matrices) f.Write(MemoryMarshal.AsBytes(m.Span));
            foreach (var l in layers) { f.Write(MemoryMarshal.AsBytes(l.Weight.Value.Span)); f.Write(MemoryMarshal.AsBytes(l.Bias.Value.Span)); }
        }
        string dir = Path.Combine(TestEnv.RepoRoot, "benchmarks", "semisupervised");
        string script = $"import sys\nsys.path.insert(0, r'{dir}')\n" + File.ReadAllText(Path.Combine(dir, scriptName));
        var output = RefPython.Run(script, [input, .. args]);
        return output.Trim().Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Asserts ours within a relative 1e-4 of PyTorch's value.</summary>
    public static void AssertClose(double ours, double pytorch, string what) =>
        Assert.True(Math.Abs(ours - pytorch) <= 1e-4 * Math.Abs(pytorch), $"{what}: ours {ours:G8}, PyTorch {pytorch:G8}");
}
