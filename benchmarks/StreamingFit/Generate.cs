using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

/// <summary>A Fashion-MNIST row as ML.NET sees it.</summary>
internal sealed class ImageRow
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}

/// <summary>
/// Writes the file-backed views the benchmark reads, once, with <c>mlContext.Data.SaveAsBinary</c> (atomically: a
/// temporary file renamed into place). <c>copies</c> = 0 writes the 60 000 training images unchanged; otherwise every
/// copy c = 0 … copies−1 of every image is shifted by a seeded (dx, dy) in −2 … 2 pixels (zeros shifted in) and gets
/// seeded Gaussian noise (σ = 0.05), clipped to [0, 1]; rows go copy after copy, so the file is as shuffled as
/// Fashion-MNIST's own order. The rows are generated lazily: the writer never holds the whole file in memory.
/// </summary>
internal static class Generate
{
    public static void Run(int copies, string path)
    {
        var ml = new MLContext(seed: 0);
        var (train, _) = FashionMnist.Load();
        var view = ml.Data.LoadFromEnumerable(Rows(train, copies));
        AtomicFile.Write(path, s => ml.Data.SaveAsBinary(view, s));
    }

    /// <summary>The training images as bytes (0–255; a quarter of the floats' memory) and their labels.</summary>
    public static (byte[] Pixels, int[] Labels) Bytes(ImageDataset train)
    {
        var s = train.Images.Span;
        var pixels = new byte[s.Length];
        for (int i = 0; i < s.Length; i++) pixels[i] = (byte)Math.Round(s[i] * 255);
        return (pixels, train.RequireLabels());
    }

    public static IEnumerable<ImageRow> Rows(ImageDataset train, int copies)
    {
        if (copies == 0)
        {
            var labels = train.RequireLabels();
            for (int i = 0; i < train.Count; i++) yield return new ImageRow { Features = train.Images.Row(i).ToArray(), Label = (uint)labels[i] };
            yield break;
        }
        var (pixels, l) = Bytes(train);
        foreach (var row in Rows(pixels, l, copies)) yield return row;
    }

    /// <summary>Copy after copy of every image, shifted by a seeded (dx, dy) in −2 … 2 with seeded Gaussian noise (σ = 0.05), clipped to [0, 1].</summary>
    public static IEnumerable<ImageRow> Rows(byte[] pixels, int[] labels, int copies)
    {
        var rng = new Rng(12345);
        var noise = new float[784];
        for (int c = 0; c < copies; c++)
            for (int i = 0; i < labels.Length; i++)
            {
                int dx = rng.NextInt(5) - 2, dy = rng.NextInt(5) - 2;
                rng.FillGaussian(noise, 0, 0.05f);
                var f = new float[784];
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                    {
                        int sx = x - dx, sy = y - dy;
                        float v = (uint)sx < 28 && (uint)sy < 28 ? pixels[i * 784 + sy * 28 + sx] / 255f : 0f;
                        f[y * 28 + x] = Math.Clamp(v + noise[y * 28 + x], 0f, 1f);
                    }
                yield return new ImageRow { Features = f, Label = (uint)labels[i] };
            }
    }
}
