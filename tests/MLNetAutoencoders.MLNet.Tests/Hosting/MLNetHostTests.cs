using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.MLNet.Tests.Hosting;

/// <summary>What a stage takes from its MLContext (seeds, the log) and the schema shapes it declares.</summary>
public class MLNetHostTests
{
    private sealed class TextRow { public string Label { get; set; } = ""; }

    internal static SchemaShape Shape(DataViewSchema schema) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [schema])!;

    [Fact]
    public void A_given_seed_is_kept_bit_for_bit_and_a_null_one_follows_the_context()
    {
        var ml = new MLContext(seed: 1);
        var host = new MLNetHost(ml, "Stage");
        Assert.Equal("Stage", host.Name);
        Assert.Equal(7, host.Seed(7));
        Assert.Equal(0, host.Seed(0));
        Assert.Equal(-1, host.Seed(-1));
        Assert.Equal(int.MinValue, host.Seed(int.MinValue));
        int[] Draws(int contextSeed)
        {
            var h = new MLNetHost(new MLContext(seed: contextSeed), "Stage");
            return [h.Seed(null), h.Seed(null), h.Seed(null)];
        }
        Assert.Equal(Draws(3), Draws(3));
        Assert.NotEqual(Draws(3), Draws(4));
        Assert.Equal(3, Draws(3).Distinct().Count());
        Assert.Throws<ArgumentNullException>(() => new MLNetHost(null!, "Stage"));
    }

    [Fact]
    public void Each_epoch_goes_to_the_log_with_its_losses_and_to_the_users_progress()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("Stage")) lock (log) log.Add(e.Message); };
        var seen = new List<EpochReport>();
        var host = new MLNetHost(ml, "Stage");
        var sink = host.EpochLog("Stage", new SyncProgress<EpochReport>(seen.Add));
        var first = new EpochReport(1, 2, 0.5, null, 1.25);
        var second = new EpochReport(2, 2, 0.125, 0.0625, 0.5);
        sink.Report(first);
        sink.Report(second);
        Assert.Equal([first, second], seen);
        Assert.Contains(log, m => m.EndsWith("] Stage: epoch 1/2, training loss 0.5 (1.25 s)"));   // after ML.NET's [Source=…] prefix
        Assert.Contains(log, m => m.EndsWith("] Stage: epoch 2/2, training loss 0.125, validation loss 0.0625 (0.50 s)"));
        host.EpochLog("Stage", null).Report(first);   // no user progress: only the log
        Assert.Equal(2, seen.Count);
        Assert.Equal(2, log.Count(m => m.Contains("] Stage: epoch 1/2,")));
    }

    [Fact]
    public void The_declared_columns_have_their_kind_type_and_key_annotations_and_an_added_column_replaces_its_namesake()
    {
        var flag = SchemaShapes.BooleanColumn("Flag");
        Assert.Equal(("Flag", SchemaShape.Column.VectorKind.Scalar, (DataViewType)BooleanDataViewType.Instance, false), (flag.Name, flag.Kind, flag.ItemType, flag.IsKey));
        var score = SchemaShapes.SingleColumn("Score", vector: false);
        Assert.Equal((SchemaShape.Column.VectorKind.Scalar, (DataViewType)NumberDataViewType.Single), (score.Kind, score.ItemType));

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Label = "a" }, new TextRow { Label = "b" } });
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").GetOutputSchema(Shape(data.Schema));
        var key = SchemaShapes.KeyColumn("Predicted", keyed.Single(c => c.Name == "Label"));
        Assert.True(key.IsKey);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, key.Kind);
        Assert.Equal(NumberDataViewType.UInt32, key.ItemType);
        Assert.Contains(key.Annotations, a => a.Name == "KeyValues");

        var input = Shape(data.Schema);
        var appended = SchemaShapes.Append(input, [SchemaShapes.SingleColumn("Label", vector: true), flag]);
        Assert.Equal(["Label", "Flag"], appended.Select(c => c.Name).ToArray());
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, appended.Single(c => c.Name == "Label").Kind);
    }
}
