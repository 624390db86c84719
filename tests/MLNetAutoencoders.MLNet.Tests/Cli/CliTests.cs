using MLNetAutoencoders.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;
using System.Text;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Cli.Commands;
using MLNetAutoencoders.Tests.Onnx;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>Runs the `mlae` entry point in-process (stdout captured), so these tests share console state and run one at a time.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("console")]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlae-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public CliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout) Run(params string[] args)
    {
        var entry = System.Reflection.Assembly.Load("mlae").EntryPoint!;
        var previous = Console.Out;
        var sb = new StringBuilder();
        using var writer = new StringWriter(sb);
        Console.SetOut(writer);
        try { return ((int)entry.Invoke(null, new object[] { args })!, sb.ToString()); }
        finally { Console.SetOut(previous); }
    }

    private static JsonObject LastJson(string stdout) =>
        (JsonObject)JsonNode.Parse(stdout.TrimEnd().Split('\n')[^1])!;

    /// <summary>A CSV of 200 rows × 16 values (rank-3 structure), scaled by <paramref name="scale"/>, with a label column.</summary>
    private string WriteCsv(float scale) =>
        LabelledCsv.Write(Path.Combine(_dir, $"data{scale}.csv"), TestData.LowRankData(200, 16), scale: scale);

    [Fact]
    public void Train_OnCsv_PrintsJsonAsLastLineAndSavesALoadableModel()
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, "m.mlae");
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "3", "--epochs", "3",
            "--batch", "32", "--threads", "1", "--out", model, "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.Equal("ae", (string?)json["kind"]);
        Assert.Equal(3, (int)json["code"]!);
        Assert.Equal(3, json["epochs"]!.AsArray().Count);
        double testMse = (double)json["testMse"]!;
        Assert.InRange(testMse, 1e-6, 0.2);
        // testMse is the held-out 20 % split's per-pixel MSE: recompute it from the saved model and the same seeded split.
        var loaded = AutoencoderModel.Load(model);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        Assert.Equal(40, test.Count);
        Assert.Equal(testMse, loaded.ReconstructionMse(test.Images), 6);
        Assert.Equal((int)json["parameters"]!, loaded.ParameterCount);
    }

    [Fact]
    public void Train_OutOfRangeInputsWithCrossEntropy_FailUnlessScaled()
    {
        var csv = WriteCsv(5f);
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1", "--json");
        Assert.NotEqual(0, code);
        Assert.DoesNotContain("testMse", stdout);
        var (code2, stdout2) = Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "1", "--scale", "--json");
        Assert.Equal(0, code2);
        Assert.True(double.IsFinite((double)LastJson(stdout2)["testMse"]!));
    }

    [Fact]
    public void Train_UnknownDatasetOrBadOption_ExitNonZero()
    {
        Assert.NotEqual(0, Run("train", "--dataset", Path.Combine(_dir, "missing.csv"), "--epochs", "1").Code);
        Assert.NotEqual(0, Run("train", "--dataset", WriteCsv(1f), "--hidden", "8,x", "--epochs", "1").Code);
        Assert.NotEqual(0, Run("train", "--dataset", WriteCsv(1f), "--code", "0", "--epochs", "1").Code);
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("adversarial")]
    [InlineData("vae")]
    public void Train_WithTheTorchSharpBackend_SavesTheUsualModel_ThatExportsToOnnx(string kind)
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, kind + ".mlae");
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--kind", kind, "--hidden", "8", "--code", "3",
            "--epochs", "2", "--batch", "32", "--threads", "1", "--backend", "torchsharp", "--out", model, "--json");
        Assert.True(code == 0, "mlae train --backend torchsharp failed (if TorchSharp cannot load, run `bash scripts/setup.sh` and rebuild).");
        var json = LastJson(stdout);
        Assert.Equal("torchsharp", (string?)json["backend"]);
        var onnx = Path.Combine(_dir, kind + ".onnx");
        Assert.Equal(0, Run("export-onnx", "--model", model, "--out", onnx).Code);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        IAutoencoder loaded = kind == "vae" ? VaeModel.Load(model) : AutoencoderModel.Load(model);
        Assert.Equal("torchsharp", loaded.History.Engine);
        OnnxRuntimeHarness.AssertMatches(onnx, test.Images, loaded.Encode(test.Images), 1e-5f);
    }

    /// <summary>One 64-pixel row (an 8 × 8 image) for ML.NET.</summary>
    private sealed class ImageRow64
    {
        [Microsoft.ML.Data.VectorType(64)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void Train_ConvKind_TrainsOnTorchSharp_ExportsToOnnx_AndRunsInMLNetAndOnnxRuntime()
    {
        // 8 × 8 images: the rank-3 rows, 64 values each.
        var csv = LabelledCsv.Write(Path.Combine(_dir, "images.csv"), TestData.LowRankData(200, 64), prefix: "p");
        var model = Path.Combine(_dir, "conv.mlae");
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--kind", "conv", "--image-shape", "1x8x8", "--channels", "4,8",
            "--code", "3", "--epochs", "2", "--batch", "32", "--threads", "1", "--backend", "torchsharp", "--out", model, "--json");
        Assert.True(code == 0, "mlae train --kind conv failed (if TorchSharp cannot load, run `bash scripts/setup.sh` and rebuild).");
        var json = LastJson(stdout);
        Assert.Equal("conv", (string?)json["kind"]);
        Assert.Equal("torchsharp", (string?)json["backend"]);
        Assert.Null(json["jacobianFrobeniusSq"]);

        var onnx = Path.Combine(_dir, "conv.onnx");
        Assert.Equal(0, Run("export-onnx", "--model", model, "--out", onnx).Code);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        // The same architecture and model file as the managed engine's conv kind.
        var loaded = AutoencoderModel.Load(model);
        Assert.Equal([1, 8, 8], loaded.Options.Conv!.ImageShape);
        Assert.Equal([4, 8], loaded.Options.Conv!.Channels);
        Assert.Equal("torchsharp", loaded.History.Engine);
        var expected = loaded.Encode(test.Images);
        Assert.Equal((double)json["testMse"]!, AutoencoderModel.MeanSquaredError(test.Images, loaded.Reconstruct(test.Images)), 6);
        OnnxRuntimeHarness.AssertMatches(onnx, test.Images, expected, 1e-5f);

        // The exported encoder as an ML.NET stage (ApplyOnnxModel) gives the same codes.
        var ml = new Microsoft.ML.MLContext(seed: 0);
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, test.Count).Select(i => new ImageRow64 { Features = test.Images.Row(i).ToArray() }));
        var codes = ml.Transforms.ApplyOnnxModel(["Code"], ["Features"], onnx).Fit(view).Transform(view).GetColumn<float[]>("Code").ToArray();
        for (int i = 0; i < test.Count; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(expected[i, j], codes[i][j], 1e-5f);

        Assert.NotEqual(0, Run("train", "--dataset", csv, "--label-column", "label", "--kind", "conv", "--image-shape", "1x7x7", "--backend", "torchsharp", "--epochs", "1").Code);
    }

    [Fact]
    public void Train_ConvKind_TrainsOnTheManagedEngine_AndExportsToOnnx()
    {
        var csv = LabelledCsv.Write(Path.Combine(_dir, "blobs.csv"), TestData.Blobs(160, 1), prefix: "p");
        var model = Path.Combine(_dir, "conv-managed.mlae");
        var (code, stdout) = Run("train", "--dataset", csv, "--label-column", "label", "--kind", "conv", "--image-shape", "1x8x8", "--channels", "4,8",
            "--code", "3", "--epochs", "1", "--batch", "32", "--threads", "1", "--backend", "managed", "--out", model, "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.Equal(("conv", "managed"), ((string?)json["kind"], (string?)json["backend"]));
        var loaded = AutoencoderModel.Load(model);
        Assert.Equal([4, 8], loaded.Options.Conv!.Channels);
        Assert.Equal("managed", loaded.History.Engine);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        Assert.Equal((double)json["testMse"]!, loaded.ReconstructionMse(test.Images), 6);

        var onnx = Path.Combine(_dir, "conv-managed.onnx");
        Assert.Equal(0, Run("export-onnx", "--model", model, "--out", onnx).Code);
        OnnxRuntimeHarness.AssertMatches(onnx, test.Images, loaded.Encode(test.Images), 1e-5f);

        // An image shape that does not fit the rows is an error.
        Assert.NotEqual(0, Run("train", "--dataset", csv, "--label-column", "label", "--kind", "conv", "--image-shape", "1x4x4", "--epochs", "1").Code);

        // mlae compare trains the conv method on the chosen backend (managed here) through the ML.NET stage.
        var (compareCode, compareOut) = Run("compare", "--dataset", csv, "--label-column", "label", "--codes", "3", "--methods", "conv",
            "--folds", "2", "--epochs", "1", "--batch", "32", "--threads", "1", "--backend", "managed", "--no-figures", "--json");
        Assert.Equal(0, compareCode);
        var row = LastJson(compareOut)["rows"]!.AsArray().Single()!;
        Assert.Equal("conv", (string?)row["method"]);
        Assert.InRange((double)row["accuracy"]!, 0.0, 1.0);
    }

    [Fact]
    public void Train_UnknownBackend_IsAnErrorListingTheKnownOnes()
    {
        var (code, _) = Run("train", "--dataset", WriteCsv(1f), "--label-column", "label", "--epochs", "1", "--backend", "tensorflow");
        Assert.NotEqual(0, code);
        Assert.Equal("--backend: unknown 'tensorflow'; expected managed or torchsharp.",
            Assert.Throws<ArgumentException>(() => MLNetAutoencoders.Cli.Backends.Parse("tensorflow")).Message);
    }

    [Fact]
    public void Encode_And_ExportOnnx_AgreeInOnnxRuntime()
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, "m.mlae");
        Assert.Equal(0, Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "3", "--epochs", "2", "--threads", "1", "--out", model).Code);
        var codes = Path.Combine(_dir, "codes.npy");
        Assert.Equal(0, Run("encode", "--model", model, "--dataset", csv, "--label-column", "label", "--split", "test", "--out", codes).Code);
        var onnx = Path.Combine(_dir, "enc.onnx");
        Assert.Equal(0, Run("export-onnx", "--model", model, "--out", onnx).Code);
        var fromCli = Npy.ReadMatrix(codes);
        var test = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!;
        Assert.Equal(AutoencoderModel.Load(model).Encode(test.Images).Span.ToArray(), fromCli.Span.ToArray());
        OnnxRuntimeHarness.AssertMatches(onnx, test.Images, fromCli, 1e-5f);
    }

    [Fact]
    public void Compare_RunsMLNetPipelinesForBothPcasAndAnAutoencoder_WithStratifiedFolds()
    {
        var csv = WriteCsv(1f);
        var (code, stdout) = Run("compare", "--dataset", csv, "--label-column", "label", "--codes", "2,3", "--methods", "pca,mlnet-pca,ae,raw",
            "--folds", "3", "--hidden", "8", "--epochs", "5", "--threads", "1", "--no-figures", "--json");
        Assert.Equal(0, code);
        var rows = LastJson(stdout)["rows"]!.AsArray();
        Assert.Equal(3 * 2 + 1, rows.Count); // pca, mlnet-pca, ae at two sizes, raw once
        foreach (var row in rows)
        {
            var folds = row!["foldAccuracies"]!.AsArray().Select(a => (double)a!).ToArray();
            Assert.Equal(3, folds.Length);
            Assert.Equal(folds.Average(), (double)row["accuracy"]!, 9);
        }
        // The two PCAs find the same 3-dimensional subspace, so the classifier sees the same information.
        double Accuracy(string method, int k) => (double)rows.Single(r => (string?)r!["method"] == method && (int)r["code"]! == k)!["accuracy"]!;
        Assert.Equal(Accuracy("pca", 3), Accuracy("mlnet-pca", 3), 2);
    }

    [Fact]
    public void Compare_OnANarrowCsv_DrawsItsFigures()
    {
        // 16 columns are drawn as small images: the figures' scale must stay within what ImageGrid draws.
        var dir = Path.Combine(_dir, "narrow-figures");
        var (code, _) = Run("compare", "--dataset", WriteCsv(1f), "--label-column", "label", "--codes", "2", "--methods", "pca,raw",
            "--folds", "2", "--threads", "1", "--out-dir", dir);
        Assert.Equal(0, code);
        foreach (var png in new[] { "mean.png", "eigen.png", "accuracy.png" })
            Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 0, png + " was not written");
    }

    [Fact]
    public void Compare_UnknownMethod_IsAnErrorNamingIt()
    {
        var (code, _) = Run("compare", "--dataset", WriteCsv(1f), "--label-column", "label", "--methods", "pca,umap", "--folds", "2");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public void Anomaly_OnTheBreastCancerTable_PrintsAurocRowsForEveryMethod()
    {
        TestEnv.RequireFile(BreastCancer.ResolvePath(), "The breast-cancer table of python3-sklearn");
        var (code, stdout) = Run("anomaly", "--dataset", "breast-cancer", "--methods", "mlnet-pca,pca,ae", "--epochs", "50", "--threads", "1", "--json");
        Assert.Equal(0, code);
        var rows = LastJson(stdout)["rows"]!.AsArray();
        Assert.Equal(["mlnet-pca", "pca", "ae"], rows.Select(r => (string)r!["method"]!));
        // Malignant tumours are far from the benign rows the detectors were fitted on.
        Assert.All(rows.Where(r => (string)r!["method"]! != "mlnet-pca"), r => Assert.InRange((double)r!["auroc"]!, 0.85, 1.0));
        Assert.Contains("AUROC", stdout);

        var (convCode, _) = Run("anomaly", "--dataset", "breast-cancer", "--methods", "conv");
        Assert.Equal(1, convCode);

        // The validation split scores other rows (held-out training rows and the other half of the malignant ones).
        var (valCode, valOut) = Run("anomaly", "--dataset", "breast-cancer", "--methods", "pca", "--split", "validation", "--json");
        Assert.Equal(0, valCode);
        var val = LastJson(valOut);
        Assert.Equal("validation", (string)val["split"]!);
        double valAuroc = (double)val["rows"]![0]!["auroc"]!, testAuroc = (double)rows[1]!["auroc"]!;
        Assert.InRange(valAuroc, 0.85, 1.0);
        Assert.NotEqual(testAuroc, valAuroc);
        var (badCode, _) = Run("anomaly", "--dataset", "breast-cancer", "--methods", "pca", "--split", "train");
        Assert.Equal(1, badCode);
    }

    [Theory]
    // Values computed by benchmarks/sklearn_anomaly.py's split_key: both languages must order the rows alike.
    [InlineData(0, 0, 2654435761u)]
    [InlineData(5, 1, 816255057u)]
    [InlineData(568, 2, 2728062599u)]
    [InlineData(100, 12345, 1821730474u)]
    public void AnomalySplitKey_MatchesThePythonReference(int row, int seed, uint expected) =>
        Assert.Equal(expected, AnomalyExperiment.SplitKey(row, seed));

    /// <summary>The held-out rows the CLI uses for the CSV (20 %, split seed 0).</summary>
    private static Matrix TestRows(string csv) =>
        DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0).Test!.Images;

    /// <summary>Decodes a PNG with SkiaSharp into grey bytes (the red channel; the pictures are grey where images are drawn).</summary>
    private static (int Width, int Height, byte[] Pixels) ReadGreyPng(string path)
    {
        var png = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        var pixels = new byte[bitmap.Width * bitmap.Height];
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++) pixels[y * bitmap.Width + x] = bitmap.GetPixel(x, y).Red;
        return (bitmap.Width, bitmap.Height, pixels);
    }

    private static byte Grey(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);

    /// <summary>Asserts the 4×4 image drawn with each pixel a <paramref name="scale"/>² block from (x0, y0) shows <paramref name="image"/>.</summary>
    private static void AssertTile((int Width, int Height, byte[] Pixels) png, int x0, int y0, ReadOnlySpan<float> image, int scale = 1)
    {
        for (int y = 0; y < 4 * scale; y++)
            for (int x = 0; x < 4 * scale; x++)
                Assert.Equal(Grey(image[y / scale * 4 + x / scale]), png.Pixels[(y0 + y) * png.Width + x0 + x]);
    }

    [Fact]
    public void Pca_OnCsv_ReportsTimeExplainedVarianceAndTheTestErrorOfTheCorePca()
    {
        var csv = WriteCsv(1f);
        var (code, stdout) = Run("pca", "--dataset", csv, "--label-column", "label", "--components", "3", "--threads", "1", "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.True((double)json["seconds"]! >= 0);
        var ratios = json["explainedVarianceRatio"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(3, ratios.Length);
        Assert.True(ratios[0] >= ratios[1] && ratios[1] >= ratios[2] && ratios[2] > 0, string.Join(", ", ratios));
        Assert.InRange(ratios.Sum(), 0.8, 1.0); // near-rank-3 data
        // The same 3-component PCA fitted by the core library on the training rows gives the same held-out error.
        var data = DatasetResolver.Load(csv, new DatasetLoadOptions { LabelColumn = "label" }).WithTestSplit(0.2, 0);
        var core = PcaModel.Fit(data.Train.Images, new PcaOptions { Components = 3, Solver = PcaSolver.Exact, Threads = 1 });
        Assert.Equal(core.ReconstructionMse(data.Test!.Images), (double)json["testMse"]!, 1e-6);
        for (int i = 0; i < 3; i++) Assert.Equal(core.ExplainedVarianceRatio[i], ratios[i], 1e-5);
    }

    [Fact]
    public void Sample_DecodesPriorDrawsOfAVae_IntoAPngGrid()
    {
        var vae = new VaeTrainer(new VaeOptions { HiddenSizes = new[] { 8 }, LatentSize = 2, Epochs = 2, BatchSize = 32, Seed = 1, Gemm = GemmKind.Managed })
            .Fit(TestData.LowRankData(100, 16));
        var model = Path.Combine(_dir, "vae.mlae");
        vae.Save(model);
        var png = Path.Combine(_dir, "samples.png");
        Assert.Equal(0, Run("sample", "--model", model, "--count", "6", "--seed", "3", "--out", png, "--width", "4", "--height", "4", "--zoom", "1", "--bare").Code);
        var image = ReadGreyPng(png);
        // 6 images → a 3×2 grid of 4×4 tiles with 2-pixel padding: 3·4 + 4·2 wide, 2·4 + 3·2 high.
        Assert.Equal((20, 14), (image.Width, image.Height));
        var expected = vae.Sample(6, seed: 3);
        AssertTile(image, 2, 2, expected.Row(0));
        AssertTile(image, 2 + 2 * 6, 2 + 6, expected.Row(5));

        var grid = Path.Combine(_dir, "manifold.png");
        Assert.Equal(0, Run("sample", "--model", model, "--manifold", "3", "--out", grid, "--width", "4", "--height", "4", "--zoom", "1", "--bare").Code);
        var m = ReadGreyPng(grid);
        Assert.Equal((12, 12), (m.Width, m.Height)); // 3×3 tiles, no padding
        AssertTile(m, 0, 0, vae.Manifold(3).Row(0));

        // An adversarial autoencoder decodes the same prior draws; a plain one does too (with a note that its codes were not trained towards the prior).
        foreach (var kind in new[] { AutoencoderKind.Adversarial, AutoencoderKind.Plain })
        {
            var ae = Path.Combine(_dir, kind + ".mlae");
            var trained = new AutoencoderTrainer(AutoencoderKinds.Apply(kind, new AutoencoderOptions { HiddenSizes = [4], CodeSize = 2, Epochs = 2, BatchSize = 8, Gemm = GemmKind.Managed }))
                .Fit(TestData.LowRankData(40, 16));
            trained.Save(ae);
            var aePng = Path.Combine(_dir, kind + ".png");
            Assert.Equal(0, Run("sample", "--model", ae, "--count", "6", "--seed", "3", "--out", aePng, "--width", "4", "--height", "4", "--zoom", "1", "--bare").Code);
            AssertTile(ReadGreyPng(aePng), 2 + 2 * 6, 2 + 6, trained.Sample(6, seed: 3).Row(5));
        }
        // Not a model file: an error, and no picture.
        var notModel = Path.Combine(_dir, "not-a-model.mlae");
        File.WriteAllText(notModel, "hello");
        var none = Path.Combine(_dir, "none.png");
        Assert.NotEqual(0, Run("sample", "--model", notModel, "--out", none).Code);
        Assert.False(File.Exists(none));
    }

    [Fact]
    public void Map_draws_tsne_maps_of_wide_codes_and_2d_codes_as_they_are()
    {
        var csv = WriteCsv(1f);
        var png = Path.Combine(_dir, "map.png");
        var (code, stdout) = Run("map", "--dataset", csv, "--label-column", "label", "--methods", "pca,ae", "--code", "4", "--hidden", "8",
            "--epochs", "3", "--count", "40", "--perplexity", "5", "--iterations", "300", "--threads", "1", "--out", png, "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.Equal(40, (int)json["count"]!);
        foreach (var name in new[] { "PCA-4", "AE-4" })
        {
            Assert.Equal("tsne", (string)json[name]!["map"]!);
            Assert.InRange((double)json[name]!["trustworthiness"]!, 0.5, 1.0);
            Assert.Contains($"{name}: t-SNE of 40 codes", stdout);
        }
        var (w, h) = PngSize(png);
        Assert.True(w > 1.8 * h, $"two panels side by side and a legend: {w}×{h}");

        // 2-D codes are drawn as they are (no t-SNE); a saved model can be mapped too.
        var model = Path.Combine(_dir, "ae2.mlae");
        Assert.Equal(0, Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "2", "--epochs", "2", "--threads", "1", "--out", model).Code);
        var png2 = Path.Combine(_dir, "codes.png");
        (code, stdout) = Run("map", "--dataset", csv, "--label-column", "label", "--methods", "pca", "--code", "2", "--models", model,
            "--count", "40", "--threads", "1", "--out", png2, "--json");
        Assert.Equal(0, code);
        json = LastJson(stdout);
        Assert.Equal("codes", (string)json["PCA-2"]!["map"]!);
        Assert.Equal("codes", (string)json["AE-2"]!["map"]!);
        Assert.True(File.Exists(png2));

        // Bad input: an unknown method is named; nothing is written.
        var bad = Path.Combine(_dir, "bad.png");
        Assert.NotEqual(0, Run("map", "--dataset", csv, "--label-column", "label", "--methods", "tsne", "--out", bad).Code);
        Assert.False(File.Exists(bad));
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        Assert.Equal(0x89, b[0]);
        return ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]);
    }

    [Fact]
    public void Reconstruct_WritesTestImagesAboveTheirReconstructions()
    {
        var csv = WriteCsv(1f);
        var model = Path.Combine(_dir, "m.mlae");
        Assert.Equal(0, Run("train", "--dataset", csv, "--label-column", "label", "--hidden", "8", "--code", "3", "--epochs", "2", "--threads", "1", "--out", model).Code);
        var png = Path.Combine(_dir, "rec.png");
        // Pixel magnification 2 (--zoom; --scale is the dataset's min-max scaling flag, which the two once shared).
        Assert.Equal(0, Run("reconstruct", "--model", model, "--dataset", csv, "--label-column", "label", "--count", "3", "--out", png,
            "--width", "4", "--height", "4", "--zoom", "2", "--bare").Code);
        var image = ReadGreyPng(png);
        // 3 pairs in one block of 8×8-pixel tiles: originals on the first row of tiles, reconstructions on the second.
        Assert.Equal((3 * 8 + 4 * 2, 2 * 8 + 3 * 2), (image.Width, image.Height));
        var test = TestRows(csv).SliceRows(0, 3);
        var rec = AutoencoderModel.Load(model).Reconstruct(test);
        for (int i = 0; i < 3; i++)
        {
            AssertTile(image, 2 + 10 * i, 2, test.Row(i), scale: 2);
            AssertTile(image, 2 + 10 * i, 12, rec.Row(i), scale: 2);
        }
        Assert.NotEqual(0, Run("reconstruct", "--model", model, "--dataset", csv, "--label-column", "label", "--count", "0", "--out", png).Code);
    }

    [Fact]
    public void Pretrain_OnCsv_DefaultModes_ReportScratchLogRegAndTheConvolutionalEncoder_WithTheStepBudget_AndWriteTheChart()
    {
        var csv = WriteCsv(1f);
        var chart = Path.Combine(_dir, "curves.png");
        var (code, stdout) = Run("pretrain", "--dataset", csv, "--label-column", "label", "--labels", "10,20", "--kinds", "ae", "--seeds", "1",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "2", "--steps", "6", "--batch", "8", "--threads", "1", "--chart", chart, "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        var runs = json["runs"]!.AsArray();
        // Per N, with the default modes: scratch, the logistic-regression baseline on the pixels, and consistency training of
        // the convolutional encoder (the best method measured; 16 values a row read as a 4×4 image), both networks for 6 steps:
        // 3 epochs of 2 batches at N = 10, 2 of 3 at N = 20.
        Assert.Equal(2 * 3, runs.Count);
        Assert.Equal(new[] { "logreg", "meanteacher-conv", "scratch" }, runs.Select(r => (string)r!["mode"]!).Distinct().Order());
        Assert.Equal(new[] { 3, 3, 2, 2 }, runs.Where(r => (string)r!["mode"]! != "logreg").Select(r => (int)r!["epochs"]!));
        Assert.Equal(new[] { 10, 20 }, runs.Select(r => (int)r!["labels"]!).Distinct().Order());
        int testRows = TestRows(csv).Rows;
        foreach (var r in runs)
        {
            double acc = (double)r!["accuracy"]!;
            Assert.Equal(Math.Round(acc * testRows), acc * testRows, 9); // a count of correct test rows
            Assert.True((int)r["epochs"]! >= 1 || (string)r["mode"]! == "logreg");
        }
        var rows = json["rows"]!.AsArray();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, r => Assert.Equal(0, (double)r!["accuracyStd"]!)); // one seed
        Assert.Equal((800, 500), (ReadGreyPng(chart).Width, ReadGreyPng(chart).Height));
    }

    [Fact]
    public void Pretrain_OnATable_DefaultModes_FineTuneThePretrainedEncoder_InsteadOfConvolving()
    {
        // 12 values a row: not a square, so a table (rows one pixel high), where the default is fine-tuning, not a convolution.
        var csv = LabelledCsv.Write(Path.Combine(_dir, "table.csv"), TestData.LowRankData(200, 12), scale: 1f);
        var (code, stdout) = Run("pretrain", "--dataset", csv, "--label-column", "label", "--labels", "10", "--kinds", "ae", "--seeds", "1",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "2", "--steps", "6", "--batch", "8", "--threads", "1", "--json");
        Assert.Equal(0, code);
        Assert.Equal(new[] { "finetune", "logreg", "scratch" }, LastJson(stdout)["runs"]!.AsArray().Select(r => (string)r!["mode"]!).Distinct().Order());
        // Asked for by name, the convolutional mode still runs on the table (a 12×1 image).
        (code, stdout) = Run("pretrain", "--dataset", csv, "--label-column", "label", "--labels", "10", "--kinds", "ae", "--seeds", "1", "--modes", "fixmatch-conv",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "2", "--steps", "6", "--batch", "8", "--threads", "1", "--json");
        Assert.Equal(0, code);
        Assert.Contains("fixmatch-conv", LastJson(stdout)["runs"]!.AsArray().Select(r => (string)r!["mode"]!));
        // The moving-average teacher's mode, and a decay out of range named as typed.
        string[] teacher = ["pretrain", "--dataset", csv, "--label-column", "label", "--labels", "10", "--kinds", "ae", "--seeds", "1", "--modes", "meanteacher-conv",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "2", "--steps", "6", "--batch", "8", "--threads", "1", "--json", "--teacher-decay"];
        (code, stdout) = Run([.. teacher, "0.9"]);
        Assert.Equal(0, code);
        Assert.Contains("meanteacher-conv", LastJson(stdout)["runs"]!.AsArray().Select(r => (string)r!["mode"]!));
        var (failed, _, error) = MlaeProcess.Run([.. teacher, "1"]);
        Assert.NotEqual(0, failed);
        Assert.Contains("--teacher-decay must be in [0, 1)", error);
    }

    [Fact]
    public void Pretrain_JointMode_RunsThroughTheMLNetTrainer_AndScoresHeldOutTrainingRows()
    {
        // 200 rows: labelled draws from rows 0-119, scored on rows 150-199 (never labelled), unlabelled rows 0-199.
        var csv = WriteCsv(1f);
        var (code, stdout) = Run("pretrain", "--dataset", csv, "--label-column", "label", "--test-fraction", "0.01", "--labels", "12", "--kinds", "denoising", "--seeds", "2",
            "--modes", "finetune,discriminative,joint,joint-scratch,vat", "--joint-weight", "0.05", "--vat-epsilon", "0.5", "--unlabelled-batch", "16", "--label-rows", "0-119", "--eval-rows", "150-197",
            "--hidden", "8", "--code", "3", "--pretrain-epochs", "2", "--steps", "0", "--epochs", "4", "--batch", "4", "--threads", "1", "--json");
        Assert.Equal(0, code);
        var json = LastJson(stdout);
        Assert.Equal("MulticlassClassification.Trainers.EncoderClassifier", (string?)json["trainer"]);
        Assert.Equal("train:150-197", (string?)json["scoredOn"]);
        Assert.Equal(120, (int)json["labelledPool"]!);
        var runs = json["runs"]!.AsArray();
        Assert.Equal(2 * 7, runs.Count); // per seed: scratch, the logistic regression on the pixels, 5 modes
        foreach (var r in runs)
        {
            double acc = (double)r!["accuracy"]!;
            Assert.Equal(Math.Round(acc * 48), acc * 48, 9); // a count of correct rows among the 48 scored
        }
        var rows = json["rows"]!.AsArray();
        Assert.Equal(new[] { "discriminative", "finetune", "joint", "joint-scratch", "logreg", "scratch", "vat" }, rows.Select(r => (string)r!["mode"]!).Order());
        Assert.All(rows, r => { Assert.Equal(12, (int)r!["labels"]!); Assert.InRange((double)r["accuracy"]!, 0, 1); Assert.NotNull(r["accuracyStd"]); });

        Assert.NotEqual(0, Run("pretrain", "--dataset", csv, "--label-column", "label", "--kinds", "vae", "--modes", "joint", "--threads", "1").Code);
        Assert.NotEqual(0, Run("pretrain", "--dataset", csv, "--label-column", "label", "--modes", "joint", "--joint-weight", "-1", "--threads", "1").Code);
        Assert.NotEqual(0, Run("pretrain", "--dataset", csv, "--label-column", "label", "--eval-rows", "150-999", "--threads", "1").Code);
    }

    [Theory]
    [InlineData("sparse-l1")]
    [InlineData("sparse-kl")]
    [InlineData("contractive")]
    [InlineData("denoising")]
    [InlineData("dropout")]
    [InlineData("tied")]
    public void Train_Kind_UsesTheSamePresetAsTheMLNetStage(string kind)
    {
        var (code, stdout) = Run("train", "--dataset", WriteCsv(1f), "--label-column", "label", "--kind", kind, "--hidden", "8", "--code", "3",
            "--epochs", "1", "--batch", "32", "--threads", "1", "--json");
        Assert.Equal(0, code);
        var stage = MLNetAutoencoders.MLNet.Stages.AutoencoderEstimator.Options.ForKind(AutoencoderKinds.Parse(kind)).Autoencoder;
        (stage.HiddenSizes, stage.CodeSize) = ([8], 3);
        Assert.Equal(MLNetAutoencoders.Cli.Commands.TrainCommand.Describe(stage), (string?)LastJson(stdout)["variant"]);
    }

    [Fact]
    public void Progress_ToALogFile_HasNoEscapeCodesAndNoWrapping()
    {
        var (code, stdout, stderr) = MlaeProcess.Run(new Dictionary<string, string?> { ["NO_COLOR"] = null },
            "compare", "--dataset", WriteCsv(1f), "--label-column", "label", "--codes", "2", "--methods", "pca,raw", "--folds", "2", "--no-figures");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', stderr + stdout);
        Assert.Contains("compare: 100 %", stderr);
        // The header line is longer than 80 characters and stays one line.
        Assert.Contains(stderr.Split('\n'), line => line.Length > 80 && line.Contains("2-fold stratified CV"));
    }
}
