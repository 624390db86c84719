using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Data;

/// <summary>Options for loading a dataset from a file with <see cref="DatasetResolver"/>.</summary>
public sealed class DatasetLoadOptions
{
    /// <summary>CSV: whether the first line is a header (null = detect).</summary>
    public bool? HasHeader { get; init; }

    /// <summary>CSV: the label column, by header name or 0-based index (null = no labels).</summary>
    public string? LabelColumn { get; init; }

    /// <summary>CSV: the feature columns, by header name or 0-based index (null = all but the label and <see cref="Ignore"/>).</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>CSV: columns to leave out, by header name or 0-based index.</summary>
    public IReadOnlyList<string>? Ignore { get; init; }

    /// <summary>
    /// IDX or NPY images: a file of labels (IDX uint8 labels, or a 1-D integer NPY). For an IDX file named
    /// <c>…-images-idx3-ubyte[.gz]</c> the matching <c>…-labels-idx1-ubyte[.gz]</c> beside it is used when this is null.
    /// </summary>
    public string? LabelsPath { get; init; }

    /// <summary>Image width for flat (N×D) data; with <see cref="Height"/>, Width×Height must equal D. Null = a square side when D is a square, else D.</summary>
    public int? Width { get; init; }

    /// <summary>Image height for flat (N×D) data; see <see cref="Width"/>.</summary>
    public int? Height { get; init; }
}

/// <summary>A loaded dataset: its training part and, when the source has one, its test part.</summary>
public sealed class LoadedDataset
{
    /// <summary>The dataset's name (the file path, or the name of a built-in set).</summary>
    public required string Name { get; init; }

    /// <summary>The training images (all images when the source has no split).</summary>
    public required ImageDataset Train { get; init; }

    /// <summary>The test images, or null when the source has no split (see <see cref="WithTestSplit"/>).</summary>
    public ImageDataset? Test { get; init; }

    /// <summary>Class names by label, when known.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>This dataset when it has a test part; otherwise a copy whose train/test parts are a seeded random split of <see cref="Train"/>.</summary>
    public LoadedDataset WithTestSplit(double testFraction, int seed)
    {
        if (Test is not null) return this;
        var (train, test) = Train.Split(testFraction, seed);
        return new LoadedDataset { Name = Name, Train = train, Test = test, ClassNames = ClassNames };
    }
}

