using MLNetAutoencoders.Numerics;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging.Tests;

public class GridFigureTests
{
    // Six 4×4 images with distinct pixel patterns, tiled 3 per row at scale 2.
    private static GrayImage Grid(int rowGap = 0)
    {
        var m = new Matrix(6, 16);
        for (int i = 0; i < 6; i++)
            for (int k = 0; k < 16; k++) m[i, k] = ((i * 7 + k * 3) % 16) / 15f;
        return ImageGrid.Tile(m, 4, 4, new ImageGridOptions { Columns = 3, Scale = 2, Padding = 2, RowGap = rowGap, Background = 1 });
    }

    /// <summary>Where the images of <paramref name="grid"/> appear pixel for pixel (R = G = B = grey) inside <paramref name="figure"/>, or null.</summary>
    private static (int X, int Y)? Find(SKBitmap figure, GrayImage grid)
    {
        var (cw, ch) = grid.CellSize;
        for (int oy = 0; oy + grid.Height <= figure.Height; oy++)
            for (int ox = 0; ox + grid.Width <= figure.Width; ox++)
            {
                bool same = true;
                foreach (var c in grid.Cells)
                    for (int y = c.Y; y < c.Y + ch && same; y++)
                        for (int x = c.X; x < c.X + cw && same; x++)
                        {
                            var p = figure.GetPixel(ox + x, oy + y);
                            byte g = grid[x, y];
                            same = p.Red == g && p.Green == g && p.Blue == g;
                        }
                if (same) return (ox, oy);
            }
        return null;
    }

    [Fact]
    public void Figure_HoldsTheGridUnchanged_WithTitleAboveAndRowLabelsLeft()
    {
        var grid = Grid();
        var figure = new GridFigure { Title = "Reconstructions", RowLabels = ["original", "PCA-20"] };
        using var bitmap = Png.Decode(figure.ToPng(grid));
        var at = Find(bitmap, grid);
        Assert.NotNull(at);
        var (x0, y0) = at.Value;
        Assert.True(y0 >= 20, $"the grid starts at y = {y0}, leaving no room for the title");
        Assert.True(x0 > 40, $"the grid starts at x = {x0}, leaving no room for the row labels");
        Assert.True(Png.Dark(bitmap, new SKRectI(0, 0, bitmap.Width, y0)) > 30, "no title was drawn above the grid");
        // each row label is written left of its own row of images
        foreach (var row in grid.Cells.GroupBy(c => c.Row).Select(g => g.First().Y))
            Assert.True(Png.Dark(bitmap, new SKRectI(0, y0 + row, x0, y0 + row + grid.CellSize.Height)) > 20, $"no label left of the row at y = {row}");

        using var labelled = Png.Decode(new GridFigure { Title = "R", RowLabels = ["original", "PCA-20"] }.ToPng(grid));
        using var unlabelled = Png.Decode(new GridFigure { Title = "R" }.ToPng(grid));
        Assert.True(unlabelled.Width + 40 < labelled.Width, "row labels widen the picture");
        Assert.NotNull(Find(unlabelled, grid));
    }

    [Fact]
    public void Captions_AreWrittenAboveEachImage()
    {
        var grid = Grid(rowGap: 12);
        var captions = Enumerable.Range(1, 6).Select(i => i.ToString()).ToList();
        using var bitmap = Png.Decode(new GridFigure { Title = "Eigen-images", Captions = captions }.ToPng(grid));
        var (x0, y0) = Find(bitmap, grid) ?? throw new Xunit.Sdk.XunitException("grid not found");
        foreach (var c in grid.Cells)
            Assert.True(Png.Dark(bitmap, new SKRectI(x0 + c.X, y0 + c.Y - 12, x0 + c.X + grid.CellSize.Width, y0 + c.Y)) > 3, $"no caption above the image at ({c.X}, {c.Y})");
        // without captions the same gaps stay empty
        using var plain = Png.Decode(new GridFigure { Title = "Eigen-images" }.ToPng(grid));
        var (px, py) = Find(plain, grid)!.Value;
        foreach (var c in grid.Cells)
            Assert.Equal(0, Png.Dark(plain, new SKRectI(px + c.X, py + c.Y - 12, px + c.X + grid.CellSize.Width, py + c.Y)));
    }

    [Fact]
    public void BadLabels_AreRejectedAndNothingIsWritten()
    {
        var grid = Grid();
        Assert.Contains("3 row labels for a grid of 2 rows",
            Assert.Throws<ArgumentException>(() => new GridFigure { Title = "t", RowLabels = ["a", "b", "c"] }.ToPng(grid)).Message);
        Assert.Contains("5 captions for a grid of 6 images",
            Assert.Throws<ArgumentException>(() => new GridFigure { Title = "t", Captions = ["1", "2", "3", "4", "5"] }.ToPng(Grid(12))).Message);
        Assert.Contains("raise ImageGridOptions.RowGap",
            Assert.Throws<ArgumentException>(() => new GridFigure { Title = "t", Captions = ["1", "2", "3", "4", "5", "6"] }.ToPng(grid)).Message);
        Assert.Contains("ImageGrid.Tile", Assert.Throws<ArgumentException>(() => new GridFigure { Title = "t" }.ToPng(new GrayImage(4, 4))).Message);

        using var s = new Scratch();
        var path = s.Path("fig.png");
        new GridFigure { Title = "first" }.Save(path, grid);
        var before = File.ReadAllBytes(path);
        Assert.Throws<ArgumentException>(() => new GridFigure { Title = "second", RowLabels = ["x"] }.Save(path, grid));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(s.Dir.FullName));
    }

    [Fact]
    public void TheFontIsInstalled()
    {
        // scripts/setup.sh installs fonts-dejavu-core; without a font every picture would lose its text.
        if (!File.Exists("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
            Assert.Fail("DejaVu Sans is missing (/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf). Run `bash scripts/setup.sh` (it installs fonts-dejavu-core).");
        Assert.Equal("DejaVu Sans", Drawing.Typeface().FamilyName);
    }
}
