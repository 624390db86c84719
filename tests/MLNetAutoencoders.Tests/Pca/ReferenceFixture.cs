using System.Runtime.CompilerServices;
using System.Text.Json;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Pca;

/// <summary>
/// Reads the JSON fixtures written by tests/MLNetAutoencoders.Tests/Reference/make_pca_classifier_reference.py
/// (arrays as {"shape", "dtype", "b64"} with little-endian bytes).
/// </summary>
internal static class ReferenceFixture
{
    public static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Locate(name))).RootElement.Clone();

    /// <summary>
    /// The fixture's path: next to this source file (the test binary may live under any --artifacts-path), else below
    /// a folder holding MLNetAutoencoders.sln above the binary or the working directory.
    /// </summary>
    private static string Locate(string name, [CallerFilePath] string thisFile = "")
    {
        var candidates = new List<string> { Path.Combine(Path.GetDirectoryName(thisFile) ?? "", "..", "Reference", name) };
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "MLNetAutoencoders.sln")))
                    candidates.Add(Path.Combine(d.FullName, "tests", "MLNetAutoencoders.Tests", "Reference", name));
        var found = candidates.FirstOrDefault(File.Exists);
        return TestEnv.RequireFile(found ?? candidates[0],
            $"Reference fixture {name} (regenerate with /usr/bin/python3 tests/MLNetAutoencoders.Tests/Reference/make_pca_classifier_reference.py)");
    }

    public static int[] Shape(JsonElement a) => a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double[] Doubles(JsonElement a)
    {
        var bytes = Convert.FromBase64String(a.GetProperty("b64").GetString()!);
        return a.GetProperty("dtype").GetString() switch
        {
            "f8" => Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToDouble(bytes, 8 * i)).ToArray(),
            "f4" => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToSingle(bytes, 4 * i)).ToArray(),
            "i4" => Enumerable.Range(0, bytes.Length / 4).Select(i => (double)BitConverter.ToInt32(bytes, 4 * i)).ToArray(),
            var t => throw new InvalidDataException($"Unknown dtype {t}"),
        };
    }

    public static int[] Ints(JsonElement a) => Doubles(a).Select(v => (int)v).ToArray();

    public static Matrix Matrix(JsonElement a)
    {
        var shape = Shape(a);
        var values = Doubles(a);
        int rows = shape[0], cols = shape.Length > 1 ? shape[1] : 1;
        return new Matrix(rows, cols, values.Select(v => (float)v).ToArray());
    }

    /// <summary>Largest absolute difference between two sequences of equal length.</summary>
    public static double MaxAbsDiff(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        Assert.Equal(a.Count, b.Count);
        double m = 0;
        for (int i = 0; i < a.Count; i++) m = Math.Max(m, Math.Abs(a[i] - b[i]));
        return m;
    }

    public static double[] ToDoubles(this Matrix m) => m.Span.ToArray().Select(v => (double)v).ToArray();
}
