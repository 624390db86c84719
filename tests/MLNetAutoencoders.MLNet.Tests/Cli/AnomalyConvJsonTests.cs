using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>
/// <c>mlae anomaly --json</c> on images, on a small Fashion-MNIST subset (the first 300 training and 100 test images,
/// shrunk to 12 × 12, written as IDX files and named by MLAE_FASHION_MNIST): the convolutional autoencoder's row, and
/// the ensemble of the default scorers with transformation prediction, each with every number finite or null.
/// </summary>
public sealed class AnomalyConvJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-conv-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Gunzipped(string name, int bytes)
    {
        var source = TestEnv.RequireFile(Path.Combine(FashionMnist.DefaultDirectory, name + ".gz"), "Fashion-MNIST (dataset-fashion-mnist)");
        using var input = new GZipStream(File.OpenRead(source), CompressionMode.Decompress);
        var data = new byte[bytes];
        input.ReadExactly(data);
        return data;
    }

    /// <summary>
    /// The first <paramref name="count"/> images of a part as 12 × 12 IDX images (every second pixel of rows and columns
    /// 2–24: the conv network trains on a ninth of a 28 × 28 image's cost) and their labels.
    /// </summary>
    private void Subset(string part, int count)
    {
        const int side = FashionMnist.Side, small = 12;
        var images = Gunzipped(part + "-images-idx3-ubyte", 16 + count * side * side);
        var output = new byte[16 + count * small * small];
        foreach (var (at, value) in new[] { (0, 0x803), (4, count), (8, small), (12, small) })
            BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(at), value);
        for (int i = 0; i < count; i++)
            for (int r = 0; r < small; r++)
                for (int c = 0; c < small; c++)
                    output[16 + (i * small + r) * small + c] = images[16 + i * side * side + (2 + 2 * r) * side + 2 + 2 * c];
        File.WriteAllBytes(Path.Combine(_dir, part + "-images-idx3-ubyte"), output);
        var labels = Gunzipped(part + "-labels-idx1-ubyte", 8 + count);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        File.WriteAllBytes(Path.Combine(_dir, part + "-labels-idx1-ubyte"), labels);
    }

    [Fact]
    public void Conv_on_a_small_image_subset_writes_its_row_with_finite_numbers()
    {
        Subset("train", 300);
        Subset("t10k", 100);
        var (code, stdout, stderr) = MlaeProcess.Run(new Dictionary<string, string?> { [FashionMnist.DirectoryVariable] = _dir },
            "anomaly", "--dataset", "fashion-mnist", "--methods", "conv", "--classes", "0", "--epochs", "1", "--threads", "1", "--json");
        Assert.True(code == 0, $"mlae anomaly --methods conv failed: {stderr}");
        CliJsonTests.Clean(stderr);
        var json = (JsonObject)JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;
        CliJsonTests.AllFinite(json);
        var row = Assert.Single(json["rows"]!.AsArray());
        Assert.Equal("conv", (string)row!["method"]!);
        double auroc = (double)row["auroc"]!;
        Assert.InRange(auroc, 0, 1);
        Assert.True((double)row["fitSeconds"]! > 0);
    }

    [Fact]
    public void Transformation_prediction_and_its_ensemble_get_rows_beside_their_members()
    {
        Subset("train", 300);
        Subset("t10k", 100);
        var (code, stdout, stderr) = MlaeProcess.Run(new Dictionary<string, string?> { [FashionMnist.DirectoryVariable] = _dir },
            "anomaly", "--dataset", "fashion-mnist", "--methods", "denoising", "--scorers", "geo,kinds+geo+raw", "--classes", "1", "--epochs", "2", "--threads", "1", "--json");
        Assert.True(code == 0, $"mlae anomaly --scorers geo,kinds+geo+raw failed: {stderr}");
        CliJsonTests.Clean(stderr);
        var json = (JsonObject)JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;
        CliJsonTests.AllFinite(json);
        var rows = json["rows"]!.AsArray();
        // Each member is fitted once and reported on its own row; the ensemble's time includes every member's.
        Assert.Equal(["denoising/geo", "denoising/restoration", "denoising/reconstruction+knn", "denoising/kinds+geo+raw"], rows.Select(r => (string)r!["method"]!));
        Assert.All(rows, r => Assert.InRange((double)r!["auroc"]!, 0.5, 1));
        Assert.True((double)rows[3]!["fitScoreSeconds"]! >= (double)rows[0]!["fitScoreSeconds"]! + (double)rows[1]!["fitScoreSeconds"]!);
    }
}
