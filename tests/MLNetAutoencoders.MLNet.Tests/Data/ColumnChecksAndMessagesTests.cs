using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.MLNet.Tests.Stages;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Data;

/// <summary>
/// The input column's checks, word for word: a missing column (listing the columns there are, none when there are
/// none), another type; each row's values (an infinity of either sign, values at the ends of [0, 1], finite values whose
/// sum overflows); a pre-cancelled read of a single row; a read that holds exactly its rows.
/// </summary>
public class ColumnChecksAndMessagesTests
{
    private sealed class ScalarRow { public float Features { get; set; } }

    private static SchemaShape Shape(DataViewSchema schema) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [schema])!;

    [Fact]
    public void A_missing_column_is_named_with_what_was_expected_and_the_columns_there_are()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 5);
        const string expected = "EncodeWithAutoencoder: schema mismatch for input column 'Pixels': expected a known-size vector of Single, got no such column. The input has columns 'Features', 'Label'.";
        var o = SmallAe();
        o.InputColumnName = "Pixels";
        var estimator = ml.Transforms.EncodeWithAutoencoder(o);
        Assert.StartsWith(expected, Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shape(data.Schema))).Message);
        Assert.StartsWith(expected, Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data)).Message);

        // A fitted stage names the width it needs; an empty schema lists no columns.
        var fitted = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ScalarRow>());
        var none = ml.Transforms.DropColumns("Features").Fit(empty).Transform(empty);
        Assert.StartsWith("EncodeWithAutoencoder: schema mismatch for input column 'Features': expected Vector<Single, 12>, got no such column. (Parameter",
            Assert.Throws<ArgumentOutOfRangeException>(() => fitted.GetOutputSchema(none.Schema)).Message);
        Assert.StartsWith("EncodeWithAutoencoder: schema mismatch for input column 'Pixels': expected a known-size vector of Single, got no such column. (Parameter",
            Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(new SchemaShape([]))).Message);
    }

    [Fact]
    public void A_column_of_another_type_says_what_it_is_and_lists_nothing_else()
    {
        var ml = new MLContext(seed: 1);
        var scalar = ml.Data.LoadFromEnumerable(new[] { new ScalarRow { Features = 1 } });
        Assert.StartsWith("Stage: schema mismatch for input column 'Features': expected a known-size vector of Single, got a scalar of Single. (Parameter 'inputSchema')",
            Assert.Throws<ArgumentOutOfRangeException>(() => VectorColumn.Check(scalar.Schema, "Features", "Stage")).Message);
        Assert.StartsWith("Stage: schema mismatch for input column 'Features': expected a known-size vector of Single, got a scalar of Single. (Parameter 'inputSchema')",
            Assert.Throws<ArgumentOutOfRangeException>(() => VectorColumn.Check(Shape(scalar.Schema), "Features", "Stage")).Message);
    }

    [Fact]
    public void Null_schemas_are_refused_naming_them()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 20);
        Assert.Equal("schema", Assert.Throws<ArgumentNullException>(() => ml.Transforms.EncodeWithAutoencoder(SmallAe()).GetOutputSchema(null!)).ParamName);
        Assert.Equal("schema", Assert.Throws<ArgumentNullException>(() => ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data).GetOutputSchema(null!)).ParamName);
    }

    [Fact]
    public void Every_row_value_is_checked_whatever_the_sign_of_an_infinity_and_at_the_ends_of_the_unit_range()
    {
        string Refused(float[] row, bool unitRange)
            => Assert.Throws<ArgumentException>(() => VectorColumn.CheckRow(row, 7, "Stage", "Features", unitRange)).Message;
        Assert.Equal($"Stage: column 'Features', row 7, slot 1 is {float.NegativeInfinity}; every value must be a finite number.", Refused([0.5f, float.NegativeInfinity], unitRange: false));
        Assert.Equal("Stage: column 'Features', row 7, slot 1 is NaN; every value must be a finite number.", Refused([1f, float.NaN, 0f], unitRange: true));
        Assert.Equal("Stage: column 'Features', row 7, slot 2 is 1.5, outside [0, 1], which the cross-entropy loss needs. " +
            "Scale the column first (e.g. mlContext.Transforms.NormalizeMinMax), or train with the squared-error loss.", Refused([0f, 1f, 1.5f], unitRange: true));
        // Finite values whose sum overflows are fine; so are 0 and 1 themselves.
        VectorColumn.CheckRow([3e38f, 3e38f, -1f], 7, "Stage", "Features", unitRange: false);
        VectorColumn.CheckRow([0f, 1f], 7, "Stage", "Features", unitRange: true);
    }

    [Fact]
    public void A_cancelled_read_stops_before_the_first_row_even_of_a_one_row_view()
    {
        var ml = new MLContext(seed: 1);
        Assert.Throws<OperationCanceledException>(() => VectorColumn.ReadAll(View(ml, 1), "Features", "Stage", unitRange: false, new CancellationToken(true)));
    }

    [Fact]
    public void A_read_of_a_view_without_a_row_count_holds_exactly_its_rows()
    {
        var ml = new MLContext(seed: 1);
        var unknown = ml.Data.FilterRowsByMissingValues(View(ml, 100), "Features");
        Assert.Null(unknown.GetRowCount());
        var x = VectorColumn.ReadAll(unknown, "Features", "Stage", unitRange: false);
        Assert.Equal(100 * PixelRow.Width, x.Data.Length);
    }

    [Fact]
    public void Internals_named_in_errors_list_every_parameter_type_and_a_null_catalog_is_refused()
    {
        var e = Assert.Throws<NotSupportedException>(() => MLNetInternals.Construct(typeof(SchemaShape), [typeof(DateTime), typeof(int)], [DateTime.Now, 1]));
        Assert.StartsWith("MLNetAutoencoders.MLNet needs the constructor SchemaShape(DateTime, Int32) of Microsoft.ML", e.Message);
        Assert.Equal("catalog", Assert.Throws<ArgumentNullException>(() => AutoencoderCatalog.EncodeWithAutoencoder(null!, new AutoencoderEstimator.Options())).ParamName);
    }

    [Fact]
    public void The_encoder_classifier_shortcut_passes_its_training_mode()
    {
        var ml = new MLContext(seed: 1);
        var encoder = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(View(ml, 30));
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.EncoderClassifier(encoder, mode: MLNetAutoencoders.Classifiers.EncoderTrainingMode.Joint));
        Assert.Contains("joint mode needs UnlabelledData", e.Message);
    }
}
