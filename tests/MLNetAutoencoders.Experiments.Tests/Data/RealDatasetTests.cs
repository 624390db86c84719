using System.Diagnostics;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;
using Xunit.Abstractions;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>Loads the installed Fashion-MNIST and face data (installed by scripts/setup.sh).</summary>
public class RealDatasetTests(ITestOutputHelper output)
{
    [Fact]
    public void FashionMnist_LoadsBothParts()
    {
        foreach (var f in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
            TestEnv.RequireFile(Path.Combine(FashionMnist.DefaultDirectory, f), "Fashion-MNIST (Debian package dataset-fashion-mnist)");

        var sw = Stopwatch.StartNew();
        var (train, test) = FashionMnist.Load(FashionMnist.DefaultDirectory);
        output.WriteLine($"FashionMnist.Load: {sw.ElapsedMilliseconds} ms");

        Assert.Equal((60000, 784, 28, 28), (train.Count, train.Dimension, train.Width, train.Height));
        Assert.Equal((10000, 784), (test.Count, test.Dimension));
        Assert.Equal(Enumerable.Repeat(6000, 10), train.ClassCounts());
        Assert.Equal(Enumerable.Repeat(1000, 10), test.ClassCounts());
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], train.Labels![..10]);
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[train.Labels[0]]);

        var px = train.Images.Span;
        Assert.Equal(0f, TensorMin(px));
        Assert.Equal(1f, TensorMax(px));
        Assert.Equal(299.00784, train.Images.Row(0).ToArray().Sum(v => (double)v), 3); // reference: numpy on the same file
        for (int i = 0; i < 784; i++) Assert.Equal(MathF.Round(px[i] * 255) / 255f, px[i]); // k/255 exactly
    }

    [Fact]
    public void FashionMnist_MissingDirectory_SaysHowToInstall()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.LoadTest("/nonexistent/fmnist"));
        Assert.Contains("/nonexistent/fmnist/t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void FashionMnist_ReadsUncompressedFilesFromAnyDirectory()
    {
        using var s = new Scratch();
        byte[] img = [.. Enumerable.Range(0, 2 * 784).Select(i => (byte)i)];
        foreach (var p in new[] { "train", "t10k" })
        {
            s.Write(p + "-images-idx3-ubyte", Scratch.Idx(IdxReader.ImagesMagic, [2, 28, 28], img));
            s.Write(p + "-labels-idx1-ubyte.gz", Scratch.Gzip(Scratch.Idx(IdxReader.LabelsMagic, [2], [4, 7])));
        }
        Assert.True(FashionMnist.Exists(s.Dir.FullName));
        var (train, test) = FashionMnist.Load(s.Dir.FullName);
        Assert.Equal([4, 7], train.Labels!);
        Assert.Equal(2, test.Count);
        Assert.Equal(200 / 255f, test.Images[0, 200]);

        s.Write("t10k-labels-idx1-ubyte.gz", Scratch.Gzip(Scratch.Idx(IdxReader.LabelsMagic, [3], [4, 7, 1])));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTest(s.Dir.FullName));
        Assert.Contains("has 3 labels but", e.Message);
    }

    [Fact]
    public void Faces_Loads200ImagesHalfFaces()
    {
        TestEnv.RequireFile(Faces.DefaultPath, "lfw_subset.npy (face data)");
        var faces = Faces.Load(Faces.DefaultPath);
        Assert.Equal((200, 625, 25, 25), (faces.Count, faces.Dimension, faces.Width, faces.Height));
        Assert.Equal([100, 100], faces.ClassCounts());
        Assert.All(faces.Labels![..100], l => Assert.Equal(1, l));
        Assert.All(faces.Labels[100..], l => Assert.Equal(0, l));
        Assert.Equal("face", Faces.ClassNames[1]);
        // Reference values from numpy on the same file: f[0].mean(), f[150].mean(), f[0, 12, 12].
        Assert.Equal(0.41318065516352653, faces.Images.Row(0).ToArray().Average(v => (double)v), 6);
        Assert.Equal(0.07644392303843049, faces.Images.Row(150).ToArray().Average(v => (double)v), 6);
        Assert.Equal((float)0.6366012692451475, faces.Images[0, 12 * 25 + 12]);
    }

    [Fact]
    public void Faces_MissingOrWrongFile_IsExplained()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Faces.Load("/nonexistent/lfw_subset.npy"));
        Assert.Contains("/nonexistent/lfw_subset.npy", e.Message);
        Assert.Contains("bash scripts/setup.sh", e.Message);

        using var s = new Scratch();
        var small = s.Write("small.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 625), }", new byte[2 * 625 * 4]));
        Assert.Contains("expected (200, 25, 25)", Assert.Throws<InvalidDataException>(() => Faces.Load(small)).Message);
    }

    private static float TensorMin(ReadOnlySpan<float> x) => System.Numerics.Tensors.TensorPrimitives.Min(x);

    private static float TensorMax(ReadOnlySpan<float> x) => System.Numerics.Tensors.TensorPrimitives.Max(x);
}
