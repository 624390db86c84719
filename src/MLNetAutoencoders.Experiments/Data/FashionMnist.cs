namespace MLNetAutoencoders.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf, 2017): 60 000 training and 10 000 test images of 28×28, pixels scaled to [0, 1],
/// labels 0–9. Read from the IDX files of the Debian package <c>dataset-fashion-mnist</c>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable that, when set, replaces <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "MLAE_FASHION_MNIST";

    /// <summary>Image width and height.</summary>
    public const int Side = 28;

    /// <summary>The ten class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The directory to read: <paramref name="directory"/>, else $MLAE_FASHION_MNIST, else <see cref="DefaultDirectory"/>.</summary>
    public static string ResolveDirectory(string? directory = null) => DataPaths.Resolve(directory, DirectoryVariable, DefaultDirectory);

    /// <summary>True when the directory holds the four files (gzipped or not).</summary>
    public static bool Exists(string? directory = null)
    {
        var dir = ResolveDirectory(directory);
        return new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .All(f => File.Exists(Path.Combine(dir, f + ".gz")) || File.Exists(Path.Combine(dir, f)));
    }

    /// <summary>Loads both parts (read in parallel).</summary>
    /// <exception cref="FileNotFoundException">A file is missing; the message says which and how to install it.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or images and labels disagree.</exception>
    public static (ImageDataset Train, ImageDataset Test) Load(string? directory = null)
    {
        var dir = ResolveDirectory(directory);
        var test = Task.Run(() => LoadPart(dir, "t10k", "fashion-mnist test"));
        var train = LoadPart(dir, "train", "fashion-mnist train");
        return (train, test.GetAwaiter().GetResult());
    }

    /// <summary>Loads the 60 000 training images.</summary>
    public static ImageDataset LoadTrain(string? directory = null) => LoadPart(ResolveDirectory(directory), "train", "fashion-mnist train");

    /// <summary>Loads the 10 000 test images.</summary>
    public static ImageDataset LoadTest(string? directory = null) => LoadPart(ResolveDirectory(directory), "t10k", "fashion-mnist test");

    /// <summary>Loads <c>{prefix}-images-idx3-ubyte[.gz]</c> with <c>{prefix}-labels-idx1-ubyte[.gz]</c> from <paramref name="dir"/>.</summary>
    internal static ImageDataset LoadPart(string dir, string prefix, string name)
    {
        var imagesPath = Find(dir, prefix + "-images-idx3-ubyte");
        var labelsPath = Find(dir, prefix + "-labels-idx1-ubyte");
        return IdxReader.ReadDataset(imagesPath, labelsPath, name);
    }

    private static string Find(string dir, string baseName)
    {
        var gz = Path.Combine(dir, baseName + ".gz");
        if (File.Exists(gz)) return gz;
        var plain = Path.Combine(dir, baseName);
        if (File.Exists(plain)) return plain;
        throw new FileNotFoundException(
            $"Fashion-MNIST file not found: looked for {gz} and {plain}. Install the data with `apt-get install dataset-fashion-mnist` " +
            $"(or `bash scripts/setup.sh`), or set {DirectoryVariable} to a directory holding the four IDX files.", gz);
    }
}
