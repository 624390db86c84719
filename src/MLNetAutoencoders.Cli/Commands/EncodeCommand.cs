using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using Spectre.Console;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary>
/// <c>mlae encode</c>: writes the codes of a dataset split under a model file's featurizer as a float32 NPY [N, k], so
/// that they can be compared outside the library (e.g. with ONNX Runtime's output of <c>mlae export-onnx</c>).
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var model = FeaturizerFile.ModelOption();
        var (inputName, outputName) = FeaturizerFile.NameOptions();
        var split = new Option<string>("--split") { Description = "test or train", DefaultValueFactory = _ => ExperimentDefaults.EncodeSplit };
        var output = new Option<string>("--out") { Description = "the .npy file to write (float32, [N, k])", Required = true };
        var cmd = new Command("encode", "Encode a dataset split with a model file's featurizer and write the codes as a float32 NPY [N, k].");
        common.AddTo(cmd);
        foreach (var o in new Option[] { model, split, output, inputName, outputName }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            try
            {
                var f = FeaturizerFile.Load(r.GetValue(model)!, r.GetValue(inputName), r.GetValue(outputName));
                var which = r.GetValue(split)!.Trim().ToLowerInvariant();
                if (which is not ("test" or "train")) throw new ArgumentException($"--split: unknown '{r.GetValue(split)}'; expected test or train.");
                var data = common.Load(r);
                var rows = which == "train" ? data.Train : CommonOptions.RequireTest(data, "encode --split test");
                if (rows.Images.Cols != f.InputSize)
                    throw new ArgumentException($"Dataset '{data.Name}' has {rows.Images.Cols} values per row; the model's '{f.InputName}' expects {f.InputSize}.");
                var sw = Stopwatch.StartNew();
                var codes = f.Encode(rows.Images);
                double seconds = sw.Elapsed.TotalSeconds;
                var path = r.GetValue(output)!;
                Npy.Write(path, codes);
                ConsoleUi.Err.MarkupLine(Markup.Escape(
                    $"{f.Kind}: encoded {codes.Rows} {which} rows of {data.Name} ({f.InputName} [N, {f.InputSize}] → {f.OutputName} [N, {codes.Cols}]) in {seconds:F2}s; wrote {path}"));
                if (common.WantsJson(r))
                {
                    common.WriteJson(r, new JsonObject
                    {
                        ["model"] = r.GetValue(model), ["kind"] = f.Kind, ["dataset"] = data.Name, ["split"] = which,
                        ["rows"] = codes.Rows, ["codeSize"] = codes.Cols, ["out"] = path, ["seconds"] = Math.Round(seconds, 4),
                    });
                }
                else
                {
                    Console.WriteLine($"{path}  float32 [{codes.Rows}, {codes.Cols}]");
                }
                return 0;
            }
            catch (Exception e) when (FeaturizerFile.IsUserError(e))
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }
}
