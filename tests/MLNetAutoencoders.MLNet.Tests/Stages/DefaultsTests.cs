using System.Diagnostics;
using System.Globalization;
using System.Text;
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

    private static string Json<T>(T o) => JsonSerializer.Serialize(o, ModelArchive.JsonOptions);

    [Fact]
    public void Every_shortcut_gives_the_settings_of_its_Options_overload_and_of_ForKind()
    {
        var ml = new MLContext(seed: 1);
        var ae = ml.Transforms.EncodeWithAutoencoder("Code", "Features").Settings;
        var aeOptions = ml.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options()).Settings;
        Assert.Equal(Json(aeOptions.Autoencoder), Json(ae.Autoencoder));
        Assert.Equal(Json(AutoencoderEstimator.Options.ForKind(AutoencoderKinds.Plain).Autoencoder), Json(ae.Autoencoder));
        Assert.Equal((aeOptions.Stacked, aeOptions.FineTuneEpochs), (ae.Stacked, ae.FineTuneEpochs));

        var vae = ml.Transforms.EncodeWithVariationalAutoencoder("Code", "Features").Settings;
        Assert.Equal(Json(new VariationalAutoencoderEstimator.Options().Vae), Json(vae.Vae));
        Assert.Equal((AutoencoderDefaults.VaeEpochs, AutoencoderDefaults.VaeBatchSize), (vae.Vae.Epochs, vae.Vae.BatchSize));

        var pca = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features").Settings;
        Assert.Equal((new ExactPcaEstimator.Options().Rank, new ExactPcaEstimator.Options().Whiten), (pca.Rank, pca.Whiten));
        Assert.Equal(new PcaOptions().Components, pca.Rank);

        var anomaly = ml.AnomalyDetection.Trainers.Autoencoder().Settings;
        var anomalyOptions = new AutoencoderAnomalyEstimator.Options();
        Assert.Equal(Json(anomalyOptions.Autoencoder), Json(anomaly.Autoencoder));
        Assert.Equal(Json(AutoencoderAnomalyEstimator.Options.ForKind(AutoencoderKinds.Plain).Autoencoder), Json(anomaly.Autoencoder));
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, anomaly.Autoencoder.CodeSize);
        Assert.Equal(AutoencoderDefaults.AnomalyCodeSize, AutoencoderAnomalyEstimator.Options.ForKind("vae").Vae!.LatentSize);
        Assert.Equal(anomalyOptions.Contamination, anomaly.Contamination);
    }

    public static TheoryData<string> Kinds() => [.. AutoencoderKinds.All, "vae"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Mlae_train_with_no_settings_trains_what_ForKind_gives(string kind)
    {
        var csv = Csv();
        var path = Path.Combine(_dir, kind + ".mlae");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mlae.dll"), "train", "--dataset", csv, "--label-column", "label", "--kind", kind, "--threads", "1", "--out", path })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr);
        }
        if (kind == "vae")
        {
            var expected = new VariationalAutoencoderEstimator.Options().Vae;
            expected.Threads = 1;
            Assert.Equal(Json(expected), Json(VaeModel.Load(path).Options));
        }
        else
        {
            var expected = AutoencoderEstimator.Options.ForKind(kind).Autoencoder;
            expected.Threads = 1;
            Assert.Equal(Json(expected), Json(AutoencoderModel.Load(path).Options));
        }
    }

    /// <summary>200 rows of 16 values in [0, 1] and a label column.</summary>
    private string Csv()
    {
        var x = TestData.LowRankData(200, 16);
        var sb = new StringBuilder(string.Join(",", Enumerable.Range(0, 16).Select(i => $"f{i}")) + ",label\n");
        for (int i = 0; i < x.Rows; i++)
            sb.Append(string.Join(",", x.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append(',').Append(i % 2).Append('\n');
        var path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
