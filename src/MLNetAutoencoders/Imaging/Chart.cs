using System.Globalization;
using System.Xml.Linq;
using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Imaging;

/// <summary>One named line of a <see cref="Chart"/>.</summary>
public sealed class ChartSeries
{
    /// <summary>Legend text.</summary>
    public required string Name { get; init; }

    /// <summary>X values.</summary>
    public required IReadOnlyList<double> X { get; init; }

    /// <summary>Y values (same count as <see cref="X"/>); NaN or ∞ leaves a gap in the line.</summary>
    public required IReadOnlyList<double> Y { get; init; }
}

/// <summary>
/// A small SVG line chart (learning curves, loss curves): several named series, axis labels, title, legend, and
/// optional logarithmic axes. Series with at most 50 points also get a marker at each point.
/// </summary>
public sealed class Chart
{
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private readonly List<ChartSeries> _series = [];

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>X-axis label.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Y-axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic x axis (x values must be positive).</summary>
    public bool LogX { get; init; }

    /// <summary>Logarithmic y axis (y values must be positive).</summary>
    public bool LogY { get; init; }

    /// <summary>Width of the picture in pixels (200–4000).</summary>
    public int Width { get; init; } = 720;

    /// <summary>Height of the picture in pixels (150–4000).</summary>
    public int Height { get; init; } = 450;

    /// <summary>The series added so far.</summary>
    public IReadOnlyList<ChartSeries> Series => _series;

