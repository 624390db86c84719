using System.CommandLine;
using Spectre.Console;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae sample</c>: decodes N(0, I) draws (or, with <c>--manifold</c>, a grid over a 2-D code) into a PNG grid, for a
/// VAE or an adversarial autoencoder, whose codes were trained towards that prior; other autoencoders are decoded too,
/// with a note that their codes were not.
/// </summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "a model file (.mlae): a VAE or an adversarial autoencoder", Required = true };
        var count = new Option<int>("--count") { Description = "number of samples", DefaultValueFactory = _ => ExperimentDefaults.SampleCount };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var seed = new Option<int>("--seed") { Description = "seed of the prior draws", DefaultValueFactory = _ => ExperimentDefaults.Seed };
        var manifold = new Option<int?>("--manifold") { Description = "2-D latent only: decode an N×N grid at the prior's quantiles instead of random draws" };
        var size = ImageOptions.Create();
        var cmd = new Command("sample", "Write a grid of images decoded from prior draws of a VAE or an adversarial autoencoder.");
        foreach (var o in new Option[] { model, count, output, seed, manifold }.Concat(size.All)) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var path = r.GetValue(model)!;
                var loaded = AutoencoderFile.Load(path);
                int grid = r.GetValue(manifold) ?? 0; // not given (or 0): random draws
                Func<int, Matrix> manifoldOf;
                Func<int, int, Matrix> sampleOf;
                switch (loaded)
                {
                    case VaeModel v: (manifoldOf, sampleOf) = (v.Manifold, v.Sample); break;
                    case AutoencoderModel a:
                        (manifoldOf, sampleOf) = (a.Manifold, a.Sample);
                        if (a.Options.Adversarial == 0)
                            ConsoleUi.Err.MarkupLine(Markup.Escape($"note: '{path}' is not an adversarial autoencoder: its codes were not trained to follow N(0, I), so these are what its decoder makes of codes it never saw."));
                        break;
                    default: throw new InvalidDataException($"Model file '{path}' holds no decoder to sample from.");
                }
                var images = grid > 0 ? manifoldOf(grid) : sampleOf(r.GetValue(count), r.GetValue(seed));
                var (w, h) = size.Resolve(r, loaded.InputSize);
                var png = ImageGrid.Tile(images, w, h, size.Grid(r, grid > 0 ? grid : 0, grid > 0 ? 0 : 2));
                string name = loaded switch { VaeModel => "VAE", AutoencoderModel { Options.Adversarial: > 0 } => "AAE", _ => "AE" };
                string what = grid > 0
                    ? $"{name}-{loaded.CodeSize} ({Path.GetFileName(path)}): the decoder over a {grid}×{grid} grid of the 2-D latent space"
                    : $"{name}-{loaded.CodeSize} ({Path.GetFileName(path)}): {images.Rows} images decoded from random draws z ~ N(0, I)";
                string? note = grid > 0 ? "z₁ grows left to right, z₂ falls top to bottom, at the prior's quantiles" : $"seed {r.GetValue(seed)}";
                size.Save(r, r.GetValue(output)!, png, what, note, null);
                ConsoleUi.Err.MarkupLine(Markup.Escape($"wrote {images.Rows} images to {r.GetValue(output)}"));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }
}

/// <summary>Image size and grid layout options shared by <c>sample</c> and <c>reconstruct</c>.</summary>
internal sealed record ImageOptions(Option<int?> Width, Option<int?> Height, Option<int> Scale, Option<int?> Columns, Option<string?> Title, Option<bool> Bare)
{
    public static ImageOptions Create() => new(
        new Option<int?>("--width") { Description = "image width in pixels (default: the dataset's, or √inputs for square images)" },
        new Option<int?>("--height") { Description = "image height in pixels" },
        new Option<int>("--zoom") { Description = "pixel magnification (1–32)", DefaultValueFactory = _ => ExperimentDefaults.GridZoom },
        new Option<int?>("--columns") { Description = "images per grid row" },
        new Option<string?>("--title") { Description = "title written above the grid (default: what the picture shows)" },
        new Option<bool>("--bare") { Description = "write the grid alone, without title and row labels" });

    public IEnumerable<Option> All => new Option[] { Width, Height, Scale, Columns, Title, Bare };

    /// <summary>Writes the grid: with a title, a second line and row labels, or (<c>--bare</c>) alone.</summary>
    public void Save(ParseResult r, string path, GrayImage grid, string title, string? subtitle, IReadOnlyList<string>? rowLabels)
    {
        if (r.GetValue(Bare)) grid.SavePng(path);
        else new GridFigure { Title = r.GetValue(Title) ?? title, Subtitle = subtitle, RowLabels = rowLabels }.Save(path, grid);
    }

    /// <summary>The image size: the options, else <paramref name="known"/>, else the square root of the input width.</summary>
    public (int Width, int Height) Resolve(ParseResult r, int inputs, (int, int)? known = null)
    {
        if (r.GetValue(Width) is int w && r.GetValue(Height) is int h) return (w, h);
        if (known is { } k) return k;
        int side = (int)Math.Round(Math.Sqrt(inputs));
        if (side * side != inputs) throw new ArgumentException($"The model's {inputs} inputs are not a square image; give --width and --height.");
        return (side, side);
    }

    public ImageGridOptions Grid(ParseResult r, int columns, int padding) =>
        new() { Scale = r.GetValue(Scale), Columns = r.GetValue(Columns) ?? columns, Padding = padding };
}