/// <summary>
/// Turns a data file into a dataset: IDX images (plain or gzip), NPY (N×D or N×H×W; <c>|u1</c> pixels are divided by 255,
/// other types kept as stored), or CSV (<c>.csv</c>, <c>.txt</c>; <c>.tsv</c> is tab-separated). The format is recognised
/// from the content where it can be (NPY and IDX magic numbers), else from the extension.
/// </summary>
public static class DatasetResolver
{
    /// <summary>Loads a file as a dataset named after its path (no test part).</summary>
    /// <exception cref="FileNotFoundException">The path is not an existing file.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or of an unsupported format.</exception>
    public static LoadedDataset Load(string path, DatasetLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{path} is a directory; give a data file (IDX, NPY or CSV) instead.", path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Dataset file not found: {path}", path);
        var (train, classNames) = LoadFileAndClasses(path, options ?? new DatasetLoadOptions());
        return new LoadedDataset { Name = path, Train = train, ClassNames = classNames };
    }

    /// <summary>Loads one file (IDX, NPY or CSV) as an image dataset named after the path.</summary>
    /// <exception cref="FileNotFoundException">The file (or the labels file) does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, of an unsupported format, or its shape does not fit the options.</exception>
    public static ImageDataset LoadFile(string path, DatasetLoadOptions? options = null) => LoadFileAndClasses(path, options ?? new DatasetLoadOptions()).Data;

    /// <summary>Loads one file, and the class names when its labels are text (a CSV label column of names).</summary>
    private static (ImageDataset Data, IReadOnlyList<string>? ClassNames) LoadFileAndClasses(string path, DatasetLoadOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Dataset file not found: {path}", path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        bool isCsv = ext is ".csv" or ".txt" or ".tsv";
        if (!isCsv && (options.Features is not null || options.Ignore is not null))
            throw new InvalidDataException($"{path}: choosing feature columns (--features, --ignore) is for CSV files (.csv, .txt, .tsv).");

        if (IsNpy(path)) return (LoadNpy(path, options), null);
        if (IdxReader.LooksLikeIdx(path))
        {
            var (pixels, rows, cols) = IdxReader.ReadImages(path);
            return (WithLabels(pixels, cols, rows, options.LabelsPath ?? SiblingIdxLabels(path), path), null);
        }
        if (isCsv)
        {
            var csv = CsvReader.Read(path, new CsvOptions
            {
                HasHeader = options.HasHeader,
                LabelColumn = options.LabelColumn,
                Features = options.Features,
                Ignore = options.Ignore,
                Delimiter = ext == ".tsv" ? '\t' : ',',
            });
            var (w, h) = FlatShape(csv.Features.Cols, options, path);
            return (new ImageDataset(csv.Features, csv.Labels, w, h, path), csv.ClassNames);
        }
        throw new InvalidDataException(
            $"{path}: unrecognised format; expected IDX uint8 images (plain or gzip), NPY (\\x93NUMPY) or CSV (.csv, .txt, .tsv).");
    }

    /// <summary>Reads a labels file: IDX uint8 labels (plain or gzip) or a 1-D integer NPY.</summary>
    public static int[] ReadLabelsFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Labels file not found: {path}", path);
        return IsNpy(path) ? Npy.ReadLabels(path) : IdxReader.ReadLabels(path);
    }

    private static ImageDataset LoadNpy(string path, DatasetLoadOptions options)
    {
        var header = Npy.ReadHeader(path);
        if (header.Shape.Length is not (2 or 3))
            throw new InvalidDataException($"{path}: shape ({string.Join(", ", header.Shape)}); expected (N, D) or (N, height, width).");
        var m = Npy.ReadMatrix(path);
        if (header.Descr == "|u1") TensorPrimitives.Divide(m.Span, 255f, m.Span); // pixels 0–255 → [0, 1], as for IDX
        var s = m.Span;
        for (int i = 0; i < s.Length; i++)
        {
            if (!float.IsFinite(s[i]))
                throw new InvalidDataException($"{path}: row {i / m.Cols}, column {i % m.Cols} is {s[i]}; all values must be finite (as float32).");
        }
        int w, h;
        if (header.Shape.Length == 3)
        {
            (h, w) = (header.Shape[1], header.Shape[2]);
            if ((options.Width ?? w) != w || (options.Height ?? h) != h)
                throw new InvalidDataException($"{path}: the images are {w}×{h} (width×height) but the options ask for {options.Width}×{options.Height}.");
        }
        else
        {
            (w, h) = FlatShape(m.Cols, options, path);
        }
        return WithLabels(m, w, h, options.LabelsPath, path);
    }

    private static ImageDataset WithLabels(Matrix images, int width, int height, string? labelsPath, string path)
    {
        int[]? labels = labelsPath is null ? null : ReadLabelsFile(labelsPath);
        if (labels is not null && labels.Length != images.Rows)
            throw new InvalidDataException($"{labelsPath} has {labels.Length} labels but {path} has {images.Rows} images.");
        return new ImageDataset(images, labels, width, height, path);
    }

    /// <summary>Width and height of flat rows of <paramref name="dim"/> values: from the options, else a square, else dim×1.</summary>
    private static (int Width, int Height) FlatShape(int dim, DatasetLoadOptions options, string path)
    {
        if (options.Width is not null || options.Height is not null)
        {
            int w = options.Width ?? (options.Height > 0 ? dim / options.Height.Value : 0);
            int h = options.Height ?? (options.Width > 0 ? dim / options.Width.Value : 0);
            if (w <= 0 || h <= 0 || (long)w * h != dim)
                throw new InvalidDataException($"{path}: rows have {dim} values, which is not width×height = {options.Width?.ToString() ?? "?"}×{options.Height?.ToString() ?? "?"}.");
            return (w, h);
        }
        int side = (int)Math.Round(Math.Sqrt(dim));
        return side * side == dim && dim > 0 ? (side, side) : (dim, 1);
    }

    private static string? SiblingIdxLabels(string imagesPath)
    {
        var name = Path.GetFileName(imagesPath);
        if (!name.Contains("-images-idx3-", StringComparison.Ordinal)) return null;
        var sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(imagesPath))!, name.Replace("-images-idx3-", "-labels-idx1-", StringComparison.Ordinal));
        return File.Exists(sibling) ? sibling : null;
    }

    private static bool IsNpy(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[6];
        return fs.ReadAtLeast(head, 6, throwOnEndOfStream: false) == 6 && head.SequenceEqual(Npy.Magic);
    }
}
