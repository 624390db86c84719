using System.Globalization;

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

    /// <summary>Half-heights of error bars (e.g. one standard deviation), same count as <see cref="Y"/>; null for none.</summary>
    public IReadOnlyList<double>? YError { get; init; }
}

/// <summary>
/// A line chart drawn with ScottPlot (accuracy against code size, learning curves, loss curves): named series with
/// optional ± error bars, horizontal reference lines (e.g. "raw pixels"), title, axis labels and a legend. Both axes
/// are clipped to the data (with a small margin), not stretched to zero. Series with at most 50 points get a marker at
/// each point. With <see cref="LogX"/>, the x axis is logarithmic and, when there are at most 12 distinct x values,
/// its ticks are exactly those values.
/// </summary>
public sealed class Chart : IPicture
{
    private readonly List<ChartSeries> _series = [];
    private readonly List<(string Name, double Y)> _references = [];

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>X-axis label, with the unit.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Y-axis label, with the unit.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Logarithmic x axis (x values must be positive).</summary>
    public bool LogX { get; init; }

    /// <summary>Highest value the y axis shows (e.g. 100 for a percentage), or null: the data decide.</summary>
    public double? YMaximum { get; init; }

    /// <summary>Width of the picture in pixels (200–4000).</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height of the picture in pixels (150–4000).</summary>
    public int Height { get; init; } = 500;

    /// <summary>The series added so far.</summary>
    public IReadOnlyList<ChartSeries> Series => _series;

    /// <summary>The reference lines added so far.</summary>
    public IReadOnlyList<(string Name, double Y)> ReferenceLines => _references;

    private static readonly ScottPlot.MarkerShape[] Shapes =
        [ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledSquare, ScottPlot.MarkerShape.FilledTriangleUp, ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.OpenCircle, ScottPlot.MarkerShape.OpenSquare];

    private static readonly ScottPlot.LinePattern[] Patterns = [ScottPlot.LinePattern.Solid, ScottPlot.LinePattern.Dashed, ScottPlot.LinePattern.Dotted, ScottPlot.LinePattern.DenselyDashed];

