using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Data;

/// <summary>The <c>--dataset</c> resolver of the experiments: built-in names, a Fashion-MNIST directory, else a file read by the core's <see cref="DatasetResolver"/>.</summary>
public class BuiltInDatasetsTests
{
    [Fact]
    public void UnknownNamesAndPaths_ListTheBuiltInNames()
    {
        Assert.Equal(["fashion-mnist", "faces"], BuiltInDatasets.Names);
        Assert.True(BuiltInDatasets.IsBuiltIn("Fashion-MNIST"));
        Assert.False(BuiltInDatasets.IsBuiltIn("mnist-digits"));
        var e = Assert.Throws<FileNotFoundException>(() => BuiltInDatasets.Load("/nonexistent/d.csv"));
        Assert.Equal(("Dataset '/nonexistent/d.csv' is neither a built-in name (fashion-mnist, faces) nor an existing file or directory.", "/nonexistent/d.csv"),
            (e.Message, e.FileName));
        Assert.Contains("'mnist-digits' is neither a built-in name", Assert.Throws<FileNotFoundException>(() => BuiltInDatasets.Load("mnist-digits")).Message);
        Assert.Throws<ArgumentException>(() => BuiltInDatasets.Load(""));
        using var s = new Scratch();
        Assert.Contains("without the Fashion-MNIST IDX files", Assert.Throws<FileNotFoundException>(() => BuiltInDatasets.Load(s.Dir.FullName)).Message);
        Assert.Contains("faces: choosing feature columns (--features, --ignore) is for CSV files",
            Assert.Throws<InvalidDataException>(() => BuiltInDatasets.Load("faces", new DatasetLoadOptions { Ignore = ["a"] })).Message);
    }

    [Fact]
    public void AFile_IsReadByTheCoreResolver_WithTheOptions()
    {
        using var s = new Scratch();
        var path = s.WriteText("named.csv", "kind,a,b\ncat,1,2\ndog,3,4\n");
        var options = new DatasetLoadOptions { LabelColumn = "kind", Features = ["b"] };
        var d = BuiltInDatasets.Load(path, options);
        var core = DatasetResolver.Load(path, options);
        Assert.Equal((path, 2), (d.Name, d.Train.Count));
        Assert.Equal([2f, 4f], d.Train.Images.Span.ToArray());
        Assert.Equal(core.Train.Labels!, d.Train.Labels!);
        Assert.Equal(["cat", "dog"], d.ClassNames!);
        Assert.Null(d.Test);
    }

    [Fact]
    public void BuiltInFaces_HasNoTestPart_WithTestSplitMakesOne()
    {
        TestEnv.RequireFile(Faces.DefaultPath, "lfw_subset.npy (face data)");
        var d = BuiltInDatasets.Load("Faces");
        Assert.Equal(("faces", 200), (d.Name, d.Train.Count));
        Assert.Null(d.Test);
        var split = d.WithTestSplit(0.25, seed: 3);
        Assert.Equal((150, 50), (split.Train.Count, split.Test!.Count));
        Assert.Same(split, split.WithTestSplit(0.5, 1));
        Assert.Equal(Faces.ClassNames, split.ClassNames);
    }
}
