namespace MLNetAutoencoders.Data;

/// <summary>
/// The face / non-face set of scikit-image (<c>lfw_subset.npy</c>): 200 grey images of 25×25 in [0, 1]; the first 100 are
/// faces (label 1), the last 100 are not (label 0). <c>scripts/setup.sh</c> extracts the file from the python3-skimage package.
/// </summary>
public static class Faces
{
    /// <summary>Where <c>scripts/setup.sh</c> puts the file.</summary>
    public const string DefaultPath = "/usr/local/share/mlnetautoencoders/lfw_subset.npy";

    /// <summary>Environment variable that, when set, replaces <see cref="DefaultPath"/>.</summary>
    public const string PathVariable = "MLAE_FACES";

    /// <summary>Image width and height.</summary>
    public const int Side = 25;

    /// <summary>Number of images (the first half are faces).</summary>
    public const int Count = 200;

    /// <summary>Class names by label: 0 = non-face, 1 = face.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["non-face", "face"];

    /// <summary>The file to read: <paramref name="path"/>, else $MLAE_FACES, else <see cref="DefaultPath"/>.</summary>
    public static string ResolvePath(string? path = null) => DataPaths.Resolve(path, PathVariable, DefaultPath);

    /// <summary>Loads the 200 images with labels face = 1 (first 100), non-face = 0.</summary>
    /// <exception cref="FileNotFoundException">The file is missing; the message says where it was looked for and how to get it.</exception>
    /// <exception cref="InvalidDataException">The file is not a 200×25×25 (or 200×625) array of values in [0, 1].</exception>
    public static ImageDataset Load(string? path = null)
    {
        var file = ResolvePath(path);
        if (!File.Exists(file))
            throw new FileNotFoundException(
                $"Face data not found: {file}. Run `bash scripts/setup.sh` (it extracts lfw_subset.npy from the python3-skimage package), " +
                $"or set {PathVariable} to the file.", file);
        var h = Npy.ReadHeader(file);
        bool shapeOk = h.Shape is [Count, Side, Side] or [Count, Side * Side];
        if (!shapeOk)
            throw new InvalidDataException($"{file}: shape ({string.Join(", ", h.Shape)}); expected ({Count}, {Side}, {Side}) or ({Count}, {Side * Side}).");
        var images = Npy.ReadMatrix(file);
        var span = images.Span;
        for (int i = 0; i < span.Length; i++)
        {
            if (!(span[i] >= 0f && span[i] <= 1f))
                throw new InvalidDataException($"{file}: image {i / images.Cols}, pixel {i % images.Cols} is {span[i]}; expected values in [0, 1].");
        }
        var labels = new int[Count];
        labels.AsSpan(0, Count / 2).Fill(1);
        return new ImageDataset(images, labels, Side, Side, "faces");
    }
}
