using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>The header of an NPY file: element type, memory order and shape.</summary>
public sealed class NpyHeader
{
    /// <summary>The numpy type string, e.g. <c>&lt;f4</c>, <c>&lt;f8</c>, <c>|u1</c>, <c>&lt;i8</c>.</summary>
    public required string Descr { get; init; }

    /// <summary>True when the data are in Fortran (column-major) order (not supported for reading).</summary>
    public required bool FortranOrder { get; init; }

    /// <summary>The array's shape (empty for a scalar).</summary>
    public required int[] Shape { get; init; }

    /// <summary>Byte offset of the data (the length of the magic, version and header).</summary>
    public required int DataOffset { get; init; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads and writes numpy's NPY format (versions 1, 2 and 3): little-endian <c>&lt;f4</c>, <c>&lt;f8</c>, <c>|u1</c>,
/// <c>|i1</c>, <c>&lt;i4</c>, <c>&lt;i8</c> in C order. Values are returned as stored (bytes are not rescaled).
/// </summary>
public static class Npy
{
    /// <summary>The six magic bytes that start every NPY file: 0x93 then "NUMPY".</summary>
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads and validates the header.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Not an NPY file, or a malformed or unsupported header.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        using var s = OpenRead(path);
        return ReadHeader(s, path);
    }

    /// <summary>
    /// Reads an array of 2 or more dimensions as a matrix: one row per index of the first dimension, the remaining
    /// dimensions flattened in C order into the columns (so N×25×25 becomes N×625).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad header, unsupported type, fewer than 2 dimensions, truncated or oversized data.</exception>
    public static Matrix ReadMatrix(string path)
    {
        using var s = OpenRead(path);
        var h = ReadHeader(s, path);
        if (h.Shape.Length < 2)
            throw new InvalidDataException($"{path}: shape {ShapeText(h.Shape)} has {h.Shape.Length} dimension(s); a matrix needs at least 2 (use Npy.ReadVector for 1-D data).");
        long cols = 1;
        for (int d = 1; d < h.Shape.Length; d++) cols *= h.Shape[d];
        if (cols > int.MaxValue)
            throw new InvalidDataException($"{path}: shape {ShapeText(h.Shape)} has too many columns ({cols}).");
        var m = new Matrix(h.Shape[0], (int)cols);
        ReadFloats(s, path, h, m.Span);
        return m;
    }

    /// <summary>Reads a 1-D array as floats.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad header, unsupported type, not 1-D, truncated or oversized data.</exception>
    public static float[] ReadVector(string path)
    {
        using var s = OpenRead(path);
        var h = ReadHeader(s, path);
        RequireOneDimension(h, path);
        var v = new float[h.Shape[0]];
        ReadFloats(s, path, h, v);
        return v;
    }

    /// <summary>Reads a 1-D integer array (<c>|u1</c>, <c>|i1</c>, <c>&lt;i4</c> or <c>&lt;i8</c>), e.g. class labels.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad header, not an integer type, not 1-D, a value outside the int range, truncated or oversized data.</exception>
    public static int[] ReadLabels(string path)
    {
        using var s = OpenRead(path);
        var h = ReadHeader(s, path);
        RequireOneDimension(h, path);
        if (h.Descr is not ("|u1" or "|i1" or "<i4" or "<i8"))
            throw new InvalidDataException($"{path}: dtype '{h.Descr}' is not an integer type; labels must be '|u1', '|i1', '<i4' or '<i8'.");
        int size = ItemSize(h.Descr, path);
        var bytes = new byte[h.Count * size];
        ReadData(s, path, h, bytes, 0);
        var labels = new int[h.Shape[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            long v = h.Descr switch
            {
                "|u1" => bytes[i],
                "|i1" => (sbyte)bytes[i],
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4)),
                _ => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8)),
            };
            if (v is < int.MinValue or > int.MaxValue)
                throw new InvalidDataException($"{path}: element {i} (byte offset {h.DataOffset + (long)i * size}) is {v}, outside the 32-bit integer range.");
            labels[i] = (int)v;
        }
        return labels;
    }

    /// <summary>Writes a matrix as a float32 (<c>&lt;f4</c>) NPY version 1 file of shape (Rows, Cols), atomically.</summary>
    public static void Write(string path, Matrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var header = BuildHeader("<f4", matrix.Rows, matrix.Cols);
        AtomicFile.Write(path, s =>
        {
            s.Write(header);
            s.Write(MemoryMarshal.AsBytes(matrix.Span));
        });
    }

    /// <summary>Magic, version 1.0, length and the padded header dict; total length a multiple of 64 bytes.</summary>
    internal static byte[] BuildHeader(string descr, params int[] shape)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int unpadded = 10 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        var text = dict + new string(' ', total - unpadded) + "\n";
        var bytes = new byte[total];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, bytes.AsSpan(10));
        return bytes;
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"NPY file not found: {path}", path);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NPY reading needs a little-endian machine.");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static NpyHeader ReadHeader(FileStream s, string path)
    {
        Span<byte> pre = stackalloc byte[12];
        int got = s.ReadAtLeast(pre[..10], 10, throwOnEndOfStream: false);
        if (got < 8 || !pre[..6].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: byte offset 0: not an NPY file (expected the magic string \\x93NUMPY).");
        int major = pre[6];
        if (major is < 1 or > 3)
            throw new InvalidDataException($"{path}: byte offset 6: NPY format version {major}.{pre[7]} is not supported (expected 1.0, 2.0 or 3.0).");
        int prefix = major == 1 ? 10 : 12;
        if (got < 10 || (prefix == 12 && s.ReadAtLeast(pre[10..12], 2, throwOnEndOfStream: false) < 2))
            throw new InvalidDataException($"{path}: truncated: the file ends inside the NPY preamble (expected {prefix} bytes).");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
        if (headerLength > 1 << 20)
            throw new InvalidDataException($"{path}: byte offset 8: header length {headerLength} is implausible (over 1 MiB).");
        var headerBytes = new byte[headerLength];
        int hg = s.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (hg < headerLength)
            throw new InvalidDataException($"{path}: truncated: the file ends at byte offset {prefix + hg}, inside the header (expected {headerLength} header bytes from offset {prefix}).");
        var text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var h = new HeaderParser(text, path, prefix).Parse((int)(prefix + headerLength));
        if (h.FortranOrder)
            throw new InvalidDataException($"{path}: fortran_order is True; only C-order arrays are supported (save with np.ascontiguousarray).");
        long expected = h.DataOffset + h.Count * ItemSize(h.Descr, path);
        if (s.Length < expected)
            throw new InvalidDataException(
                $"{path}: truncated: the file ends at byte offset {s.Length}; shape {ShapeText(h.Shape)} of '{h.Descr}' needs {expected} bytes (data from byte offset {h.DataOffset}).");
        if (s.Length > expected)
            throw new InvalidDataException(
                $"{path}: unexpected bytes after byte offset {expected}; shape {ShapeText(h.Shape)} of '{h.Descr}' needs exactly {expected} bytes, the file has {s.Length}.");
        if (h.Count > Array.MaxLength)
            throw new InvalidDataException($"{path}: shape {ShapeText(h.Shape)} has {h.Count} elements, too many to load.");
        return h;
    }

    private static void RequireOneDimension(NpyHeader h, string path)
    {
        if (h.Shape.Length != 1)
            throw new InvalidDataException($"{path}: shape {ShapeText(h.Shape)} has {h.Shape.Length} dimensions; expected a 1-D array.");
    }

    private static int ItemSize(string descr, string path) => descr switch
    {
        "<f4" or "<i4" => 4,
        "<f8" or "<i8" => 8,
        "|u1" or "|i1" => 1,
        _ => throw new InvalidDataException(
            $"{path}: dtype '{descr}' is not supported; expected little-endian '<f4', '<f8', '|u1', '|i1', '<i4' or '<i8'."),
    };

    /// <summary>Reads the data section into <paramref name="dest"/> converting to float, in chunks.</summary>
    private static void ReadFloats(Stream s, string path, NpyHeader h, Span<float> dest)
    {
        if (h.Descr == "<f4")
        {
            ReadData(s, path, h, MemoryMarshal.AsBytes(dest), 0);
                return;
        }
        int size = ItemSize(h.Descr, path);
        const int ChunkItems = 1 << 16;
        var buffer = new byte[ChunkItems * size];
        for (int start = 0; start < dest.Length; start += ChunkItems)
        {
            int n = Math.Min(ChunkItems, dest.Length - start);
            var b = buffer.AsSpan(0, n * size);
            ReadData(s, path, h, b, (long)start * size);
            var d = dest.Slice(start, n);
            switch (h.Descr)
            {
                case "<f8":
                    var doubles = MemoryMarshal.Cast<byte, double>(b);
                    for (int i = 0; i < n; i++) d[i] = (float)doubles[i];
                    break;
                case "|u1":
                    for (int i = 0; i < n; i++) d[i] = b[i];
                    break;
                case "|i1":
                    for (int i = 0; i < n; i++) d[i] = (sbyte)b[i];
                    break;
                case "<i4":
                    var ints = MemoryMarshal.Cast<byte, int>(b);
                    for (int i = 0; i < n; i++) d[i] = ints[i];
                    break;
                default:
                    var longs = MemoryMarshal.Cast<byte, long>(b);
                    for (int i = 0; i < n; i++) d[i] = longs[i];
                    break;
            }
        }
    }

    /// <summary>Fills <paramref name="dest"/> with the data bytes starting <paramref name="dataPosition"/> bytes into the data.</summary>
    private static void ReadData(Stream s, string path, NpyHeader h, Span<byte> dest, long dataPosition)
    {
        int got = s.ReadAtLeast(dest, dest.Length, throwOnEndOfStream: false);
        if (got < dest.Length)
            throw new InvalidDataException($"{path}: truncated: the data end at byte offset {h.DataOffset + dataPosition + got} (the file changed while being read?).");
    }

    private static string ShapeText(int[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");

    /// <summary>Parses the Python dict literal of an NPY header: {'descr': str, 'fortran_order': bool, 'shape': tuple}.</summary>
    private ref struct HeaderParser(string text, string path, int offset)
    {
        private int _pos;

        public NpyHeader Parse(int dataOffset)
        {
            string? descr = null;
            bool? fortran = null;
            int[]? shape = null;
            SkipSpace();
            Expect('{');
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _pos++; break; }
                string key = ParseString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                switch (key)
                {
                    case "descr": descr = ParseString(); break;
                    case "fortran_order": fortran = ParseBool(); break;
                    case "shape": shape = ParseShape(); break;
                    default: throw Error($"unknown key '{key}' (expected 'descr', 'fortran_order' and 'shape')");
                }
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != '}') throw Error("expected ',' or '}'");
            }
            SkipSpace();
            if (_pos != text.Length) throw Error("unexpected text after the header dict");
            if (descr is null || fortran is null || shape is null)
                throw new InvalidDataException($"{path}: the NPY header lacks {(descr is null ? "'descr'" : fortran is null ? "'fortran_order'" : "'shape'")}; it must have 'descr', 'fortran_order' and 'shape'.");
            return new NpyHeader { Descr = descr, FortranOrder = fortran.Value, Shape = shape, DataOffset = dataOffset };
        }

        private readonly char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private void Expect(char c)
        {
            if (Peek() != c) throw Error($"expected '{c}'");
            _pos++;
        }

        private string ParseString()
        {
            char q = Peek();
            if (q is not ('\'' or '"')) throw Error("expected a quoted string");
            int end = text.IndexOf(q, _pos + 1);
            if (end < 0) throw Error("unterminated string");
            var s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        private bool ParseBool()
        {
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw Error("expected True or False");
        }

        private int[] ParseShape()
        {
            Expect('(');
            var dims = new List<int>();
            while (true)
            {
                SkipSpace();
                if (Peek() == ')') { _pos++; break; }
                int start = _pos;
                while (char.IsAsciiDigit(Peek())) _pos++;
                if (start == _pos || !int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw Error("expected a non-negative dimension size");
                if (Peek() == 'L') _pos++;
                dims.Add(d);
                SkipSpace();
                if (Peek() == ',') _pos++;
                else if (Peek() != ')') throw Error("expected ',' or ')' in the shape");
            }
            return [.. dims];
        }

        private readonly InvalidDataException Error(string what)
        {
            int at = Math.Min(_pos, text.Length);
            string near = text.Substring(at, Math.Min(20, text.Length - at));
            return new InvalidDataException($"{path}: malformed NPY header at byte offset {offset + at}: {what}, found \"{near}\". Header: {text.TrimEnd()}");
        }
    }
}
