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
        Assert.Contains("fashion-mnist, faces", e.Message);

        using var s = new Scratch();
        var bin = s.Write("thing.bin", [1, 2, 3, 4, 5]);
        Assert.Contains("unrecognised format", Assert.Throws<InvalidDataException>(() => DatasetResolver.Load(bin)).Message);
        Assert.Contains("without the Fashion-MNIST IDX files", Assert.Throws<FileNotFoundException>(() => DatasetResolver.Load(s.Dir.FullName)).Message);
    }

    [Fact]
    public void BuiltInFaces_HasNoTestPart_WithTestSplitMakesOne()
    {
        TestEnv.RequireFile(Faces.DefaultPath, "lfw_subset.npy (face data)");
        var d = DatasetResolver.Load("Faces");
        Assert.Equal(("faces", 200), (d.Name, d.Train.Count));
        Assert.Null(d.Test);
        var split = d.WithTestSplit(0.25, seed: 3);
        Assert.Equal((150, 50), (split.Train.Count, split.Test!.Count));
        Assert.Same(split, split.WithTestSplit(0.5, 1));
        Assert.Equal(Faces.ClassNames, split.ClassNames);
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
