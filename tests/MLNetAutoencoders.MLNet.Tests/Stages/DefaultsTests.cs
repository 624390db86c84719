using System.Text.Json;
using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>
/// One default per setting: every catalog shortcut, its Options overload, <c>ForKind</c> and <c>mlae train --kind K</c>
/// give the same settings (compared as the JSON a model file stores).
/// </summary>
public sealed class DefaultsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-defaults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Options as the model file stores them, by their class at run time (AutoencoderOptions or VaeOptions).</summary>
    private static string Json(NetworkOptions o) => JsonSerializer.Serialize(o, o.GetType(), ModelArchive.JsonOptions);

    [Fact]
    public void Every_shortcut_gives_the_settings_of_its_Options_overload_and_of_ForKind()
    {
        var ml = new MLContext(seed: 1);
        var ae = ml.Transforms.EncodeWithAutoencoder("Code", "Features").Settings;
        var aeOptions = ml.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options()).Settings;
        Assert.Equal(Json(aeOptions.Autoencoder), Json(ae.Autoencoder));
        Assert.Equal(Json(AutoencoderEstimator.Options.ForKind(AutoencoderKind.Plain).Autoencoder), Json(ae.Autoencoder));
        Assert.Equal((aeOptions.Stacked, aeOptions.FineTuneEpochs), (ae.Stacked, ae.FineTuneEpochs));

        var vae = ml.Transforms.EncodeWithVariationalAutoencoder("Code", "Features").Settings;
        Assert.Equal(Json(new VariationalAutoencoderEstimator.Options().Vae), Json(vae.Vae));
        Assert.Equal((AutoencoderDefaults.VaeEpochs, AutoencoderDefaults.VaeBatchSize), (vae.Vae.Epochs, vae.Vae.BatchSize));

        var pca = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features").Settings;
        var pcaOptions = new ExactPcaEstimator.Options().Pca;
        Assert.Equal((pcaOptions.Components, pcaOptions.Whiten, pcaOptions.Solver, pcaOptions.Threads), (pca.Pca.Components, pca.Pca.Whiten, pca.Pca.Solver, pca.Pca.Threads));
        Assert.Equal((PcaDefaults.Components, 1), (pca.Pca.Components, pca.Pca.Threads));

        var anomaly = ml.AnomalyDetection.Trainers.Autoencoder().Settings;
        var anomalyOptions = new AutoencoderAnomalyEstimator.Options();
        Assert.Equal(Json(anomalyOptions.Autoencoder), Json(anomaly.Autoencoder));
        Assert.Equal(Json(AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.Plain).Autoencoder), Json(anomaly.Autoencoder));
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, anomaly.Autoencoder.CodeSize);
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKind.Variational).Vae!.LatentSize);
        Assert.Equal(anomalyOptions.Contamination, anomaly.Contamination);
    }

    public static TheoryData<AutoencoderKind> Kinds() => [.. AutoencoderKinds.All];

    /// <summary>
    /// For every kind: the registry's options, the ML.NET stage's and the anomaly trainer's <c>ForKind</c> (less their
    /// own code size) and what <c>mlae train --kind K</c> trains with no settings are the same settings.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mlae_train_with_no_settings_trains_what_ForKind_gives(AutoencoderKind kind)
    {
        var name = AutoencoderKinds.Name(kind);
        var registry = AutoencoderKinds.CreateOptions(kind);
        var anomaly = AutoencoderAnomalyEstimator.Options.ForKind(kind);
        NetworkOptions anomalyNetwork = anomaly.Vae is { } av ? av : anomaly.Autoencoder;
        if (anomalyNetwork is VaeOptions vaeAnomaly) vaeAnomaly.LatentSize = ((VaeOptions)registry).LatentSize;
        else ((AutoencoderOptions)anomalyNetwork).CodeSize = ((AutoencoderOptions)registry).CodeSize;
        Assert.Equal(Json(registry), Json(anomalyNetwork));
        Assert.Equal(kind == AutoencoderKind.Stacked, anomaly.Stacked);
        if (registry is VaeOptions vaeRegistry)
        {
            Assert.Equal(Json(new VariationalAutoencoderEstimator.Options().Vae), Json(vaeRegistry));
            Assert.Throws<ArgumentException>(() => AutoencoderEstimator.Options.ForKind(kind));
        }
        else
        {
            var stage = AutoencoderEstimator.Options.ForKind(kind);
            Assert.Equal(Json(registry), Json(stage.Autoencoder));
            Assert.Equal(kind == AutoencoderKind.Stacked, stage.Stacked);
        }

        var csv = Csv(kind == AutoencoderKind.Convolutional ? 64 : 16);
        var path = Path.Combine(_dir, name + ".mlae");
        var (code, _, stderr) = MlaeProcess.Run("train", "--dataset", csv, "--label-column", "label", "--kind", name, "--threads", "1", "--out", path);
        Assert.True(code == 0, stderr);
        registry.Threads = 1;
        if (registry is AutoencoderOptions { Conv: { } conv }) conv.ImageShape = [1, 8, 8]; // the CLI reads the shape from the data
        NetworkOptions saved = kind == AutoencoderKind.Variational ? VaeModel.Load(path).Options : AutoencoderModel.Load(path).Options;
        Assert.Equal(Json(registry), Json(saved));
    }

    /// <summary>200 rows of <paramref name="width"/> values in [0, 1] (64: an 8 × 8 image) and a label column.</summary>
    private string Csv(int width = 16) =>
        LabelledCsv.Write(Path.Combine(_dir, $"data{width}.csv"), TestData.LowRankData(200, width));
}
