using System.CommandLine;
using MLNetAutoencoders.Cli.Commands;

var root = new RootCommand("mlae: autoencoders, PCA and classifiers for .NET — train, compare, export.")
{
    TrainCommand.Create(),
    SampleCommand.Create(),
    ReconstructCommand.Create(),
    PcaCommand.Create(),
    CompareCommand.Create(),
    ExportOnnxCommand.Create(),
    EncodeCommand.Create(),
    PretrainCommand.Create(),
    AnomalyCommand.Create(),
    MapCommand.Create(),
};
return root.Parse(args).Invoke();
