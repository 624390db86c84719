using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Hosting;

namespace MLNetAutoencoders.MLNet.Tests.Hosting;

/// <summary>The one place that reaches into ML.NET's internals: it works on the Microsoft.ML this run uses, and a
/// missing internal is an error naming the loaded version.</summary>
public class MLNetInternalsTests
{
    [Fact]
    public void LoadedVersion_IsTheMicrosoftMLPackageVersionOfThisBuild()
    {
        // The test project is built against 6.0.0, and again against 5.0.1 with -p:MicrosoftMLVersion=5.0.1.
        Assert.Contains(MLNetInternals.LoadedVersion, new[] { "5.0.1", "6.0.0" });
        Assert.Contains(MLNetInternals.LoadedVersion, MLNetInternals.TestedVersions);
    }

    [Fact]
    public void EveryInternal_IsReachable_OnThisMicrosoftML()
    {
        var ml = new MLContext(seed: 1);
        var environment = MLNetInternals.Environment(ml.Transforms);
        Assert.Same(environment, MLNetInternals.Environment(ml.AnomalyDetection.Trainers));   // one context, one environment
        Assert.NotSame(environment, MLNetInternals.Environment(new MLContext(seed: 1).Transforms));
        var column = SchemaShapes.SingleColumn("Code", vector: true);
        Assert.Equal("Code", column.Name);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.Equal(NumberDataViewType.Single, column.ItemType);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Raw", new VectorDataViewType(NumberDataViewType.Single, 1));
        var threshold = NativePredictors.Threshold(ml, schema.ToSchema(), "Raw", 0.5f);
        Assert.Equal("BinaryPredictionTransformer`1", threshold.GetType().Name);
    }

    [Fact]
    public void AMissingConstructor_IsAnErrorNamingTheLoadedVersion()
    {
        var e = Assert.Throws<NotSupportedException>(() => MLNetInternals.Construct(typeof(SchemaShape), [typeof(DateTime)], [DateTime.Now]));
        Assert.Equal(
            $"MLNetAutoencoders.MLNet needs the constructor SchemaShape(DateTime) of Microsoft.ML, which the loaded Microsoft.ML " +
            $"{MLNetInternals.LoadedVersion} does not have (it is tested with Microsoft.ML 5.0.1 and 6.0.0); reference one of those versions.",
            e.Message);
    }

    [Fact]
    public void ACatalogWithoutAnEnvironment_IsAnErrorNamingTheLoadedVersion()
    {
        var e = Assert.Throws<NotSupportedException>(() => MLNetInternals.Environment(new object()));
        Assert.Contains("the environment behind Object", e.Message);
        Assert.Contains($"Microsoft.ML {MLNetInternals.LoadedVersion}", e.Message);
    }
}
