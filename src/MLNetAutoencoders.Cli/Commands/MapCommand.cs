using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Embedding;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae map</c>: latent-space maps. Each method (PCA, an autoencoder kind, the VAE; fitted on the training images, or
/// a saved model) encodes the first test images; codes wider than two are laid out in 2-D with t-SNE, 2-D codes are drawn
/// as they are. One PNG with a panel per method, points coloured by class, with a legend; the trustworthiness of each map
/// (how many of its neighbours are neighbours in the codes) is printed.
/// </summary>
internal static class MapCommand
{
    public static readonly string[] Methods = ["pca", .. AutoencoderKinds.All.Where(k => k != AutoencoderKind.Convolutional).Select(AutoencoderKinds.Name)];

    public static Command Create()
    {
        var common = new CommonOptions();
        var methods = new Option<string>("--methods") { Description = $"methods fitted on the training images, comma-separated: {string.Join(", ", Methods)}", DefaultValueFactory = _ => string.Join(",", ExperimentDefaults.MapMethods) };
        var models = new Option<string?>("--models") { Description = "saved models (.mlae) to map as well, comma-separated" };
        var code = new Option<int>("--code") { Description = "code width of the fitted methods (2 = draw the codes themselves)", DefaultValueFactory = _ => AutoencoderDefaults.CodeSize };
        var count = new Option<int>("--count") { Description = "test images to map (training images with --test-fraction 0)", DefaultValueFactory = _ => ExperimentDefaults.MapCount };
        var epochs = new Option<int?>("--epochs") { Description = $"epochs of the fitted autoencoders (default {AutoencoderDefaults.Epochs}, VAE {AutoencoderDefaults.VaeEpochs})" };
        var hidden = new Option<string?>("--hidden") { Description = "hidden widths of the fitted autoencoders (default 256,128; VAE 128)" };
        var trainRows = new Option<int?>("--train-rows") { Description = "fit on the first N training images only (default all)" };
        var defaults = new TsneOptions();
        var perplexity = new Option<double?>("--perplexity") { Description = $"t-SNE perplexity (default {defaults.Perplexity})" };
        var iterations = new Option<int?>("--iterations") { Description = $"t-SNE iterations (default {defaults.Iterations}; the first {defaults.ExaggerationIterations} with early exaggeration)" };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var cmd = new Command("map", "Draw 2-D maps of the codes of test images (t-SNE for codes wider than 2), coloured by class.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { methods, models, code, count, epochs, hidden, trainRows, perplexity, iterations, output }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var methodList = string.IsNullOrWhiteSpace(r.GetValue(methods)) ? [] : CommonOptions.ParseChoices(r.GetValue(methods)!, Methods, "--methods");
                var modelList = (r.GetValue(models) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (methodList.Count + modelList.Length == 0) throw new ArgumentException("Nothing to map: give --methods or --models.");
                int k = r.GetValue(code), n = r.GetValue(count), threads = r.GetValue(common.Threads);
                if (k < 1) throw new ArgumentException($"--code must be ≥ 1; got {k}.");
                if (n < 10) throw new ArgumentException($"--count must be ≥ 10; got {n}.");
                var tsne = new TsneOptions { Seed = r.GetValue(common.Seed) };
                if (r.GetValue(perplexity) is double px) tsne.Perplexity = px;
                if (r.GetValue(iterations) is int it) tsne.Iterations = it;
                if (tsne.ExaggerationIterations > tsne.Iterations) tsne.ExaggerationIterations = tsne.Iterations;
                tsne.Validate();
                var data = common.Load(r);
                // --test-fraction 0 (as in every command): fit on every row, and map those rows.
                var test = data.Test ?? data.Train;
                string shown = data.Test is null ? "training" : "test";
                if (!test.HasLabels) throw new ArgumentException($"Dataset '{data.Name}' has no class labels to colour the map by.");
                if (test.Count < n) n = test.Count;
                var images = test.Images.SliceRows(0, n);
                var labels = test.RequireLabels()[..n];
                var train = r.GetValue(trainRows) is int tr ? data.Train.Images.SliceRows(0, Math.Min(tr, data.Train.Count)) : data.Train.Images;
                var classNames = data.ClassNames ?? Enumerable.Range(0, test.ClassCount).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
                var fit = new Fit(k, r.GetValue(epochs), r.GetValue(hidden), r.GetValue(common.Seed), threads, common.GemmKind(r));

                var encoders = new List<(string Name, Func<Matrix> Codes)>();
                foreach (var m in methodList) encoders.Add(($"{Label(m)}-{k}", () => fit.Codes(m, train, images)));
                foreach (var path in modelList)
                {
                    var model = AutoencoderFile.Load(path);
                    encoders.Add(($"{ModelLabel(model)}-{model.CodeSize}", () => model.Encode(images)));
                }
                var json = new JsonObject { ["dataset"] = data.Name, ["count"] = n, ["mapped"] = shown };
                var outPath = r.GetValue(output)!;
                Draw(encoders, tsne, labels, classNames, DatasetTitle(data.Name), shown, n, outPath, json);
                if (r.GetValue(common.Json)) ConsoleUi.WriteJson(json);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    /// <summary>Encodes with each method, lays out codes wider than two with t-SNE, and draws one panel per method.</summary>
    private static void Draw(List<(string Name, Func<Matrix> Codes)> encoders, TsneOptions tsne, int[] labels, IReadOnlyList<string> classNames,
        string dataset, string shown, int n, string outPath, JsonObject json)
    {
        var panels = new List<ScatterPanel>();
        bool anyTsne = false, anyCodes = false;
        foreach (var (name, codesOf) in encoders)
        {
            var codes = ConsoleUi.WithProgress($"{name}: fitting and encoding", 1, _ => codesOf());
            if (codes.Cols == 2)
            {
                anyCodes = true;
                panels.Add(new ScatterPanel($"{name} codes", codes, labels));
                json[name] = new JsonObject { ["map"] = "codes" };
                continue;
            }
            anyTsne = true;
            var result = ConsoleUi.WithProgress($"{name}: t-SNE", tsne.Iterations, advance =>
                Tsne.Embed(codes, tsne, new SyncProgress<TsneProgress>(p => advance(tsne.ReportEvery, $"{name}: t-SNE iteration {p.Iteration}/{p.Iterations}, KL {p.KlDivergence:F3}"))));
            double trust = Trustworthiness.Compute(codes, result.Embedding, 5);
            Console.WriteLine($"{name}: t-SNE of {n} codes, KL {result.KlDivergence:F4}, trustworthiness (5 neighbours) {trust:F4}");
            panels.Add(new ScatterPanel($"t-SNE of {name} codes", result.Embedding, labels));
            json[name] = new JsonObject { ["map"] = "tsne", ["kl"] = result.KlDivergence, ["trustworthiness"] = trust };
        }
        var (xLabel, yLabel) = anyTsne && anyCodes ? ("dimension 1", "dimension 2") : anyTsne ? ("t-SNE 1", "t-SNE 2") : ("z₁", "z₂");
        string what = anyTsne && !anyCodes ? "t-SNE maps of the codes" : anyCodes && !anyTsne ? "2-D codes" : "codes (t-SNE maps and 2-D codes)";
        var title = $"{dataset}: {what} of {n:N0} {shown} images";
        ScatterChart.Save(outPath, panels, classNames, title, xLabel, yLabel);
        ConsoleUi.Err.MarkupLine(Markup.Escape($"wrote {panels.Count} map(s) to {outPath}"));
    }

    private static string Label(string method) => method switch { "pca" => "PCA", "ae" => "AE", "vae" => "VAE", "adversarial" => "AAE", _ => method };

    private static string ModelLabel(IAutoencoder model) => model switch
    {
        VaeModel => "VAE",
        AutoencoderModel { Options.Adversarial: > 0 } => "AAE",
        _ => "AE",
    };

    private static string DatasetTitle(string name) => name switch { "fashion-mnist" => "Fashion-MNIST", "faces" => "Faces", _ => Path.GetFileName(name) };

    /// <summary>How the <c>--methods</c> are fitted: the library's defaults, with the code width, epochs and hidden widths given.</summary>
    private sealed record Fit(int Code, int? Epochs, string? Hidden, int Seed, int Threads, GemmKind Gemm)
    {
        public Matrix Codes(string method, Matrix train, Matrix images)
        {
            if (method == "pca")
                return PcaModel.Fit(train, new PcaOptions { Components = Code, Seed = Seed, Threads = Threads }).Transform(images);
            var kind = AutoencoderKinds.Parse(method);
            var o = AutoencoderKinds.CreateOptions(kind);
            (o.Seed, o.Threads, o.Gemm) = (Seed, Threads, Gemm);
            if (o is VaeOptions v) v.LatentSize = Code;
            else ((AutoencoderOptions)o).CodeSize = Code;
            if (Epochs is int e) o.Epochs = e;
            if (Hidden is not null) o.HiddenSizes = CommonOptions.ParseSizes(Hidden, "--hidden");
            var model = AutoencoderKinds.Fit(kind, o, train);
            return model.Encode(images);
        }
    }
}
