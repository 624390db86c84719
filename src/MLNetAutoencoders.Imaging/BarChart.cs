using System.Globalization;

namespace MLNetAutoencoders.Imaging;

/// <summary>
/// A grouped bar chart drawn with ScottPlot: one group of bars per category (e.g. per code size), one bar per series in
/// each group (e.g. per method), optional ± error bars, the value written above each bar, dashed horizontal reference
/// lines (e.g. "raw pixels"), title, axis labels and a legend. The value axis is clipped to the data (bars rise from
/// the bottom of the visible range), so small differences stay visible; the printed values say the rest.
/// </summary>
public sealed class BarChart : IPicture
{
    private readonly List<(string Name, double[] Values, double[]? Errors)> _series = [];
    private readonly List<(string Name, double Y)> _references = [];

    /// <summary>Creates a chart with these group names along the x axis.</summary>
    public BarChart(IReadOnlyList<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        if (categories.Count == 0) throw new ArgumentException("A bar chart needs at least one category.", nameof(categories));
        Categories = categories.ToArray();
    }

    /// <summary>The group names along the x axis.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>X-axis label (what the groups are).</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Y-axis label, with the unit.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Format of the value written above each bar (e.g. "0.0"); empty for none.</summary>
    public string ValueFormat { get; init; } = "0.0";

    /// <summary>Highest value the y axis shows (e.g. 100 for a percentage), or null: the data decide.</summary>
    public double? YMaximum { get; init; }

    /// <summary>Width of the picture in pixels (200–4000).</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height of the picture in pixels (150–4000).</summary>
    public int Height { get; init; } = 500;

    /// <summary>Adds a series: one value per category (NaN: no bar), optional error half-heights; returns this chart.</summary>
    /// <exception cref="ArgumentException">A count differs from the number of categories, or an error is negative.</exception>
    public BarChart Add(string name, IReadOnlyList<double> values, IReadOnlyList<double>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Categories.Count)
            throw new ArgumentException($"Series '{name}': {values.Count} values for {Categories.Count} categories.", nameof(values));
        if (errors is not null && errors.Count != values.Count)
            throw new ArgumentException($"Series '{name}': {values.Count} values but {errors.Count} error values.", nameof(errors));
        if (errors is not null && errors.Any(e => !(e >= 0)))
            throw new ArgumentException($"Series '{name}': errors must be ≥ 0.", nameof(errors));
        _series.Add((name, values.ToArray(), errors?.ToArray()));
        return this;
    }

    /// <summary>Adds a dashed horizontal line at <paramref name="y"/>, named in the legend; returns this chart.</summary>
    public BarChart AddReferenceLine(string name, double y)
    {
        Drawing.AddReference(_references, name, y);
        return this;
    }

    /// <summary>The chart encoded as PNG.</summary>
    public byte[] ToPng()
    {
        Drawing.CheckSize(Width, Height);
        var plot = Drawing.Plot(Title, XLabel, YLabel);
        var ys = new List<double>();
        foreach (var (_, v, e) in _series)
            for (int i = 0; i < v.Length; i++)
                if (double.IsFinite(v[i])) ys.AddRange([v[i] - (e?[i] ?? 0), v[i] + (e?[i] ?? 0)]);
        ys.AddRange(_references.Select(r => r.Y));
        var (lo, hi) = Chart.Range(ys, 0.08);
        if (ys.Count > 0 && ys.Min() >= 0 && lo < 0) lo = 0;
        hi += (hi - lo) * 0.06; // room for the value labels
        if (YMaximum is double top && hi > top) hi = Math.Max(top, lo + 1e-9);

        int n = Math.Max(_series.Count, 1);
        double width = 0.8 / n;
        var bars = new List<ScottPlot.Bar>();
        for (int k = 0; k < _series.Count; k++)
        {
            var (name, v, e) = _series[k];
            var color = Drawing.Color(k);
            for (int c = 0; c < v.Length; c++)
            {
                if (!double.IsFinite(v[c])) continue;
                bars.Add(new ScottPlot.Bar
                {
                    Position = c - 0.4 + width * (k + 0.5), Value = v[c], ValueBase = lo, Error = e?[c] ?? 0, Size = width * 0.92, ErrorSize = width * 0.3,
                    FillColor = color, LineWidth = 1.2f, LineColor = new ScottPlot.Color(0x33, 0x33, 0x33), // outline and error bars
                    Label = ValueFormat.Length > 0 ? v[c].ToString(ValueFormat, CultureInfo.InvariantCulture) : "",
                });
            }
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = name, FillColor = color });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = n > 4 ? 11 : 13;
        Drawing.DrawReferences(plot, _references);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, Categories.Count).Select(i => (double)i).ToArray(), Categories.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(-0.5, Categories.Count - 0.5, lo, hi);
        plot.HideGrid();
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 1;
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Writes the chart as a PNG file (atomically).</summary>
    public void Save(string path) => Drawing.Save(path, ToPng());
}
