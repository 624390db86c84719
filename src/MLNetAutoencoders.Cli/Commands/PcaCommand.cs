using System.CommandLine;
using MLNetAutoencoders.Comparisons;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pca;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae pca</c>: the project's PCA and ML.NET's side by side on a dataset's training images (the measurements are
/// <see cref="PcaComparison"/>'s); with <c>--out</c> the main stage is saved as an ML.NET model zip, with <c>--onnx</c>
/// its model as ONNX.
/// </summary>
internal static class PcaCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var components = new Option<int>("--components") { Description = "number of principal components", DefaultValueFactory = _ => PcaDefaults.Components };
        var solver = new Option<string>("--solver") { Description = "the project's PCA whose model is reported at the top level and saved: auto, exact or randomized", DefaultValueFactory = _ => PcaSolver.Auto.ToString().ToLowerInvariant() };
        var whiten = new Option<bool>("--whiten") { Description = "scale codes to unit variance (the saved stage; the comparison rows are never whitened)" };
        var repeats = new Option<int>("--repeats") { Description = "fits per implementation; the fastest counts", DefaultValueFactory = _ => ExperimentDefaults.PcaRepeats };
        var output = new Option<string?>("--out") { Description = "save the fitted stage as an ML.NET model zip (Features → Code), loadable with mlContext.Model.Load" };
        var onnx = new Option<string?>("--onnx") { Description = "also export the fitted PCA as an ONNX model (float32 [N, D] → [N, components])" };

        var cmd = new Command("pca", "Fit the project's PCA and ML.NET's on a dataset's training images; compare fit time, explained variance and test reconstruction MSE.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { components, solver, whiten, repeats, output, onnx }) cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try { return Run(r, common, components, solver, whiten, repeats, output, onnx); }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }

    private static int Run(ParseResult r, CommonOptions common, Option<int> components, Option<string> solver, Option<bool> whiten, Option<int> repeats,
        Option<string?> output, Option<string?> onnx)
    {
        var settings = new PcaComparison.Settings(r.GetValue(components), CommonOptions.Parse(r.GetValue(solver)!, "--solver", PcaOptions.ParseSolver), r.GetValue(whiten), r.GetValue(repeats),
            r.GetValue(common.Threads), common.GemmKind(r), r.GetValue(common.Seed));
        // --test-fraction 0 (as in every command): fit on every row; the test measurements are then left out.
        var run = PcaComparison.Run(common.Load(r), settings, Console.Error.WriteLine);
        var path = r.GetValue(output);
        if (path != null) run.SaveStage(path);
        var onnxPath = r.GetValue(onnx);
        if (onnxPath != null) OnnxModelFile.Save(OnnxExport.Pca(run.Model), onnxPath);
        ConsoleUi.Err.MarkupLine(Markup.Escape(run.Summary()));
        run.WriteTable(Console.Out);
        if (common.WantsJson(r)) common.WriteJson(r, run.ToJson(path, onnxPath));
        return 0;
    }
}
