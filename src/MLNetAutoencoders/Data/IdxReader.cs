using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>
/// Reads IDX files of unsigned bytes (the MNIST / Fashion-MNIST format): a big-endian magic number
/// (0x00000803 for images N×rows×cols, 0x00000801 for labels N), big-endian 32-bit dimension sizes, then the bytes.
/// Plain and gzip-compressed files are both accepted; gzip is recognised by its magic bytes (1f 8b), not by the file name.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of a uint8 image file (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a uint8 label file (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file; pixels become one row per image, scaled to [0, 1] by dividing by 255.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, bad dimensions, truncated or oversized file.</exception>
    public static (Matrix Pixels, int Rows, int Cols) ReadImages(string path)
    {
        var (bytes, count, rows, cols) = ReadImageBytes(path);
        var m = new Matrix(count, rows * cols);
        ToUnitInterval(bytes, m.Span);
        return (m, rows, cols);
    }

    /// <summary>Reads an image file as raw bytes (image after image, row-major), with its dimensions.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, bad dimensions, truncated or oversized file.</exception>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImageBytes(string path)
    {
        var (dims, data) = Read(path, ImagesMagic);
        return (data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a label file (one byte per item) as integers 0–255.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated or oversized file.</exception>
    public static int[] ReadLabels(string path)
    {
        var (_, data) = Read(path, LabelsMagic);
        var labels = new int[data.Length];
        for (int i = 0; i < data.Length; i++) labels[i] = data[i];
        return labels;
    }

    /// <summary>Reads an IDX image file and, when given, its IDX label file, checking that the counts agree.</summary>
    internal static ImageDataset ReadDataset(string imagesPath, string? labelsPath, string name)
    {
        var labelsTask = labelsPath is null ? null : Task.Run(() => ReadLabels(labelsPath));
        var (pixels, rows, cols) = ReadImages(imagesPath);
        var labels = labelsTask?.GetAwaiter().GetResult();
        if (labels is not null && labels.Length != pixels.Rows)
            throw new InvalidDataException($"{labelsPath} has {labels.Length} labels but {imagesPath} has {pixels.Rows} images.");
        return new ImageDataset(pixels, labels, cols, rows, name);
    }

    /// <summary>True when the file starts with an IDX uint8 magic number (plain or inside gzip).</summary>
    public static bool LooksLikeIdx(string path)
    {
        try
        {
            using var s = Open(path, out _);
            Span<byte> head = stackalloc byte[4];
            return s.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4
                && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] is 1 or 3;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>Converts bytes 0–255 to floats in [0, 1] (x / 255).</summary>
    internal static void ToUnitInterval(ReadOnlySpan<byte> bytes, Span<float> dest)
    {
        TensorPrimitives.ConvertTruncating(bytes, dest);
        TensorPrimitives.Divide(dest, 255f, dest);
    }

    /// <summary>Opens the file, transparently decompressing gzip.</summary>
    internal static Stream Open(string path, out bool gzip)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<byte> magic = stackalloc byte[2];
        int n = fs.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        fs.Position = 0;
        gzip = n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        return gzip ? new GZipStream(fs, CompressionMode.Decompress) : fs;
    }

    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic)
    {
        int rank = expectedMagic == ImagesMagic ? 3 : 1;
        string kind = rank == 3 ? "uint8 image file (N×rows×cols)" : "uint8 label file (N)";
        using var s = Open(path, out bool gzip);
        string where = gzip ? " of the decompressed data" : "";
        try
        {
            int headerLength = 4 + 4 * rank;
            Span<byte> header = stackalloc byte[headerLength];
            int got = s.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            if (got < 4)
                throw new InvalidDataException($"{path}: the file ends at byte offset {got}{where}; an IDX {kind} starts with a 4-byte magic number 0x{expectedMagic:X8}.");
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw new InvalidDataException($"{path}: byte offset 0: magic number 0x{magic:X8} is not that of an IDX {kind}; expected 0x{expectedMagic:X8}.");
            if (got < headerLength)
                throw new InvalidDataException($"{path}: truncated header: the file ends at byte offset {got}{where}; the header of an IDX {kind} is {headerLength} bytes.");

            var dims = new int[rank];
            long length = 1;
            for (int d = 0; d < rank; d++)
            {
                dims[d] = BinaryPrimitives.ReadInt32BigEndian(header[(4 + 4 * d)..]);
                bool ok = d == 0 ? dims[d] >= 0 : dims[d] > 0;
                if (!ok)
                    throw new InvalidDataException($"{path}: byte offset {4 + 4 * d}: dimension {d} is {dims[d]}; expected {(d == 0 ? "≥ 0" : "> 0")}.");
                length *= dims[d];
            }
            if (length > Array.MaxLength || (rank == 3 && (long)dims[1] * dims[2] > int.MaxValue))
                throw new InvalidDataException($"{path}: dimensions {string.Join("×", dims)} are too large to load ({length} bytes).");

            var data = new byte[length];
            int read = s.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < length)
                throw new InvalidDataException(
                    $"{path}: truncated: the data ends at byte offset {headerLength + read}{where}; dimensions {string.Join("×", dims)} need {headerLength + length} bytes ({headerLength}-byte header + {length} data bytes).");
            if (s.ReadByte() != -1)
                throw new InvalidDataException(
                    $"{path}: unexpected bytes after byte offset {headerLength + length}{where}; dimensions {string.Join("×", dims)} need exactly {headerLength + length} bytes.");
            return (dims, data);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // Raised by the gzip decoder (corrupt or cut-off compressed stream).
            throw new InvalidDataException($"{path}: corrupt or truncated gzip stream: {e.Message}", e);
        }
    }
}
