// ImageFolder: a folder of your images (PNG or JPEG, any size, colour or grey) → ML.NET's LoadImages, ResizeImages and
// ExtractPixels → a convolutional autoencoder stage → a code per image, its reconstruction written back as an image,
// each image's nearest neighbours by code, and the most unusual images (the highest reconstruction error). The whole
// pipeline, image stages included, is saved as one ML.NET model zip and loaded back.
//
// Run:   dotnet run -c Release --project examples/ImageFolder -- make-sample faces          (writes the sample images)
//        dotnet run -c Release --project examples/ImageFolder -- faces [options]
// Options: --size N (resize every image to N×N, default 32; a multiple of 4), --no-resize (keep the images' own size:
// then all must have one size), --colour (three channels instead of grey), --code K (default 16), --epochs E
// (default 20), --out DIR (default image-folder-out).

using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Stages;

try
{
    if (args.Length >= 1 && args[0] == "make-sample")
    {
        SampleImages.Write(args.Length >= 2 ? args[1] : "faces", args.Length >= 3 ? args[2] : null);
        return 0;
    }
    var o = Settings.Parse(args);
    return Run(o);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Run(Settings o)
{
    var files = ImageFiles.Check(o.Folder, o.Size);
    int side = o.Size ?? files.Width;
    int channels = o.Colour ? 3 : 1;
    Console.WriteLine($"{files.Paths.Count} images in {o.Folder}; {(o.Size is null ? "kept at" : "resized to")} {side}×{side}, {(o.Colour ? "colour" : "grey")}.");

    var mlContext = new MLContext(seed: 0);
    IDataView images = mlContext.Data.LoadFromEnumerable(files.Paths.Select(p => new ImageFile { Path = p }));
    var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path")
        .Append(mlContext.Transforms.ResizeImages("Image", imageWidth: side, imageHeight: side))
        .AppendIf(!o.Colour, mlContext.Transforms.ConvertToGrayscale("Image"))
        .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image",
            o.Colour ? ImagePixelExtractingEstimator.ColorBits.Rgb : ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1 / 255f))
        .Append(mlContext.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options
        {
            InputColumnName = "Pixels", OutputColumnName = "Code",
            ReconstructionColumnName = "Reconstruction", ErrorColumnName = "Error",
            Autoencoder = new AutoencoderOptions
            {
                Conv = new ConvAutoencoderOptions { ImageShape = [channels, side, side], Channels = [16, 32] },
                CodeSize = o.Code, Epochs = o.Epochs, BatchSize = 32,
            },
        }));
    ITransformer model = pipeline.Fit(images);
    IDataView scored = model.Transform(images);
    float[][] codes = scored.GetColumn<float[]>("Code").ToArray();
    float[][] reconstructions = scored.GetColumn<float[]>("Reconstruction").ToArray();
    float[] errors = scored.GetColumn<float>("Error").ToArray();
    string Name(int i) => Path.GetFileName(files.Paths[i]);

    string recDir = Path.Combine(o.Out, "reconstructions");
    Directory.CreateDirectory(recDir);
    for (int i = 0; i < reconstructions.Length; i++)
        Pixels.SavePng(reconstructions[i], channels, side, Path.Combine(recDir, Path.ChangeExtension(Name(i), ".png")));
    Console.WriteLine($"Reconstructions: {reconstructions.Length} PNG files in {recDir}; mean reconstruction error {errors.Average():F4}.");

    Console.WriteLine("Nearest neighbours by code:");
    foreach (int i in Enumerable.Range(0, Math.Min(3, codes.Length)))
    {
        var nearest = Enumerable.Range(0, codes.Length).Where(j => j != i).OrderBy(j => Distance(codes[i], codes[j])).Take(3);
        Console.WriteLine($"  {Name(i)}: {string.Join(", ", nearest.Select(j => $"{Name(j)} ({Distance(codes[i], codes[j]):F3})"))}");
    }
    Console.WriteLine("Most unusual images (highest reconstruction error):");
    foreach (int i in Enumerable.Range(0, errors.Length).OrderByDescending(i => errors[i]).Take(5))
        Console.WriteLine($"  {Name(i)}: error {errors[i]:F4}");

    string zip = Path.Combine(o.Out, "images-model.zip");
    mlContext.Model.Save(model, images.Schema, zip);
    ITransformer loaded = mlContext.Model.Load(zip, out _);
    float[][] again = loaded.Transform(images).GetColumn<float[]>("Code").ToArray();
    double diff = codes.Zip(again, (a, b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max()).Max();
    Console.WriteLine($"Saved the whole pipeline to {zip}; loaded back, it gives the same codes (largest difference {diff:G2}).");
    return 0;
}

static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

