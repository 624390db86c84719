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

    /// <summary>The feature columns, by header name or 0-based index; null = every column that is not the label or in
    /// <see cref="Ignore"/>. The features keep the file's column order.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Columns to leave out (text such as names or ids), by header name or 0-based index.</summary>
    public IReadOnlyList<string>? Ignore { get; init; }
}

/// <summary>The numeric content of a CSV file: feature columns as a matrix, and the optional label column.</summary>
public sealed class CsvData
{
    /// <summary>One row per record; the columns are the feature columns (all but the label and the ignored ones, or
    /// <see cref="CsvOptions.Features"/>), in file order.</summary>
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
/// Reads CSV files of numbers (RFC 4180: fields may be quoted, a quoted field may hold the delimiter, line breaks and
/// doubled quotes; invariant culture, '.' decimal point). Cells are trimmed; blank lines are ignored. Every bad cell is
/// reported with its file, 1-based line number, column and text.
/// </summary>
public static class CsvReader
{
    private enum Role : byte { Feature, Label, Skip }

    /// <summary>Reads the whole file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Empty file, ragged line, unclosed quote, a feature cell that is not a finite
    /// number (a text column that is neither the label nor left out), non-integer label, unknown column name.</exception>
    public static CsvData Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new CsvOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);

        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, new FileStreamOptions { BufferSize = 1 << 16 });
        var records = new RecordReader(reader, options.Delimiter, path);
        var cells = new List<string>();
        if (!records.Next(cells)) throw new InvalidDataException($"{path}: the file has no data lines.");

        string[] first = [.. cells.Select(c => c.Trim())];
        int firstLine = records.Line;
        bool hasHeader = options.HasHeader ?? first.Any(c => !TryParseNumber(c, out _));
        int width = first.Length;
        string[] names = hasHeader ? first : [.. Enumerable.Range(0, width).Select(i => "col" + i)];
        int labelIndex = ResolveLabelColumn(path, options.LabelColumn, names, hasHeader);
        var roles = Roles(path, options, names, hasHeader, labelIndex);

        // The rows wait in native blocks until the last line is read, so the peak is about one copy of the values.
        using var values = new MatrixBuilder(roles.Count(r => r == Role.Feature));
        var labels = labelIndex >= 0 ? new List<string>() : null;
        if (!hasHeader) ParseRecord(path, cells, firstLine, names, roles, values, labels);
        // Lines without quotes (nearly all) are parsed in place, without a string per cell.
        while (records.Next(cells, splitPlain: false))
        {
            if (records.PlainLine is string line) ParsePlain(path, line, options.Delimiter, records.Line, names, roles, values, labels);
            else ParseRecord(path, cells, records.Line, names, roles, values, labels);
        }
        if (values.Rows == 0) throw new InvalidDataException($"{path}: the file has a header line but no data lines.");
        if (values.Rows * values.Width > Array.MaxLength)
            throw new InvalidDataException($"{path}: {values.Rows} rows of {values.Width} feature columns do not fit in one matrix (at most {Array.MaxLength} values).");

        var (classes, classNames) = labels is null ? (null, null) : Classes(labels);
        return new CsvData
        {
            Features = values.ToMatrix(),
            Labels = classes,
            ClassNames = classNames,
            FeatureNames = [.. names.Where((_, i) => roles[i] == Role.Feature)],
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

    /// <summary>What each column is: the label, a feature, or left out (not in <see cref="CsvOptions.Features"/>, or in <see cref="CsvOptions.Ignore"/>).</summary>
    private static Role[] Roles(string path, CsvOptions options, string[] names, bool hasHeader, int labelIndex)
    {
        int Column(string name, string what)
        {
            int byName = hasHeader ? Array.IndexOf(names, name) : -1;
            if (byName >= 0) return byName;
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < names.Length) return index;
            throw new InvalidDataException(hasHeader
                ? $"{path}: {what} column '{name}' is not in the header ({string.Join(", ", names)})."
                : $"{path}: {what} column '{name}' is not a 0-based index below {names.Length} (the file has no header, so columns are named by index).");
        }

        var roles = new Role[names.Length];
        if (options.Features is { } features)
        {
            if (features.Count == 0) throw new InvalidDataException($"{path}: the list of feature columns is empty.");
            Array.Fill(roles, Role.Skip);
            foreach (var f in features)
            {
                int c = Column(f, "feature");
                if (c == labelIndex) throw new InvalidDataException($"{path}: column '{names[c]}' cannot be both the label and a feature.");
                roles[c] = Role.Feature;
            }
        }
        foreach (var name in options.Ignore ?? [])
        {
            int c = Column(name, "ignored");
            if (c == labelIndex) throw new InvalidDataException($"{path}: column '{names[c]}' cannot be both the label and ignored.");
            roles[c] = Role.Skip;
        }
        if (labelIndex >= 0) roles[labelIndex] = Role.Label;
        if (!roles.Contains(Role.Feature)) throw new InvalidDataException($"{path}: no feature column is left ({string.Join(", ", names)}).");
        return roles;
    }

    private static void ParseRecord(string path, List<string> cells, int lineNo, string[] names, Role[] roles, MatrixBuilder values, List<string>? labels)
    {
        CheckColumnCount(path, cells.Count, lineNo, names.Length);
        var row = values.AddRow();
        int next = 0;
        for (int col = 0; col < cells.Count; col++)
            ParseCell(path, cells[col].AsSpan().Trim(), lineNo, col, names, roles[col], row, ref next, labels);
    }

    /// <summary><see cref="ParseRecord"/> for a line without quotes, its cells read in place.</summary>
    private static void ParsePlain(string path, string line, char delimiter, int lineNo, string[] names, Role[] roles, MatrixBuilder values, List<string>? labels)
    {
        CheckColumnCount(path, line.AsSpan().Count(delimiter) + 1, lineNo, names.Length);
        var row = values.AddRow();
        int next = 0;
        var rest = line.AsSpan();
        for (int col = 0; col < names.Length; col++)
        {
            int end = rest.IndexOf(delimiter);
            ParseCell(path, (end < 0 ? rest : rest[..end]).Trim(), lineNo, col, names, roles[col], row, ref next, labels);
            rest = end < 0 ? default : rest[(end + 1)..];
        }
    }

    private static void CheckColumnCount(string path, int count, int lineNo, int width)
    {
        if (count > width)
            throw new InvalidDataException($"{path}: line {lineNo} has more than {width} columns (the first line has {width}).");
        if (count != width)
            throw new InvalidDataException($"{path}: line {lineNo} has {count} columns; expected {width} like the first line.");
    }

    private static void ParseCell(string path, ReadOnlySpan<char> cell, int lineNo, int col, string[] names, Role role, Span<float> row, ref int next, List<string>? labels)
    {
        switch (role)
        {
            case Role.Label:
                if (cell.IsEmpty)
                    throw new InvalidDataException($"{path}: line {lineNo}, label column {col} ('{names[col]}') is empty.");
                if (TryParseNumber(cell, out double v) && (v != Math.Floor(v) || v is < int.MinValue or > int.MaxValue))
                    throw new InvalidDataException($"{path}: line {lineNo}, label column {col} ('{names[col]}'): '{cell}' is not an integer label (labels are whole numbers or class names).");
                labels!.Add(cell.ToString());
                break;
            case Role.Feature:
                if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float f))
                    throw new InvalidDataException($"{path}: line {lineNo}, column {col} ('{names[col]}'): '{cell}' is not a number. "
                        + $"If '{names[col]}' is a text column, make it the label or leave it out: --ignore {names[col]}, or choose the feature columns with --features"
                        + " (CsvOptions.Ignore, CsvOptions.Features in code).");
                if (!float.IsFinite(f))
                    throw new InvalidDataException($"{path}: line {lineNo}, column {col} ('{names[col]}'): '{cell}' is not a finite float value.");
                row[next++] = f;
                break;
        }
    }

    private static bool TryParseNumber(ReadOnlySpan<char> cell, out double value)
        => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Splits a text into RFC 4180 records: a field that starts with a double quote (after blanks) runs to the next
    /// lone quote, may hold delimiters and line breaks, and writes a quote as two; blank lines are skipped.
    /// </summary>
    private sealed class RecordReader(TextReader reader, char delimiter, string path)
    {
        private readonly System.Text.StringBuilder _field = new();
        private int _nextLine = 1;

        /// <summary>The 1-based line on which the last record read started.</summary>
        public int Line { get; private set; }

        /// <summary>The last record's line when it had no quotes and <c>splitPlain</c> was false (its cells then left unsplit), else null.</summary>
        public string? PlainLine { get; private set; }

        public bool Next(List<string> cells, bool splitPlain = true)
        {
            cells.Clear();
            PlainLine = null;
            string? line;
            while ((line = reader.ReadLine()) is not null && string.IsNullOrWhiteSpace(line)) _nextLine++;
            if (line is null) return false;
            Line = _nextLine++;
            if (!line.Contains('"'))
            {
                if (splitPlain) cells.AddRange(line.Split(delimiter));
                else PlainLine = line;
                return true;
            }
            int i = 0;
            while (true)
            {
                _field.Clear();
                int start = i;
                while (i < line.Length && line[i] is ' ' or '\t' && line[i] != delimiter) i++;
                if (i < line.Length && line[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i == line.Length)
                        {
                            line = reader.ReadLine()
                                ?? throw new InvalidDataException($"{path}: line {Line}, column {cells.Count}: a quoted field is not closed before the end of the file.");
                            _nextLine++;
                            _field.Append('\n');
                            i = 0;
                            continue;
                        }
                        char c = line[i++];
                        if (c != '"') { _field.Append(c); continue; }
                        if (i < line.Length && line[i] == '"') { _field.Append('"'); i++; continue; }
                        break;
                    }
                    while (i < line.Length && line[i] != delimiter)
                    {
                        if (!char.IsWhiteSpace(line[i]))
                            throw new InvalidDataException($"{path}: line {_nextLine - 1}, column {cells.Count}: text after the closing quote of a quoted field (write a quote inside a quoted field as \"\").");
                        i++;
                    }
                }
                else
                {
                    i = start;
                    while (i < line.Length && line[i] != delimiter) _field.Append(line[i++]);
                }
                cells.Add(_field.ToString());
                if (i >= line.Length) return true;
                i++; // the delimiter
            }
        }
    }
}
