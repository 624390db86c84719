using System.CommandLine;
using Spectre.Console;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary><c>mlae reconstruct</c>: writes test images beside their reconstructions by any autoencoder model.</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var model = new Option<string>("--model") { Description = "an autoencoder or VAE model file (.mlae)", Required = true };
        var count = new Option<int>("--count") { Description = "number of test images", DefaultValueFactory = _ => ExperimentDefaults.ReconstructCount };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var noise = new Option<float?>("--noise") { Description = "add N(0, σ²) noise (seeded by --seed) to the originals first: shows denoising" };
        var size = ImageOptions.Create();
        var cmd = new Command("reconstruct", "Write a PNG of test images (rows of originals, optionally with noise added) above their reconstructions.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { model, count, output, noise }.Concat(size.All)) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var ae = AutoencoderFile.Load(r.GetValue(model)!);
                var data = common.Load(r);
                var set = data.Test ?? data.Train;
                int n = r.GetValue(count);
                if (n < 1) throw new ArgumentException($"--count must be ≥ 1; got {n}.");
                var originals = set.Images.SliceRows(0, Math.Min(n, set.Count));
                if (originals.Cols != ae.InputSize)
                    throw new ArgumentException($"Dataset '{data.Name}' has {originals.Cols} values per image; the model expects {ae.InputSize}.");
                float sigma = r.GetValue(noise) ?? 0; // not given: the originals as they are
                if (!(sigma >= 0 && float.IsFinite(sigma))) throw new ArgumentException($"--noise must be a finite number ≥ 0; got {sigma}.");
                if (sigma > 0)
                {
                    var rng = new MLNetAutoencoders.Numerics.Rng(r.GetValue(common.Seed));
                    var span = originals.Span;
                    for (int i = 0; i < span.Length; i++) span[i] += (float)(sigma * rng.NextGaussian());
                }
                var (w, h) = size.Resolve(r, ae.InputSize, (set.Width, set.Height));
                var png = ImageGrid.Pairs(originals, ae.Reconstruct(originals), w, h, size.Grid(r, 0, 2));
                int rows = png.Cells.Max(c => c.Row) + 1;
                var labels = Enumerable.Range(0, rows).Select(i => i % 2 == 0 ? (sigma > 0 ? "noisy input" : "original") : "reconstruction").ToList();
                string file = Path.GetFileName(r.GetValue(model)!);
                size.Save(r, r.GetValue(output)!, png,
                    $"{BuiltInDatasets.DisplayName(data.Name)}: {originals.Rows} {(data.Test is null ? "" : "test ")}images and their reconstructions from {ae.CodeSize} numbers",
                    $"model {file} ({(ae is VaeModel ? "VAE" : "autoencoder")}, {ae.InputSize} inputs, code of {ae.CodeSize}, {ae.ParameterCount:N0} parameters)" + (sigma > 0 ? $"; inputs with Gaussian noise σ = {sigma}" : ""),
                    labels);
                ConsoleUi.Err.MarkupLine(Markup.Escape($"wrote {originals.Rows} originals and reconstructions to {r.GetValue(output)}"));
                if (common.WantsJson(r))
                    common.WriteJson(r, new System.Text.Json.Nodes.JsonObject
                    {
                        ["model"] = r.GetValue(model), ["dataset"] = data.Name, ["rows"] = originals.Rows, ["noise"] = sigma,
                        ["reconstructionMse"] = AutoencoderMetrics.ReconstructionMse(ae, originals), ["out"] = r.GetValue(output),
                    });
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
