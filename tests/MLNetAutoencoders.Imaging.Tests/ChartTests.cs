using MLNetAutoencoders.Numerics;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging.Tests;

public class ChartTests
{
    private static readonly SKColor First = Drawing.Palette[0], Second = Drawing.Palette[1];

    private static Chart Accuracy(bool errors, bool reference)
    {
        var chart = new Chart { Title = "Accuracy against code size", XLabel = "code size k (log scale)", YLabel = "accuracy (%)", LogX = true, Width = 640, Height = 400 }
            .Add("PCA", [1, 2, 5, 10, 20], [60, 70, 80, 85, 88], errors ? [4, 3, 3, 2, 2] : null)
            .Add("AE", [1, 2, 5, 10, 20], [65, 72, 79, 86, 87], errors ? [5, 4, 3, 2, 1] : null);
        return reference ? chart.AddReferenceLine("raw pixels", 90) : chart;
    }

    [Fact]
    public void LineChart_IsAPngOfTheRequestedSize_WithBothSeriesTheErrorBarsAndTheReferenceLine()
    {
        using var plain = Png.Decode(Accuracy(false, false).ToPng());
        Assert.Equal((640, 400), (plain.Width, plain.Height));
        int a = Png.Count(plain, First), b = Png.Count(plain, Second);
        Assert.True(a > 200 && b > 200, $"series pixels: {a}, {b}");
        using var withErrors = Png.Decode(Accuracy(true, false).ToPng());
        static bool Bluish(SKColor p) => p.Blue - p.Red > 50 && p.Blue > p.Green; // the first series' colour, also where anti-aliased
        int bluish = Png.Count(plain, Bluish), bluishWithErrors = Png.Count(withErrors, Bluish);
        Assert.True(bluishWithErrors > bluish + 100, $"the error bars add pixels in the series' colour: {bluish} → {bluishWithErrors}");
        int dashed = Png.Count(plain, new SKColor(0x33, 0x33, 0x33), 8);
        using var withLine = Png.Decode(Accuracy(false, true).ToPng());
        Assert.True(Png.Count(withLine, new SKColor(0x33, 0x33, 0x33), 8) > dashed + 150, "the reference line is drawn");
        Assert.True(Png.Dark(plain, new SKRectI(0, 0, 640, 30)) > 50, "no title");
    }

    [Fact]
    public void Range_IsClippedToTheDataWithAMargin()
    {
        Assert.Equal((79.4, 90.6), Chart.Range([80, 85, 90], 0.06), new ToleranceComparer(1e-9));
        Assert.Equal((4.5, 5.5), Chart.Range([5, 5], 0.06), new ToleranceComparer(1e-9));
        Assert.Equal((-1, 1), Chart.Range([0], 0.06), new ToleranceComparer(1e-9));
        Assert.Equal(["0.3", "1.5E-5", "1.2E+6", "0", "20"], new[] { Chart.Format(0.30000000000000004), Chart.Format(1.5e-5), Chart.Format(1.2e6), Chart.Format(0), Chart.Format(Math.Pow(10, Math.Log10(20))) });
    }

