using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>
/// The loaders of the built-in tables and images (breast-cancer CSV, face NPY) on small files written by the test, and
/// where they look for their files; <see cref="RealDatasetTests"/> loads the installed ones.
/// </summary>
public class BuiltInDataTests
{
    [Fact]
    public void BreastCancer_ReadsTheRowsTheHeaderAnnounces_WithTheClassLast()
    {
        using var s = new Scratch();
        var path = s.WriteText("bc.csv", "3,2,malignant,benign\n1.5,2,0\n3,4e-1,1\n-1,0,1\n");
        var d = BreastCancer.Load(path);
        Assert.Equal(("breast-cancer", 3, 2, 1), (d.Name, d.Count, d.Width, d.Height));
        Assert.Equal([1.5f, 2f, 3f, 0.4f, -1f, 0f], d.Images.Span.ToArray());
        Assert.Equal([0, 1, 1], d.Labels!);
        // Lines after the announced rows are not read; the class names in the header are optional; one column is enough.
        Assert.Equal(1, BreastCancer.Load(s.WriteText("more.csv", "1,2,malignant,benign\n1,2,1\nnot a row\n")).Count);
        Assert.Equal([7f], BreastCancer.Load(s.WriteText("one.csv", "1,1\n7,0\n")).Images.Span.ToArray());
    }

    [Theory]
    [InlineData("", "line 1: expected scikit-learn's header")]
    [InlineData("3\n", "line 1: expected scikit-learn's header")]
    [InlineData("x,2,a,b\n1,2,0\n", "line 1: expected scikit-learn's header")]
    [InlineData("1,y,a,b\n1,2,0\n", "line 1: expected scikit-learn's header")]
    [InlineData("0,2,a,b\n", "line 1: expected scikit-learn's header")]
    [InlineData("1,0,a,b\n0\n", "line 1: expected scikit-learn's header")]
    [InlineData("3,2,a,b\n1,2,0\n1,2,0\n", "line 1: expected scikit-learn's header")] // a row short
    [InlineData("1,2,a,b\n1,2\n", "line 2: 2 fields; expected 2 measurements and a class.")]
    [InlineData("1,2,a,b\n1,2,0,0\n", "line 2: 4 fields; expected 2 measurements and a class.")]
    [InlineData("1,2,a,b\n1,x,0\n", "line 2, field 2: 'x' is not a finite number.")]
    [InlineData("1,2,a,b\nInfinity,1,0\n", "line 2, field 1: 'Infinity' is not a finite number.")]
    [InlineData("2,2,a,b\n1,2,0\n1,2,2\n", "line 3: class '2'; expected 0 (malignant) or 1 (benign).")]
    [InlineData("1,2,a,b\n1,2,-1\n", "line 2: class '-1'")]
    [InlineData("1,2,a,b\n1,2,benign\n", "line 2: class 'benign'")]
    public void BreastCancer_AMalformedFile_IsExplainedNamingTheLine(string content, string message)
    {
        using var s = new Scratch();
        var path = s.WriteText("bc.csv", content);
        Assert.Contains($"{path}, {message}", Assert.Throws<InvalidDataException>(() => BreastCancer.Load(path)).Message);
    }

