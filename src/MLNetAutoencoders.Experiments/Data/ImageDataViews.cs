using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;

namespace MLNetAutoencoders.MLNet.Data;

/// <summary>
/// Turns the library's <see cref="ImageDataset"/> into an ML.NET <see cref="IDataView"/>: a column <c>Features</c> of
/// type <c>Vector&lt;Single, Dimension&gt;</c> and, when the dataset has labels, a column <c>Label</c>.
/// </summary>
public static class ImageDataViews
{
    /// <summary>The pixel column: <c>Features</c>.</summary>
    public const string FeaturesColumn = "Features";

    /// <summary>The label column: <c>Label</c>.</summary>
    public const string LabelColumn = "Label";

    /// <summary>
    /// The images (or the chosen <paramref name="rows"/>, in that order) as an in-memory view. The label column is a
    /// <see cref="bool"/> (label == 1) for binary classification, or with <paramref name="multiclass"/> a <see cref="uint"/>
    /// holding the class index, to be mapped with <c>MapValueToKey</c>; there is no label column when the dataset has none.
    /// </summary>
    /// <param name="mlContext">The context whose <c>Data.LoadFromEnumerable</c> builds the view.</param>
    /// <param name="data">The images and optional labels.</param>
    /// <param name="multiclass">Write the label as a class index (<see cref="uint"/>) rather than a <see cref="bool"/>.</param>
    /// <param name="rows">Indices of the rows to take; null = all of them.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the dataset.</exception>
    public static IDataView Load(MLContext mlContext, ImageDataset data, bool multiclass = false, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        var picks = rows ?? Enumerable.Range(0, data.Count).ToArray();
        foreach (int i in picks)
            if ((uint)i >= (uint)data.Count) throw new ArgumentOutOfRangeException(nameof(rows), i, $"{data.Name} has {data.Count} rows.");
        float[] Pixels(int i) => data.Images.Row(i).ToArray();
        int[]? labels = data.Labels;
        if (labels is null) return Load(mlContext, picks.Select(i => new Unlabelled { Features = Pixels(i) }).ToList(), data.Dimension);
        if (multiclass) return Load(mlContext, picks.Select(i => new Multiclass { Features = Pixels(i), Label = (uint)labels[i] }).ToList(), data.Dimension);
        return Load(mlContext, picks.Select(i => new Binary { Features = Pixels(i), Label = labels[i] == 1 }).ToList(), data.Dimension);
    }

    /// <summary>
    /// The chosen rows as a view for anomaly detection: <c>Features</c> and a <see cref="float"/> <c>Label</c> that is 1
    /// where <paramref name="isAnomaly"/> holds for the row's class and 0 elsewhere, as ML.NET's anomaly evaluator wants.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dataset has no labels (the message names it).</exception>
    public static IDataView LoadForAnomalyDetection(MLContext mlContext, ImageDataset data, Func<int, bool> isAnomaly, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(isAnomaly);
        var labels = data.RequireLabels();
        var picks = rows ?? Enumerable.Range(0, data.Count).ToArray();
        return Load(mlContext, picks.Select(i => new Anomaly { Features = data.Images.Row(i).ToArray(), Label = isAnomaly(labels[i]) ? 1f : 0f }).ToList(), data.Dimension);
    }

    private static IDataView Load<TRow>(MLContext mlContext, List<TRow> rows, int dimension) where TRow : Unlabelled
    {
        var schema = SchemaDefinition.Create(typeof(TRow));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimension);
        return mlContext.Data.LoadFromEnumerable(rows, schema);
    }

    private class Unlabelled
    {
        public float[] Features = [];
    }

    private sealed class Binary : Unlabelled
    {
        public bool Label;
    }

    private sealed class Anomaly : Unlabelled
    {
        public float Label;
    }

    private sealed class Multiclass : Unlabelled
    {
        public uint Label;
    }
}
