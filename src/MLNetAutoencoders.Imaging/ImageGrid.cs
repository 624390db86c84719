using System.Runtime.InteropServices;
using MLNetAutoencoders.Numerics;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging;

/// <summary>An 8-bit grey image, row-major, top row first.</summary>
public sealed class GrayImage
{
    /// <summary>Creates an image filled with <paramref name="fill"/>.</summary>
    public GrayImage(int width, int height, byte fill = 0)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Image size {width}×{height}: width and height must be positive.", nameof(width));
        Width = width;
        Height = height;
        Pixels = new byte[(long)width * height];
        if (fill != 0) Pixels.AsSpan().Fill(fill);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width×Height bytes, row after row.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y]
    {
        get => Pixels[y * Width + x];
        set => Pixels[y * Width + x] = value;
    }

    /// <summary>
    /// Where <see cref="ImageGrid"/> put each image: its top-left pixel and the grid row it is in (empty for an image
    /// not made by a grid). <see cref="GridFigure"/> places row labels and captions with it.
    /// </summary>
    public IReadOnlyList<GridCell> Cells { get; internal set; } = [];

    /// <summary>Width and height of one image in a grid cell, in pixels (after scaling); (0, 0) when not a grid.</summary>
    public (int Width, int Height) CellSize { get; internal set; }

    /// <summary>Background pixels above each row of a grid (padding + row gap): where captions go.</summary>
    internal int SpaceAbove { get; set; }

    /// <summary>The image as an 8-bit grey SkiaSharp bitmap (a copy).</summary>
    public SKBitmap ToBitmap()
    {
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Gray8, SKAlphaType.Opaque));
        Marshal.Copy(Pixels, 0, bitmap.GetPixels(), Pixels.Length);
        return bitmap;
    }

    /// <summary>The image encoded as an 8-bit grey PNG.</summary>
    public byte[] ToPng()
    {
        using var bitmap = ToBitmap();
        return Drawing.Png(bitmap);
    }

    /// <summary>Writes the image as a PNG file (atomically).</summary>
    public void SavePng(string path) => Drawing.Save(path, ToPng());
}

/// <summary>Where one image of a grid was drawn: top-left pixel (<paramref name="X"/>, <paramref name="Y"/>) and grid row.</summary>
public readonly record struct GridCell(int X, int Y, int Row);

/// <summary>Options for <see cref="ImageGrid"/>.</summary>
public sealed class ImageGridOptions
{
    /// <summary>Images per row; 0 = automatic (about square for <see cref="ImageGrid.Tile"/>, up to 10 for <see cref="ImageGrid.Pairs"/>).</summary>
    public int Columns { get; init; }

    /// <summary>Pixels of background between and around the images (0–64).</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Each image pixel becomes a Scale×Scale block (1–32).</summary>
    public int Scale { get; init; } = 1;

    /// <summary>Stretch each image's own minimum–maximum to black–white (for eigenfaces and other signed images); otherwise values are clamped to [0, 1].</summary>
    public bool NormalizeEach { get; init; }

    /// <summary>Grey level of the background in [0, 1] (default 1 = white).</summary>
    public float Background { get; init; } = 1f;

    /// <summary>Extra pixels of background above every row of images (0–64): room for captions (<see cref="GridFigure"/>).</summary>
    public int RowGap { get; init; }

    internal void Validate()
    {
        if (Columns < 0) throw new ArgumentOutOfRangeException(nameof(Columns), Columns, "Columns must be ≥ 0 (0 = automatic).");
        if (Padding is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "Padding must be in 0–64.");
        if (Scale is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "Scale must be in 1–32.");
        if (!(Background >= 0 && Background <= 1)) throw new ArgumentOutOfRangeException(nameof(Background), Background, "Background must be in [0, 1].");
        if (RowGap is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(RowGap), RowGap, "RowGap must be in 0–64.");
    }
}

/// <summary>Tiles images (one per matrix row, width×height values in [0, 1]) into one grey picture.</summary>
public static class ImageGrid
{
    /// <summary>Tiles all rows of <paramref name="images"/> row by row into a grid.</summary>
    /// <exception cref="ArgumentException">No images, rows not of width×height values, or a NaN value.</exception>
    public static GrayImage Tile(Matrix images, int width, int height, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        options ??= new ImageGridOptions();
        options.Validate();
        CheckShape(images, width, height, nameof(images));
        int n = images.Rows;
        int cols = options.Columns > 0 ? Math.Min(options.Columns, n) : (int)Math.Ceiling(Math.Sqrt(n));
        int rows = (n + cols - 1) / cols;
        var canvas = Canvas(cols, rows, width, height, options, 0);
        var cells = new GridCell[n];
        for (int i = 0; i < n; i++) cells[i] = Draw(canvas, images.Row(i), i / cols, i % cols, width, height, options, 0, i);
        canvas.Cells = cells;
        return canvas;
    }

