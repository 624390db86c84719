using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Tests.Data;

/// <summary>An image dataset as an ML.NET view: the pixels and labels of the chosen rows, in order, with the column types the stages and evaluators need.</summary>
public class ImageDataViewsTests
{
    /// <summary>Four 2×3 images whose pixel j of image i is i + j / 10, labelled 0, 1, 2, 1.</summary>
    private static ImageDataset Images(bool labelled = true)
    {
        var m = new Matrix(4, 6);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) m[i, j] = i + j / 10f;
        return new ImageDataset(m, labelled ? [0, 1, 2, 1] : null, 3, 2, "tiny");
    }

    private static float[][] Pixels(IDataView view) => view.GetColumn<float[]>(ImageDataViews.FeaturesColumn).ToArray();

    private static float[] Row(int i) => Enumerable.Range(0, 6).Select(j => i + j / 10f).ToArray();

    [Fact]
    public void The_chosen_rows_come_in_their_order_with_binary_or_class_index_labels()
    {
        var ml = new MLContext(seed: 1);
        var binary = ImageDataViews.Load(ml, Images(), rows: [2, 0, 3]);
        var features = binary.Schema[ImageDataViews.FeaturesColumn].Type;
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 6), features);
        Assert.Equal(BooleanDataViewType.Instance, binary.Schema[ImageDataViews.LabelColumn].Type);
        Assert.Equal([Row(2), Row(0), Row(3)], Pixels(binary));
        Assert.Equal([false, false, true], binary.GetColumn<bool>(ImageDataViews.LabelColumn).ToArray());

        var multiclass = ImageDataViews.Load(ml, Images(), multiclass: true);
        Assert.Equal(NumberDataViewType.UInt32, multiclass.Schema[ImageDataViews.LabelColumn].Type);
        Assert.Equal([0u, 1u, 2u, 1u], multiclass.GetColumn<uint>(ImageDataViews.LabelColumn).ToArray());
        Assert.Equal(Enumerable.Range(0, 4).Select(Row).ToArray(), Pixels(multiclass));
    }

    [Fact]
    public void An_unlabelled_dataset_gives_only_the_pixels()
    {
        var view = ImageDataViews.Load(new MLContext(seed: 1), Images(labelled: false), multiclass: true);
        Assert.Equal([ImageDataViews.FeaturesColumn], view.Schema.Select(c => c.Name).ToArray());
        Assert.Equal(Enumerable.Range(0, 4).Select(Row).ToArray(), Pixels(view));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_row_outside_the_dataset_is_an_error_naming_it_and_the_row_count(int row)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataViews.Load(new MLContext(seed: 1), Images(), rows: [0, row]));
        Assert.Equal("rows", e.ParamName);
        Assert.Equal(row, e.ActualValue);
        Assert.Contains("tiny has 4 rows", e.Message);
    }

    [Fact]
    public void The_anomaly_view_labels_the_anomalous_classes_1_and_the_rest_0()
    {
        var ml = new MLContext(seed: 1);
        var view = ImageDataViews.LoadForAnomalyDetection(ml, Images(), c => c == 1, rows: [1, 2, 3]);
        Assert.Equal(NumberDataViewType.Single, view.Schema[ImageDataViews.LabelColumn].Type);
        Assert.Equal([1f, 0f, 1f], view.GetColumn<float>(ImageDataViews.LabelColumn).ToArray());
        Assert.Equal([Row(1), Row(2), Row(3)], Pixels(view));
        Assert.Equal(4, ImageDataViews.LoadForAnomalyDetection(ml, Images(), c => c == 0).GetColumn<float>(ImageDataViews.LabelColumn).Count());
        var e = Assert.Throws<InvalidOperationException>(() => ImageDataViews.LoadForAnomalyDetection(ml, Images(labelled: false), c => c == 0));
        Assert.Contains("tiny has no labels", e.Message);
    }
}
