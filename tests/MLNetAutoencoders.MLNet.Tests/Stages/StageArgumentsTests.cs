using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Pca;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>
/// Null arguments and null or invalid nested options are refused when the estimator is made (or the method called)
/// with an exception naming the parameter, not a <see cref="NullReferenceException"/> later; the settings each stage
/// reads from its options (stacking, the likelihood's input range, the declared output columns) take effect.
/// </summary>
public class StageArgumentsTests
{
    private static void AssertNull(Action call, string parameter)
        => Assert.Equal(parameter, Assert.Throws<ArgumentNullException>(call).ParamName);

    [Fact]
    public void Null_options_and_null_nested_options_are_refused_naming_them()
    {
        var ml = new MLContext(seed: 1);
        AssertNull(() => ml.Transforms.EncodeWithAutoencoder((AutoencoderEstimator.Options)null!), "options");
        AssertNull(() => ml.Transforms.EncodeWithVariationalAutoencoder((VariationalAutoencoderEstimator.Options)null!), "options");
        AssertNull(() => ml.Transforms.ProjectToExactPrincipalComponents((ExactPcaEstimator.Options)null!), "options");

        var ae = SmallAe();
        ae.Autoencoder = null!;
        AssertNull(() => ml.Transforms.EncodeWithAutoencoder(ae), "Autoencoder");
        var vae = SmallVae();
        vae.Vae = null!;
        AssertNull(() => ml.Transforms.EncodeWithVariationalAutoencoder(vae), "Vae");
        AssertNull(() => ml.Transforms.ProjectToExactPrincipalComponents(new ExactPcaEstimator.Options { Pca = null! }), "Pca");
    }

    [Fact]
    public void Null_views_schemas_and_rows_are_refused_naming_the_parameter()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 40);
        AssertNull(() => ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(null!), "input");
        var fitted = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data);
        AssertNull(() => fitted.Transform(null!), "input");
        AssertNull(() => fitted.GetRowToRowMapper(null!), "inputSchema");
        var mapper = fitted.GetRowToRowMapper(data.Schema);
        AssertNull(() => mapper.GetRow(null!, mapper.OutputSchema), "input");
        AssertNull(() => ((ICanSaveModel)fitted).Save(null!), "ctx");
    }

    [Fact]
    public void Invalid_VAE_and_PCA_settings_are_refused_when_the_estimator_is_made_not_at_Fit()
    {
        var ml = new MLContext(seed: 1);
        var vae = SmallVae();
        vae.Vae.LatentSize = 0;
        Assert.Equal("LatentSize", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.EncodeWithVariationalAutoencoder(vae)).ParamName);
        var pca = new ExactPcaEstimator.Options { Pca = new PcaOptions { Components = 0, Threads = 1 } };
        Assert.Equal("Components", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ProjectToExactPrincipalComponents(pca)).ParamName);
    }

    [Fact]
    public void Zero_fine_tuning_epochs_are_allowed_for_a_stacked_stage()
    {
        var ml = new MLContext(seed: 1);
        var o = SmallAe(AutoencoderKind.Stacked);
        o.FineTuneEpochs = 0;
        Assert.Equal(0, ml.Transforms.EncodeWithAutoencoder(o).Settings.FineTuneEpochs);
    }

    [Fact]
    public void A_stacked_stage_trains_the_stacked_autoencoder_of_the_core_library_with_the_stages_seed()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 120);
        var o = SmallAe(AutoencoderKind.Stacked, seed: 5);
        var stage = ml.Transforms.EncodeWithAutoencoder(o).Fit(data).Model;
        var core = o.Autoencoder.Clone();
        core.Seed = 5;
        var expected = AutoencoderKinds.Fit(AutoencoderKind.Stacked, core, Matrix(Rows(120, 1)), null, default, o.FineTuneEpochs);
        var plain = AutoencoderKinds.Fit(AutoencoderKind.Plain, core, Matrix(Rows(120, 1)), null, default, o.FineTuneEpochs);
        var x = Matrix(Rows(50, 9));
        AssertClose(Rows(expected.Encode(x)), Rows(stage.Encode(x)), 0f, "stacked stage against the core's stacked trainer");
        Assert.NotEqual(Rows(plain.Encode(x))[0], Rows(stage.Encode(x))[0]);

        // Streamed rows go to the same greedy trainer (the stream's own shuffle makes other numbers, so compare histories' lengths).
        o.Streaming.Mode = TrainingDataMode.Streaming;
        var streamed = ml.Transforms.EncodeWithAutoencoder(o).Fit(data).Model;
        Assert.Equal(expected.History.Epochs.Count, streamed.History.Epochs.Count);
        Assert.NotEqual(plain.History.Epochs.Count, streamed.History.Epochs.Count);
    }

    [Fact]
    public void The_VAEs_Bernoulli_likelihood_needs_unit_range_inputs_and_the_Gaussian_one_does_not()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(60, 1);
        rows[7].Features[2] = 3f;
        var data = ml.Data.LoadFromEnumerable(rows);
        var bernoulli = SmallVae();
        bernoulli.Vae.Likelihood = VaeLikelihood.Bernoulli;
        var e = Assert.Throws<ArgumentException>(() => ml.Transforms.EncodeWithVariationalAutoencoder(bernoulli).Fit(data));
        Assert.Contains("row 7", e.Message);
        var gaussian = SmallVae();
        gaussian.Vae.Likelihood = VaeLikelihood.Gaussian;
        Assert.Equal(3, ml.Transforms.EncodeWithVariationalAutoencoder(gaussian).Fit(data).Model.CodeSize);
        // PCA takes any finite values.
        Assert.Equal(2, ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 2).Fit(data).Model.ComponentCount);
    }

    [Fact]
    public void The_schema_shape_lists_the_reconstruction_and_error_columns_only_when_asked_for()
    {
        var ml = new MLContext(seed: 1);
        // SchemaShape.Create is internal to ML.NET.
        var shape = (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .Invoke(null, [View(ml, 5).Schema])!;
        string[] Added(AutoencoderEstimator.Options o)
            => ml.Transforms.EncodeWithAutoencoder(o).GetOutputSchema(shape).Select(c => c.Name).Except(["Features", "Label"]).ToArray();
        Assert.Equal(["Code"], Added(SmallAe()));
        var both = SmallAe();
        both.ReconstructionColumnName = "Reconstruction";
        both.ErrorColumnName = "Error";
        var columns = ml.Transforms.EncodeWithAutoencoder(both).GetOutputSchema(shape);
        Assert.Equal(["Code", "Error", "Reconstruction"], Added(both).Order().ToArray());
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, columns.Single(c => c.Name == "Error").Kind);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, columns.Single(c => c.Name == "Reconstruction").Kind);

        var missing = new SchemaShape([]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 2).GetOutputSchema(missing));
        Assert.Contains("ProjectToExactPrincipalComponents", e.Message);
        Assert.Contains("Features", e.Message);
    }

    [Fact]
    public void The_PCA_stage_logs_the_share_of_the_variance_its_components_explain()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(ExactPcaEstimator.StageName)) lock (log) log.Add(StreamingDecisionLogTests.Text(e.Message)); };
        var model = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 3).Fit(View(ml, 80)).Model;
        double explained = model.ExplainedVarianceRatio.Sum();
        Assert.True(model.ExplainedVarianceRatio.Max() < explained - 0.01, "the test needs components that add up to more than the first");
        string expected = FormattableString.Invariant($"ProjectToExactPrincipalComponents: 3 components explain {explained:P2} of the variance.");
        Assert.Contains(expected, log);
    }
}
