using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>How strongly <see cref="ImageAugmentation"/> changes an image.</summary>
/// <param name="Shift">Largest move in pixels, up/down and left/right apart, each drawn uniformly from −Shift … Shift (≥ 0).</param>
/// <param name="Flip">Mirror left-right with probability ½.</param>
/// <param name="Cutout">Side of a square set to 0, centred on a uniformly drawn pixel and clipped at the borders (0 = none).</param>
/// <param name="Noise">Standard deviation of Gaussian noise added to every value (0 = none).</param>
internal readonly record struct AugmentationStrength(int Shift, bool Flip, int Cutout, float Noise);

/// <summary>
/// Random moves, mirrors, cut-out squares and pixel noise of images stored row by row (height × width pixels, one
/// channel after another), drawn from a given generator: the same generator state gives the same views. Pixels moved
/// in from outside the image are 0.
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
        for (int i = 0; i < x.Rows; i++)
        {
            int dy = rng.NextInt(2 * s.Shift + 1) - s.Shift;
            int dx = rng.NextInt(2 * s.Shift + 1) - s.Shift;
            bool flip = s.Flip && rng.NextInt(2) == 1;
            var row = y.Row(i);
            Move(x.Row(i), row, dy, dx, flip);
            if (s.Cutout > 0) Cut(row, rng.NextInt(Height) - s.Cutout / 2, rng.NextInt(Width) - s.Cutout / 2, s.Cutout);
            if (s.Noise > 0)
                for (int j = 0; j < row.Length; j++) row[j] += s.Noise * (float)rng.NextGaussian();
        }
        return y;
    }
}
