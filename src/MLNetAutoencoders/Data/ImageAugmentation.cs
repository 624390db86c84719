using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>How strongly <see cref="ImageAugmentation"/> changes an image.</summary>
/// <param name="Shift">Largest move in pixels, up/down and left/right apart, each drawn uniformly from −Shift … Shift (≥ 0).</param>
/// <param name="Flip">Mirror left-right with probability ½.</param>
/// <param name="Cutout">Side of a square set to 0, centred on a uniformly drawn pixel and clipped at the borders (0 = none).</param>
/// <param name="Noise">Standard deviation of Gaussian noise added to every value (0 = none).</param>
/// <param name="Rotation">Largest rotation in degrees, drawn uniformly from −Rotation … Rotation (0 = none).</param>
/// <param name="Contrast">
/// Largest change of contrast and brightness: the image's values are scaled about their mean by a factor drawn from
/// [1 − Contrast, 1 + Contrast], moved by an amount drawn from [−Contrast, Contrast] and clipped to [0, 1] (0 = none).
/// </param>
internal readonly record struct AugmentationStrength(int Shift, bool Flip, int Cutout, float Noise, float Rotation = 0, float Contrast = 0);

/// <summary>
/// Random moves, mirrors, rotations, contrast and brightness changes, cut-out squares and pixel noise of images stored
/// row by row (height × width pixels, one channel after another), drawn from a given generator: the same generator
/// state gives the same views. Pixels moved in from outside the image are 0.
/// </summary>
internal sealed class ImageAugmentation
{
    private ImageAugmentation(int height, int width, int channels) => (Height, Width, Channels) = (height, width, channels);

    public int Height { get; }
    public int Width { get; }
    public int Channels { get; }

    /// <summary>The augmentation of rows of <paramref name="rowWidth"/> values holding <paramref name="height"/> × <paramref name="width"/> images.</summary>
    /// <exception cref="ArgumentException">Height or width below 1, or rows that are not a whole number of such images.</exception>
    public static ImageAugmentation Create(int height, int width, int rowWidth)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"The image height and width must be ≥ 1; got {height} × {width}.");
        long pixels = (long)height * width;
        if (rowWidth % pixels != 0)
            throw new ArgumentException($"Rows of {rowWidth} values are not images of {height} × {width} = {pixels} pixels (nor several channels of them); set the image height and width.");
        return new ImageAugmentation(height, width, (int)(rowWidth / pixels));
    }

    /// <summary>
    /// Writes into <paramref name="to"/> the image <paramref name="from"/> mirrored left-right (when <paramref name="flip"/>)
    /// and then moved down by <paramref name="dy"/> and right by <paramref name="dx"/> pixels.
    /// </summary>
    public void Move(ReadOnlySpan<float> from, Span<float> to, int dy, int dx, bool flip)
    {
        int pixels = Height * Width;
        for (int ch = 0; ch < Channels; ch++)
        {
            int o = ch * pixels;
            for (int r = 0; r < Height; r++)
            {
                int sr = r - dy;
                for (int c = 0; c < Width; c++)
                {
                    int sc = c - dx;
                    if (flip) sc = Width - 1 - sc;
                    to[o + r * Width + c] = sr >= 0 && sr < Height && sc >= 0 && sc < Width ? from[o + sr * Width + sc] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// Writes into <paramref name="to"/> the image <paramref name="from"/> rotated counter-clockwise (as seen with row 0
    /// at the top) by <paramref name="degrees"/> about its centre: each pixel takes the bilinear interpolation of the
    /// four source pixels around the point that lands on it, pixels outside the image counting as 0.
    /// </summary>
    public void Rotate(ReadOnlySpan<float> from, Span<float> to, double degrees)
    {
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cy = (Height - 1) / 2.0, cx = (Width - 1) / 2.0;
        int pixels = Height * Width;
        for (int ch = 0; ch < Channels; ch++)
        {
            var source = from.Slice(ch * pixels, pixels);
            for (int r = 0; r < Height; r++)
                for (int c = 0; c < Width; c++)
                {
                    double sx = cx + cos * (c - cx) - sin * (r - cy), sy = cy + sin * (c - cx) + cos * (r - cy);
                    int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                    double fx = sx - x0, fy = sy - y0;
                    double v = (1 - fy) * ((1 - fx) * At(source, y0, x0) + fx * At(source, y0, x0 + 1))
                        + fy * ((1 - fx) * At(source, y0 + 1, x0) + fx * At(source, y0 + 1, x0 + 1));
                    to[ch * pixels + r * Width + c] = (float)v;
                }
        }
    }

    private float At(ReadOnlySpan<float> image, int r, int c) => r >= 0 && r < Height && c >= 0 && c < Width ? image[r * Width + c] : 0f;

    /// <summary>Scales the values of <paramref name="image"/> about their mean by <paramref name="factor"/>, adds <paramref name="shift"/> and clips to [0, 1].</summary>
    public static void Jitter(Span<float> image, float factor, float shift)
    {
        double sum = 0;
        foreach (float v in image) sum += v;
        float mean = (float)(sum / image.Length);
        for (int j = 0; j < image.Length; j++) image[j] = Math.Clamp((image[j] - mean) * factor + mean + shift, 0f, 1f);
    }

    /// <summary>Sets to 0 the square of side <paramref name="size"/> whose top-left pixel is (<paramref name="top"/>, <paramref name="left"/>), clipped at the borders, in every channel.</summary>
    public void Cut(Span<float> image, int top, int left, int size)
    {
        int pixels = Height * Width;
        for (int ch = 0; ch < Channels; ch++)
            for (int r = Math.Max(top, 0); r < Math.Min(top + size, Height); r++)
                for (int c = Math.Max(left, 0); c < Math.Min(left + size, Width); c++) image[ch * pixels + r * Width + c] = 0f;
    }

    /// <summary>One random view of each row of <paramref name="x"/> (into a buffer the caller keeps), the draws in row order from <paramref name="rng"/>.</summary>
    public Matrix Apply(Matrix x, AugmentationStrength s, Rng rng, ref Matrix? into)
    {
        var y = Matrix.Ensure(ref into, x.Rows, x.Cols);
        var moved = s.Rotation > 0 ? new float[x.Cols] : null;
        for (int i = 0; i < x.Rows; i++)
        {
            int dy = rng.NextInt(2 * s.Shift + 1) - s.Shift;
            int dx = rng.NextInt(2 * s.Shift + 1) - s.Shift;
            bool flip = s.Flip && rng.NextInt(2) == 1;
            var row = y.Row(i);
            if (moved is null) Move(x.Row(i), row, dy, dx, flip);
            else
            {
                Move(x.Row(i), moved, dy, dx, flip);
                Rotate(moved, row, s.Rotation * (2 * rng.NextDouble() - 1));
            }
            if (s.Contrast > 0) Jitter(row, 1 + s.Contrast * (float)(2 * rng.NextDouble() - 1), s.Contrast * (float)(2 * rng.NextDouble() - 1));
            if (s.Cutout > 0) Cut(row, rng.NextInt(Height) - s.Cutout / 2, rng.NextInt(Width) - s.Cutout / 2, s.Cutout);
            if (s.Noise > 0)
                for (int j = 0; j < row.Length; j++) row[j] += s.Noise * (float)rng.NextGaussian();
        }
        return y;
    }
}
