namespace MLNetAutoencoders.Data;

/// <summary>
/// Turns a <c>--dataset</c> argument into data: a built-in name (<c>fashion-mnist</c>, <c>faces</c>), a directory holding
/// the Fashion-MNIST IDX files, or a data file, which <see cref="DatasetResolver"/> reads.
/// </summary>
public static class BuiltInDatasets
{
    /// <summary>The built-in dataset names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fashion-mnist", "faces"];

    /// <summary>A data set's name as people know it, for titles: fashion-mnist → Fashion-MNIST, faces → Faces vs non-faces, a file → its file name.</summary>
    public static string DisplayName(string name) => name switch
    {
        _ when name.StartsWith("fashion-mnist", StringComparison.OrdinalIgnoreCase) => "Fashion-MNIST",
        _ when name.StartsWith("faces", StringComparison.OrdinalIgnoreCase) => "Faces vs non-faces",
        _ => Path.GetFileName(name.Split(" (")[0]),
    };

    /// <summary>True when <paramref name="name"/> is a built-in name (any case).</summary>
    public static bool IsBuiltIn(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads a built-in dataset, a Fashion-MNIST directory or a file.</summary>
    /// <exception cref="FileNotFoundException">Neither a built-in name nor an existing path, or the built-in data are not installed.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or of an unsupported format.</exception>
    public static LoadedDataset Load(string nameOrPath, DatasetLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrPath);
        if ((options?.Features is not null || options?.Ignore is not null) && !File.Exists(nameOrPath))
            throw new InvalidDataException($"{nameOrPath}: choosing feature columns (--features, --ignore) is for CSV files (.csv, .txt, .tsv).");
        if (string.Equals(nameOrPath, "fashion-mnist", StringComparison.OrdinalIgnoreCase))
            return FashionMnistSet(null, "fashion-mnist");
        if (string.Equals(nameOrPath, "faces", StringComparison.OrdinalIgnoreCase))
            return new LoadedDataset { Name = "faces", Train = Faces.Load(), ClassNames = Faces.ClassNames };
        if (Directory.Exists(nameOrPath))
        {
            if (!FashionMnist.Exists(nameOrPath))
                throw new FileNotFoundException($"{nameOrPath} is a directory without the Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], …); give a file instead.", nameOrPath);
            return FashionMnistSet(nameOrPath, nameOrPath);
        }
        if (!File.Exists(nameOrPath))
            throw new FileNotFoundException(
                $"Dataset '{nameOrPath}' is neither a built-in name ({string.Join(", ", Names)}) nor an existing file or directory.", nameOrPath);
        return DatasetResolver.Load(nameOrPath, options);
    }

    private static LoadedDataset FashionMnistSet(string? directory, string name)
    {
        var (train, test) = FashionMnist.Load(directory);
        return new LoadedDataset { Name = name, Train = train, Test = test, ClassNames = FashionMnist.ClassNames };
    }
}
