using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>Models built with <see cref="OnnxGraphBuilder"/>, checked by onnx's checker and run in ONNX Runtime against a C# reference.</summary>
public sealed class OnnxRuntimeTests
{
    private const int Features = 24;

    /// <summary>A random 2-layer dense network: Dense(24→16) + <paramref name="hidden"/>, Dense(16→8) + <paramref name="output"/>.</summary>
    private sealed record DenseNet(Matrix W1, float[] B1, Matrix W2, float[] B2, OnnxActivation Hidden, OnnxActivation Output, float Alpha, float Gamma)
    {
        public static DenseNet Random(ulong seed, OnnxActivation hidden, OnnxActivation output, float alpha = 0.2f, float gamma = 1.1f)
        {
            var rng = new Rng(seed);
            return new DenseNet(Gaussian(rng, 16, Features, 0.3f), Gaussian(rng, 16, 0.1f), Gaussian(rng, 8, 16, 0.3f), Gaussian(rng, 8, 0.1f),
                hidden, output, alpha, gamma);
        }

        private float? AlphaFor(OnnxActivation k) => k is OnnxActivation.LeakyRelu or OnnxActivation.Elu or OnnxActivation.Selu ? Alpha : null;

        private float? GammaFor(OnnxActivation k) => k is OnnxActivation.Selu ? Gamma : null;

        public string Save(string path)
        {
            var b = new OnnxGraphBuilder("features", Features);
            var h = b.Activation(b.Dense(b.Input, W1, B1, hint: "layer1"), Hidden, AlphaFor(Hidden), GammaFor(Hidden));
            var y = b.Activation(b.Dense(h, W2, B2, hint: "layer2"), Output, AlphaFor(Output), GammaFor(Output));
            b.Output(y, "output");
            b.Save(path);
            return path;
        }

        public Matrix Forward(Matrix x)
            => Activate(Dense(Activate(Dense(x, W1, B1), Hidden, Alpha, Gamma), W2, B2), Output, Alpha, Gamma);
    }

    public static TheoryData<OnnxActivation, OnnxActivation> ActivationPairs => new()
    {
        { OnnxActivation.Relu, OnnxActivation.Sigmoid },
        { OnnxActivation.Tanh, OnnxActivation.Identity },
        { OnnxActivation.Selu, OnnxActivation.Tanh },
        { OnnxActivation.LeakyRelu, OnnxActivation.Softmax },
        { OnnxActivation.Elu, OnnxActivation.Softplus },
        { OnnxActivation.Sigmoid, OnnxActivation.Relu },
    };

    [Theory]
    [MemberData(nameof(ActivationPairs))]
    public void DenseNetwork_MatchesReferenceForwardPass(OnnxActivation hidden, OnnxActivation output)
    {
        using var tmp = new TempDir();
        var net = DenseNet.Random(7 + (ulong)hidden * 31 + (ulong)output, hidden, output);
        var path = net.Save(tmp.File($"{hidden}-{output}.onnx"));
        var x = Gaussian(new Rng(99), 1000, Features);
        OnnxRuntimeHarness.AssertMatches(path, x, net.Forward(x), 1e-5f);
    }

