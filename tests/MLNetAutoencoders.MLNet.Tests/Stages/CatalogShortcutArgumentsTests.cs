using Microsoft.ML;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>Each catalog shortcut passes every argument into its options; the input column defaults to the output column's name, as ML.NET's own shortcuts do; arrays are copied.</summary>
public class CatalogShortcutArgumentsTests
{
    [Fact]
    public void The_autoencoder_shortcuts_pass_columns_sizes_epochs_and_seed_and_copy_the_hidden_sizes()
    {
        var ml = new MLContext(seed: 1);
        int[] hidden = [9, 5];
        var ae = ml.Transforms.EncodeWithAutoencoder("Z", "Pixels", codeSize: 4, hiddenSizes: hidden, epochs: 7, seed: 11).Settings;
        var vae = ml.Transforms.EncodeWithVariationalAutoencoder("Z", "Pixels", codeSize: 4, hiddenSizes: hidden, epochs: 7, seed: 11).Settings;
        hidden[0] = 1;
        Assert.Equal(("Z", "Pixels", 11), (ae.OutputColumnName, ae.InputColumnName, ae.Seed));
        Assert.Equal((4, 7), (ae.Autoencoder.CodeSize, ae.Autoencoder.Epochs));
        Assert.Equal([9, 5], ae.Autoencoder.HiddenSizes);
        Assert.Equal(("Z", "Pixels", 11), (vae.OutputColumnName, vae.InputColumnName, vae.Seed));
        Assert.Equal((4, 7), (vae.Vae.LatentSize, vae.Vae.Epochs));
        Assert.Equal([9, 5], vae.Vae.HiddenSizes);

        Assert.Equal("Features", ml.Transforms.EncodeWithAutoencoder("Features").Settings.InputColumnName);
        Assert.Equal("Features", ml.Transforms.EncodeWithVariationalAutoencoder("Features").Settings.InputColumnName);
        Assert.Null(ml.Transforms.EncodeWithAutoencoder("Features").Settings.Seed);
    }

    [Fact]
    public void The_PCA_and_anomaly_shortcuts_pass_their_arguments()
    {
        var ml = new MLContext(seed: 1);
        var pca = ml.Transforms.ProjectToExactPrincipalComponents("Z", "Pixels", rank: 3, whiten: true, seed: 5).Settings;
        Assert.Equal(("Z", "Pixels", 3, true, 5), (pca.OutputColumnName, pca.InputColumnName, pca.Pca.Components, pca.Pca.Whiten, pca.Seed));
        Assert.Equal("Features", ml.Transforms.ProjectToExactPrincipalComponents("Features").Settings.InputColumnName);

        int[] hidden = [6];
        var anomaly = ml.AnomalyDetection.Trainers.Autoencoder("Pixels", codeSize: 2, hiddenSizes: hidden, epochs: 3, seed: 9).Settings;
        hidden[0] = 1;
        Assert.Equal(("Pixels", 9), (anomaly.FeatureColumnName, anomaly.Seed));
        Assert.Equal((2, 3), (anomaly.Autoencoder.CodeSize, anomaly.Autoencoder.Epochs));
        Assert.Equal([6], anomaly.Autoencoder.HiddenSizes);

        var e = Assert.Throws<ArgumentNullException>(() => ml.MulticlassClassification.Trainers.EncoderClassifier(encoder: null!));
        Assert.Equal("encoder", e.ParamName);
    }
}
