using System.CommandLine;
using MLNetAutoencoders.Cli.Commands;

var root = new RootCommand("mlae: autoencoders, PCA and classifiers for .NET — train, compare, export.")
{
    TrainCommand.Create(),
};
return root.Parse(args).Invoke();
