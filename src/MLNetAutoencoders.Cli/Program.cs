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
var parse = root.Parse(args);
bool help = args.Any(a => a is "-h" or "--help" or "-?");
if (parse.Errors.Count > 0 && !help) return MLNetAutoencoders.Cli.ConsoleUi.ParseFailed(parse);
try
{
    return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    // A failure no command anticipated: one cleaned line, never a stack trace or a link.
    return MLNetAutoencoders.Cli.ConsoleUi.Fail(e.Message);
}
