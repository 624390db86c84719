using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>The moves, mirrors, cut-outs and noise of the consistency mode's image augmentation.</summary>
public class ImageAugmentationTests
{
    // A 3 × 4 image whose pixel (r, c) holds 1 + 10 r + c, so that every value names where it came from.
    private static float[] Image(int channels = 1) =>
        Enumerable.Range(0, channels).SelectMany(ch => Enumerable.Range(0, 12).Select(j => 100f * ch + 1 + 10 * (j / 4) + j % 4)).ToArray();

    [Fact]
    public void Move_ShiftsDownAndRight_FillingWithZeros()
    {
        var a = ImageAugmentation.Create(3, 4, 12);
        var to = new float[12];
        a.Move(Image(), to, 1, -1, false);
        Assert.Equal(new float[] { 0, 0, 0, 0, 2, 3, 4, 0, 12, 13, 14, 0 }, to);
    }

    [Fact]
    public void Move_MirrorsLeftRightBeforeShifting_InEveryChannel()
    {
        var a = ImageAugmentation.Create(3, 4, 24);
        var to = new float[24];
        a.Move(Image(2), to, 0, 1, true);
        Assert.Equal(new float[] { 0, 4, 3, 2, 0, 14, 13, 12, 0, 24, 23, 22, 0, 104, 103, 102, 0, 114, 113, 112, 0, 124, 123, 122 }, to);
        a.Move(Image(2), to, 0, 0, false);
        Assert.Equal(Image(2), to);
    }

    [Fact]
    public void Cut_ZeroesTheSquareClippedAtTheBorders()
    {
        var a = ImageAugmentation.Create(3, 4, 12);
        var image = Image();
        a.Cut(image, -1, 2, 2);
        Assert.Equal(new float[] { 1, 2, 0, 0, 11, 12, 13, 14, 21, 22, 23, 24 }, image);
    }

    [Fact]
    public void Apply_IsReproducible_StaysWithinTheShift_AndIsTheIdentityAtStrengthZero()
    {
        var a = ImageAugmentation.Create(3, 4, 12);
        var x = new Matrix(50, 12);
        for (int i = 0; i < x.Rows; i++) Image().CopyTo(x.Row(i));
        Matrix? first = null, second = null, same = null;
        var weak = new AugmentationStrength(1, true, 0, 0);
        a.Apply(x, weak, new Rng(7), ref first);
        a.Apply(x, weak, new Rng(7), ref second);
        Assert.Equal(first!.Span.ToArray(), second!.Span.ToArray());
        var seen = new HashSet<(int, int, bool)>();
        var to = new float[12];
        for (int i = 0; i < x.Rows; i++)
        {
            var match = (from dy in new[] { -1, 0, 1 } from dx in new[] { -1, 0, 1 } from f in new[] { false, true } select (dy, dx, f))
                .Where(t => { a.Move(x.Row(i), to, t.dy, t.dx, t.f); return to.SequenceEqual(first.Row(i).ToArray()); }).ToList();
            Assert.True(match.Count > 0, $"row {i} is not a move of at most 1 pixel of the image");
            seen.Add(match[0]);
        }
        Assert.True(seen.Count >= 10, $"50 draws took only {seen.Count} of the 18 moves");
        a.Apply(x, new AugmentationStrength(0, false, 0, 0), new Rng(3), ref same);
        Assert.Equal(x.Span.ToArray(), same!.Span.ToArray());
    }

    [Fact]
    public void Apply_Strong_CutsAndAddsNoiseOfTheGivenSize()
    {
        var a = ImageAugmentation.Create(20, 20, 400);
        var x = new Matrix(200, 400);
        x.Span.Fill(0.5f);
        Matrix? cut = null, noisy = null;
        a.Apply(x, new AugmentationStrength(0, false, 4, 0), new Rng(1), ref cut);
        for (int i = 0; i < x.Rows; i++)
        {
            int zeros = cut!.Row(i).ToArray().Count(v => v == 0);
            Assert.InRange(zeros, 4, 16);
        }
        a.Apply(x, new AugmentationStrength(0, false, 0, 0.2f), new Rng(1), ref noisy);
        var d = noisy!.Span.ToArray().Select(v => v - 0.5).ToArray();
        Assert.Equal(0, d.Average(), 2);
        Assert.Equal(0.2, Math.Sqrt(d.Select(v => v * v).Average()), 2);
    }