/// <summary>The command line, checked.</summary>
internal sealed record Settings(string Folder, int? Size, bool Colour, int Code, int Epochs, string Out)
{
    public static Settings Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException("give the folder of images first: ImageFolder <folder> [--size N | --no-resize] [--colour] [--code K] [--epochs E] [--out DIR], or ImageFolder make-sample <folder>.");
        int? size = 32; bool colour = false; int code = 16, epochs = 20; string output = "image-folder-out";
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() { var v = Value(); return int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]}: '{v}' is not a whole number above 0."); }
            switch (args[i])
            {
                case "--size": size = Number(); break;
                case "--no-resize": size = null; break;
                case "--colour": colour = true; break;
                case "--code": code = Number(); break;
                case "--epochs": epochs = Number(); break;
                case "--out": output = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }
        if (size is int side && side % 4 != 0) throw new ArgumentException($"--size {side}: the autoencoder halves the image twice, so the side must be a multiple of 4.");
        return new Settings(args[0], size, colour, code, epochs, output);
    }
}

/// <summary>One row of the input view: the image file's full path.</summary>
public sealed class ImageFile
{
    /// <summary>The image file.</summary>
    public string Path { get; set; } = "";
}

/// <summary>The images of a folder, checked before ML.NET reads them, so that every bad file is named.</summary>
internal sealed record ImageFiles(IReadOnlyList<string> Paths, int Width)
{
    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg"];

    public static ImageFiles Check(string folder, int? resize)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder.");
        var paths = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(Path.GetFullPath).ToList();
        if (paths.Count == 0) throw new InvalidDataException($"{folder}: the folder is empty; put PNG or JPEG images in it.");
        (string Path, int W, int H)? first = null;
        foreach (var p in paths)
        {
            if (!Extensions.Contains(Path.GetExtension(p).ToLowerInvariant()))
                throw new InvalidDataException($"{p}: not a PNG or JPEG image (by its name); the folder must hold images only.");
            MLImage image;
            try { image = MLImage.CreateFromFile(p); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            { throw new InvalidDataException($"{p}: not a readable PNG or JPEG image ({e.Message.TrimEnd('.')})."); }
            using (image)
            {
                first ??= (p, image.Width, image.Height);
                if (resize is null && (image.Width, image.Height) != (first.Value.W, first.Value.H))
                    throw new InvalidDataException($"{p} is {image.Width}×{image.Height} but {first.Value.Path} is {first.Value.W}×{first.Value.H}; "
                        + "without a resize every image must have one size (give --size N to resize them all to N×N).");
            }
        }
        var (_, w, h) = first!.Value;
        if (resize is null && (w != h || w % 4 != 0))
            throw new InvalidDataException($"{folder}: the images are {w}×{h}; without a resize they must be square with a side that is a multiple of 4 (give --size N).");
        return new ImageFiles(paths, w);
    }
}

/// <summary>Pixel planes in [0, 1] (channel by channel, as ExtractPixels wrote them) back to an image file.</summary>
internal static class Pixels
{
    public static void SavePng(float[] planes, int channels, int side, string path)
    {
        int n = side * side;
        var bgra = new byte[n * 4];
        for (int i = 0; i < n; i++)
        {
            byte At(int c) => (byte)Math.Round(Math.Clamp(planes[c * n + i], 0f, 1f) * 255f);
            byte r = At(0), g = channels == 3 ? At(1) : r, b = channels == 3 ? At(2) : r;
            (bgra[4 * i], bgra[4 * i + 1], bgra[4 * i + 2], bgra[4 * i + 3]) = (b, g, r, 255);
        }
        using var image = MLImage.CreateFromPixels(side, side, MLPixelFormat.Bgra32, bgra);
        image.Save(path);
    }
}

/// <summary>Writes the sample: the 200 face / non-face images the set-up installs, as files of several sizes and kinds.</summary>
internal static class SampleImages
{
    public static void Write(string folder, string? npy)
    {
        var path = npy ?? Environment.GetEnvironmentVariable("MLAE_FACES") ?? "/usr/local/share/mlnetautoencoders/lfw_subset.npy";
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing; run `bash scripts/setup.sh`, which installs it.", path);
        var faces = Npy.ReadMatrix(path);                              // 200 × 625: 25 × 25 grey images in [0, 1]
        Directory.CreateDirectory(folder);
        for (int i = 0; i < faces.Rows; i++)
        {
            // most images stay grey PNGs at 25 × 25; every 4th is twice as large, every 5th a warm-toned colour JPEG
            int scale = i % 4 == 3 ? 2 : 1, side = 25 * scale;
            var planes = new float[3 * side * side];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    float v = faces[i, y / scale * 25 + x / scale];
                    bool tint = i % 5 == 4;
                    planes[y * side + x] = v;
                    planes[side * side + y * side + x] = tint ? v * 0.85f : v;
                    planes[2 * side * side + y * side + x] = tint ? v * 0.65f : v;
                }
            string name = $"{(i < 100 ? "face" : "other")}-{i:D3}{(i % 5 == 4 ? ".jpg" : ".png")}";
            Pixels.SavePng(planes, 3, side, Path.Combine(folder, name));
        }
        Console.WriteLine($"{faces.Rows} images written to {folder} (25×25 and 50×50, grey PNG and colour JPEG).");
    }
}

internal static class ChainExtensions
{
    /// <summary>Appends the stage only when <paramref name="condition"/> holds.</summary>
    public static IEstimator<ITransformer> AppendIf(this IEstimator<ITransformer> chain, bool condition, IEstimator<ITransformer> stage)
        => condition ? chain.Append(stage) : chain;
}
