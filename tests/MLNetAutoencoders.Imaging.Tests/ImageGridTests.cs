using MLNetAutoencoders.Numerics;
using SkiaSharp;

namespace MLNetAutoencoders.Imaging.Tests;

public class ImageGridTests
{
    // Three 2×2 images: image i has pixel values (i + k) / 10 for k = 0..3.
    private static Matrix Three()
    {
        var m = new Matrix(3, 4);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 4; k++) m[i, k] = (i + k) / 10f;
        return m;
    }

    [Fact]
    public void Tile_PlacesScaledImagesWithPadding()
    {
        var g = ImageGrid.Tile(Three(), 2, 2, new ImageGridOptions { Columns = 2, Padding = 1, Scale = 2, Background = 1 });
        // 2 columns × 4 px + 3 paddings = 11; 2 rows × 4 px + 3 paddings = 11.
        Assert.Equal((11, 11), (g.Width, g.Height));
        Assert.Equal(255, g[0, 0]); // padding
        Assert.Equal(0, g[1, 1]); // image 0, pixel (0,0) = 0
        Assert.Equal(0, g[2, 2]); // the same pixel, scaled ×2
        Assert.Equal(ImageGrid.ToByte(0.1f), g[3, 1]); // image 0, pixel (1,0)
        Assert.Equal(ImageGrid.ToByte(0.3f), g[3, 3]); // image 0, pixel (1,1)
        Assert.Equal(255, g[5, 1]); // padding between columns
        Assert.Equal(ImageGrid.ToByte(0.1f), g[6, 1]); // image 1, pixel (0,0)
        Assert.Equal(ImageGrid.ToByte(0.2f), g[1, 6]); // image 2 on the second row
        Assert.Equal(255, g[6, 6]); // empty cell
        Assert.Equal(26, ImageGrid.ToByte(0.1f));
    }

    [Fact]
    public void NormalizeEach_StretchesEveryImageToBlackAndWhite()
    {
        var m = new Matrix(2, 4, [-3f, -1f, 1f, 0f, 5f, 5f, 5f, 5f]);
        var g = ImageGrid.Tile(m, 2, 2, new ImageGridOptions { Columns = 2, Padding = 0, NormalizeEach = true });
        Assert.Equal([0, 128, 255, 191], new[] { g[0, 0], g[1, 0], g[0, 1], g[1, 1] });
        Assert.Equal(128, g[2, 0]); // constant image → mid-grey
        var clamped = ImageGrid.Tile(m, 2, 2, new ImageGridOptions { Columns = 2, Padding = 0 });
        Assert.Equal([0, 0, 255, 0], new[] { clamped[0, 0], clamped[1, 0], clamped[0, 1], clamped[1, 1] });
    }

    [Fact]
    public void Pairs_PutReconstructionsUnderOriginals()
    {
        var orig = Three();
        var rec = new Matrix(3, 4);
        rec.Span.Fill(1f);
        var g = ImageGrid.Pairs(orig, rec, 2, 2, new ImageGridOptions { Columns = 2, Padding = 1, Background = 0.5f });
        // 2 blocks of 2 rows (4 image rows): 4×2 + 5 paddings + 1 gap = 14 high; 2×2 + 3 = 7 wide.
        Assert.Equal((7, 14), (g.Width, g.Height));
        Assert.Equal(0, g[1, 1]); // original 0
        Assert.Equal(255, g[1, 4]); // its reconstruction, directly below
        Assert.Equal(ImageGrid.ToByte(0.1f), g[4, 1]); // original 1
        Assert.Equal(128, g[1, 7]); // gap between the pair blocks
        Assert.Equal(ImageGrid.ToByte(0.2f), g[1, 8]); // original 2 in the second block
        Assert.Equal(255, g[1, 11]); // its reconstruction

        using var decoded = Png.Decode(g.ToPng());
        Assert.Equal((g.Width, g.Height), (decoded.Width, decoded.Height));
        Assert.Equal(SKColorType.Gray8, decoded.ColorType);
        Assert.Equal(g.Pixels, decoded.Bytes);

        using var s = new Scratch();
        g.SavePng(s.Path("sub/pairs.png"));
        Assert.Equal(g.ToPng(), File.ReadAllBytes(s.Path("sub/pairs.png")));
        Assert.Equal(["pairs.png"], Directory.GetFiles(s.Path("sub")).Select(Path.GetFileName)); // no temporary file left
        Assert.Equal([new GridCell(1, 1, 0), new GridCell(1, 4, 1), new GridCell(4, 1, 0)], g.Cells.Take(3));
    }

    [Fact]
    public void RowGap_LeavesRoomAboveEveryRowAndRecordsTheCells()
    {
        var g = ImageGrid.Tile(Three(), 2, 2, new ImageGridOptions { Columns = 2, Padding = 1, RowGap = 3 });
        // 2 rows × (2 px + 3 gap) + 3 paddings = 13 high.
        Assert.Equal((7, 13), (g.Width, g.Height));
        Assert.Equal([new GridCell(1, 4, 0), new GridCell(4, 4, 0), new GridCell(1, 10, 1)], g.Cells);
        Assert.Equal((2, 2), g.CellSize);
        Assert.Equal(0, g[1, 4]); // image 0, pixel (0,0), under the gap
        Assert.Equal(255, g[1, 3]); // the gap above it
        Assert.Equal(ImageGrid.ToByte(0.2f), g[1, 10]); // image 2
        Assert.Contains("RowGap", Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Tile(Three(), 2, 2, new ImageGridOptions { RowGap = 65 })).Message);
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        Assert.Contains("a 3×2 image has 6", Assert.Throws<ArgumentException>(() => ImageGrid.Tile(Three(), 3, 2)).Message);
        Assert.Throws<ArgumentException>(() => ImageGrid.Pairs(Three(), new Matrix(2, 4), 2, 2));
        Assert.Throws<ArgumentException>(() => ImageGrid.Tile(new Matrix(0, 4), 2, 2));
        Assert.Contains("Scale", Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Tile(Three(), 2, 2, new ImageGridOptions { Scale = 0 })).Message);
        var nan = Three();
        nan[1, 2] = float.NaN;
        Assert.Contains("Image 1 has NaN at pixel (0, 1)", Assert.Throws<ArgumentException>(() => ImageGrid.Tile(nan, 2, 2)).Message);
    }
}
