using MLNetAutoencoders.Numerics;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging;

/// <summary>One panel of a <see cref="ScatterChart"/>: 2-D points (an n×2 matrix) and each point's class (0-based).</summary>
/// <param name="Title">Panel title (e.g. "PCA-20").</param>
/// <param name="Points">n×2: x in column 0, y in column 1.</param>
/// <param name="Labels">n class indices into the chart's class names.</param>
public sealed record ScatterPanel(string Title, Matrix Points, IReadOnlyList<int> Labels);

/// <summary>
/// Scatter plots of 2-D points coloured by class (latent codes, t-SNE maps): one or more panels side by side drawn with
/// ScottPlot, one legend of the classes on the right, and a title above.
/// </summary>
/// <example>
/// <code>
/// ScatterChart.Save("map.png", codes2d, labels, FashionMnist.ClassNames, "Fashion-MNIST: t-SNE of AE-20 codes", "t-SNE 1", "t-SNE 2");
/// ScatterChart.Save("maps.png", [new("PCA-20", pca2d, labels), new("AE-20", ae2d, labels)], classNames, "…", "t-SNE 1", "t-SNE 2");
/// </code>
/// </example>
public static class ScatterChart
{
    private const int Margin = 10;

    /// <summary>Writes one scatter panel as a PNG file (atomically).</summary>
    public static void Save(string path, Matrix points, IReadOnlyList<int> labels, IReadOnlyList<string> classNames,
        string title, string xLabel, string yLabel, int panelSize = 560)
        => Drawing.Save(path, ToPng([new ScatterPanel("", points, labels)], classNames, title, xLabel, yLabel, panelSize));

    /// <summary>Writes panels side by side as a PNG file (atomically).</summary>
    public static void Save(string path, IReadOnlyList<ScatterPanel> panels, IReadOnlyList<string> classNames,
        string title, string xLabel, string yLabel, int panelSize = 460)
        => Drawing.Save(path, ToPng(panels, classNames, title, xLabel, yLabel, panelSize));

    /// <summary>The panels side by side, encoded as PNG.</summary>
    /// <exception cref="ArgumentException">No panels, points not n×2, labels of another count, or a label outside the class names.</exception>
    public static byte[] ToPng(IReadOnlyList<ScatterPanel> panels, IReadOnlyList<string> classNames,
        string title, string xLabel, string yLabel, int panelSize = 460)
    {
        using var bitmap = Render(panels, classNames, title, xLabel, yLabel, panelSize);
        return Drawing.Png(bitmap);
    }

    /// <summary>The panels side by side as an RGBA bitmap.</summary>
    public static SKBitmap Render(IReadOnlyList<ScatterPanel> panels, IReadOnlyList<string> classNames,
        string title, string xLabel, string yLabel, int panelSize = 460)
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(title);
        if (panels.Count == 0) throw new ArgumentException("There are no panels to draw.", nameof(panels));
        Drawing.CheckSize(panelSize, panelSize);
        foreach (var p in panels)
        {
            ArgumentNullException.ThrowIfNull(p.Points);
            ArgumentNullException.ThrowIfNull(p.Labels);
            if (p.Points.Cols != 2) throw new ArgumentException($"Panel '{p.Title}': points are {p.Points.Rows}×{p.Points.Cols}; expected n×2.", nameof(panels));
            if (p.Labels.Count != p.Points.Rows) throw new ArgumentException($"Panel '{p.Title}': {p.Points.Rows} points but {p.Labels.Count} labels.", nameof(panels));
            int bad = p.Labels.ToList().FindIndex(l => l < 0 || l >= classNames.Count);
            if (bad >= 0) throw new ArgumentException($"Panel '{p.Title}': point {bad} has class {p.Labels[bad]}; there are {classNames.Count} class names.", nameof(panels));
        }

        const float titleSize = 18, legendSize = 14;
        float legendWidth = classNames.Count == 0 ? 0 : classNames.Max(c => Drawing.TextWidth(c, legendSize)) + 40;
        int top = Margin + (int)titleSize + 10;
        int width = (int)Math.Ceiling(Math.Max(panels.Count * panelSize + legendWidth + 2 * Margin, Drawing.TextWidth(title, titleSize, bold: true) + 2 * Margin));
        int height = top + panelSize + Margin;
        var (bitmap, canvas) = Drawing.White(width, height);
        using (canvas)
        {
            Drawing.Text(canvas, title, width / 2f, Margin + titleSize, titleSize, align: 0.5f, bold: true);
            for (int k = 0; k < panels.Count; k++)
            {
                using var panel = SKBitmap.Decode(PanelPng(panels[k], classNames.Count, xLabel, yLabel, panelSize));
                canvas.DrawBitmap(panel, Margin + k * panelSize, top);
            }
            float lx = Margin + panels.Count * panelSize + 10, ly = top + 40;
            for (int c = 0; c < classNames.Count; c++)
            {
                using var dot = new SKPaint { Color = Drawing.Palette[c % Drawing.Palette.Length], IsAntialias = true };
                canvas.DrawCircle(lx + 7, ly + c * 24 - 5, 6, dot);
                Drawing.Text(canvas, classNames[c], lx + 20, ly + c * 24, legendSize);
            }
        }
        return bitmap;
    }

    private static byte[] PanelPng(ScatterPanel p, int classes, string xLabel, string yLabel, int size)
    {
        var plot = Drawing.Plot(p.Title, xLabel, yLabel);
        for (int c = 0; c < classes; c++)
        {
            var idx = Enumerable.Range(0, p.Labels.Count).Where(i => p.Labels[i] == c).ToArray();
            if (idx.Length == 0) continue;
            var m = plot.Add.Markers(idx.Select(i => (double)p.Points[i, 0]).ToArray(), idx.Select(i => (double)p.Points[i, 1]).ToArray(),
                ScottPlot.MarkerShape.FilledCircle, size: idx.Length > 2000 ? 3 : 5, Drawing.Color(c).WithAlpha(0.75));
            m.LegendText = "";
        }
        return plot.GetImageBytes(size, size, ScottPlot.ImageFormat.Png);
    }
}
