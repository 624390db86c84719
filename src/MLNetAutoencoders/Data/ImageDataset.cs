using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>
/// A set of images of one size: one row per image (pixels row-major, normally in [0, 1]) and optional integer class labels
/// (0, 1, …). Data that are not images are held as a Dimension×1 "image".
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Wraps the images (not copied) and labels.</summary>
    /// <exception cref="ArgumentException">Width×Height differs from the column count, or the labels' count or values are wrong.</exception>
    public ImageDataset(Matrix images, int[]? labels, int width, int height, string name = "dataset")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(name);
        if (width <= 0 || height <= 0 || (long)width * height != images.Cols)
            throw new ArgumentException($"{name}: a {width}×{height} image has {(long)width * height} pixels, but the rows have {images.Cols} values.", nameof(width));
        if (labels is not null)
        {
            if (labels.Length != images.Rows)
                throw new ArgumentException($"{name}: {labels.Length} labels for {images.Rows} images.", nameof(labels));
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < 0) throw new ArgumentException($"{name}: label {i} is {labels[i]}; class labels must be ≥ 0.", nameof(labels));
        }
        Images = images;
        Labels = labels;
        Width = width;
        Height = height;
        Name = name;
    }

    /// <summary>A short name used in messages and reports (e.g. "fashion-mnist train", or the file path).</summary>
    public string Name { get; }

    /// <summary>Count×Dimension pixels.</summary>
    public Matrix Images { get; }

    /// <summary>One class label per image, or null when the data are unlabelled.</summary>
    public int[]? Labels { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Number of images.</summary>
    public int Count => Images.Rows;

    /// <summary>Values per image (Width×Height).</summary>
    public int Dimension => Images.Cols;

    /// <summary>True when <see cref="Labels"/> is not null.</summary>
    public bool HasLabels => Labels is not null;

    /// <summary>The labels, or an <see cref="InvalidOperationException"/> naming the dataset when it has none.</summary>
    public int[] RequireLabels() =>
        Labels ?? throw new InvalidOperationException($"{Name} has no labels; a labelled dataset is needed here (for a CSV give the label column).");

    /// <summary>Largest label + 1 (0 without labels or images).</summary>
    public int ClassCount => Labels is { Length: > 0 } l ? l.Max() + 1 : 0;

    /// <summary>Number of images of each class 0..ClassCount-1.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var l in Labels ?? []) counts[l]++;
        return counts;
    }

    /// <summary>A new dataset with copies of the given rows (and their labels), in the given order.</summary>
    public ImageDataset Subset(ReadOnlySpan<int> rows, string? name = null)
    {
        int[]? labels = null;
        if (Labels is not null)
        {
            labels = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++) labels[i] = Labels[rows[i]];
        }
        return new ImageDataset(Images.SelectRows(rows), labels, Width, Height, name ?? Name);
    }

    /// <summary>The first <paramref name="count"/> images (all when count ≥ Count), copied.</summary>
    public ImageDataset Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        return new ImageDataset(Images.SliceRows(0, count), Labels?[..count], Width, Height, Name);
    }

    /// <summary>A seeded random held-out split (see <see cref="DataSplit.Indices"/>); both parts keep the original order.</summary>
    public (ImageDataset Train, ImageDataset Test) Split(double testFraction, int seed)
    {
        var (train, test) = DataSplit.Indices(Count, testFraction, seed);
        return (Subset(train, Name + " (train split)"), Subset(test, Name + " (test split)"));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Count} images of {Width}×{Height}{(HasLabels ? $", {ClassCount} classes" : ", unlabelled")}";
}

/// <summary>Seeded random train/test splits.</summary>
public static class DataSplit
{
    /// <summary>
    /// Splits row indices 0..count-1 at random (seeded): round(count × testFraction) rows, at least 1 and at most count-1,
    /// go to the test part. Both index lists are sorted ascending.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">testFraction not strictly between 0 and 1, or count &lt; 2.</exception>
    public static (int[] Train, int[] Test) Indices(int count, double testFraction, int seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "At least 2 rows are needed to split into train and test.");
        int nTest = Math.Clamp((int)Math.Round(count * testFraction), 1, count - 1);
        var perm = new Rng(seed).Permutation(count);
        var test = perm[..nTest];
        var train = perm[nTest..];
        Array.Sort(test);
        Array.Sort(train);
        return (train, test);
    }

    /// <summary>Splits the rows of a matrix (copies) as <see cref="Indices"/> does.</summary>
    public static (Matrix Train, Matrix Test) Split(Matrix data, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (train, test) = Indices(data.Rows, testFraction, seed);
        return (data.SelectRows(train), data.SelectRows(test));
    }
}
