using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Pca;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>The library's parsers of optimizer, initialisation and PCA solver names (the CLI and any host use them).</summary>
public sealed class NameParsingTests
{
    [Theory]
    [InlineData("adam", OptimizerKind.Adam)]
    [InlineData(" SGD ", OptimizerKind.Sgd)]
    public void Optimizer_NamesParse_AnyCaseAndSpaces(string name, OptimizerKind kind) => Assert.Equal(kind, Optimizer.ParseKind(name));

    [Theory]
    [InlineData("auto", InitKind.Auto)]
    [InlineData("glorot-uniform", InitKind.GlorotUniform)]
    [InlineData("Glorot-Normal", InitKind.GlorotNormal)]
    [InlineData("he-uniform", InitKind.HeUniform)]
    [InlineData("he-normal ", InitKind.HeNormal)]
    [InlineData("lecun-normal", InitKind.LecunNormal)]
    [InlineData("pytorch", InitKind.PyTorchDefault)]
    public void Initializer_NamesParse_AnyCaseAndSpaces(string name, InitKind kind) => Assert.Equal(kind, Initializer.ParseKind(name));

    [Theory]
    [InlineData("auto", PcaSolver.Auto)]
    [InlineData("exact", PcaSolver.Exact)]
    [InlineData("FULL", PcaSolver.Exact)]
    [InlineData("randomized", PcaSolver.Randomized)]
    [InlineData(" randomised", PcaSolver.Randomized)]
    public void PcaSolver_NamesParse_WithAliases(string name, PcaSolver solver) => Assert.Equal(solver, PcaOptions.ParseSolver(name));

    [Fact]
    public void UnknownNames_AreRefused_WithTheValidNames()
    {
        Assert.Equal("Unknown optimizer 'rmsprop'; expected adam or sgd.", Assert.Throws<ArgumentException>(() => Optimizer.ParseKind("rmsprop")).Message);
        Assert.Equal("Unknown initialisation 'xavier'; expected auto, glorot-uniform, glorot-normal, he-uniform, he-normal, lecun-normal or pytorch.",
            Assert.Throws<ArgumentException>(() => Initializer.ParseKind("xavier")).Message);
        Assert.Equal("Unknown PCA solver 'svd'; expected auto, exact or randomized.", Assert.Throws<ArgumentException>(() => PcaOptions.ParseSolver("svd")).Message);
    }
}
