using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Pipeline;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary><c>mlae pca</c>: fits PCA on the training images, reports explained variance and the test reconstruction error.</summary>
internal static class PcaCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var components = new Option<int>("--components") { Description = "number of principal components", DefaultValueFactory = _ => 20 };
        var solver = new Option<string>("--solver") { Description = "auto, exact or randomized", DefaultValueFactory = _ => "auto" };
        var whiten = new Option<bool>("--whiten") { Description = "scale codes to unit variance" };
        var output = new Option<string?>("--out") { Description = "save the fitted PCA as a pipeline file (.mlae), loadable with Model.Load" };

        var cmd = new Command("pca", "Fit PCA on a dataset's training images; report explained variance, test reconstruction MSE and fit time.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { components, solver, whiten, output }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                var options = new PcaOptions
                {
                    Components = r.GetValue(components),
                    Solver = ParseSolver(r.GetValue(solver)!),
                    Whiten = r.GetValue(whiten),
                    Seed = r.GetValue(common.Seed),
                    Threads = r.GetValue(common.Threads),
                    Gemm = MLNetAutoencoders.Numerics.Gemm.Create(common.GemmKind(r), r.GetValue(common.Threads)),
                };
                options.Validate();
                var data = common.Load(r);
                var sw = Stopwatch.StartNew();
                var model = PcaModel.Fit(data.Train.Images, options);
                double seconds = sw.Elapsed.TotalSeconds;
                double trainMse = model.ReconstructionMse(data.Train.Images, options.Gemm);
                double testMse = model.ReconstructionMse(data.Test!.Images, options.Gemm);
                var path = r.GetValue(output);
                if (path != null)
                    new MLAEContext().Model.Save(new PcaTransformer(model, "Code", DataTable.DefaultFeatures),
                        DataTable.FromDataset(data.Train).Schema, path);

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
                    ["threads"] = options.Threads,
                };
                if (path != null) json["model"] = path;
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
