using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;

namespace MLNetAutoencoders.Tests.Onnx;

public sealed class OnnxGraphBuilderTests
{
    [Fact]
    public void Dense_TracksShapes_AndChecksWidths()
    {
        var b = new OnnxGraphBuilder("x", 6);
        var h = b.Dense(b.Input, new Matrix(4, 6), new float[4]);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 4L], b.ShapeOf(h)!);
        Assert.Equal(4, b.WidthOf(h));
        var t = b.Dense(h, new Matrix(4, 3), [], transposed: true, hint: "tied");
        Assert.Equal(3, b.WidthOf(t));

        var ex = Assert.Throws<ArgumentException>(() => b.Dense(h, new Matrix(2, 5), [], hint: "dec"));
        Assert.Contains("dec", ex.Message);
        Assert.Contains("[N, 4]", ex.Message);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => b.Dense(h, new Matrix(2, 4), new float[3])).Message);
        Assert.Throws<ArgumentException>(() => b.MatMul(h, new Matrix(5, 2)));
        Assert.Throws<ArgumentException>(() => b.Sub(h, new float[5]));
        Assert.Throws<ArgumentException>(() => b.Add(h, b.AddInitializer(new float[5])));
        Assert.Equal(4, b.WidthOf(b.Mul(h, b.Constant(2f))));
        Assert.Equal(4, b.WidthOf(b.Add(h, b.RowMean(h))));
    }

    [Fact]
    public void Names_AreUnique()
    {
        var b = new OnnxGraphBuilder("x", 2);
        var a = b.Dense(b.Input, new Matrix(2, 2), new float[2], hint: "layer");
        var c = b.Dense(a, new Matrix(2, 2), new float[2], hint: "layer");
        var d = b.Dense(c, new Matrix(2, 2), new float[2], hint: "la yer!");
        b.Output(d, "out");
        var g = b.Build().Graph;
        var values = g.Input.Select(v => v.Name).Concat(g.Initializer.Select(t => t.Name)).Concat(g.Node.SelectMany(n => n.Output)).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Equal(g.Node.Count, g.Node.Select(n => n.Name).Distinct().Count());
        Assert.Equal(["layer", "layer_2", "la_yer_", "out"], g.Node.Select(n => n.Output[0]));
        Assert.Contains("layer_2_W", values);
    }

    [Fact]
    public void Initializers_MustBeFinite_AndMatchTheirShape()
    {
        var b = new OnnxGraphBuilder("x", 2);
        var m = new Matrix(2, 2);
        m[1, 0] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => b.Dense(b.Input, m, [], hint: "enc0"));
        Assert.Contains("enc0_W", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Throws<ArgumentException>(() => b.AddInitializer([1f, float.PositiveInfinity], "v"));
        Assert.Throws<ArgumentException>(() => b.AddInitializer([1f, 2f, 3f], [2L, 2L], "wrong"));
        Assert.Equal(0, b.InitializerCount);
    }

    [Fact]
    public void Output_RulesAreEnforced()
    {
        var b = new OnnxGraphBuilder("x", 3);
        Assert.Throws<InvalidOperationException>(() => b.Build());
        Assert.Throws<ArgumentException>(() => b.Output("nope", "y"));

        // A generic node has an unknown shape: the width must be given.
        var r = b.AddNode("Relu", [b.Input])[0];
        Assert.Null(b.ShapeOf(r));
        Assert.Throws<ArgumentException>(() => b.Output(r, "y"));
        Assert.Equal("y", b.Output(r, "y", 3));
        Assert.Throws<ArgumentException>(() => b.Output(r, "y", 3));      // already an output
        Assert.Throws<ArgumentException>(() => b.Output(b.Input, r, 3));  // name taken by a value

        // The input itself can be an output (through Identity); a wrong width is refused.
        Assert.Throws<ArgumentException>(() => b.Output(b.Input, "copy", 4));
        b.Output(b.Input, "copy");
        var g = b.Build().Graph;
        Assert.Equal(["y", "copy"], g.Output.Select(o => o.Name));
        Assert.Equal(["Relu", "Identity", "Identity"], g.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Output_OfANodeValueWithTheSameName_AddsNoIdentity()
    {
        var b = new OnnxGraphBuilder("x", 3);
        var s = b.Activation(b.Input, OnnxActivation.Sigmoid, hint: "probs");
        b.Output(s, "probs");
        Assert.Equal(["Sigmoid"], b.Build().Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void Activation_ParametersAreValidated_AndWritten()
    {
        var b = new OnnxGraphBuilder("x", 3);
        Assert.Throws<ArgumentException>(() => b.Activation(b.Input, OnnxActivation.Relu, alpha: 0.1f));
        Assert.Throws<ArgumentException>(() => b.Activation(b.Input, OnnxActivation.LeakyRelu, gamma: 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Activation(b.Input, OnnxActivation.Elu, alpha: float.NaN));
        b.Output(b.Activation(b.Activation(b.Input, OnnxActivation.Selu), OnnxActivation.LeakyRelu), "y");
        var nodes = b.Build().Graph.Node;
        Assert.Equal(["alpha", "gamma"], nodes[0].Attribute.Select(a => a.Name));
        Assert.Equal(0.01f, nodes[1].Attribute.Single().F);
        Assert.Throws<ArgumentException>(() => b.Clip(b.Input, 2f, 1f));
    }

    [Fact]
    public void Chain_ReportsAStageThatReturnsNoValue()
    {
        var b = new OnnxGraphBuilder("x", 3);
        var ex = Assert.Throws<InvalidOperationException>(() => b.Chain(b.Input, [new BrokenStage()]));
        Assert.Contains(nameof(BrokenStage), ex.Message);
    }

    private sealed class BrokenStage : IOnnxStage
    {
        public string AppendTo(OnnxGraphBuilder builder, string input) => "not-a-value";
    }

    [Fact]
    public void Build_ReturnsIndependentModels()
    {
        var b = new OnnxGraphBuilder("x", 4);
        b.Output(b.Dense(b.Input, Gaussian(new Rng(0), 2, 4), new float[2]), "y");
        var first = b.Build();
        b.Output(b.Input, "copy");
        Assert.Single(first.Graph.Output);
        Assert.Equal(2, b.Build().Graph.Output.Count);
    }
}