    [Fact]
    public void Rotate_TurnsCounterClockwiseAboutTheCentre_InterpolatingBilinearly()
    {
        // A 3 × 3 image 1 … 9 row by row: a quarter turn counter-clockwise takes the right column to the top row.
        var a = ImageAugmentation.Create(3, 3, 9);
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9], to = new float[9];
        a.Rotate(image, to, 90);
        Assert.Equal(new float[] { 3, 6, 9, 2, 5, 8, 1, 4, 7 }, to, (x, y) => Math.Abs(x - y) < 1e-5f);
        a.Rotate(image, to, 0);
        Assert.Equal(image, to);
        // 45°: the corner pixel (0, 0) comes from the point (1 − √2, 1), between row −1 (outside: 0) and row 0 (value 2).
        a.Rotate(image, to, 45);
        Assert.Equal(5f, to[4], 5);
        Assert.Equal((2 - Math.Sqrt(2)) * 2, to[0], 5);
    }

    [Fact]
    public void Jitter_ScalesAboutTheMean_ShiftsAndClips()
    {
        float[] image = [0.2f, 0.4f, 0.6f];
        ImageAugmentation.Jitter(image, 1, 0);
        Assert.Equal(new[] { 0.2f, 0.4f, 0.6f }, image, (x, y) => Math.Abs(x - y) < 1e-6f);
        ImageAugmentation.Jitter(image, 2, 0.1f);
        Assert.Equal(new[] { 0.1f, 0.5f, 0.9f }, image, (x, y) => Math.Abs(x - y) < 1e-6f);
        ImageAugmentation.Jitter(image, 3, 0);
        Assert.Equal(new[] { 0f, 0.5f, 1f }, image, (x, y) => Math.Abs(x - y) < 1e-6f);
    }

    [Fact]
    public void Apply_RotatesAndJittersWithinTheLimits_AndLeavesEarlierDrawsAsTheyWere()
    {
        var a = ImageAugmentation.Create(20, 20, 400);
        var x = new Matrix(100, 400);
        for (int i = 0; i < x.Rows; i++)
            for (int j = 0; j < 400; j++) x[i, j] = 0.3f + 0.4f * ((j / 20 + j % 20) % 2); // a chessboard of 0.3 and 0.7, mean 0.5
        Matrix? rotated = null, jittered = null, plain = null, again = null;
        a.Apply(x, new AugmentationStrength(0, false, 0, 0, Rotation: 15), new Rng(2), ref rotated);
        for (int i = 0; i < x.Rows; i++)
        {
            var row = rotated!.Row(i).ToArray();
            Assert.All(row, v => Assert.InRange(v, 0f, 0.7f + 1e-6f));
            Assert.Equal(0.5, row.Skip(9 * 20 + 9).Take(2).Average(), 1); // near the centre a rotation of a chessboard averages to about its mean
        }
        Assert.True(Enumerable.Range(0, x.Rows).Select(i => rotated!.Row(i).ToArray().Sum()).Distinct().Count() > 50, "the angles should differ from row to row");
        a.Apply(x, new AugmentationStrength(0, false, 0, 0, Contrast: 0.2f), new Rng(2), ref jittered);
        for (int i = 0; i < x.Rows; i++)
        {
            var row = jittered!.Row(i).ToArray();
            double mean = row.Average(), spread = row.Max() - row.Min();
            Assert.InRange(mean, 0.3 - 1e-6, 0.7 + 1e-6); // the mean moves by at most 0.2
            Assert.InRange(spread, 0.4 * 0.8 - 1e-5, 0.4 * 1.2 + 1e-5); // the contrast scales by at most 20 %
        }
        // Without rotation or contrast, the draws are those of the moves, mirrors, cut-outs and noise alone.
        var strong = new AugmentationStrength(2, true, 4, 0.1f);
        a.Apply(x, strong, new Rng(5), ref plain);
        a.Apply(x, strong with { Rotation = 0, Contrast = 0 }, new Rng(5), ref again);
        Assert.Equal(plain!.Span.ToArray(), again!.Span.ToArray());
    }

    [Fact]
    public void Create_NamesTheSizesThatDoNotFit()
    {
        Assert.Contains("Rows of 24 values are not images of 4 × 5 = 20 pixels", Assert.Throws<ArgumentException>(() => ImageAugmentation.Create(4, 5, 24)).Message);
        Assert.Contains("≥ 1; got 0 × 6", Assert.Throws<ArgumentException>(() => ImageAugmentation.Create(0, 6, 24)).Message);
        Assert.Equal(2, ImageAugmentation.Create(3, 4, 24).Channels);
    }
}
