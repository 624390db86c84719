using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>
/// Every stage option is checked when the estimator is made, and each error names the stage and the option; the
/// user's own modules get the stage's seed and are refused where they cannot work (stacking, streaming).
/// </summary>
public class StageOptionChecksTests
{
    /// <summary>The user's modules as the stage sees them: records the options it was given and trains the built-in network.</summary>
    private sealed class RecordingModules : IAutoencoderModules
    {
        public AutoencoderOptions? Given;

        public IAutoencoder Fit(AutoencoderOptions options, Matrix data, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
        {
            Given = options;
            var plain = options.Clone();
            plain.Modules = null;
            return new AutoencoderTrainer(plain).Fit(data, progress, cancellationToken);
        }
    }

    private static void AssertRefused<TException>(Action make, string option, string message) where TException : ArgumentException
    {
        var e = Assert.Throws<TException>(make);
        Assert.Equal(option, e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Empty_column_names_are_refused_naming_the_option()
    {
        var ml = new MLContext(seed: 1);
        foreach (var (set, option) in new (Action<AutoencoderStageOptions>, string)[]
        {
            (o => o.OutputColumnName = " ", "OutputColumnName"),
            (o => o.InputColumnName = "", "InputColumnName"),
            (o => o.ReconstructionColumnName = " ", "ReconstructionColumnName"),
            (o => o.ErrorColumnName = "", "ErrorColumnName"),
        })
        {
            var ae = SmallAe();
            set(ae);
            AssertRefused<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(ae), option, $"EncodeWithAutoencoder: {option} must be");
            var vae = SmallVae();
            set(vae);
            AssertRefused<ArgumentException>(() => ml.Transforms.EncodeWithVariationalAutoencoder(vae), option, $"EncodeWithVariationalAutoencoder: {option} must be");
        }
        var o = SmallAe();
        o.ReconstructionColumnName = "Error";
        o.ErrorColumnName = "Error";
        AssertRefused<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(o), "OutputColumnName", "(Code, Error, Error) must have distinct names");
    }

    [Fact]
    public void Fine_tuning_epochs_streaming_and_PCA_settings_out_of_range_are_refused_naming_them()
    {
        var ml = new MLContext(seed: 1);
        foreach (int epochs in new[] { -1, 10001 })
        {
            var o = SmallAe(AutoencoderKind.Stacked);
            o.FineTuneEpochs = epochs;
            AssertRefused<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithAutoencoder(o), "FineTuneEpochs", "FineTuneEpochs must be in 0–10000");
        }
        var edge = SmallAe(AutoencoderKind.Stacked);
        edge.FineTuneEpochs = 10000;
        Assert.Equal(10000, ml.Transforms.EncodeWithAutoencoder(edge).Settings.FineTuneEpochs);

