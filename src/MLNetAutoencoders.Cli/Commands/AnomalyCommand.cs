using System.CommandLine;
using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae anomaly</c>: the one-class protocol of the experiments project's <see cref="AnomalyExperiment"/> (ML.NET's
/// PCA, the project's PCA and the autoencoder trainer side by side, AUROC per normal class). <c>--split validation</c>
/// scores held-out training rows for choosing settings; <c>--curves DIR</c> draws ROC and precision-recall curves per class.
/// </summary>
internal static class AnomalyCommand
{
    public static Command Create()
    {
        var d = new AnomalyExperimentOptions();
        var dataset = new Option<string>("--dataset") { Description = string.Join(" or ", AnomalyExperiment.Datasets), DefaultValueFactory = _ => d.Dataset };
        var methods = new Option<string?>("--methods") { Description = $"comma-separated: {string.Join(", ", AnomalyExperiment.Methods)} (default: the dataset's chosen setting beside both PCAs, docs/anomaly/RESULTS.md)" };
        var classes = new Option<string?>("--classes") { Description = "fashion-mnist: the normal classes to run, e.g. 0,1,2 (default all ten)" };
        var code = new Option<int?>("--code") { Description = "code size of the autoencoders and rank of the PCAs (default: the dataset's chosen setting)" };
        var hidden = new Option<string?>("--hidden") { Description = "autoencoder hidden widths (default 256,128 for images, 16 for the table)" };
        var epochs = new Option<int?>("--epochs") { Description = "autoencoder epochs (default 20 for images, 200 for the table)" };
        var seed = new Option<int>("--seed") { Description = "seed of all randomness", DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--threads") { Description = "threads for the autoencoders' GEMM kernels", DefaultValueFactory = _ => d.Threads };
        var split = new Option<string>("--split") { Description = "test (the reported protocol) or validation (held-out training rows, for choosing settings)", DefaultValueFactory = _ => d.Split };
        var json = new Option<bool>("--json") { Description = "print one JSON object as the last line of stdout" };
        var scorers = new Option<string?>("--scorers") { Description = $"comma-separated scores of each autoencoder: {string.Join(", ", AnomalyExperiment.ScorerNames)} (reconstruction: the VAE's negative ELBO; svdd, restoration (images), geo (images: a classifier of the image's right-angle rotation or flip, no autoencoder) and ensemble (five seeds of the dataset's chosen scorer; ensemble+raw adds the nearest-neighbour distance in the input space) train networks of their own; kinds averages the chosen code scorer with restoration (images) or the reconstruction error (table), +geo adds transformation prediction, +raw the nearest-neighbour distance in the input space (geo+raw: those two alone); default: reconstruction, and without --methods also the dataset's chosen scorer)" };
        var curves = new Option<string?>("--curves") { Description = "folder for ROC and precision-recall pictures per class" };
        var erasure = new Option<int?>("--erasure") { Description = "side in pixels of the square that restoration erases at random in training and at five fixed places in scoring (0 = none; default: the dataset's chosen setting)" };

        var geoShift = new Option<int?>("--geo-shift") { Description = "transformation prediction (geo): also shift each rotation or flip by 0 and ±N pixels along each axis (72 transformations instead of 8; 0 = none; default: the dataset's chosen setting, 3 for fashion-mnist)" };
        var geoEpochs = new Option<int?>("--geo-epochs") { Description = "epochs of transformation prediction's classifier (default: the dataset's chosen setting, 1 for fashion-mnist)" };

        var cmd = new Command("anomaly", "One-class anomaly detection: PCA (ML.NET's and the project's) vs autoencoders, AUROC per normal class.");
        foreach (var o in new Option[] { dataset, methods, scorers, erasure, geoShift, geoEpochs, classes, code, hidden, epochs, seed, threads, split, json, curves }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var experiment = AnomalyExperiment.Create(new AnomalyExperimentOptions
                {
                    Dataset = r.GetValue(dataset)!,
                    Methods = r.GetValue(methods) is { } m ? CommonOptions.ParseChoices(m, AnomalyExperiment.Methods, "--methods") : null,
                    Scorers = r.GetValue(scorers) is { } s ? CommonOptions.ParseChoices(s, AnomalyExperiment.ScorerNames, "--scorers") : null,
                    Classes = r.GetValue(classes) is { } c ? CommonOptions.ParseSizes(c, "--classes") : null,
                    CodeSize = r.GetValue(code),
                    HiddenSizes = r.GetValue(hidden) is { } h ? CommonOptions.ParseSizes(h, "--hidden") : null,
                    Epochs = r.GetValue(epochs),
                    Seed = r.GetValue(seed),
                    Threads = r.GetValue(threads),
                    Split = r.GetValue(split)!,
                    CurvesDirectory = r.GetValue(curves),
                    ErasureSize = r.GetValue(erasure),
                    GeoShift = r.GetValue(geoShift),
                    GeoEpochs = r.GetValue(geoEpochs),
                });
                var rows = ConsoleUi.WithProgress("anomaly", experiment.FitCount, experiment.Run);
                foreach (var line in experiment.Table(rows)) Console.WriteLine(line);
                if (r.GetValue(json)) ConsoleUi.WriteJson(experiment.Json(rows));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException or TrainingDivergedException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }
}