    [Fact]
    public void BreastCancer_AMissingFile_SaysHowToGetIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => BreastCancer.Load("/nonexistent/breast_cancer.csv"));
        Assert.Equal("/nonexistent/breast_cancer.csv", e.FileName);
        Assert.Contains("Breast-cancer table not found: /nonexistent/breast_cancer.csv. Run `bash scripts/setup.sh`", e.Message);
        Assert.Contains("set MLAE_BREAST_CANCER", e.Message);
    }

    private static byte[] FaceBytes(int rows, int cols, Action<float[]>? edit = null)
    {
        var v = new float[rows * cols];
        for (int i = 0; i < v.Length; i++) v[i] = (i % 11) / 10f;
        edit?.Invoke(v);
        return Scratch.Bytes(v);
    }

    [Theory]
    [InlineData("(200, 25, 25)")]
    [InlineData("(200, 625)")]
    public void Faces_LoadsTwoHundredImages_TheFirstHundredFaces(string shape)
    {
        using var s = new Scratch();
        var path = s.Write("faces.npy", Scratch.NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", FaceBytes(200, 625)));
        var d = Faces.Load(path);
        Assert.Equal(("faces", 200, 25, 25), (d.Name, d.Count, d.Width, d.Height));
        Assert.Equal([100, 100], d.ClassCounts());
        Assert.Equal(1, d.Labels![99]);
        Assert.Equal(0, d.Labels[100]);
        Assert.Equal((626 % 11) / 10f, d.Images[1, 1]); // stored in row order
    }

    [Theory]
    [InlineData(1.5f)]
    [InlineData(-0.01f)]
    [InlineData(float.NaN)]
    public void Faces_APixelOutsideZeroToOne_IsNamed(float bad)
    {
        using var s = new Scratch();
        var path = s.Write("faces.npy", Scratch.NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (200, 625), }", FaceBytes(200, 625, v => v[3 * 625 + 7] = bad)));
        Assert.Contains($"{path}: image 3, pixel 7 is {bad}; expected values in [0, 1].", Assert.Throws<InvalidDataException>(() => Faces.Load(path)).Message);
    }

    [Theory]
    [InlineData("(200, 25, 24)")]
    [InlineData("(199, 25, 25)")]
    [InlineData("(200, 624)")]
    [InlineData("(200, 25, 25, 1)")]
    public void Faces_OfAnotherShape_AreRejected(string shape)
    {
        using var s = new Scratch();
        int n = shape.Trim('(', ')').Split(',').Select(int.Parse).Aggregate(1, (a, b) => a * b);
        var path = s.Write("faces.npy", Scratch.NpyBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", new byte[n * 4]));
        Assert.Contains($"{path}: shape {shape}; expected (200, 25, 25) or (200, 625).", Assert.Throws<InvalidDataException>(() => Faces.Load(path)).Message);
    }

    [Fact]
    public void Faces_AMissingFile_SaysWhereAndHowToGetIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Faces.Load("/nonexistent/lfw.npy"));
        Assert.Equal("/nonexistent/lfw.npy", e.FileName);
        Assert.Contains("Face data not found: /nonexistent/lfw.npy. Run `bash scripts/setup.sh`", e.Message);
        Assert.Contains("or set MLAE_FACES to the file.", e.Message);
        Assert.Equal(["non-face", "face"], Faces.ClassNames);
    }

    [Fact]
    public void AnImageDirectory_LoadsItsTrainingAndTestParts_WithTheTenClassNames()
    {
        using var s = new Scratch();
        foreach (var (part, n) in new[] { ("train", 3), ("t10k", 2) })
        {
            s.Write(part + "-images-idx3-ubyte.gz", Scratch.Gzip(Scratch.Idx(IdxReader.ImagesMagic, [n, 28, 28], new byte[n * 784])));
            s.Write(part + "-labels-idx1-ubyte", Scratch.Idx(IdxReader.LabelsMagic, [n], [.. Enumerable.Range(0, n).Select(i => (byte)(9 - i))]));
        }
        var d = BuiltInDatasets.Load(s.Dir.FullName);
        Assert.Equal(s.Dir.FullName, d.Name);
        Assert.Equal(("fashion-mnist train", 3), (d.Train.Name, d.Train.Count));
        Assert.Equal([9, 8, 7], d.Train.Labels!);
        Assert.Equal(("fashion-mnist test", 2), (d.Test!.Name, d.Test.Count));
        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], d.ClassNames!);
        Assert.Equal("fashion-mnist train", FashionMnist.LoadTrain(s.Dir.FullName).Name);
        Assert.Equal("fashion-mnist test", FashionMnist.LoadTest(s.Dir.FullName).Name);

        File.Delete(s.Path("t10k-labels-idx1-ubyte")); // three of the four files are not enough
        Assert.False(FashionMnist.Exists(s.Dir.FullName));
        Assert.Contains("without the Fashion-MNIST IDX files", Assert.Throws<FileNotFoundException>(() => BuiltInDatasets.Load(s.Dir.FullName)).Message);
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.LoadTest(s.Dir.FullName));
        Assert.Contains("or set MLAE_FASHION_MNIST to a directory holding the four IDX files", e.Message);
    }

    [Fact]
    public void Paths_TheGivenOne_ElseTheVariable_ElseTheDefault()
    {
        string variable = "MLAE_TEST_" + Guid.NewGuid().ToString("N"); // a variable no other test reads
        Assert.Equal("/given", DataPaths.Resolve("/given", variable, "/default"));
        Assert.Equal("/default", DataPaths.Resolve(null, variable, "/default"));
        Assert.Equal("/default", DataPaths.Resolve("", variable, "/default"));
        Environment.SetEnvironmentVariable(variable, "/from-env");
        try
        {
            Assert.Equal("/from-env", DataPaths.Resolve(null, variable, "/default"));
            Assert.Equal("/given", DataPaths.Resolve("/given", variable, "/default"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        Assert.Equal("/x.npy", Faces.ResolvePath("/x.npy"));
        Assert.Equal("/x.csv", BreastCancer.ResolvePath("/x.csv"));
        Assert.Equal("/x", FashionMnist.ResolveDirectory("/x"));
    }
}
