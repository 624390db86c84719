using System.Globalization;
using System.Text;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Tests;

/// <summary>Writes test matrices as the CSV files a user gives <c>mlae --dataset</c>: value columns, then a label column.</summary>
internal static class LabelledCsv
{
    /// <summary>
    /// Writes the rows of <paramref name="x"/> (each value times <paramref name="scale"/>, round-trip precision) under
    /// columns <paramref name="prefix"/>0, <paramref name="prefix"/>1, … and a last column <c>label</c> holding
    /// <paramref name="label"/>(row) (by default row % 2); returns <paramref name="path"/>.
    /// </summary>
    public static string Write(string path, Matrix x, string prefix = "f", float scale = 1f, Func<int, string>? label = null)
    {
        var sb = new StringBuilder(string.Join(",", Enumerable.Range(0, x.Cols).Select(i => $"{prefix}{i}")) + ",label\n");
        for (int i = 0; i < x.Rows; i++)
            sb.Append(string.Join(",", x.Row(i).ToArray().Select(v => (v * scale).ToString("R", CultureInfo.InvariantCulture))))
              .Append(',').Append(label?.Invoke(i) ?? (i % 2).ToString(CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
