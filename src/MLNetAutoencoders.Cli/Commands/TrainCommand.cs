using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Cli.Commands;

/// <summary><c>mlae train</c>: trains an autoencoder, saves it, reports test reconstruction error.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var kind = new Option<string>("--kind") { Description = "ae, tied, dropout", DefaultValueFactory = _ => "ae" };
        var hidden = new Option<string>("--hidden") { Description = "encoder hidden widths, e.g. 256,128 (decoder mirrors)", DefaultValueFactory = _ => "256,128" };
        var code = new Option<int>("--code") { Description = "code width", DefaultValueFactory = _ => 20 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 512 };
        var lr = new Option<float>("--lr") { DefaultValueFactory = _ => 1e-3f };
        var activation = new Option<string>("--activation") { Description = "hidden activation: relu, leaky-relu, selu, sigmoid, tanh", DefaultValueFactory = _ => "relu" };
        var codeActivation = new Option<string>("--code-activation") { DefaultValueFactory = _ => "identity" };
        var loss = new Option<string>("--loss") { Description = "cross-entropy or squared-error", DefaultValueFactory = _ => "cross-entropy" };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd", DefaultValueFactory = _ => "adam" };
        var validation = new Option<double>("--validation-fraction") { DefaultValueFactory = _ => 0.0 };
        var patience = new Option<int>("--patience") { Description = "early-stopping patience in epochs (0 = off)", DefaultValueFactory = _ => 0 };
        var dropout = new Option<float>("--dropout") { Description = "dropout rate inside encoder and decoder", DefaultValueFactory = _ => 0f };
        var tied = new Option<bool>("--tied") { Description = "tie decoder weights to the encoder's transposes" };
        var output = new Option<string?>("--out") { Description = "where to save the model (.mlae)" };

        var cmd = new Command("train", "Train an autoencoder on a dataset and report its test reconstruction error.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { kind, hidden, code, epochs, batch, lr, activation, codeActivation, loss, optimizer, validation, patience, dropout, tied, output })
            cmd.Options.Add(o);

        cmd.SetAction(r =>
        {
            try
            {
                var k = r.GetValue(kind)!;
                var options = new AutoencoderOptions
                {
                    HiddenSizes = CommonOptions.ParseSizes(r.GetValue(hidden), "--hidden"),
                    CodeSize = r.GetValue(code),
                    Epochs = r.GetValue(epochs),
                    BatchSize = r.GetValue(batch),
                    LearningRate = r.GetValue(lr),
                    HiddenActivation = Activations.Parse(r.GetValue(activation)!),
                    CodeActivation = Activations.Parse(r.GetValue(codeActivation)!),
                    Loss = Losses.Parse(r.GetValue(loss)!),
                    Optimizer = r.GetValue(optimizer)!.ToLowerInvariant() switch
                    {
                        "adam" => OptimizerKind.Adam,
                        "sgd" => OptimizerKind.Sgd,
                        var s => throw new ArgumentException($"--optimizer: unknown '{s}'; expected adam or sgd."),
                    },
                    ValidationFraction = r.GetValue(validation),
                    EarlyStoppingPatience = r.GetValue(patience),
                    DropoutRate = r.GetValue(dropout),
                    TiedWeights = r.GetValue(tied),
                    Seed = r.GetValue(common.Seed),
                    Threads = r.GetValue(common.Threads),
                    Gemm = common.GemmKind(r),
                };
                switch (k)
                {
                    case "ae": break;
                    case "tied": options.TiedWeights = true; break;
                    case "dropout": if (options.DropoutRate == 0) options.DropoutRate = 0.2f; break;
                    default: throw new ArgumentException($"--kind: unknown '{k}'; expected ae, tied or dropout.");
                }
                var trainer = new AutoencoderTrainer(options);
                var data = common.Load(r);
                var sw = Stopwatch.StartNew();
                var model = ConsoleUi.WithProgress($"{k} training", options.Epochs,
                    advance => trainer.Fit(data.Train.Images, ConsoleUi.EpochProgress(k, advance)));
                double trainSeconds = sw.Elapsed.TotalSeconds;
                double testMse = model.ReconstructionMse(data.Test!.Images);
                var path = r.GetValue(output);
                if (path != null) model.Save(path);

                var epochsJson = new JsonArray();
                foreach (var e in model.History.Epochs)
                {
                    var o = new JsonObject { ["epoch"] = e.Epoch, ["seconds"] = Math.Round(e.Seconds, 4), ["trainLoss"] = e.TrainLoss };
                    if (e.ValidationLoss is double v) o["validationLoss"] = v;
                    epochsJson.Add(o);
                }
                var json = new JsonObject
                {
                    ["dataset"] = data.Name,
                    ["kind"] = k,
                    ["code"] = model.CodeSize,
                    ["parameters"] = model.ParameterCount,
                    ["threads"] = options.Threads,
                    ["gemm"] = MLNetAutoencoders.Numerics.Gemm.Create(options.Gemm, 1).Name,
                    ["epochs"] = epochsJson,
                    ["trainSeconds"] = Math.Round(trainSeconds, 3),
                    ["testMse"] = testMse,
                };
                if (path != null) json["model"] = path;
                ConsoleUi.Err.MarkupLine($"{k}: {model.ParameterCount} parameters, test MSE {testMse:F5}, {trainSeconds:F1}s" + (path != null ? $", saved to {Spectre.Console.Markup.Escape(path)}" : ""));
                if (r.GetValue(common.Json)) ConsoleUi.WriteJson(json);
                else Console.WriteLine($"testMse {testMse:F5}  parameters {model.ParameterCount}  seconds/epoch {model.History.Epochs.Average(e => e.Seconds):F2}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or TrainingDivergedException or InvalidOperationException)
            {
                return ConsoleUi.Fail(e.Message);
            }
        });
        return cmd;
    }
}
