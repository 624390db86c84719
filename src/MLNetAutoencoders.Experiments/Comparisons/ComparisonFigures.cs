using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Imaging;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Comparisons;

/// <summary>The experiment's pictures: mean image, eigenimages, PCA vs autoencoder reconstructions, accuracy chart.</summary>
internal static class ComparisonFigures
{
    /// <summary>Where the figures go unless told otherwise: <c>out</c>.</summary>
    public const string DefaultDirectory = "out";

    /// <summary>Progress steps of <see cref="Write"/>: the PCA figures, then one per autoencoder method.</summary>
    public static int Steps(IReadOnlyList<string> methods) => 1 + methods.Count(Comparison.IsAutoencoder);

    /// <summary>How a method is named in pictures and tables.</summary>
    public static string Display(string method) => method switch
    {
        "pca" => "PCA (ours)",
        "mlnet-pca" => "ML.NET PCA",
        "ae" => "AE",
        "denoising" => "denoising AE",
        "vae" => "VAE (μ)",
        "raw" => "raw pixels",
        _ => method,
    };

    /// <summary>The short row label of a method's reconstructions at code size k (PCA-20, AE-20, …).</summary>
    private static string Short(string method, int k) => method switch
    {
        "pca" => $"PCA-{k}",
        "ae" => $"AE-{k}",
        "vae" => $"VAE-{k}",
        "denoising" => $"denoising AE-{k}",
        _ => $"{method}-{k}",
    };

    public static JsonObject Write(ImageDataset train, IReadOnlyList<string> methods, IReadOnlyList<int> codes, FeaturizerSettings s, string dir,
        IReadOnlyList<Comparison.Row> rows, IReadOnlyDictionary<(string Method, int Code), IAutoencoder> trained, Action<double, string?> advance)
    {
        Directory.CreateDirectory(dir);
        int w = train.Width, h = train.Height;
        // About 100 pixels a side, within ImageGrid's 1–32 (the mean image is drawn at twice the scale).
        int scale = Math.Clamp(100 / Math.Max(w, h), 1, 16);
        int k = Math.Min(codes.Max(), Math.Min(train.Count, train.Dimension));
        string name = BuiltInDatasets.DisplayName(train.Name);
        var json = new JsonObject { ["code"] = k };

        var pca = PcaModel.Fit(train.Images, new PcaOptions { Components = k, Seed = s.Seed });
        var mean = new Matrix(1, pca.Mean.Length, (float[])pca.Mean.Clone());
        json["mean"] = Save(new GridFigure { Title = $"{name}: mean image", Subtitle = $"{train.Count} training images of {w}×{h} pixels" },
            ImageGrid.Tile(mean, w, h, new ImageGridOptions { Scale = scale * 2 }), dir, "mean.png");
        int columns = Math.Min(10, k);
        json["eigen"] = Save(new GridFigure
            {
                Title = $"{name}: the first {k} principal components (eigen-images)",
                Subtitle = "each stretched to black (most negative) – white (most positive); numbered by explained variance",
                Captions = Enumerable.Range(1, k).Select(i => $"{i}").ToList(),
            },
            ImageGrid.Tile(pca.Components, w, h, new ImageGridOptions { Columns = columns, Scale = scale, NormalizeEach = true, Padding = 4, RowGap = 12 }), dir, "eigen.png");
        advance(1, "PCA figures");

        // Reconstructions of 10 images spread over the set (for faces: faces first, then non-faces).
        int n = Math.Min(10, train.Count);
        var picks = Enumerable.Range(0, n).Select(i => (int)((long)i * train.Count / n)).ToArray();
        var originals = train.Images.SelectRows(picks);
        var strips = new List<Matrix> { originals, pca.Reconstruct(originals) };
        var legend = new JsonArray("original", $"pca-{k}");
        var labels = new List<string> { "original", Short("pca", k) };
        foreach (var m in methods.Where(Comparison.IsAutoencoder))
        {
            if (!trained.TryGetValue((m, k), out var model))
                model = m == "vae" ? new VaeTrainer(s.Vae(k).Vae).Fit(train.Images) : new AutoencoderTrainer(s.Autoencoder(m, k).Autoencoder).Fit(train.Images);
            strips.Add(model.Reconstruct(originals));
            legend.Add($"{m}-{k}");
            labels.Add(Short(m, k));
            advance(1, $"{m} reconstructions");
        }
        var all = new Matrix(strips.Count * n, train.Dimension);
        for (int i = 0; i < strips.Count; i++) strips[i].Span.CopyTo(all.Data.AsSpan(i * n * train.Dimension));
        json["reconstructions"] = Save(new GridFigure
            {
                Title = $"{name}: training images and their reconstructions from {k} numbers",
                Subtitle = "top row: the images; below: PCA and each autoencoder, every model fitted on all training images",
                RowLabels = labels,
            },
            ImageGrid.Tile(all, w, h, new ImageGridOptions { Columns = n, Scale = scale }), dir, "reconstructions.png");
        json["reconstructionRows"] = legend;

        var chartPath = Path.Combine(dir, "accuracy.png");
        AccuracyChart(name, methods, codes, rows).Save(chartPath);
        json["chart"] = chartPath;
        return json;
    }

    /// <summary>
    /// Accuracy (%) against code size: a line per method with ± 1 sd over folds as error bars (log x axis), or grouped
    /// bars when there is one code size; raw pixels as a dashed reference line. Axes are clipped to the data.
    /// </summary>
    internal static IPicture AccuracyChart(string name, IReadOnlyList<string> methods, IReadOnlyList<int> codes, IReadOnlyList<Comparison.Row> rows)
    {
        int folds = rows.Count > 0 ? rows[0].FoldAccuracies.Length : 1;
        string title = $"{name}: a linear classifier on the codes";
        string yLabel = folds > 1 ? $"accuracy (%), mean ± 1 sd over {folds} folds" : "test-set accuracy (%)";
        var raw = rows.FirstOrDefault(x => x.Method == "raw");
        var featurizers = methods.Where(m => m != "raw").ToList();
        if (codes.Count == 1)
        {
            var bars = new MLNetAutoencoders.Imaging.BarChart([$"code size k = {codes[0]}"]) { Title = title, XLabel = "featurizer", YLabel = yLabel, ValueFormat = folds > 1 ? "0.0" : "0.00", YMaximum = 100 };
            foreach (var m in featurizers)
                if (rows.FirstOrDefault(x => x.Method == m && x.Code == codes[0]) is { } row)
                    bars.Add(Display(m), [100 * row.Mean], folds > 1 ? [100 * row.Std] : null);
            if (raw != null) bars.AddReferenceLine($"raw pixels ({100 * raw.Mean:0.0} %)", 100 * raw.Mean);
            return bars;
        }
        var chart = new Chart { Title = title, XLabel = "code size k (numbers per image, log scale)", YLabel = yLabel, LogX = true, YMaximum = 100 };
        foreach (var m in featurizers)
        {
            var mr = rows.Where(x => x.Method == m).OrderBy(x => x.Code).ToList();
            chart.Add(Display(m), mr.Select(x => (double)x.Code).ToList(), mr.Select(x => 100 * x.Mean).ToList(), folds > 1 ? mr.Select(x => 100 * x.Std).ToList() : null);
        }
        if (raw != null) chart.AddReferenceLine($"raw pixels ({100 * raw.Mean:0.0} %)", 100 * raw.Mean);
        return chart;
    }

    private static string Save(GridFigure figure, GrayImage grid, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        figure.Save(path, grid);
        return path;
    }
}
