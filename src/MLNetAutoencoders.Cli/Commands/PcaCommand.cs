using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pca;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae pca</c>: fits the project's exact PCA as an ML.NET stage (<c>ProjectToExactPrincipalComponents</c>) on the
/// training images, reports explained variance and the test reconstruction error, and with <c>--out</c> saves the fitted
/// stage as an ML.NET model zip (<c>mlContext.Model.Save</c>; it loads back with <c>mlContext.Model.Load</c> as an ONNX stage).
/// </summary>
internal static class PcaCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var components = new Option<int>("--components") { Description = "number of principal components", DefaultValueFactory = _ => 20 };
        var solver = new Option<string>("--solver") { Description = "auto, exact or randomized", DefaultValueFactory = _ => "auto" };
        var whiten = new Option<bool>("--whiten") { Description = "scale codes to unit variance" };
        var output = new Option<string?>("--out") { Description = "save the fitted stage as an ML.NET model zip (Features → Code), loadable with mlContext.Model.Load" };
        var onnx = new Option<string?>("--onnx") { Description = "also export the fitted PCA as an ONNX model (float32 [N, D] → [N, components])" };

        var cmd = new Command("pca", "Fit PCA on a dataset's training images; report explained variance, test reconstruction MSE and fit time.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { components, solver, whiten, output, onnx }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                ulong seed = r.GetValue(common.Seed);
                if (seed > int.MaxValue) throw new ArgumentException($"--seed must be at most {int.MaxValue} (ML.NET seeds are Int32); got {seed}.");
                int threads = r.GetValue(common.Threads);
                var stage = new ExactPcaEstimator.Options
                {
                    InputColumnName = ImageDataViews.FeaturesColumn, OutputColumnName = "Code",
                    Rank = r.GetValue(components), Solver = ParseSolver(r.GetValue(solver)!), Whiten = r.GetValue(whiten),
                    Seed = (int)seed, Threads = threads,
                };
                var gemm = MLNetAutoencoders.Numerics.Gemm.Create(common.GemmKind(r), threads);
                var data = common.Load(r);
                var ml = new MLContext(seed: (int)seed);
                var train = data.Train;
                var view = ImageDataViews.Load(ml, new ImageDataset(train.Images, null, train.Width, train.Height, train.Name)); // Features only
                var sw = Stopwatch.StartNew();
                var transformer = ml.Transforms.ProjectToExactPrincipalComponents(stage).Fit(view);
                double seconds = sw.Elapsed.TotalSeconds;
                var model = transformer.Model;
                double trainMse = model.ReconstructionMse(data.Train.Images, gemm);
                double testMse = model.ReconstructionMse(data.Test!.Images, gemm);
                var path = r.GetValue(output);
                if (path != null) ml.Model.Save(transformer, view.Schema, path);
                var onnxPath = r.GetValue(onnx);
                if (onnxPath != null) OnnxModelFile.Save(OnnxExport.Pca(model), onnxPath);

                var ratios = new JsonArray(model.ExplainedVarianceRatio.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
                double total = model.ExplainedVarianceRatio.Sum();
                var json = new JsonObject
                {
                    ["dataset"] = data.Name,
                    ["components"] = model.ComponentCount,
                    ["solver"] = model.Solver.ToString().ToLowerInvariant(),
                    ["trainRows"] = data.Train.Count,
                    ["dimension"] = model.InputDimension,
                    ["explainedVarianceRatio"] = ratios,
                    ["explainedVarianceTotal"] = total,
                    ["trainMse"] = trainMse,
                    ["testMse"] = testMse,
                    ["seconds"] = Math.Round(seconds, 4),
                    ["threads"] = threads,
                };
                if (path != null) json["model"] = path;
                if (onnxPath != null) json["onnx"] = onnxPath;
                ConsoleUi.Err.MarkupLine($"PCA {model.ComponentCount} components ({model.Solver}) on {data.Train.Count}×{model.InputDimension}: " +
                    $"{total:P2} of the variance, test MSE {testMse:F5}, {seconds:F2}s");
                if (r.GetValue(common.Json)) ConsoleUi.WriteJson(json);
                else
                {
                    Console.WriteLine("component  ratio     cumulative");
                    double cum = 0;
                    for (int i = 0; i < model.ComponentCount; i++)
                    {
                        cum += model.ExplainedVarianceRatio[i];
                        Console.WriteLine($"{i + 1,9}  {model.ExplainedVarianceRatio[i],8:F5}  {cum,8:F5}");
                    }
                    Console.WriteLine($"testMse {testMse:F5}  seconds {seconds:F3}");
                }
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static PcaSolver ParseSolver(string text) => text.ToLowerInvariant() switch
    {
        "auto" => PcaSolver.Auto,
        "exact" or "full" => PcaSolver.Exact,
        "randomized" or "randomised" => PcaSolver.Randomized,
        _ => throw new ArgumentException($"--solver: unknown '{text}'; expected auto, exact or randomized."),
    };
}
