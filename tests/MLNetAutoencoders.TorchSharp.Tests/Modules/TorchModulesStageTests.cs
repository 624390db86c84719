using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>A user's own TorchSharp modules as the ML.NET autoencoder stage: fit, transform, save into ML.NET's zip, load.</summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesStageTests
{
    private sealed class ImageRow
    {
        [VectorType(144)]
        public float[] Features { get; set; } = [];
    }

    private static IDataView View(MLContext ml, Matrix x)
        => ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Rows).Select(r => new ImageRow { Features = x.Row(r).ToArray() }).ToList());

    private static AutoencoderEstimator.Options ConvStage() => new()
    {
        Seed = 2,
        ReconstructionColumnName = "Reconstruction",
        ErrorColumnName = "Error",
        Autoencoder = new AutoencoderOptions
        {
            Modules = new TorchModules(TorchOnnxExportTests.ConvEncoder, TorchOnnxExportTests.ConvDecoder, inputShape: [1, 12, 12]),
            Epochs = 2, BatchSize = 32, LearningRate = 1e-2f,
            Corruption = CorruptionKind.Masking, CorruptionLevel = 0.2f, L1Activity = 1e-3f,
        },
    };

    [Fact]
    public void Fit_Transform_Save_Load_gives_the_same_codes_reconstructions_and_errors()
    {
        TorchSharpAvailable.Require();
        var ml = new MLContext(seed: 1);
        var train = View(ml, TorchModulesTests.Images(400, 1));
        var testImages = TorchModulesTests.Images(150, 2);
        var test = View(ml, testImages);
        var model = ml.Transforms.EncodeWithAutoencoder(ConvStage()).Fit(train);
        var fitted = Assert.IsType<TorchModulesModel>(model.Model);
        var expected = model.Transform(test);
        var codes = expected.GetColumn<float[]>("Code").ToArray();
        Assert.Equal(5, codes[0].Length);
        var direct = fitted.Encode(testImages);
        for (int r = 0; r < codes.Length; r++) Assert.Equal(direct.Row(r).ToArray(), codes[r]);

        var zip = Path.Combine(Path.GetTempPath(), $"torch-modules-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, zip);
            var loaded = ml.Model.Load(zip, out _);
            Assert.Equal("OnnxTransformer", loaded.GetType().Name);
            var again = loaded.Transform(test);
            AssertClose(codes, again.GetColumn<float[]>("Code").ToArray(), "codes after Load");
            AssertClose(expected.GetColumn<float[]>("Reconstruction").ToArray(), again.GetColumn<float[]>("Reconstruction").ToArray(), "reconstructions after Load");
            AssertClose(expected.GetColumn<float>("Error").Select(e => new[] { e }).ToArray(), again.GetColumn<float[]>("Error").ToArray(), "errors after Load");
        }
        finally { File.Delete(zip); }
    }

    [Fact]
    public void A_layer_outside_the_list_is_an_error_at_Fit_and_Stacked_is_refused_when_made()
    {
        TorchSharpAvailable.Require();
        var ml = new MLContext(seed: 1);
        var o = ConvStage();
        o.Autoencoder.Modules = new TorchModules(() => nn.Sequential(nn.Flatten(), nn.Linear(144, 4), nn.Hardtanh()), () => nn.Linear(4, 144));
        var estimator = ml.Transforms.EncodeWithAutoencoder(o);
        var e = Assert.Throws<NotSupportedException>(() => estimator.Fit(View(ml, TorchModulesTests.Images(50, 1))));
        Assert.Contains("Hardtanh", e.Message);
        Assert.Contains("encoder.2", e.Message);

        var stacked = ConvStage();
        stacked.Stacked = true;
        Assert.Contains("Stacked", Assert.Throws<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(stacked)).Message);
    }

    private static void AssertClose(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r].Length, actual[r].Length);
            for (int c = 0; c < expected[r].Length; c++)
                Assert.True(Math.Abs(expected[r][c] - actual[r][c]) <= 1e-5f, $"{what}: row {r}, value {c}: {actual[r][c]}, expected {expected[r][c]}");
        }
    }
}
