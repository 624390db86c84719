using System.Globalization;
using System.Xml.Linq;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Tests.Data;

namespace MLNetAutoencoders.Tests.Imaging;

public class ChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Svg_IsWellFormedWithOnePathPerSeriesAndALegend()
    {
        var chart = new Chart { Title = "Loss <train & test>", XLabel = "epoch", YLabel = "loss" }
            .Add("train", [0.9, 0.5, 0.3, 0.25])
            .Add("test", [1.0, 2.0, 3.0, 4.0], [1.0, 0.7, double.NaN, 0.5]);
        var doc = XDocument.Parse(chart.ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var paths = doc.Descendants(Svg + "path").Select(p => p.Attribute("d")!.Value).ToList();
        Assert.Equal(2, paths.Count);
        Assert.Equal(4, paths[0].Count(c => c is 'M' or 'L'));
        Assert.Equal(2, paths[1].Count(c => c == 'M')); // the NaN breaks the line
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("Loss <train & test>", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("train", texts);
        Assert.Contains("test", texts);
        Assert.Equal(7, doc.Descendants(Svg + "circle").Count()); // markers for every finite point

        using var s = new Scratch();
        chart.Save(s.Path("c.svg"));
        Assert.Equal(chart.ToSvg(), File.ReadAllText(s.Path("c.svg")));
    }

    [Fact]
    public void LogAxis_HasPowerOfTenTicksAndPlacesPointsByLog()
    {
        var chart = new Chart { LogX = true, Width = 720, Height = 450 }.Add("acc", [100, 1000, 10000], [0.6, 0.7, 0.8]);
        var doc = XDocument.Parse(chart.ToSvg());
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("100", texts);
        Assert.Contains("1000", texts);
        Assert.Contains("10000", texts);
        Assert.Contains("200", texts); // two decades: 2 and 5 multiples too
        var xs = doc.Descendants(Svg + "circle").Select(c => double.Parse(c.Attribute("cx")!.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(xs[1] - xs[0], xs[2] - xs[1], 1); // equal spacing per decade
        Assert.Equal(72, xs[0], 1); // left edge of the plot
        Assert.Equal(720 - 20, xs[2], 1); // right edge

        Assert.Contains("point 1 has x = 0",
            Assert.Throws<ArgumentException>(() => new Chart { LogX = true }.Add("bad", [1, 0], [1, 1])).Message);
        Assert.Throws<ArgumentException>(() => new Chart().Add("bad", [1, 2], [1]));
    }

    [Fact]
    public void LinearTicks_AreNiceAndCoverTheData()
    {
        var ticks = Chart.Axis.Create([0.13, 0.87], log: false).Ticks;
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], ticks);
        Assert.Equal(["0.3", "1.5E-5", "1.2E+6", "0"], new[] { Chart.Format(0.30000000000000004), Chart.Format(1.5e-5), Chart.Format(1.2e6), Chart.Format(0) });
        var empty = XDocument.Parse(new Chart().ToSvg()); // an empty chart is still a valid SVG document, with no series
        Assert.Equal(Svg + "svg", empty.Root!.Name);
        Assert.Empty(empty.Descendants(Svg + "path"));
        // A flat series (zero y range) still gets a usable axis: one path, two markers at finite, distinct x and equal y.
        var flat = XDocument.Parse(new Chart().Add("flat", [2.0, 2.0]).ToSvg());
        Assert.Single(flat.Descendants(Svg + "path"));
        double[] Coord(string name) => flat.Descendants(Svg + "circle").Select(c => double.Parse(c.Attribute(name)!.Value, CultureInfo.InvariantCulture)).ToArray();
        var cx = Coord("cx"); var cy = Coord("cy");
        Assert.Equal(2, cx.Length);
        Assert.All(cx.Concat(cy), v => Assert.True(double.IsFinite(v)));
        Assert.True(cx[1] > cx[0]);
        Assert.Equal(cy[0], cy[1]);
    }
}
