using MLNetAutoencoders.Data;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging;

/// <summary>A chart that can be written as a PNG (<see cref="Chart"/>, <see cref="BarChart"/>).</summary>
public interface IPicture
{
    /// <summary>The picture encoded as PNG.</summary>
    byte[] ToPng();

    /// <summary>Writes the picture as a PNG file (atomically).</summary>
    void Save(string path);
}

/// <summary>What every picture shares: the font, the colours, PNG encoding and atomic writes.</summary>
internal static class Drawing
{
    /// <summary>The font family used for all text; Debian's <c>fonts-dejavu-core</c> provides it.</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>Ten distinct colours (the Category10 palette) for series and classes.</summary>
    public static readonly SKColor[] Palette =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf),
    ];

    /// <summary>The colour of series or class <paramref name="i"/> as a ScottPlot colour.</summary>
    public static ScottPlot.Color Color(int i)
    {
        var c = Palette[i % Palette.Length];
        return new ScottPlot.Color(c.Red, c.Green, c.Blue);
    }

    /// <summary>
    /// The typeface for text: DejaVu Sans, else the platform's default. A machine without any font would draw pictures
    /// without text, so that is an error that says what to install.
    /// </summary>
    public static SKTypeface Typeface(bool bold = false)
    {
        var style = bold ? SKFontStyle.Bold : SKFontStyle.Normal;
        var face = SKFontManager.Default.MatchFamily(FontFamily, style) ?? SKFontManager.Default.MatchFamily(null, style);
        if (face is null || SKFontManager.Default.FontFamilyCount == 0)
            throw new InvalidOperationException(
                "No font was found (pictures need one for their text). Install one, e.g. `apt-get install fonts-dejavu-core` (scripts/setup.sh does).");
        return face;
    }

    /// <summary>A new ScottPlot plot with the project's font and title, axis labels.</summary>
    public static ScottPlot.Plot Plot(string title, string xLabel, string yLabel)
    {
        var typeface = Typeface();
        var plot = new ScottPlot.Plot();
        plot.Font.Set(typeface.FamilyName);
        if (title.Length > 0) plot.Title(title, size: 17);
        if (xLabel.Length > 0) plot.XLabel(xLabel, size: 14);
        if (yLabel.Length > 0) plot.YLabel(yLabel, size: 14);
        return plot;
    }

    /// <summary>Checks a reference line and adds it to <paramref name="lines"/>.</summary>
    public static void AddReference(List<(string Name, double Y)> lines, string name, double y)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!double.IsFinite(y)) throw new ArgumentException($"Reference line '{name}': y = {y} is not finite.", nameof(y));
        lines.Add((name, y));
    }

    /// <summary>Draws reference lines: dashed, dark grey, across the plot, named in the legend.</summary>
    public static void DrawReferences(ScottPlot.Plot plot, IEnumerable<(string Name, double Y)> lines)
    {
        foreach (var (name, y) in lines)
            plot.Add.HorizontalLine(y, 2, new ScottPlot.Color(0x33, 0x33, 0x33), ScottPlot.LinePattern.Dashed).LegendText = name;
    }

    /// <summary>Checks a picture size.</summary>
    public static void CheckSize(int width, int height)
    {
        if (width is < 200 or > 4000) throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be in 200–4000 pixels.");
        if (height is < 150 or > 4000) throw new ArgumentOutOfRangeException(nameof(height), height, "Height must be in 150–4000 pixels.");
    }

    /// <summary>Encodes a bitmap as PNG.</summary>
    public static byte[] Png(SKBitmap bitmap)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {bitmap.Width}×{bitmap.Height} {bitmap.ColorType} picture as PNG.");
        return data.ToArray();
    }

    /// <summary>Writes bytes to a file atomically (a reader never sees half a picture), creating its folder.</summary>
    public static void Save(string path, byte[] png)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllBytes(path, png);
    }

    /// <summary>A width×height white RGBA bitmap with a canvas to draw on.</summary>
    public static (SKBitmap Bitmap, SKCanvas Canvas) White(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        return (bitmap, canvas);
    }

    /// <summary>Draws text with its baseline at y; align: 0 left, 0.5 centre, 1 right.</summary>
    public static void Text(SKCanvas canvas, string text, float x, float y, float size, float align = 0, bool bold = false, SKColor? color = null)
    {
        using var font = new SKFont(Typeface(bold), size);
        using var paint = new SKPaint { Color = color ?? SKColors.Black, IsAntialias = true };
        float width = font.MeasureText(text);
        canvas.DrawText(text, x - align * width, y, SKTextAlign.Left, font, paint);
    }

    /// <summary>The width of text in pixels.</summary>
    public static float TextWidth(string text, float size, bool bold = false)
    {
        using var font = new SKFont(Typeface(bold), size);
        return font.MeasureText(text);
    }
}