    /// <summary>Adds a series; returns this chart.</summary>
    /// <exception cref="ArgumentException">Different lengths, or a value ≤ 0 on a logarithmic axis.</exception>
    public Chart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"Series '{name}': {x.Count} x values but {y.Count} y values.", nameof(y));
        for (int i = 0; i < x.Count; i++)
        {
            if (LogX && x[i] <= 0) throw new ArgumentException($"Series '{name}': point {i} has x = {x[i]}; a logarithmic x axis needs positive values.", nameof(x));
            if (LogY && y[i] <= 0) throw new ArgumentException($"Series '{name}': point {i} has y = {y[i]}; a logarithmic y axis needs positive values.", nameof(y));
        }
        _series.Add(new ChartSeries { Name = name, X = x.ToArray(), Y = y.ToArray() });
        return this;
    }

    /// <summary>Adds a series plotted against 1, 2, 3, … (e.g. epochs); returns this chart.</summary>
    public Chart Add(string name, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        return Add(name, Enumerable.Range(1, y.Count).Select(i => (double)i).ToArray(), y);
    }

    /// <summary>Writes the chart as an SVG file (atomically).</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToSvg());

    /// <summary>The chart as an SVG document.</summary>
    public string ToSvg()
    {
        if (Width is < 200 or > 4000) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be in 200–4000.");
        if (Height is < 150 or > 4000) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be in 150–4000.");
        const double left = 72, right = 20, top = 40, bottom = 56;
        double pw = Width - left - right, ph = Height - top - bottom;

        var xs = _series.SelectMany(s => s.X.Where((_, i) => Plottable(s, i)));
        var ys = _series.SelectMany(s => s.Y.Where((_, i) => Plottable(s, i)));
        var xAxis = Axis.Create(xs.ToList(), LogX);
        var yAxis = Axis.Create(ys.ToList(), LogY);
        double Px(double v) => left + xAxis.Fraction(v) * pw;
        double Py(double v) => top + (1 - yAxis.Fraction(v)) * ph;

        var root = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height),
            new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("font-family", "sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")));

        foreach (var t in xAxis.Ticks)
        {
            double x = Px(t);
            root.Add(Line(x, top, x, top + ph, "#e0e0e0"),
                Text(x, top + ph + 16, Format(t), "middle"));
        }
        foreach (var t in yAxis.Ticks)
        {
            double y = Py(t);
            root.Add(Line(left, y, left + pw, y, "#e0e0e0"),
                Text(left - 6, y + 4, Format(t), "end"));
        }
        root.Add(new XElement(Svg + "rect", Attr("x", left), Attr("y", top), Attr("width", pw), Attr("height", ph),
            new XAttribute("fill", "none"), new XAttribute("stroke", "#444")));
        if (Title.Length > 0) root.Add(Text(Width / 2.0, 24, Title, "middle", new XAttribute("font-size", 15), new XAttribute("font-weight", "bold")));
        if (XLabel.Length > 0) root.Add(Text(left + pw / 2, Height - 14, XLabel, "middle"));
        if (YLabel.Length > 0)
            root.Add(Text(16, top + ph / 2, YLabel, "middle", new XAttribute("transform", $"rotate(-90 16 {N(top + ph / 2)})")));

        for (int k = 0; k < _series.Count; k++)
        {
            var s = _series[k];
            string color = Palette[k % Palette.Length];
            var d = new System.Text.StringBuilder();
            bool pen = false;
            var markers = new List<XElement>();
            for (int i = 0; i < s.X.Count; i++)
            {
                if (!Plottable(s, i)) { pen = false; continue; }
                double x = Px(s.X[i]), y = Py(s.Y[i]);
                d.Append(pen ? " L" : (d.Length > 0 ? " M" : "M")).Append(N(x)).Append(' ').Append(N(y));
                pen = true;
                if (s.X.Count <= 50)
                    markers.Add(new XElement(Svg + "circle", Attr("cx", x), Attr("cy", y), new XAttribute("r", 2.5), new XAttribute("fill", color)));
            }
            var g = new XElement(Svg + "g", new XElement(Svg + "title", s.Name));
            if (d.Length > 0)
                g.Add(new XElement(Svg + "path", new XAttribute("d", d.ToString()), new XAttribute("fill", "none"),
                    new XAttribute("stroke", color), new XAttribute("stroke-width", 1.8), new XAttribute("stroke-linejoin", "round")));
            g.Add(markers);
            root.Add(g);
        }

        if (_series.Count > 0)
        {
            double lw = Math.Min(pw - 8, 34 + 7.0 * _series.Max(s => s.Name.Length));
            double lx = left + pw - lw - 8, ly = top + 8;
            root.Add(new XElement(Svg + "rect", Attr("x", lx), Attr("y", ly), Attr("width", lw), Attr("height", 8 + 18 * _series.Count),
                new XAttribute("fill", "white"), new XAttribute("fill-opacity", 0.85), new XAttribute("stroke", "#bbb")));
            for (int k = 0; k < _series.Count; k++)
            {
                double y = ly + 16 + 18 * k;
                root.Add(Line(lx + 6, y - 4, lx + 26, y - 4, Palette[k % Palette.Length], 2.5),
                    Text(lx + 30, y, _series[k].Name, "start"));
            }
        }
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root.ToString();
    }

    private static bool Plottable(ChartSeries s, int i) => double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i]);

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static XAttribute Attr(string name, double v) => new(name, N(v));

    private static XElement Line(double x1, double y1, double x2, double y2, string color, double width = 1)
        => new(Svg + "line", Attr("x1", x1), Attr("y1", y1), Attr("x2", x2), Attr("y2", y2),
            new XAttribute("stroke", color), new XAttribute("stroke-width", width));

    private static XElement Text(double x, double y, string text, string anchor, params object[] extra)
        => new(Svg + "text", Attr("x", x), Attr("y", y), new XAttribute("text-anchor", anchor), extra, text);

    /// <summary>Tick label: plain decimals in [0.001, 100000), scientific otherwise.</summary>
    internal static string Format(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return v.ToString("0.##E+0", CultureInfo.InvariantCulture);
        return v.ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>An axis range with "nice" ticks: multiples of 1, 2 or 5 × 10^k (linear) or powers of ten (log).</summary>
    internal sealed class Axis
    {
        private readonly double _lo, _hi;
        private readonly bool _log;

        private Axis(double lo, double hi, bool log, List<double> ticks)
        {
            _lo = log ? Math.Log10(lo) : lo;
            _hi = log ? Math.Log10(hi) : hi;
            _log = log;
            Ticks = ticks;
        }

        /// <summary>Tick values, inside the range.</summary>
        public List<double> Ticks { get; }

        /// <summary>Position of <paramref name="v"/> along the axis, 0 at the low end, 1 at the high end.</summary>
        public double Fraction(double v) => ((_log ? Math.Log10(v) : v) - _lo) / (_hi - _lo);

        public static Axis Create(List<double> values, bool log)
        {
            if (log)
            {
                double lo = values.Count > 0 ? Math.Pow(10, Math.Floor(Math.Log10(values.Min()))) : 1;
                double hi = values.Count > 0 ? Math.Pow(10, Math.Ceiling(Math.Log10(values.Max()))) : 10;
                if (hi <= lo) hi = lo * 10;
                var ticks = new List<double>();
                bool fine = hi / lo <= 100.0001;
                for (double p = lo; p <= hi * 1.0001; p *= 10)
                {
                    ticks.Add(p);
                    if (fine && p * 2 < hi) ticks.AddRange([p * 2, p * 5]);
                }
                return new Axis(lo, hi, true, ticks);
            }
            double min = values.Count > 0 ? values.Min() : 0, max = values.Count > 0 ? values.Max() : 1;
            if (min == max)
            {
                double pad = min == 0 ? 1 : Math.Abs(min) * 0.1;
                min -= pad;
                max += pad;
            }
            double raw = (max - min) / 4, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), f = raw / mag;
            double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
            double a = Math.Floor(min / step) * step, b = Math.Ceiling(max / step) * step;
            var t = new List<double>();
            int digits = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15); // drop binary noise: 0.6000000000000001 → 0.6
            for (int k = 0; a + k * step <= b + step * 1e-9; k++) t.Add(Math.Round(a + k * step, digits));
            return new Axis(a, b, false, t);
        }
    }
}