    /// <summary>Adds a series, with optional error bars of half-height <paramref name="yError"/>; returns this chart.</summary>
    /// <exception cref="ArgumentException">Different lengths, a negative or NaN error, or a value ≤ 0 on a logarithmic axis.</exception>
    public Chart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<double>? yError = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"Series '{name}': {x.Count} x values but {y.Count} y values.", nameof(y));
        if (yError is not null && yError.Count != y.Count)
            throw new ArgumentException($"Series '{name}': {y.Count} y values but {yError.Count} error values.", nameof(yError));
        for (int i = 0; i < x.Count; i++)
        {
            if (LogX && x[i] <= 0) throw new ArgumentException($"Series '{name}': point {i} has x = {x[i]}; a logarithmic x axis needs positive values.", nameof(x));
            if (yError is not null && !(yError[i] >= 0)) throw new ArgumentException($"Series '{name}': point {i} has error {yError[i]}; errors must be ≥ 0.", nameof(yError));
        }
        _series.Add(new ChartSeries { Name = name, X = x.ToArray(), Y = y.ToArray(), YError = yError?.ToArray() });
        return this;
    }

    /// <summary>Adds a series plotted against 1, 2, 3, … (e.g. epochs); returns this chart.</summary>
    public Chart Add(string name, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        return Add(name, Enumerable.Range(1, y.Count).Select(i => (double)i).ToArray(), y);
    }

    /// <summary>Adds a dashed horizontal line across the chart at <paramref name="y"/>, named in the legend; returns this chart.</summary>
    public Chart AddReferenceLine(string name, double y)
    {
        Drawing.AddReference(_references, name, y);
        return this;
    }

    /// <summary>The chart encoded as PNG.</summary>
    public byte[] ToPng()
    {
        Drawing.CheckSize(Width, Height);
        var plot = Drawing.Plot(Title, XLabel, YLabel);
        double Tx(double v) => LogX ? Math.Log10(v) : v;

        var xs = new List<double>();
        var ys = new List<double>();
        // With error bars, series at the same x are shifted apart a little so that their bars do not hide each other.
        var all = _series.SelectMany(s => FiniteRuns(s).SelectMany(run => run.Select(i => Tx(s.X[i])))).ToList();
        double dodge = _series.Count > 1 && _series.Any(s => s.YError is not null) && all.Count > 0 ? 0.008 * (all.Max() - all.Min()) : 0;
        for (int k = 0; k < _series.Count; k++)
        {
            var s = _series[k];
            var color = Drawing.Color(k);
            bool named = false;
            double shift = dodge * (k - (_series.Count - 1) / 2.0);
            foreach (var run in FiniteRuns(s))
            {
                var px = run.Select(i => Tx(s.X[i]) + shift).ToArray();
                var py = run.Select(i => s.Y[i]).ToArray();
                var line = plot.Add.Scatter(px, py, color);
                line.LineWidth = 2;
                line.MarkerSize = s.X.Count <= 50 ? 7 : 0;
                // Marker shape and line pattern differ from series to series too, so the lines read without colour.
                line.MarkerShape = Shapes[k % Shapes.Length];
                line.LinePattern = Patterns[k % Patterns.Length];
                if (!named) line.LegendText = s.Name;
                named = true;
                xs.AddRange(px);
                if (s.YError is { } err)
                {
                    var e = run.Select(i => err[i]).ToArray();
                    var bars = plot.Add.ErrorBar(px, py, e);
                    bars.Color = color;
                    bars.LineWidth = 1.5f;
                    bars.CapSize = 6;
                    for (int j = 0; j < py.Length; j++) ys.AddRange([py[j] - e[j], py[j] + e[j]]);
                }
                else ys.AddRange(py);
            }
        }
        Drawing.DrawReferences(plot, _references);
        ys.AddRange(_references.Select(r => r.Y));

        var (x0, x1) = Range(xs, 0.04);
        var (y0, y1) = Range(ys, 0.06);
        if (YMaximum is double top && y1 > top) y1 = Math.Max(top, y0 + 1e-9);
        plot.Axes.SetLimits(x0, x1, y0, y1);
        if (LogX) SetLogTicks(plot, all);
        if (_series.Count + _references.Count > 0) plot.ShowLegend(ScottPlot.Edge.Right);
        return plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Writes the chart as a PNG file (atomically).</summary>
    public void Save(string path) => Drawing.Save(path, ToPng());

    /// <summary>Runs of consecutive points where x and y are finite.</summary>
    private static IEnumerable<List<int>> FiniteRuns(ChartSeries s)
    {
        var run = new List<int>();
        for (int i = 0; i < s.X.Count; i++)
        {
            if (double.IsFinite(s.X[i]) && double.IsFinite(s.Y[i])) { run.Add(i); continue; }
            if (run.Count > 0) yield return run;
            run = [];
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>The data's range with a margin of <paramref name="pad"/> of its width on each side (a unit range around a lone value).</summary>
    internal static (double Lo, double Hi) Range(List<double> values, double pad)
    {
        if (values.Count == 0) return (0, 1);
        double lo = values.Min(), hi = values.Max();
        if (hi == lo) return (lo - (lo == 0 ? 1 : Math.Abs(lo) * 0.1), hi + (hi == 0 ? 1 : Math.Abs(hi) * 0.1));
        double m = (hi - lo) * pad;
        return (lo - m, hi + m);
    }

    /// <summary>Ticks of a logarithmic x axis (the plot holds log10 x): the data's own x values when few, else 1, 2, 5 × 10^k or powers of ten.</summary>
    private static void SetLogTicks(ScottPlot.Plot plot, List<double> logXs)
    {
        var distinct = logXs.Select(v => Math.Round(v, 9)).Distinct().Order().ToList();
        List<double> ticks;
        if (distinct.Count is > 0 and <= 12) ticks = distinct.Select(v => Math.Pow(10, v)).ToList();
        else
        {
            double lo = Math.Floor(logXs.DefaultIfEmpty(0).Min()), hi = Math.Ceiling(logXs.DefaultIfEmpty(1).Max());
            ticks = [];
            for (double p = lo; p <= hi; p++)
                ticks.AddRange(hi - lo <= 2 ? [Math.Pow(10, p), 2 * Math.Pow(10, p), 5 * Math.Pow(10, p)] : [Math.Pow(10, p)]);
        }
        plot.Axes.Bottom.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(Format).ToArray());
    }

    /// <summary>Tick label: plain decimals in [0.001, 100000), scientific otherwise.</summary>
    internal static string Format(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return v.ToString("0.##E+0", CultureInfo.InvariantCulture);
        return Math.Round(v, 10).ToString("0.####", CultureInfo.InvariantCulture);
    }
}
