using System.Globalization;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>
/// The Wisconsin breast-cancer table that scikit-learn ships as <c>breast_cancer.csv</c> (in Debian's python3-sklearn):
/// 569 rows of 30 measurements; label 1 = benign, 0 = malignant. The first line is scikit-learn's own header
/// (<c>569,30,malignant,benign</c>: rows, columns, the class names), then one row per line with the class last.
/// </summary>
public static class BreastCancer
{
    /// <summary>Where Debian's python3-sklearn installs the file.</summary>
    public const string DefaultPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

    /// <summary>Environment variable that, when set, replaces <see cref="DefaultPath"/>.</summary>
    public const string PathVariable = "MLAE_BREAST_CANCER";

    /// <summary>The file to read: <paramref name="path"/>, else $MLAE_BREAST_CANCER, else <see cref="DefaultPath"/>.</summary>
    public static string ResolvePath(string? path = null) => DataPaths.Resolve(path, PathVariable, DefaultPath);

    /// <summary>Loads the rows (30 raw measurements each, not scaled) and labels (1 = benign, 0 = malignant).</summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message says how to get it.</exception>
    /// <exception cref="InvalidDataException">The header or a row is not as described; the message names the line.</exception>
    public static ImageDataset Load(string? path = null)
    {
        var file = ResolvePath(path);
        if (!File.Exists(file))
            throw new FileNotFoundException($"Breast-cancer table not found: {file}. Run `bash scripts/setup.sh` (it installs python3-sklearn), or set {PathVariable} to the file.", file);
        var lines = File.ReadAllLines(file);
        var head = lines.Length > 0 ? lines[0].Split(',') : [];
        if (head.Length < 2 || !int.TryParse(head[0], CultureInfo.InvariantCulture, out int rows) || !int.TryParse(head[1], CultureInfo.InvariantCulture, out int cols)
            || rows < 1 || cols < 1 || lines.Length < rows + 1)
            throw new InvalidDataException($"{file}, line 1: expected scikit-learn's header 'rows,columns,names…' followed by that many rows.");
        var x = new Matrix(rows, cols);
        var labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            var parts = lines[i + 1].Split(',');
            if (parts.Length != cols + 1)
                throw new InvalidDataException($"{file}, line {i + 2}: {parts.Length} fields; expected {cols} measurements and a class.");
            for (int j = 0; j < cols; j++)
            {
                if (!float.TryParse(parts[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new InvalidDataException($"{file}, line {i + 2}, field {j + 1}: '{parts[j]}' is not a finite number.");
                x[i, j] = v;
            }
            if (!int.TryParse(parts[cols], CultureInfo.InvariantCulture, out labels[i]) || labels[i] is not (0 or 1))
                throw new InvalidDataException($"{file}, line {i + 2}: class '{parts[cols]}'; expected 0 (malignant) or 1 (benign).");
        }
        return new ImageDataset(x, labels, cols, 1, "breast-cancer");
    }
}
