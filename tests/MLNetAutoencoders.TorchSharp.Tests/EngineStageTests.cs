using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>The ML.NET stages work unchanged when the TorchSharp engine trains: fit, transform, save into ML.NET's zip, load.</summary>
public class EngineStageTests
{
    private sealed class Row
    {
        [VectorType(24)]
        public float[] Features { get; set; } = [];
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("vae")]
    public void TheStageTrainedByTorchSharp_TransformsSavesAndLoadsLikeTheManagedOne(string kind)
    {
        TorchSharpAvailable.Require();
        var ml = new MLContext(seed: 1);
        var x = TestData.LowRankData(300, 24, seed: 4);
        var view = ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Rows).Select(r => new Row { Features = x.Row(r).ToArray() }).ToList());
        IAutoencoder fitted;
        ITransformer model;
        if (kind == "vae")
        {
            var o = new VariationalAutoencoderEstimator.Options
            {
                Seed = 2, Vae = new VaeOptions { HiddenSizes = [12], LatentSize = 3, Epochs = 3, BatchSize = 32, Engine = new TorchSharpEngine() },
            };
            var t = ml.Transforms.EncodeWithVariationalAutoencoder(o).Fit(view);
            (fitted, model) = (t.Model, t);
        }
        else
        {
            var o = AutoencoderEstimator.Options.ForKind(AutoencoderKind.Dropout);
            o.Seed = 2;
            o.Autoencoder.HiddenSizes = [12];
            o.Autoencoder.CodeSize = 3;
            o.Autoencoder.Epochs = 3;
            o.Autoencoder.BatchSize = 32;
            o.Autoencoder.Engine = new TorchSharpEngine();
            var t = ml.Transforms.EncodeWithAutoencoder(o).Fit(view);
            (fitted, model) = (t.Model, t);
        }
        Assert.Equal("torchsharp", fitted.History.Engine);
        Assert.Equal(3, fitted.History.Epochs.Count);
        var codes = model.Transform(view).GetColumn<float[]>("Code").ToArray();
        var direct = fitted.Encode(x);
        for (int r = 0; r < codes.Length; r++) Assert.Equal(direct.Row(r).ToArray(), codes[r]);

        var zip = Path.Combine(Path.GetTempPath(), $"torchsharp-engine-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, view.Schema, zip);
            var again = ml.Model.Load(zip, out _).Transform(view).GetColumn<float[]>("Code").ToArray();
            for (int r = 0; r < codes.Length; r++)
                for (int j = 0; j < 3; j++) Assert.Equal(codes[r][j], again[r][j], 1e-5f);
        }
        finally
        {
            File.Delete(zip);
        }
    }
}
