using SkiaSharp;

namespace MLNetAutoencoders.Imaging.Tests;

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class Scratch : IDisposable
{
    public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("mlae-imaging-");

    public string Path(string name) => System.IO.Path.Combine(Dir.FullName, name);

    public void Dispose() => Dir.Delete(recursive: true);
}

/// <summary>Decoding and inspecting PNGs with SkiaSharp.</summary>
internal static class Png
{
    /// <summary>Decodes PNG bytes; fails the test when they are not a PNG.</summary>
    public static SKBitmap Decode(byte[] png)
    {
        Assert.True(png.Length > 8 && png[0] == 0x89 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "not a PNG signature");
        return SKBitmap.Decode(png) ?? throw new Xunit.Sdk.XunitException("SkiaSharp could not decode the PNG.");
    }

    /// <summary>Pixels in the rectangle whose colour is within <paramref name="tolerance"/> (per channel) of <paramref name="c"/>.</summary>
    public static int Count(SKBitmap b, SKColor c, int tolerance = 0, SKRectI? area = null)
    {
        var r = area ?? new SKRectI(0, 0, b.Width, b.Height);
        int n = 0;
        for (int y = r.Top; y < r.Bottom; y++)
            for (int x = r.Left; x < r.Right; x++)
            {
                var p = b.GetPixel(x, y);
                if (Math.Abs(p.Red - c.Red) <= tolerance && Math.Abs(p.Green - c.Green) <= tolerance && Math.Abs(p.Blue - c.Blue) <= tolerance) n++;
            }
        return n;
    }

    /// <summary>Pixels that satisfy <paramref name="match"/>.</summary>
    public static int Count(SKBitmap b, Func<SKColor, bool> match)
    {
        int n = 0;
        for (int y = 0; y < b.Height; y++)
            for (int x = 0; x < b.Width; x++)
                if (match(b.GetPixel(x, y))) n++;
        return n;
    }

    /// <summary>Pixels darker than mid-grey in the rectangle (text, axes).</summary>
    public static int Dark(SKBitmap b, SKRectI area)
    {
        int n = 0;
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
            {
                var p = b.GetPixel(x, y);
                if (p.Red + p.Green + p.Blue < 3 * 100) n++;
            }
        return n;
    }
}
