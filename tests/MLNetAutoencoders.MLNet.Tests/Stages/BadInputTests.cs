using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>Bad input gets a clear error that names the column (and the row) and what was expected, before or during Fit.</summary>
public class BadInputTests
{
    private sealed class ScalarRow { public float Features { get; set; } }

    private sealed class TextRow { public string Features { get; set; } = ""; }

    private sealed class VariableRow { public float[] Features { get; set; } = []; }

    private sealed class NarrowRow { [VectorType(5)] public float[] Features { get; set; } = []; }

    private static IEstimator<ITransformer> Stage(MLContext ml) => ml.Transforms.EncodeWithAutoencoder(SmallAe());

    [Fact]
    public void A_missing_column_fails_in_GetOutputSchema_and_Fit_naming_it()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml);
        var o = SmallAe();
        o.InputColumnName = "Pixels";
        var stage = ml.Transforms.EncodeWithAutoencoder(o);
        var shape = (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [data.Schema])!;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => stage.GetOutputSchema(shape));
        Assert.Contains("'Pixels'", e.Message);
        Assert.Contains("no such column", e.Message);
        Assert.Contains("'Features'", e.Message); // lists what there is
        // In a chain, the schema check stops the fit before any stage trains: the first stage reports no epoch.
        var epochs = 0;
        var first = SmallAe();
        first.OutputColumnName = "Code1";
        first.Progress = new SyncProgress<EpochReport>(_ => epochs++);
        var chain = ml.Transforms.EncodeWithAutoencoder(first).Append(stage);
        Assert.Contains("'Pixels'", Assert.Throws<ArgumentOutOfRangeException>(() => chain.Fit(data)).Message);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void Scalar_text_and_variable_size_columns_are_refused_with_what_was_expected()
    {
        var ml = new MLContext(seed: 1);
        var scalar = ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 0.5f } });
        var text = ml.Data.LoadFromEnumerable(new[] { new TextRow { Features = "x" } });
        var variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [0.5f, 0.5f] } });
        foreach (var (data, got) in new[] { (scalar, "a scalar of Single"), (text, "a scalar of String"), (variable, "variable-size vector") })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Stage(ml).Fit(data));
            Assert.Contains("'Features'", e.Message);
            Assert.Contains("known-size vector of Single", e.Message);
            Assert.Contains(got, e.Message);
        }
    }

    [Fact]
    public void An_empty_view_NaN_infinity_and_values_outside_the_unit_range_name_the_row()
    {
        var ml = new MLContext(seed: 1);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => Stage(ml).Fit(empty)).Message);

        foreach (var (value, what) in new[] { (float.NaN, "NaN"), (float.PositiveInfinity, "finite"), (1.5f, "outside [0, 1]") })
        {
            var rows = Rows(100, 1);
            rows[57].Features[3] = value;
            var e = Assert.Throws<ArgumentException>(() => Stage(ml).Fit(ml.Data.LoadFromEnumerable(rows)));
            Assert.Contains("'Features', row 57, slot 3", e.Message);
            Assert.Contains(what, e.Message);
        }

        // Squared error does not need [0, 1].
        var wide = Rows(100, 1);
        wide[57].Features[3] = 1.5f;
        var o = SmallAe();
        o.Autoencoder.Loss = LossKind.SquaredError;
        ml.Transforms.EncodeWithAutoencoder(o).Fit(ml.Data.LoadFromEnumerable(wide));
    }

    [Fact]
    public void Options_out_of_range_fail_when_the_estimator_is_made_naming_the_option()
    {
        var ml = new MLContext(seed: 1);
        var o = SmallAe();
        o.Autoencoder.Epochs = 0;
        Assert.Contains("Epochs", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(o)).Message);
        o = SmallAe();
        o.ErrorColumnName = "Code";
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder(o)).Message);
        Assert.Contains("CodeSize", Assert.ThrowsAny<ArgumentException>(() => ml.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 0)).Message);
        Assert.Contains("EncodeWithAutoencoder: the vae kind is trained by EncodeWithVariationalAutoencoder",
            Assert.Throws<ArgumentException>(() => MLNetAutoencoders.MLNet.Stages.AutoencoderEstimator.Options.ForKind(AutoencoderKind.Variational)).Message);
    }

    [Fact]
    public void A_fitted_stage_refuses_a_column_of_another_width()
    {
        var ml = new MLContext(seed: 1);
        var model = Stage(ml).Fit(View(ml));
        var other = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = [0.5f] } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(other));
        Assert.Contains("Vector<Single, 12>", e.Message);
    }

    [Fact]
    public void A_fitted_stage_refuses_a_vector_of_the_right_type_but_another_width()
    {
        var ml = new MLContext(seed: 1);
        var narrow = ml.Data.LoadFromEnumerable(new[] { new NarrowRow { Features = [0.1f, 0.2f, 0.3f, 0.4f, 0.5f] } });
        foreach (var estimator in new IEstimator<ITransformer>[] { Stage(ml), ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 2) })
        {
            var model = estimator.Fit(View(ml));
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(narrow));
            Assert.Contains("input column 'Features': expected Vector<Single, 12>, got Vector<Single, 5>", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(narrow.Schema));
        }
    }

    [Fact]
    public void Training_that_diverges_stops_with_an_error_that_says_so()
    {
        var ml = new MLContext(seed: 1);
        var o = SmallAe();
        o.Autoencoder.Loss = LossKind.SquaredError;
        o.Autoencoder.Optimizer = OptimizerKind.Sgd;
        o.Autoencoder.LearningRate = 1e12f;
        var e = Assert.Throws<TrainingDivergedException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml)));
        Assert.Contains("diverged", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
