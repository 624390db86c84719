using SkiaSharp;

namespace MLNetAutoencoders.Imaging;

/// <summary>
/// A grid of images made by <see cref="ImageGrid"/> with what it shows written on it: a title above, a label left of
/// every row (e.g. "original", "PCA-20", "AE-20"), and optionally a caption above every image (e.g. component numbers).
/// </summary>
/// <example>
/// <code>
/// var grid = ImageGrid.Tile(rows, 28, 28, new ImageGridOptions { Columns = 10, Scale = 2 });
/// new GridFigure { Title = "Fashion-MNIST: test images and reconstructions", RowLabels = ["original", "PCA-20", "AE-20"] }.Save("rec.png", grid);
/// </code>
/// </example>
public sealed class GridFigure
{
    private const float TitleSize = 17, LabelSize = 14, Margin = 10;

    /// <summary>Title above the grid (required: every picture says what it shows).</summary>
    public required string Title { get; init; }

    /// <summary>Optional second line under the title (e.g. the data set and the settings).</summary>
    public string? Subtitle { get; init; }

    /// <summary>One label per row of the grid, written left of the row; null for none.</summary>
    public IReadOnlyList<string>? RowLabels { get; init; }

    /// <summary>One caption per image (in the grid's order), written above it; needs room above each row
    /// (<see cref="ImageGridOptions.Padding"/> + <see cref="ImageGridOptions.RowGap"/> ≥ 10 pixels).</summary>
    public IReadOnlyList<string>? Captions { get; init; }

    /// <summary>The picture as an RGBA bitmap: the grid at 1:1, with the text around it.</summary>
    /// <exception cref="ArgumentException">The grid was not made by <see cref="ImageGrid"/>, or the number of labels or captions does not match it.</exception>
    public SKBitmap Render(GrayImage grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(Title);
        if (grid.Cells.Count == 0)
            throw new ArgumentException("The image has no grid cells; make it with ImageGrid.Tile or ImageGrid.Pairs.", nameof(grid));
        var rowTop = grid.Cells.GroupBy(c => c.Row).OrderBy(g => g.Key).Select(g => g.First().Y).ToArray();
        if (RowLabels is not null && RowLabels.Count != rowTop.Length)
            throw new ArgumentException($"{RowLabels.Count} row labels for a grid of {rowTop.Length} rows.", nameof(RowLabels));
        if (Captions is not null && Captions.Count != grid.Cells.Count)
            throw new ArgumentException($"{Captions.Count} captions for a grid of {grid.Cells.Count} images.", nameof(Captions));
        if (Captions is not null && grid.SpaceAbove < 10)
            throw new ArgumentException($"Captions need at least 10 pixels above each row; the grid has {grid.SpaceAbove} (raise ImageGridOptions.RowGap).", nameof(Captions));

        float labelWidth = RowLabels is null ? 0 : RowLabels.Max(l => Drawing.TextWidth(l, LabelSize)) + Margin;
        float top = MathF.Round(Margin + TitleSize + 8 + (string.IsNullOrEmpty(Subtitle) ? 0 : LabelSize + 6));
        float textWidth = Math.Max(Drawing.TextWidth(Title, TitleSize, bold: true), string.IsNullOrEmpty(Subtitle) ? 0 : Drawing.TextWidth(Subtitle, LabelSize));
        float gridLeft = Margin + labelWidth;
        int width = (int)Math.Ceiling(Math.Max(gridLeft + grid.Width + Margin, textWidth + 2 * Margin));
        gridLeft = MathF.Round(gridLeft + (width - Margin - gridLeft - grid.Width) / 2); // centre the grid when the title is wider; whole pixels keep it 1:1
        int height = (int)Math.Ceiling(top + grid.Height + Margin);

        var (bitmap, canvas) = Drawing.White(width, height);
        using (canvas)
        {
            Drawing.Text(canvas, Title, width / 2f, Margin + TitleSize, TitleSize, align: 0.5f, bold: true);
            if (!string.IsNullOrEmpty(Subtitle))
                Drawing.Text(canvas, Subtitle, width / 2f, Margin + TitleSize + 6 + LabelSize, LabelSize, align: 0.5f, color: new SKColor(0x44, 0x44, 0x44));
            using (var image = grid.ToBitmap())
                canvas.DrawBitmap(image, gridLeft, top);
            if (RowLabels is not null)
                for (int r = 0; r < rowTop.Length; r++)
                    Drawing.Text(canvas, RowLabels[r], gridLeft - Margin / 2, top + rowTop[r] + grid.CellSize.Height / 2f + LabelSize * 0.35f, LabelSize, align: 1);
            if (Captions is not null)
            {
                float size = Math.Min(grid.SpaceAbove - 2, 13);
                for (int i = 0; i < Captions.Count; i++)
                {
                    var c = grid.Cells[i];
                    Drawing.Text(canvas, Captions[i], gridLeft + c.X + grid.CellSize.Width / 2f, top + c.Y - 3, size, align: 0.5f);
                }
            }
        }
        return bitmap;
    }

    /// <summary>The picture encoded as PNG.</summary>
    public byte[] ToPng(GrayImage grid)
    {
        using var bitmap = Render(grid);
        return Drawing.Png(bitmap);
    }

    /// <summary>Writes the picture as a PNG file (atomically).</summary>
    public void Save(string path, GrayImage grid) => Drawing.Save(path, ToPng(grid));
}
