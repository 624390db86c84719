using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.MLNet.Tests.Cli;

/// <summary>
/// Every option whose value is a name (optimizer, initialisation, activation, loss, corruption, GEMM provider, PCA
/// solver) is parsed by the library's own parser; an unknown name ends the command with one line that names the option
/// as typed and lists the valid names.
/// </summary>
public sealed class CliValueNameTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlae-names-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Csv() =>
        LabelledCsv.Write(Path.Combine(_dir, "data.csv"), TestData.LowRankData(40, 6));

    [Theory]
    [InlineData("train", "--optimizer", "rmsprop", "--optimizer: Unknown optimizer 'rmsprop'; expected adam or sgd.")]
    [InlineData("train", "--init", "xavier", "--init: Unknown initialisation 'xavier'; expected auto, glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal or pytorch.")]
    [InlineData("train", "--activation", "gelu", "--activation: Unknown activation 'gelu'; expected identity, relu, leaky-relu, selu, sigmoid or tanh.")]
    [InlineData("train", "--code-activation", "gelu", "--code-activation: Unknown activation 'gelu'; expected identity, relu, leaky-relu, selu, sigmoid or tanh.")]
    [InlineData("train", "--loss", "l1", "--loss: Unknown loss 'l1'; expected cross-entropy or squared-error.")]
    [InlineData("train", "--noise", "blur:0.2", "--noise: Unknown corruption 'blur:0.2'; expected gaussian:η, mask:ν, salt-pepper:ν or none.")]
    [InlineData("train", "--gemm", "mkl", "--gemm: Unknown GEMM provider 'mkl'; expected auto, managed or openblas.")]
    [InlineData("pca", "--solver", "svd", "--solver: Unknown PCA solver 'svd'; expected auto, exact or randomized.")]
    public void UnknownName_EndsWithOneLine_NamingTheOptionAndTheValidNames(string command, string option, string value, string message)
    {
        string[] args = [command, "--dataset", Csv(), "--label-column", "label", "--threads", "1", option, value];
        var (code, stdout, stderr) = MlaeProcess.Run(new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, command == "train" ? [.. args, "--epochs", "1"] : args);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: " + message, stderr.Trim());
    }
}
