using System.Globalization;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>Options for <see cref="CsvReader.Read"/>.</summary>
public sealed class CsvOptions
{
    /// <summary>Whether the first line is a header: true, false, or null to detect it (a header has a cell that is not a number).</summary>
    public bool? HasHeader { get; init; }

    /// <summary>The label column: a header name, or a 0-based column index; null for no labels. Labels are integers, or
    /// any text: then the distinct texts, sorted (ordinal), become classes 0, 1, … (<see cref="CsvData.ClassNames"/>).</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The field separator (default ',').</summary>
    public char Delimiter { get; init; } = ',';
}

/// <summary>The numeric content of a CSV file: feature columns as a matrix, and the optional label column.</summary>
public sealed class CsvData
{
    /// <summary>One row per data line; the columns are all columns except the label column, in file order.</summary>
    public required Matrix Features { get; init; }

    /// <summary>The label column's values, or null when no label column was requested.</summary>
    public int[]? Labels { get; init; }

    /// <summary>Names of the feature columns (header cells, or <c>col0</c>, <c>col1</c>, … by 0-based index when there is no header).</summary>
    public required IReadOnlyList<string> FeatureNames { get; init; }

    /// <summary>Name of the label column, or null.</summary>
    public string? LabelName { get; init; }

    /// <summary>When the labels are text: the class names by class number (sorted, ordinal); null for integer labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }
}

/// <summary>
/// Reads CSV files of numbers (invariant culture, '.' decimal point). Cells are trimmed and may be wrapped in double
/// quotes; quoted delimiters are not supported. Blank lines are ignored. Every bad cell is reported with its file,
/// 1-based line number, column and text.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads the whole file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Empty file, ragged line, non-numeric or non-finite cell, non-integer label, unknown label column.</exception>
    public static CsvData Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CsvOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);

        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, new FileStreamOptions { BufferSize = 1 << 16 });
        int lineNo = 0;
        string? line;
        do { line = reader.ReadLine(); lineNo++; } while (line is not null && string.IsNullOrWhiteSpace(line));
        if (line is null) throw new InvalidDataException($"{path}: the file has no data lines.");

        var first = SplitCells(line, options.Delimiter);
        bool hasHeader = options.HasHeader ?? first.Any(c => !TryParseNumber(c, out _));
        int width = first.Length;
        string[] names = hasHeader ? first : [.. Enumerable.Range(0, width).Select(i => "col" + i)];
        int labelIndex = ResolveLabelColumn(path, options.LabelColumn, names, hasHeader);

        var values = new List<float>();
        var labels = labelIndex >= 0 ? new List<string>() : null;
        int rows = 0;
        string? dataLine = hasHeader ? null : line;
        int dataLineNo = lineNo;
        if (hasHeader)
        {
            dataLine = reader.ReadLine();
            dataLineNo++;
        }
        for (; dataLine is not null; dataLine = reader.ReadLine(), dataLineNo++)
        {
            if (string.IsNullOrWhiteSpace(dataLine)) continue;
            ParseLine(path, dataLine, dataLineNo, options.Delimiter, names, labelIndex, values, labels);
            rows++;
        }
        if (rows == 0) throw new InvalidDataException($"{path}: the file has a header line but no data lines.");

        int cols = width - (labelIndex >= 0 ? 1 : 0);
        var (classes, classNames) = labels is null ? (null, null) : Classes(labels);
        return new CsvData
        {
            Features = new Matrix(rows, cols, values.ToArray()),
            Labels = classes,
            ClassNames = classNames,
            FeatureNames = [.. names.Where((_, i) => i != labelIndex)],
            LabelName = labelIndex >= 0 ? names[labelIndex] : null,
        };
    }

    /// <summary>Integer labels as they are; otherwise each distinct text (sorted, ordinal) becomes a class number.</summary>
    private static (int[] Labels, IReadOnlyList<string>? Names) Classes(List<string> cells)
    {
        var ints = new int[cells.Count];
        bool numeric = true;
        for (int i = 0; i < cells.Count && numeric; i++)
        {
            numeric = TryParseNumber(cells[i], out double v) && v == Math.Floor(v) && v is >= int.MinValue and <= int.MaxValue;
            if (numeric) ints[i] = (int)v;
        }
        if (numeric) return (ints, null);
        var names = cells.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return (cells.Select(c => index[c]).ToArray(), names);
    }

    private static int ResolveLabelColumn(string path, string? labelColumn, string[] names, bool hasHeader)
    {
        if (labelColumn is null) return -1;
        if (hasHeader)
        {
            int byName = Array.IndexOf(names, labelColumn);
            if (byName >= 0) return byName;
        }
        if (int.TryParse(labelColumn, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            if (index >= names.Length)
                throw new InvalidDataException($"{path}: label column index {index} is out of range; the file has {names.Length} columns (0-based indices 0–{names.Length - 1}).");
            return index;
        }
        throw new InvalidDataException(hasHeader
            ? $"{path}: label column '{labelColumn}' is not in the header ({string.Join(", ", names)})."
            : $"{path}: the file has no header, so the label column must be a 0-based index, not '{labelColumn}'.");
    }

    private static void ParseLine(string path, string line, int lineNo, char delimiter, string[] names, int labelIndex, List<float> values, List<string>? labels)
    {
        int col = 0;
        var rest = line.AsSpan();
        while (true)
        {
            int cut = rest.IndexOf(delimiter);
            var cell = Unquote(cut < 0 ? rest : rest[..cut]);
            if (col >= names.Length)
                throw new InvalidDataException($"{path}: line {lineNo} has more than {names.Length} columns (the first line has {names.Length}).");
            if (col == labelIndex)
            {
                if (cell.IsEmpty)
                    throw new InvalidDataException($"{path}: line {lineNo}, label column {col} ('{names[col]}') is empty.");
                if (TryParseNumber(cell, out double v) && (v != Math.Floor(v) || v is < int.MinValue or > int.MaxValue))
                    throw new InvalidDataException($"{path}: line {lineNo}, label column {col} ('{names[col]}'): '{cell}' is not an integer label (labels are whole numbers or class names).");
                labels!.Add(cell.ToString());
            }
            else
            {
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new InvalidDataException($"{path}: line {lineNo}, column {col} ('{names[col]}'): '{cell}' is not a number.");
                if (!float.IsFinite(v))
                    throw new InvalidDataException($"{path}: line {lineNo}, column {col} ('{names[col]}'): '{cell}' is not a finite float value.");
                values.Add(v);
            }
            col++;
            if (cut < 0) break;
            rest = rest[(cut + 1)..];
        }
        if (col != names.Length)
            throw new InvalidDataException($"{path}: line {lineNo} has {col} columns; expected {names.Length} like the first line.");
    }

    private static bool TryParseNumber(ReadOnlySpan<char> cell, out double value)
        => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> cell)
    {
        cell = cell.Trim();
        return cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"' ? cell[1..^1].Trim() : cell;
    }

    private static string[] SplitCells(string line, char delimiter)
        => [.. line.Split(delimiter).Select(c => Unquote(c).ToString())];
}
