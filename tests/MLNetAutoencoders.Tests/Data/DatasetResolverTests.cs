using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Data;

public class DatasetResolverTests
{
    [Fact]
    public void IdxFile_PicksUpTheSiblingLabels()
    {
        using var s = new Scratch();
        var images = s.Write("x-images-idx3-ubyte.gz", Scratch.Gzip(Scratch.Idx(IdxReader.ImagesMagic, [3, 2, 3], new byte[18])));
        s.Write("x-labels-idx1-ubyte.gz", Scratch.Gzip(Scratch.Idx(IdxReader.LabelsMagic, [3], [2, 0, 1])));
        var d = DatasetResolver.Load(images);
        Assert.Null(d.Test);
        Assert.Equal((3, 3, 2), (d.Train.Count, d.Train.Width, d.Train.Height));
        Assert.Equal([2, 0, 1], d.Train.Labels!);
    }

    [Fact]
    public void Npy_U1IsScaled_ShapeGivesWidthAndHeight_LabelsFromNpy()
    {
        using var s = new Scratch();
        var images = s.Write("imgs.npy", Scratch.NpyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 3), }", [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6]));
        var labels = s.Write("labels.npy", Scratch.NpyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", Scratch.Bytes(1L, 0L)));
        var ds = DatasetResolver.LoadFile(images, new DatasetLoadOptions { LabelsPath = labels });
        Assert.Equal((3, 2), (ds.Width, ds.Height));
        Assert.Equal([0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f], ds.Images.Row(0).ToArray());
        Assert.Equal([1, 0], ds.Labels!);

        var flat = s.Write("flat.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 6), }", Scratch.Bytes(1f, 2f, 3f, 4f, 5f, 6f)));
        Assert.Equal((6, 1), (DatasetResolver.LoadFile(flat).Width, DatasetResolver.LoadFile(flat).Height));
        var shaped = DatasetResolver.LoadFile(flat, new DatasetLoadOptions { Height = 2 });
        Assert.Equal((3, 2), (shaped.Width, shaped.Height));
        Assert.Contains("not width×height = 4×?",
            Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(flat, new DatasetLoadOptions { Width = 4 })).Message);

        var nan = s.Write("nan.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }", Scratch.Bytes(1f, float.NaN, 0f, 0f)));
        Assert.Contains("row 0, column 1 is NaN", Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(nan)).Message);
    }

    [Fact]
    public void Csv_WithLabelColumn_SquareRowsBecomeSquareImages()
    {
        using var s = new Scratch();
        var path = s.WriteText("d.csv", "y,a,b,c,d\n1,0,0.5,0.5,1\n0,1,1,0,0\n");
        var ds = DatasetResolver.Load(path, new DatasetLoadOptions { LabelColumn = "y" }).Train;
        Assert.Equal((2, 2, 2), (ds.Count, ds.Width, ds.Height));
        Assert.Equal([1, 0], ds.Labels!);
        Assert.Equal(path, ds.Name);
    }

    [Fact]
    public void UnknownNamesAndFormats_AreExplained()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DatasetResolver.Load("mnist-digits"));
        Assert.Equal(("Dataset file not found: mnist-digits", "mnist-digits"), (e.Message, e.FileName)); // built-in names are the experiments' (BuiltInDatasets)

        using var s = new Scratch();
        var bin = s.Write("thing.bin", [1, 2, 3, 4, 5]);
        Assert.Contains("unrecognised format", Assert.Throws<InvalidDataException>(() => DatasetResolver.Load(bin)).Message);
        Assert.Equal($"{s.Dir.FullName} is a directory; give a data file (IDX, NPY or CSV) instead.",
            Assert.Throws<FileNotFoundException>(() => DatasetResolver.Load(s.Dir.FullName)).Message);
    }

    private static string F4(Scratch s, string name, string shape, params float[] values)
        => s.Write(name, Scratch.NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", Scratch.Bytes(values)));

    [Fact]
    public void MissingOrEmptyPaths_AreErrors()
    {
        Assert.Throws<ArgumentNullException>(() => DatasetResolver.Load(null!));
        Assert.Throws<ArgumentException>(() => DatasetResolver.Load(""));
        Assert.Throws<ArgumentException>(() => DatasetResolver.LoadFile(""));
        Assert.Throws<ArgumentException>(() => DatasetResolver.ReadLabelsFile(""));
        var e = Assert.Throws<FileNotFoundException>(() => DatasetResolver.LoadFile("/nonexistent/d.csv"));
        Assert.Equal(("Dataset file not found: /nonexistent/d.csv", "/nonexistent/d.csv"), (e.Message, e.FileName));
        e = Assert.Throws<FileNotFoundException>(() => DatasetResolver.ReadLabelsFile("/nonexistent/l.npy"));
        Assert.Equal(("Labels file not found: /nonexistent/l.npy", "/nonexistent/l.npy"), (e.Message, e.FileName));
        e = Assert.Throws<FileNotFoundException>(() => DatasetResolver.Load("/nonexistent/d.csv"));
        Assert.Equal("/nonexistent/d.csv", e.FileName);
        Assert.Equal("Dataset file not found: /nonexistent/d.csv", e.Message);
    }

    [Fact]
    public void Npy_FloatsAreKeptAsStored_AndA3dShapeMustAgreeWithTheOptions()
    {
        using var s = new Scratch();
        var cube = F4(s, "cube.npy", "(1, 2, 3)", 0f, 2f, 255f, -1f, 0.5f, 7f); // 1 image of height 2, width 3
        Assert.Equal([0f, 2f, 255f, -1f, 0.5f, 7f], DatasetResolver.LoadFile(cube).Images.Span.ToArray()); // only |u1 is divided by 255
        var fits = DatasetResolver.LoadFile(cube, new DatasetLoadOptions { Width = 3, Height = 2 });
        Assert.Equal((3, 2), (fits.Width, fits.Height));
        foreach (var o in new[] { new DatasetLoadOptions { Width = 2 }, new DatasetLoadOptions { Height = 3 } })
            Assert.Contains($"{cube}: the images are 3×2 (width×height) but the options ask for {o.Width}×{o.Height}.",
                Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(cube, o)).Message);
        foreach (var shape in new[] { "(6,)", "(1, 1, 2, 3)" })
        {
            var odd = F4(s, "odd.npy", shape, 0f, 2f, 255f, -1f, 0.5f, 7f);
            Assert.Contains($"{odd}: shape ({shape.Trim('(', ')').TrimEnd(',')}); expected (N, D) or (N, height, width).",
                Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(odd)).Message);
        }
        var inf = F4(s, "inf.npy", "(2, 2)", 0f, 0f, 0f, float.PositiveInfinity);
        Assert.Contains($"{inf}: row 1, column 1 is {float.PositiveInfinity}; all values must be finite", Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(inf)).Message);
    }

    [Theory]
    [InlineData(null, null, 6, 1)]   // 6 is not a square: one row of 6
    [InlineData(3, null, 3, 2)]
    [InlineData(null, 3, 2, 3)]
    [InlineData(6, 1, 6, 1)]
    [InlineData(2, 3, 2, 3)]
    public void FlatRows_TakeTheirShapeFromTheOptions(int? width, int? height, int w, int h)
    {
        using var s = new Scratch();
        var flat = F4(s, "flat.npy", "(2, 6)", new float[12]);
        var d = DatasetResolver.LoadFile(flat, new DatasetLoadOptions { Width = width, Height = height });
        Assert.Equal((w, h), (d.Width, d.Height));
    }

    [Theory]
    [InlineData(4, 2, "4×2")]
    [InlineData(0, null, "0×?")]
    [InlineData(null, 0, "?×0")]
    [InlineData(-2, -3, "-2×-3")]
    [InlineData(7, null, "7×?")]
    public void FlatRows_ThatDoNotFitTheOptions_AreRejected(int? width, int? height, string asked)
    {
        using var s = new Scratch();
        var flat = F4(s, "flat.npy", "(2, 6)", new float[12]);
        var e = Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(flat, new DatasetLoadOptions { Width = width, Height = height }));
        Assert.Contains($"{flat}: rows have 6 values, which is not width×height = {asked}.", e.Message);
    }

    [Fact]
    public void SquareRows_AreSquareImages_AndEmptyRowsAreNotImages()
    {
        using var s = new Scratch();
        Assert.Equal((3, 3), Shape(DatasetResolver.LoadFile(F4(s, "nine.npy", "(1, 9)", new float[9]))));
        Assert.Equal((1, 1), Shape(DatasetResolver.LoadFile(F4(s, "one.npy", "(2, 1)", 0f, 1f))));
        Assert.Equal((2, 1), Shape(DatasetResolver.LoadFile(F4(s, "two.npy", "(1, 2)", 0f, 1f))));
        static (int, int) Shape(ImageDataset d) => (d.Width, d.Height);
    }

    [Fact]
    public void LabelsFiles_MustHaveOneLabelAnImage()
    {
        using var s = new Scratch();
        var images = F4(s, "x.npy", "(2, 4)", new float[8]);
        var labels = s.Write("y.npy", Scratch.NpyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", Scratch.Bytes(0, 1, 1)));
        Assert.Contains($"{labels} has 3 labels but {images} has 2 images.",
            Assert.Throws<InvalidDataException>(() => DatasetResolver.LoadFile(images, new DatasetLoadOptions { LabelsPath = labels })).Message);
        var idxLabels = s.Write("y.idx", Scratch.Idx(IdxReader.LabelsMagic, [2], [3, 1]));
        Assert.Equal([3, 1], DatasetResolver.ReadLabelsFile(idxLabels));
        Assert.Equal([3, 1], DatasetResolver.LoadFile(images, new DatasetLoadOptions { LabelsPath = idxLabels }).Labels!);
    }

    [Fact]
    public void IdxImages_WithoutTheirSiblingLabels_AreUnlabelled_AndGivenLabelsWin()
    {
        using var s = new Scratch();
        var lone = s.Write("lone-images-idx3-ubyte", Scratch.Idx(IdxReader.ImagesMagic, [2, 1, 2], [0, 255, 51, 0]));
        var d = DatasetResolver.LoadFile(lone);
        Assert.False(d.HasLabels);
        Assert.Equal([0f, 1f, 0.2f, 0f], d.Images.Span.ToArray());
        var other = s.Write("scan.idx", Scratch.Idx(IdxReader.ImagesMagic, [2, 1, 2], new byte[4]));
        Assert.False(DatasetResolver.LoadFile(other).HasLabels); // not a "-images-idx3-" name: no sibling looked for
        s.Write("lone-labels-idx1-ubyte", Scratch.Idx(IdxReader.LabelsMagic, [2], [5, 6]));
        var given = s.Write("given.idx", Scratch.Idx(IdxReader.LabelsMagic, [2], [7, 8]));
        Assert.Equal([5, 6], DatasetResolver.LoadFile(lone).Labels!);
        Assert.Equal([7, 8], DatasetResolver.LoadFile(lone, new DatasetLoadOptions { LabelsPath = given }).Labels!);
    }

    [Fact]
    public void TextTables_ByExtension_TsvIsTabSeparated_AndShortFilesAreNotNpy()
    {
        using var s = new Scratch();
        var tsv = DatasetResolver.LoadFile(s.WriteText("d.TSV", "1\t0.5\n0\t0.25\n"), new DatasetLoadOptions { HasHeader = false, LabelColumn = "0" });
        Assert.Equal([1, 0], tsv.Labels!);
        Assert.Equal([0.5f, 0.25f], tsv.Images.Span.ToArray());
        var txt = DatasetResolver.Load(s.WriteText("d.txt", "a,b\n1,2\n"));
        Assert.Equal([1f, 2f], txt.Train.Images.Span.ToArray());
        Assert.Null(txt.ClassNames);
        Assert.Equal([1f], DatasetResolver.LoadFile(s.WriteText("tiny.csv", "1\n")).Images.Span.ToArray()); // 2 bytes: too short for the NPY magic
    }

    [Fact]
    public void TextLabels_GiveClassNames()
    {
        using var s = new Scratch();
        var d = DatasetResolver.Load(s.WriteText("named.csv", "kind,v\ncat,1\ndog,2\ncat,3\n"), new DatasetLoadOptions { LabelColumn = "kind" });
        Assert.Equal(["cat", "dog"], d.ClassNames!);
        Assert.Equal([0, 1, 0], d.Train.Labels!);
    }

    [Fact]
    public void ADataset_WithoutATestPart_IsSplitOnRequest()
    {
        using var s = new Scratch();
        var d = DatasetResolver.Load(s.WriteText("ten.csv", "y,v\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i % 2},{i}\n"))), new DatasetLoadOptions { LabelColumn = "y" });
        var split = d.WithTestSplit(0.3, seed: 5);
        Assert.Equal((7, 3), (split.Train.Count, split.Test!.Count));
        Assert.Equal((d.Name, d.ClassNames), (split.Name, split.ClassNames));
        var (train, test) = DataSplit.Indices(10, 0.3, 5);
        Assert.Equal(test.Select(i => (float)i), split.Test.Images.Span.ToArray());
        Assert.Equal(train.Select(i => i % 2), split.Train.Labels!);
        Assert.Equal($"{d.Name} (test split)", split.Test.Name);
        Assert.Equal($"{d.Name} (train split)", split.Train.Name);
        Assert.Same(split, split.WithTestSplit(0.5, 1));
    }

    [Fact]
    public void ImageDataset_DescribesItself_AndChecksItsArguments()
    {
        var m = new Matrix(3, 4);
        var ds = new ImageDataset(m, [0, 4, 1], 2, 2, "toy");
        Assert.Equal("toy: 3 images of 2×2, 5 classes", ds.ToString());
        Assert.Equal("raw: 3 images of 4×1, unlabelled", new ImageDataset(m, null, 4, 1, "raw").ToString());
        Assert.Equal(("dataset", 4, 3), (new ImageDataset(m, null, 4, 1).Name, ds.Dimension, ds.Count));
        Assert.True(ds.HasLabels);
        Assert.Same(ds.Labels, ds.RequireLabels());
        Assert.Equal(0, new ImageDataset(new Matrix(0, 4), [], 4, 1).ClassCount);
        Assert.Equal("part", ds.Subset([2], "part").Name);
        Assert.Equal("toy", ds.Subset([2]).Name);
        Assert.Empty(ds.Take(0).Labels!);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.Take(-1));
        Assert.Throws<ArgumentNullException>(() => new ImageDataset(null!, null, 1, 1));
        Assert.Throws<ArgumentNullException>(() => new ImageDataset(m, null, 4, 1, null!));
        foreach (var (w, h) in new[] { (0, 4), (4, 0), (-1, -4), (65536, 65536) })
            Assert.Equal("width", Assert.Throws<ArgumentException>(() => new ImageDataset(m, null, w, h)).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => new ImageDataset(m, [0, 0, -1], 4, 1)).ParamName);
        var empty = new Matrix(3, 0); // rows of no values: no width or height fits them
        foreach (var (w, h) in new[] { (0, 5), (5, 0) })
            Assert.Equal("width", Assert.Throws<ArgumentException>(() => new ImageDataset(empty, null, w, h)).ParamName);
        new ImageDataset(m, [0, 0, 0], 4, 1); // label 0 is a class
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => DataSplit.Split(null!, 0.5, 1)).ParamName);
        Assert.Contains("The test fraction must be strictly between 0 and 1", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(10, 0, 1)).Message);
        Assert.Contains("At least 2 rows are needed", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(1, 0.5, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(10, double.NaN, 1));
        Assert.Equal((1, 1), (DataSplit.Indices(2, 0.99, 1).Train.Length, DataSplit.Indices(2, 0.01, 1).Test.Length)); // two rows: one each, whatever the fraction
    }

    [Fact]
    public void Split_IsSeededDisjointCompleteAndOrdered()
    {
        var (train, test) = DataSplit.Indices(10, 0.3, seed: 42);
        Assert.Equal(3, test.Length);
        Assert.Equal(Enumerable.Range(0, 10), train.Concat(test).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(test.Order(), test);
        var again = DataSplit.Indices(10, 0.3, seed: 42);
        Assert.Equal(train, again.Train);
        Assert.Equal(test, again.Test);
        Assert.NotEqual(test, DataSplit.Indices(10, 0.3, seed: 43).Test);
        Assert.Single(DataSplit.Indices(5, 0.01, 1).Test); // never empty
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(10, 1.0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Indices(1, 0.5, 1));

        var m = new Matrix(10, 2);
        for (int i = 0; i < 10; i++) m[i, 0] = i;
        var (mt, ms) = DataSplit.Split(m, 0.3, 42);
        Assert.Equal(test.Select(i => (float)i), Enumerable.Range(0, 3).Select(r => ms[r, 0]));
        Assert.Equal(7, mt.Rows);
    }

    [Fact]
    public void ImageDataset_ValidatesAndSubsets()
    {
        var m = new Matrix(4, 6);
        for (int i = 0; i < 4; i++) m[i, 0] = i;
        var ds = new ImageDataset(m, [0, 2, 2, 1], 3, 2, "toy");
        Assert.Equal(3, ds.ClassCount);
        Assert.Equal([1, 1, 2], ds.ClassCounts());
        var sub = ds.Subset([3, 1]);
        Assert.Equal([1, 2], sub.Labels!);
        Assert.Equal(3f, sub.Images[0, 0]);
        Assert.Equal([0, 2], ds.Take(2).Labels!);
        Assert.Equal(4, ds.Take(10).Count);

        Assert.Contains("toy: a 2×2 image has 4 pixels", Assert.Throws<ArgumentException>(() => new ImageDataset(m, null, 2, 2, "toy")).Message);
        Assert.Contains("3 labels for 4 images", Assert.Throws<ArgumentException>(() => new ImageDataset(m, [0, 1, 2], 3, 2, "toy")).Message);
        Assert.Contains("label 1 is -1", Assert.Throws<ArgumentException>(() => new ImageDataset(m, [0, -1, 2, 0], 3, 2, "toy")).Message);
        var unlabelled = new ImageDataset(m, null, 6, 1, "raw");
        Assert.Contains("raw has no labels", Assert.Throws<InvalidOperationException>(() => unlabelled.RequireLabels()).Message);
        Assert.Empty(unlabelled.ClassCounts());
    }
}
