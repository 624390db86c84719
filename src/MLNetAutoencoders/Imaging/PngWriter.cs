using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Imaging;

/// <summary>PNG colour types written by <see cref="PngWriter"/>.</summary>
public enum PngColor
{
    /// <summary>8-bit grey, one byte per pixel.</summary>
    Gray = 0,

    /// <summary>8-bit RGB, three bytes per pixel (R, G, B).</summary>
    Rgb = 2,
}

/// <summary>A dependency-free PNG encoder for 8-bit grey and RGB images (no interlacing, filter type None, zlib-compressed).</summary>
public static class PngWriter
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes row-major pixels (top row first) as a PNG file image.</summary>
    /// <exception cref="ArgumentException">Non-positive size, or the pixel count does not match width×height×channels.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Gray)
    {
        int channels = color switch
        {
            PngColor.Gray => 1,
            PngColor.Rgb => 3,
            _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Only Gray and Rgb are supported."),
        };
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Image size {width}×{height}: width and height must be positive.", nameof(width));
        long stride = (long)width * channels;
        if (pixels.Length != stride * height)
            throw new ArgumentException($"A {width}×{height} {color} image needs {stride * height} bytes; got {pixels.Length}.", nameof(pixels));

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = (byte)color;
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering (each row says its filter)
        ihdr[12] = 0; // no interlace
        WriteChunk(png, "IHDR"u8, ihdr);

        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter type None
                z.Write(pixels.Slice((int)(y * stride), (int)stride));
            }
        }
        WriteChunk(png, "IDAT"u8, idat.GetBuffer().AsSpan(0, (int)idat.Length));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    /// <summary>Encodes and writes a PNG file atomically.</summary>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Gray)
        => AtomicFile.WriteAllBytes(path, Encode(pixels, width, height, color));

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        s.Write(type);
        s.Write(data);
        var crc = new Crc32();
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        s.Write(word);
    }
}
