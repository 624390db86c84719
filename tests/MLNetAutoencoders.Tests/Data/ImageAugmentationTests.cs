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
    public void Create_NamesTheSizesThatDoNotFit()
    {
        Assert.Contains("Rows of 24 values are not images of 4 × 5 = 20 pixels", Assert.Throws<ArgumentException>(() => ImageAugmentation.Create(4, 5, 24)).Message);
        Assert.Contains("≥ 1; got 0 × 6", Assert.Throws<ArgumentException>(() => ImageAugmentation.Create(0, 6, 24)).Message);
        Assert.Equal(2, ImageAugmentation.Create(3, 4, 24).Channels);
    }
}