    [Fact]
    public void LineChart_RejectsBadSeries()
    {
        Assert.Contains("point 1 has x = 0", Assert.Throws<ArgumentException>(() => new Chart { LogX = true }.Add("bad", [1, 0], [1, 1])).Message);
        Assert.Contains("2 x values but 1 y values", Assert.Throws<ArgumentException>(() => new Chart().Add("bad", [1, 2], [1])).Message);
        Assert.Contains("errors must be ≥ 0", Assert.Throws<ArgumentException>(() => new Chart().Add("bad", [1, 2], [1, 2], [1, -1])).Message);
        Assert.Throws<ArgumentException>(() => new Chart().AddReferenceLine("bad", double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Chart { Width = 10 }.ToPng());
        // gaps (NaN) and an empty chart still draw
        using var gap = Png.Decode(new Chart { Title = "gap" }.Add("loss", [0.9, double.NaN, 0.5, 0.4]).ToPng());
        Assert.True(Png.Count(gap, First) > 50);
        using var empty = Png.Decode(new Chart { Title = "empty" }.ToPng());
        Assert.Equal((800, 500), (empty.Width, empty.Height));
    }

    [Fact]
    public void BarChart_StartsBarsAtTheBottomOfTheDataRange_SoDifferencesShow()
    {
        var chart = new BarChart(["k = 20"]) { Title = "Fashion-MNIST", YLabel = "accuracy (%)", Width = 600, Height = 400 }
            .Add("PCA", [80]).Add("AE", [82]).AddReferenceLine("raw pixels", 84);
        using var bitmap = Png.Decode(chart.ToPng());
        Assert.Equal((600, 400), (bitmap.Width, bitmap.Height));
        int Height(SKColor c)
        {
            int best = 0;
            for (int x = 0; x < bitmap.Width; x++)
            {
                int n = 0;
                for (int y = 0; y < bitmap.Height; y++) if (bitmap.GetPixel(x, y) == c) n++;
                best = Math.Max(best, n);
            }
            return best;
        }
        int pca = Height(First), ae = Height(Second);
        Assert.True(pca > 5 && ae > pca, $"bar heights {pca}, {ae}");
        Assert.True(pca < 0.7 * ae, $"bars of 80 and 82 are {pca} and {ae} px high: the axis is not clipped to the data");
        Assert.True(Png.Count(bitmap, new SKColor(0x33, 0x33, 0x33), 8) > 100, "the reference line is drawn");

        Assert.Contains("2 values for 1 categories", Assert.Throws<ArgumentException>(() => new BarChart(["a"]).Add("x", [1, 2])).Message);
        Assert.Throws<ArgumentException>(() => new BarChart([]));
    }

    [Fact]
    public void Scatter_ColoursEveryClassAndRejectsBadLabels()
    {
        var rng = new Random(1);
        var points = new Matrix(300, 2);
        var labels = new int[300];
        for (int i = 0; i < 300; i++)
        {
            labels[i] = i % 3;
            points[i, 0] = (float)(labels[i] * 5 + rng.NextDouble());
            points[i, 1] = (float)(labels[i] * -3 + rng.NextDouble());
        }
        string[] names = ["T-shirt", "Trouser", "Pullover"];
        using var s = new Scratch();
        var path = s.Path("map.png");
        ScatterChart.Save(path, points, labels, names, "Codes", "code 1", "code 2", panelSize: 400);
        using var one = Png.Decode(File.ReadAllBytes(path));
        Assert.Equal(10 + 18 + 10 + 400 + 10, one.Height); // margin, title, gap, panel, margin
        for (int c = 0; c < 3; c++) Assert.True(Png.Count(one, Drawing.Palette[c], 60) > 100, $"class {c} is not drawn in its colour");
        Assert.Equal(0, Png.Count(one, Drawing.Palette[3], 10));

        using var two = ScatterChart.Render([new("PCA-20", points, labels), new("AE-20", points, labels)], names, "Codes", "x", "y", 300);
        Assert.True(two.Width > 600 && two.Height == 10 + 18 + 10 + 300 + 10);

        Assert.Contains("point 2 has class 3", Assert.Throws<ArgumentException>(() =>
            ScatterChart.Render([new("p", new Matrix(3, 2), [0, 1, 3])], names, "t", "x", "y")).Message);
        Assert.Contains("expected n×2", Assert.Throws<ArgumentException>(() =>
            ScatterChart.Render([new("p", new Matrix(3, 3), [0, 1, 2])], names, "t", "x", "y")).Message);
        Assert.Contains("3 points but 2 labels", Assert.Throws<ArgumentException>(() =>
            ScatterChart.Render([new("p", new Matrix(3, 2), [0, 1])], names, "t", "x", "y")).Message);
        Assert.Single(Directory.GetFiles(s.Dir.FullName));
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) a, (double, double) b) => Math.Abs(a.Item1 - b.Item1) <= tol && Math.Abs(a.Item2 - b.Item2) <= tol;
        public int GetHashCode((double, double) obj) => 0;
    }
}