    /// <summary>
    /// Lays out originals and their reconstructions in pairs of rows: a row of originals directly above the row of their
    /// reconstructions, repeated (with an extra gap between pairs) when there are more images than columns.
    /// </summary>
    /// <exception cref="ArgumentException">The matrices differ in shape, no images, or a NaN value.</exception>
    public static GrayImage Pairs(Matrix originals, Matrix reconstructions, int width, int height, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(originals);
        ArgumentNullException.ThrowIfNull(reconstructions);
        options ??= new ImageGridOptions();
        options.Validate();
        CheckShape(originals, width, height, nameof(originals));
        if (reconstructions.Rows != originals.Rows || reconstructions.Cols != originals.Cols)
            throw new ArgumentException($"Reconstructions are {reconstructions.Rows}×{reconstructions.Cols}; originals are {originals.Rows}×{originals.Cols}.", nameof(reconstructions));
        int n = originals.Rows;
        int cols = options.Columns > 0 ? Math.Min(options.Columns, n) : Math.Min(n, 10);
        int blocks = (n + cols - 1) / cols;
        int gap = Math.Max(options.Padding, 1);
        var canvas = Canvas(cols, 2 * blocks, width, height, options, (blocks - 1) * gap);
        var cells = new GridCell[2 * n];
        for (int i = 0; i < n; i++)
        {
            int block = i / cols, c = i % cols;
            cells[2 * i] = Draw(canvas, originals.Row(i), 2 * block, c, width, height, options, block * gap, i);
            cells[2 * i + 1] = Draw(canvas, reconstructions.Row(i), 2 * block + 1, c, width, height, options, block * gap, i);
        }
        canvas.Cells = cells;
        return canvas;
    }

    /// <summary>Maps a value to a grey byte: clamp to [0, 1], ×255, round.</summary>
    internal static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);

    private static void CheckShape(Matrix m, int width, int height, string name)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentException($"Image size {width}×{height}: width and height must be positive.", nameof(width));
        if (m.Rows == 0) throw new ArgumentException("There are no images to tile.", name);
        if ((long)width * height != m.Cols)
            throw new ArgumentException($"Rows of {name} have {m.Cols} values; a {width}×{height} image has {(long)width * height}.", name);
    }

    private static GrayImage Canvas(int cols, int rows, int width, int height, ImageGridOptions o, int extraHeight)
    {
        long w = (long)cols * width * o.Scale + (cols + 1L) * o.Padding;
        long h = (long)rows * (height * o.Scale + o.RowGap) + (rows + 1L) * o.Padding + extraHeight;
        if (w * h > 1L << 28)
            throw new ArgumentException($"The grid would be {w}×{h} pixels; reduce the number of images or the scale.");
        return new GrayImage((int)w, (int)h, ToByte(o.Background)) { CellSize = (width * o.Scale, height * o.Scale), SpaceAbove = o.Padding + o.RowGap };
    }

    private static GridCell Draw(GrayImage canvas, ReadOnlySpan<float> image, int row, int col, int width, int height, ImageGridOptions o, int yOffset, int index)
    {
        float lo = 0, scale = 1;
        if (o.NormalizeEach)
        {
            lo = float.PositiveInfinity;
            float hi = float.NegativeInfinity;
            foreach (var v in image)
            {
                lo = MathF.Min(lo, v);
                hi = MathF.Max(hi, v);
            }
            scale = hi > lo ? 1 / (hi - lo) : 0; // 0: a constant image, shown mid-grey
        }
        int s = o.Scale;
        int x0 = o.Padding + col * (width * s + o.Padding);
        int y0 = o.Padding + row * (height * s + o.Padding + o.RowGap) + o.RowGap + yOffset;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float v = image[y * width + x];
                if (float.IsNaN(v)) throw new ArgumentException($"Image {index} has NaN at pixel ({x}, {y}).");
                byte g = ToByte(o.NormalizeEach && scale == 0 ? 0.5f : (v - lo) * scale);
                for (int dy = 0; dy < s; dy++)
                    canvas.Pixels.AsSpan((y0 + y * s + dy) * canvas.Width + x0 + x * s, s).Fill(g);
            }
        }
        return new GridCell(x0, y0, row);
    }
}