        var mode = SmallAe();
        mode.Streaming.Mode = (TrainingDataMode)7;
        AssertRefused<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithAutoencoder(mode), "Mode", "EncodeWithAutoencoder: unknown Streaming.Mode");
        var none = SmallVae();
        none.Streaming = null!;
        AssertRefused<ArgumentNullException>(() => ml.Transforms.EncodeWithVariationalAutoencoder(none), "Streaming", "EncodeWithVariationalAutoencoder: Streaming must be set");
        // The anomaly trainer's streaming is the same option, checked once and named after the trainer.
        var anomaly = new AutoencoderAnomalyEstimator.Options();
        anomaly.Streaming.InMemoryLimitMegabytes = -1;
        AssertRefused<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(anomaly), "InMemoryLimitMegabytes",
            "AnomalyDetection.Trainers.Autoencoder: Streaming.InMemoryLimitMegabytes must be ≥ 0");
        anomaly.Streaming = null!;
        AssertRefused<ArgumentNullException>(() => ml.AnomalyDetection.Trainers.Autoencoder(anomaly), "Streaming", "AnomalyDetection.Trainers.Autoencoder: Streaming must be set");

        AssertRefused<ArgumentException>(() => ml.Transforms.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options { OutputColumnName = " " }),
            "options", "ProjectToExactPrincipalComponents: OutputColumnName must be a column name");
        AssertRefused<ArgumentException>(() => ml.Transforms.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options { InputColumnName = "" }),
            "options", "ProjectToExactPrincipalComponents: InputColumnName must be a column name");
        AssertRefused<ArgumentOutOfRangeException>(() => ml.Transforms.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options { Pca = new() { Threads = 0 } }),
            "Threads", "ProjectToExactPrincipalComponents: Pca.Threads must be ≥ 1");
        Assert.Equal(1, ml.Transforms.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options { Pca = new() { Threads = 1 } }).Settings.Pca.Threads);
    }

    [Fact]
    public void A_PCA_rank_above_the_rows_or_the_width_is_refused_at_Fit_naming_both()
    {
        var ml = new MLContext(seed: 1);
        var wide = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 13);
        AssertRefused<ArgumentOutOfRangeException>(() => wide.Fit(View(ml, 40)), "Components", "Pca.Components 13 exceeds min(rows 40, width 12)");
        var few = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 6);
        AssertRefused<ArgumentOutOfRangeException>(() => few.Fit(View(ml, 5)), "Components", "Pca.Components 6 exceeds min(rows 5, width 12)");
        var exact = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 5).Fit(View(ml, 5));
        Assert.Equal(5, exact.Model.ComponentCount);
    }

    [Fact]
    public void The_users_modules_train_with_the_stages_seed_but_not_stacked_nor_streaming()
    {
        var ml = new MLContext(seed: 1);
        var modules = new RecordingModules();
        var o = SmallAe(seed: 42);
        o.Autoencoder.Modules = modules;
        var model = ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml, 60));
        Assert.Equal(42, modules.Given!.Seed);
        Assert.Same(modules, modules.Given.Modules);
        Assert.Equal(3, model.Model.CodeSize);

        var stacked = SmallAe(AutoencoderKind.Stacked);
        stacked.Autoencoder.Modules = modules;
        AssertRefused<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(stacked), "Stacked", "it cannot be combined with Autoencoder.Modules");

        var streamed = SmallAe();
        streamed.Autoencoder.Modules = modules;
        streamed.Streaming.Mode = TrainingDataMode.Streaming;
        var e = Assert.Throws<NotSupportedException>(() => ml.Transforms.EncodeWithAutoencoder(streamed).Fit(View(ml, 60)));
        Assert.Contains("EncodeWithAutoencoder: the user's own modules (Autoencoder.Modules) train on rows held in memory", e.Message);
    }

    [Fact]
    public void A_stage_made_from_a_model_names_itself_after_the_models_kind()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 60);
        var vae = ml.Transforms.EncodeWithVariationalAutoencoder(SmallVae()).Fit(data).Model;
        var ae = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data).Model;
        Assert.Equal("EncodeWithVariationalAutoencoder", AutoencoderTransformer.FromModel(vae).StageName);
        var plain = AutoencoderTransformer.FromModel(ae, "Features", "Z");
        Assert.Equal("EncodeWithAutoencoder", plain.StageName);
        Assert.Equal(("Features", "Z", 12), (plain.InputColumnName, plain.CodeColumnName, plain.InputSize));
        Assert.Null(plain.ReconstructionColumnName);
        Assert.Null(plain.ErrorColumnName);
        AssertClose(Column(ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data).Transform(data), "Code"), Column(plain.Transform(data), "Z"), 0f, "FromModel");
        Assert.Throws<ArgumentNullException>(() => AutoencoderTransformer.FromModel(null!));
        AssertRefused<ArgumentException>(() => AutoencoderTransformer.FromModel(ae, " "), "inputColumnName", "");
        AssertRefused<ArgumentException>(() => AutoencoderTransformer.FromModel(ae, "Features", ""), "codeColumnName", "");
    }
}
