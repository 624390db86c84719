using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Tests.Data;

namespace MLNetAutoencoders.Tests.Imaging;

public class PngWriterTests
{
    [Theory]
    [InlineData(PngColor.Gray, 7, 5)]
    [InlineData(PngColor.Rgb, 3, 4)]
    [InlineData(PngColor.Gray, 1, 1)]
    public void Encode_DecodesBackToTheSamePixels(PngColor color, int width, int height)
    {
        int channels = color == PngColor.Rgb ? 3 : 1;
        var pixels = new byte[width * height * channels];
        new Random(width * 31 + height).NextBytes(pixels);
        pixels[0] = 0;
        pixels[^1] = 255;
        var (w, h, type, decoded) = Decode(PngWriter.Encode(pixels, width, height, color));
        Assert.Equal((width, height, (int)color), (w, h, type));
        Assert.Equal(pixels, decoded);
    }

    [Fact]
    public void Crc32_MatchesTheStandardCheckValue()
        => Assert.Equal(0xCBF43926u, Crc32.HashToUInt32("123456789"u8));

    [Fact]
    public void WrittenFile_IsReadByPythonZlib()
    {
        using var s = new Scratch();
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90];
        var path = s.Path("img.png");
        PngWriter.Write(path, rgb, 3, 2, PngColor.Rgb);
        var hex = RefPython.Run("""
            import sys, struct, zlib
            d = open(sys.argv[1], 'rb').read()
            assert d[:8] == b'\x89PNG\r\n\x1a\n'
            pos, idat = 8, b''
            while pos < len(d):
                n, = struct.unpack('>I', d[pos:pos+4]); t = d[pos+4:pos+8]; body = d[pos+8:pos+8+n]
                assert struct.unpack('>I', d[pos+8+n:pos+12+n])[0] == zlib.crc32(t + body), t
                if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
                if t == b'IDAT': idat += body
                pos += 12 + n
            raw = zlib.decompress(idat); stride = w * 3
            rows = [raw[y*(stride+1):(y+1)*(stride+1)] for y in range(h)]
            assert all(r[0] == 0 for r in rows)
            print(w, h, depth, ctype, b''.join(r[1:] for r in rows).hex())
            """, path);
        Assert.Equal("3 2 8 2 " + Convert.ToHexStringLower(rgb), hex.Trim());
    }

    [Fact]
    public void WrongPixelCount_Throws()
    {
        Assert.Contains("needs 12 bytes", Assert.Throws<ArgumentException>(() => PngWriter.Encode(new byte[11], 4, 3)).Message);
        Assert.Throws<ArgumentException>(() => PngWriter.Encode([], 0, 3));
    }

    /// <summary>A minimal PNG decoder for filter type 0 (what the writer emits), checking each chunk's CRC bit by bit.</summary>
    internal static (int Width, int Height, int ColorType, byte[] Pixels) Decode(byte[] png)
    {
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        int pos = 8, width = 0, height = 0, type = -1;
        var idat = new MemoryStream();
        var chunks = new List<string>();
        while (pos < png.Length)
        {
            int n = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var typeAndData = png.AsSpan(pos + 4, 4 + n);
            string t = Encoding.ASCII.GetString(typeAndData[..4]);
            chunks.Add(t);
            Assert.Equal(BitwiseCrc(typeAndData), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + n)));
            var body = typeAndData[4..];
            if (t == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]);
                type = body[9];
                Assert.Equal([0, 0, 0], body[10..13].ToArray());
            }
            if (t == "IDAT") idat.Write(body);
            pos += 12 + n;
        }
        Assert.Equal(["IHDR", "IDAT", "IEND"], chunks);
        idat.Position = 0;
        var raw = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(raw);
        int stride = width * (type == 2 ? 3 : 1);
        var bytes = raw.ToArray();
        Assert.Equal(height * (stride + 1), bytes.Length);
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            Assert.Equal(0, bytes[y * (stride + 1)]);
            bytes.AsSpan(y * (stride + 1) + 1, stride).CopyTo(pixels.AsSpan(y * stride));
        }
        return (width, height, type, pixels);
    }

    private static uint BitwiseCrc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (uint)-(int)(c & 1));
        }
        return ~c;
    }
}