    [Fact]
    public void SeluWithDefaultConstants_AndLeakyReluWithZeroSlope_Match()
    {
        // alpha = 0 must still be written (proto3 presence), and Selu's defaults are ONNX's.
        using var tmp = new TempDir();
        var rng = new Rng(5);
        var w = Gaussian(rng, 10, Features, 0.3f);
        var bias = Gaussian(rng, 10);
        var b = new OnnxGraphBuilder("x", Features);
        var h = b.Activation(b.Dense(b.Input, w, bias), OnnxActivation.LeakyRelu, alpha: 0f);
        b.Output(b.Activation(h, OnnxActivation.Selu), "y");
        var path = tmp.File("zero-alpha.onnx");
        b.Save(path);
        var x = Gaussian(rng, 300, Features);
        var expected = Activate(Activate(Dense(x, w, bias), OnnxActivation.Relu, 0, 0), OnnxActivation.Selu, 1.67326319217681884765625f, 1.05070102214813232421875f);
        OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f);
    }

    [Fact]
    public void SymbolicBatchDimension_AcceptsAnyRowCount()
    {
        using var tmp = new TempDir();
        var net = DenseNet.Random(11, OnnxActivation.Relu, OnnxActivation.Tanh);
        var path = net.Save(tmp.File("batch.onnx"));
        OnnxRuntimeHarness.Check(path);
        var rng = new Rng(3);
        foreach (int n in new[] { 1, 7, 1000 })
        {
            var x = Gaussian(rng, n, Features);
            var y = OnnxRuntimeHarness.Run(path, x);
            Assert.Equal(8, y.Cols);
            OnnxRuntimeHarness.AssertClose(net.Forward(x), y, 1e-5f, $"N = {n}");
        }
    }

    [Fact]
    public void PcaLikeGraph_SubMatMulDiv_MatchesReference()
    {
        using var tmp = new TempDir();
        var rng = new Rng(21);
        const int k = 6;
        var mean = Gaussian(rng, Features);
        var components = Gaussian(rng, Features, k, 0.5f); // [in, out] as MatMul wants
        var sd = new float[k];
        for (int j = 0; j < k; j++) sd[j] = 0.5f + rng.NextFloat() * 2;

        var b = new OnnxGraphBuilder("x", Features);
        var centred = b.Sub(b.Input, mean, "pca_mean");
        var projected = b.MatMul(centred, components, "pca_project");
        var whitened = b.Div(projected, sd, "pca_whiten");
        b.Output(whitened, "scores");
        var path = tmp.File("pca.onnx");
        b.Save(path);

        var x = Gaussian(rng, 500, Features, 2f);
        var expected = PerColumn(Dense(PerColumn(x, mean, (a, m) => a - m), components, null, transposed: true), sd, (a, s) => a / s);
        OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f);
    }

    /// <summary>A normaliser stage, as a model would implement <see cref="IOnnxStage"/>.</summary>
    private sealed class Standardizer(float[] mean, float[] invStd) : IOnnxStage
    {
        public string AppendTo(OnnxGraphBuilder builder, string input) => builder.AffinePerFeature(input, mean, invStd, "standardize");

        public Matrix Apply(Matrix x) => PerColumn(PerColumn(x, mean, (a, m) => a - m), invStd, (a, s) => a * s);
    }

    /// <summary>A dense stage with tied (transposed) weights, [in, out].</summary>
    private sealed class TiedDense(Matrix wInOut, float[] bias, OnnxActivation act) : IOnnxStage
    {
        public string AppendTo(OnnxGraphBuilder builder, string input)
            => builder.Activation(builder.Dense(input, wInOut, bias, transposed: true, hint: "tied"), act);

        public Matrix Apply(Matrix x) => Activate(Dense(x, wInOut, bias, transposed: true), act, 0, 0);
    }

    [Fact]
    public void ChainedStages_WithSeveralOutputs_MatchReference()
    {
        using var tmp = new TempDir();
        var rng = new Rng(77);
        var mean = Gaussian(rng, Features);
        var invStd = new float[Features];
        for (int j = 0; j < Features; j++) invStd[j] = 0.5f + rng.NextFloat();
        var norm = new Standardizer(mean, invStd);
        var enc = new TiedDense(Gaussian(rng, Features, 5, 0.3f), Gaussian(rng, 5, 0.1f), OnnxActivation.Tanh);
        var cls = new TiedDense(Gaussian(rng, 5, 4, 1f), Gaussian(rng, 4, 0.1f), OnnxActivation.Softmax);

        var b = new OnnxGraphBuilder("pixels", Features);
        b.DocString = "test chain";
        b.SetMetadata("kind", "chain");
        var code = b.Chain(b.Input, [norm, enc]);
        var probs = b.Append(code, cls);
        b.Output(probs, "probabilities");
        b.Output(b.ArgMax(probs), "label");
        b.Output(b.RowMean(b.Mul(code, code)), "energy");
        b.Output(code, "code");
        var path = tmp.File("chain.onnx");
        b.Save(path);
        OnnxRuntimeHarness.Check(path);

        var x = Gaussian(rng, 400, Features, 1.5f);
        var z = enc.Apply(norm.Apply(x));
        var p = cls.Apply(z);
        OnnxRuntimeHarness.AssertClose(p, OnnxRuntimeHarness.Run(path, x), 1e-5f, "first output (probabilities)");
        OnnxRuntimeHarness.AssertClose(z, OnnxRuntimeHarness.Run(path, x, "code"), 1e-5f, "code");
        var energy = RowReduce(z, (m, i) => Enumerable.Range(0, m.Cols).Average(j => (double)m[i, j] * m[i, j]));
        OnnxRuntimeHarness.AssertClose(energy, OnnxRuntimeHarness.Run(path, x, "energy"), 1e-5f, "energy");
        var labels = OnnxRuntimeHarness.Run(path, x, "label");
        var expectedLabels = RowReduce(p, (m, i) => Enumerable.Range(0, m.Cols).MaxBy(j => m[i, j]));
        // Near-ties could legitimately flip between two implementations; random logits make them vanishingly rare.
        OnnxRuntimeHarness.AssertClose(expectedLabels, labels, 0f, "label");
    }

    [Fact]
    public void UnaryOperators_MatchReference()
    {
        using var tmp = new TempDir();
        var b = new OnnxGraphBuilder("x", Features);
        // |x| + 0.5 → sqrt → log → exp → neg → reciprocal → clip[-1, 3] ; also RowSum of the clipped value.
        var y = b.Add(b.Abs(b.Input), b.Constant(0.5f));
        y = b.Reciprocal(b.Neg(b.Exp(b.Log(b.Sqrt(y)))));
        y = b.Clip(y, -1f, 3f);
        var half = b.Clip(b.Input, null, 0.25f, "upper_only");
        b.Output(b.Add(y, b.RowSum(half)), "y");
        var path = tmp.File("unary.onnx");
        b.Save(path);

        var x = Gaussian(new Rng(4), 200, Features);
        var expected = new Matrix(x.Rows, Features);
        for (int i = 0; i < x.Rows; i++)
        {
            double rowSum = 0;
            for (int j = 0; j < Features; j++) rowSum += Math.Min(x[i, j], 0.25f);
            for (int j = 0; j < Features; j++)
                expected[i, j] = (float)(Math.Clamp(-1 / Math.Exp(Math.Log(Math.Sqrt(Math.Abs(x[i, j]) + 0.5))), -1, 3) + rowSum);
        }
        OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f);
    }

    [Fact]
    public void Harness_ReportsAModelTheCheckerRejects()
    {
        // A Relu with two inputs passes the structural validation of OnnxModelFile but not onnx's checker:
        // the harness must turn that into a test failure.
        using var tmp = new TempDir();
        var b = new OnnxGraphBuilder("x", 3);
        var bad = b.AddNode("Relu", [b.Input, b.Input])[0];
        b.Output(bad, "y", 3);
        var path = tmp.File("bad.onnx");
        b.Save(path);
        var ex = Assert.ThrowsAny<Exception>(() => OnnxRuntimeHarness.Check(path));
        Assert.Contains("onnx checker rejected", ex.Message);
    }
}
