using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>
/// The dense and dropout layers, the network around them and the context they run in: values against hand-computed
/// ones, argument checks, frozen parameters, and the specs a model file stores.
/// </summary>
public class LayerTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    private static DenseLayer Dense(string name, int input, int output, ActivationKind act, ulong seed, float slope = 0.01f)
    {
        var l = new DenseLayer(name, input, output, act, slope);
        var rng = new Rng(seed);
        foreach (var p in l.Parameters) rng.FillUniform(p.Value.Span, -1, 1);
        return l;
    }

    /// <summary>f(x·Wᵀ + b) (or f(x·W + b) for a transposed weight) in double.</summary>
    private static double[,] Reference(Matrix x, DenseLayer l)
    {
        var y = new double[x.Rows, l.OutputSize];
        for (int i = 0; i < x.Rows; i++)
            for (int o = 0; o < l.OutputSize; o++)
            {
                double s = l.Bias.Value.Data[o];
                for (int k = 0; k < l.InputSize; k++) s += x[i, k] * (l.Transposed ? l.Weight.Value[k, o] : l.Weight.Value[o, k]);
                var one = new[] { (float)s };
                Activations.Forward(l.Activation, one, l.Slope);
                y[i, o] = one[0];
            }
        return y;
    }

    [Theory]
    [InlineData(false, ActivationKind.Tanh)]
    [InlineData(true, ActivationKind.LeakyRelu)]
    public void Dense_Forward_IsTheAffineMapThenTheActivation(bool transposed, ActivationKind act)
    {
        // 70 rows: more than one 32-row block, so the bias copy and the activation run over every block.
        var w = new Parameter("w", transposed ? 5 : 3, transposed ? 3 : 5);
        new Rng(1).FillUniform(w.Value.Span, -1, 1);
        var b = new Parameter("b", 1, 3);
        new Rng(2).FillUniform(b.Value.Span, -1, 1);
        var l = new DenseLayer(w, transposed, b, act, 0.3f);
        Assert.Equal((5, 3), (l.InputSize, l.OutputSize));
        var x = TestData.Uniform(70, 5, 3);
        var y = l.Forward(x, true, NnContext.Create(GemmKind.Managed, 2, 1));
        var expected = Reference(x, l);
        Assert.Equal((70, 3), (y.Rows, y.Cols));
        for (int i = 0; i < 70; i++)
            for (int o = 0; o < 3; o++) Assert.Equal(expected[i, o], y[i, o], 1e-5);
        Assert.Same(y, l.LastOutput);
        Assert.Same(x, l.LastInput);
    }

    [Fact]
    public void Dense_ChecksShapes_AndThatForwardCameFirst()
    {
        var e = Assert.Throws<ArgumentException>(() => new DenseLayer(new Parameter("w", 3, 5), false, new Parameter("b", 1, 5), ActivationKind.Relu));
        Assert.Contains("Bias 'b' must be 1×3; it is 1×5", e.Message);
        Assert.Throws<ArgumentException>(() => new DenseLayer(new Parameter("w", 3, 5), false, new Parameter("b", 2, 3), ActivationKind.Relu));
        Assert.Throws<ArgumentException>(() => new DenseLayer(new Parameter("w", 3, 5), true, new Parameter("b", 1, 3), ActivationKind.Relu));
        var l = new DenseLayer("enc.0", 5, 3, ActivationKind.Relu);
        Assert.Equal(["enc.0.weight", "enc.0.bias"], l.Parameters.Select(p => p.Name));
        Assert.Contains("Layer enc.0.weight: input has 4 columns; expected 5", Assert.Throws<ArgumentException>(() => l.Forward(new Matrix(2, 4), false, Ctx)).Message);
        Assert.Contains("Backward called before Forward", Assert.Throws<InvalidOperationException>(() => l.Backward(new Matrix(2, 3), true, Ctx)).Message);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Dense_Backward_SkipsFrozenParameters_AndTheInputGradientWhenNotAsked(bool freezeWeight, bool freezeBias)
    {
        // 130 columns of output: the bias gradient's columns are split between two threads (64 at least each).
        const int n = 130;
        var l = Dense("d", 4, n, ActivationKind.Identity, 5);
        l.Weight.Frozen = freezeWeight;
        l.Bias.Frozen = freezeBias;
        var x = TestData.Uniform(6, 4, 6);
        l.Forward(x, true, NnContext.Create(GemmKind.Managed, 2, 1));
        var dy = TestData.Uniform(6, n, 7);
        var dyCopy = dy.Clone();
        Assert.Null(l.Backward(dy, false, NnContext.Create(GemmKind.Managed, 2, 1)));
        for (int o = 0; o < n; o++)
        {
            double db = 0;
            for (int i = 0; i < 6; i++) db += dyCopy[i, o];
            Assert.Equal(freezeBias ? 0 : db, l.Bias.Grad.Data[o], 4);
            for (int k = 0; k < 4; k++)
            {
                double dw = 0;
                for (int i = 0; i < 6; i++) dw += dyCopy[i, o] * x[i, k];
                Assert.Equal(freezeWeight ? 0 : dw, l.Weight.Grad[o, k], 4);
            }
        }
    }

    [Fact]
    public void Dense_InputGradient_OfATransposedWeight_IsDyTimesTheWeightTransposed()
    {
        var w = new Parameter("w", 4, 3); // in×out
        new Rng(8).FillUniform(w.Value.Span, -1, 1);
        var l = new DenseLayer(w, true, new Parameter("b", 1, 3), ActivationKind.Identity);
        l.Forward(TestData.Uniform(2, 4, 9), true, Ctx);
        var dy = TestData.Uniform(2, 3, 10);
        var dyCopy = dy.Clone();
        var dx = l.Backward(dy, true, Ctx)!;
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 4; k++)
            {
                double s = 0;
                for (int o = 0; o < 3; o++) s += dyCopy[i, o] * w.Value[k, o];
                Assert.Equal(s, dx[i, k], 5);
            }
    }

    [Fact]
    public void Dense_ASharedWeightAndBias_IsOneParameter()
    {
        // A 1×1 parameter can serve as both (a degenerate tie): the layer lists it once, so an optimiser steps it once.
        var p = new Parameter("p", 1, 1);
        Assert.Single(new DenseLayer(p, false, p, ActivationKind.Identity).Parameters);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Dropout_RateOutsideZeroToOne_IsRejected(float rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(4, rate));
        Assert.Equal("rate", e.ParamName);
        Assert.Contains("Dropout rate must be in [0, 1)", e.Message);
    }

    [Fact]
    public void Dropout_OfRateZero_AndAtInference_PassesValuesAndGradientsThrough()
    {
        var x = TestData.Uniform(3, 4, 11);
        var none = new DropoutLayer(4, 0f);
        Assert.Same(x, none.Forward(x, true, Ctx));
        var d = new DropoutLayer(4, 0.5f);
        Assert.Equal((4, 4), (d.InputSize, d.OutputSize));
        d.Forward(x, true, Ctx);
        Assert.Same(x, d.Forward(x, false, Ctx));
        var dy = TestData.Uniform(3, 4, 12);
        var before = dy.Span.ToArray();
        Assert.Same(dy, d.Backward(dy, true, Ctx)); // the last forward was at inference: no mask
        Assert.Equal(before, dy.Span.ToArray());
        d.Forward(x, true, Ctx);
        Assert.Null(d.Backward(dy, false, Ctx));
        Assert.Equal(before, dy.Span.ToArray());
        Assert.Equal(new LayerSpec("dropout", 4, 4, Rate: 0.5f), d.ToSpec());
    }

    [Fact]
    public void Network_NeedsLayers_ThatChain()
    {
        var empty = Assert.Throws<ArgumentException>(() => new Network([]));
        Assert.Equal("layers", empty.ParamName);
        Assert.StartsWith("A network needs at least one layer.", empty.Message);
        var e = Assert.Throws<ArgumentException>(() => new Network([new DenseLayer("a", 5, 4, ActivationKind.Relu), new DenseLayer("b", 4, 3, ActivationKind.Relu), new DenseLayer("c", 2, 1, ActivationKind.Relu)]));
        Assert.Contains("Layer 2 takes 2 inputs but layer 1 gives 3", e.Message);
        var net = new Network([new DenseLayer("a", 5, 4, ActivationKind.Relu), new DropoutLayer(4, 0.1f), new DenseLayer("b", 4, 3, ActivationKind.Relu)]);
        Assert.Equal((5, 3), (net.InputSize, net.OutputSize));
        Assert.Equal(["a", "b"], net.DenseLayers.Select(l => l.Weight.Name[..1]));
    }

    [Fact]
    public void Network_Backward_ReturnsTheInputGradientOnlyWhenAsked_ButAlwaysFillsEveryLayersGradients()
    {
        var a = Dense("a", 3, 4, ActivationKind.Tanh, 13);
        var b = Dense("b", 4, 2, ActivationKind.Identity, 14);
        var net = new Network([a, b]);
        var x = TestData.Uniform(5, 3, 15);
        net.Forward(x, true, Ctx);
        Assert.Null(net.Backward(TestData.Uniform(5, 2, 16), false, Ctx));
        Assert.Contains(a.Weight.Grad.Span.ToArray(), v => v != 0); // the first layer still got its gradient
        net.Forward(x, true, Ctx);
        var dx = net.Backward(TestData.Uniform(5, 2, 16), true, Ctx);
        Assert.NotNull(dx);
        Assert.Equal((5, 3), (dx.Rows, dx.Cols));
    }

    [Theory]
    [InlineData(7, 3)] // three chunks, the last partial
    [InlineData(6, 3)] // two full chunks
    [InlineData(3, 3)] // exactly one chunk
    [InlineData(2, 1024)]
    public void Network_Predict_InChunks_EqualsOneForwardPass_AndReturnsAMatrixOfItsOwn(int rows, int chunk)
    {
        var net = new Network([Dense("a", 3, 4, ActivationKind.Sigmoid, 17), Dense("b", 4, 2, ActivationKind.Identity, 18)]);
        var x = TestData.Uniform(rows, 3, 19);
        var expected = net.Forward(x, false, Ctx).Clone();
        var y = net.Predict(x, Ctx, chunk);
        Assert.Equal((rows, 2), (y.Rows, y.Cols));
        for (int i = 0; i < y.Length; i++) Assert.Equal(expected.Span[i], y.Span[i], 1e-6); // a 1-row chunk takes GEMM's vector path: last-bit differences

        Assert.NotSame(((DenseLayer)net.Layers[^1]).LastOutput, y); // not the layer's buffer, which the next call overwrites
        Assert.Contains("Input has 4 columns; the network expects 3", Assert.Throws<ArgumentException>(() => net.Predict(new Matrix(1, 4), Ctx)).Message);
    }

    /// <summary>An identity layer that records the batches it sees.</summary>
    private sealed class Spy(int width) : Layer
    {
        public List<(int Rows, bool Training)> Calls { get; } = [];

        public override int InputSize => width;

        public override int OutputSize => width;

        public override Matrix Forward(Matrix x, bool training, NnContext ctx)
        {
            Calls.Add((x.Rows, training));
            return x;
        }

        public override Matrix? Backward(Matrix dy, bool needInputGrad, NnContext ctx) => dy;

        public override LayerSpec ToSpec() => new("spy", width, width);
    }

    [Theory]
    [InlineData(7, 3, new[] { 3, 3, 1 })]
    [InlineData(6, 3, new[] { 3, 3 })]
    [InlineData(3, 3, new[] { 3 })]
    [InlineData(2, 3, new[] { 2 })]
    public void Network_Predict_ShowsTheLayersAtMostAChunkOfRowsAtATime_AtInference(int rows, int chunk, int[] batches)
    {
        var spy = new Spy(2);
        var x = TestData.Uniform(rows, 2, 21);
        var y = new Network([spy]).Predict(x, Ctx, chunk);
        Assert.Equal(batches.Select(b => (b, false)), spy.Calls);
        Assert.Equal(x.Span.ToArray(), y.Span.ToArray());
        Assert.NotSame(x, y);
    }

    [Fact]
    public void Network_FromSpecs_RebuildsEveryKindOfLayer_WithTiedWeightsShared()
    {
        var conv = new Conv2dLayer("c", new ConvGeometry(1, 6, 6, 3, 1, 1), 2, ActivationKind.LeakyRelu, 0.2f);
        var enc = new DenseLayer("e", conv.OutputSize, 5, ActivationKind.Selu);
        var dec = new DenseLayer(enc.Weight, true, new Parameter("d.bias", 1, conv.OutputSize), ActivationKind.Identity);
        var convT = new ConvTranspose2dLayer("t", 2, 6, 6, 1, 3, 1, 1, 0, ActivationKind.Sigmoid);
        var net = new Network([conv, enc, new DropoutLayer(5, 0.25f), dec, convT]);
        var specs = net.ToSpecs();
        Assert.Equal(["conv2d", "dense", "dropout", "dense", "conv_transpose2d"], specs.Select(s => s.Kind));
        var byName = net.Parameters.ToDictionary(p => p.Name);
        var asked = new List<string>();
        var back = Network.FromSpecs(specs, n => { asked.Add(n); return byName[n]; });
        Assert.Equal(specs, back.ToSpecs(), new SpecComparer());
        Assert.Same(back.Layers[1].Parameters[0], back.Layers[3].Parameters[0]); // the tie survives
        Assert.Equal(["c.weight", "c.bias", "e.weight", "e.bias", "e.weight", "d.bias", "t.weight", "t.bias"], asked);
        Assert.Equal(0.25f, ((DropoutLayer)back.Layers[2]).Rate);
        var x = TestData.Uniform(2, 36, 20);
        Assert.Equal(net.Predict(x, Ctx).Span.ToArray(), back.Predict(x, Ctx).Span.ToArray());
        Assert.Contains("Unknown layer kind 'pool'", Assert.Throws<InvalidDataException>(() => Network.FromSpecs([new LayerSpec("pool", 1, 1)], n => byName[n])).Message);
    }

    [Fact]
    public void AConvolutionSpecWithoutAnImageShape_IsRejectedNamingTheLayer()
    {
        var spec = new LayerSpec("conv2d", 4, 4, "relu", Weight: "enc.0.weight", Bias: "enc.0.bias", Image: [1, 2], Kernel: 1, Stride: 1);
        var e = Assert.Throws<InvalidDataException>(() => Network.FromSpecs([spec], n => new Parameter(n, 1, 1)));
        Assert.Contains("Layer 'enc.0.weight' (conv2d) has no image shape", e.Message);
    }

    /// <summary>Specs compared by value, the image shape included (records compare arrays by reference).</summary>
    private sealed class SpecComparer : IEqualityComparer<LayerSpec>
    {
        public bool Equals(LayerSpec? a, LayerSpec? b) => a! with { Image = null } == b! with { Image = null } && (a.Image ?? []).SequenceEqual(b.Image ?? []);

        public int GetHashCode(LayerSpec s) => s.Kind.GetHashCode();
    }

    /// <summary>An <see cref="IGemm"/> that is not the managed provider's class, so a dense layer takes its step-by-step path.</summary>
    private sealed class Opaque(IGemm inner) : IGemm
    {
        public string Name => inner.Name;
        public int Threads => inner.Threads;
        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) => inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    [Theory]
    [InlineData(ActivationKind.Relu, false, 1)]
    [InlineData(ActivationKind.Relu, true, 2)]
    [InlineData(ActivationKind.Identity, false, 2)]
    [InlineData(ActivationKind.Selu, false, 3)]
    [InlineData(ActivationKind.Sigmoid, true, 1)]
    public void Dense_ManagedForward_WithBiasAndActivationInTheProduct_IsBitForBitTheStepByStepForward(ActivationKind act, bool transposed, int threads)
    {
        // 300 inputs: two k-blocks of the kernel, so the activation must wait for the last; 40 outputs: partial tiles; 200 rows: partial row blocks.
        var w = new Parameter("w", transposed ? 300 : 40, transposed ? 40 : 300);
        new Rng(5).FillUniform(w.Value.Span, -0.2f, 0.2f);
        var b = new Parameter("b", 1, 40);
        new Rng(6).FillUniform(b.Value.Span, -1, 1);
        var x = TestData.Uniform(200, 300, 7);
        var managed = Gemm.Create(GemmKind.Managed, threads);
        Assert.IsType<ManagedGemm>(managed);
        var fused = new DenseLayer(w, transposed, b, act).Forward(x, true, new NnContext(managed, new Rng(1))).Span.ToArray();
        var stepwise = new DenseLayer(w, transposed, b, act).Forward(x, true, new NnContext(new Opaque(managed), new Rng(1))).Span.ToArray();
        Assert.Equal(stepwise, fused);
        Assert.Contains(fused, v => v != 0f);
    }

    [Fact]
    public void Context_NeedsAGemmAndAGenerator_AndHasTheGemmsThreads()
    {
        var gemm = Gemm.Create(GemmKind.Managed, 3);
        Assert.Equal("gemm", Assert.Throws<ArgumentNullException>(() => new NnContext(null!, new Rng(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => new NnContext(gemm, null!)).ParamName);
        Assert.Equal(3, new NnContext(gemm, new Rng(1)).Threads);
        var ctx = NnContext.Create(GemmKind.Managed, 2, 7);
        Assert.Equal(2, ctx.Threads);
        Assert.Equal(new Rng(7).NextUInt64(), ctx.Rng.NextUInt64());
    }

    [Theory]
    [InlineData(3, 10, 1, 3)]  // one range a thread
    [InlineData(3, 10, 4, 2)]  // at least 4 indices a range: 2 ranges
    [InlineData(3, 10, 20, 1)] // too little work: inline
    [InlineData(3, 10, 0, 3)]  // no minimum
    [InlineData(1, 10, 1, 1)]
    [InlineData(4, 9, 1, 4)]
    [InlineData(4, 8, 1, 4)]   // ranges of 2
    [InlineData(12, 97, 8, 12)] // ranges of 8 or 9 (rounding every range up to 9 left the last one starting at 99)
    public void Context_For_CoversEveryIndexOnceInContiguousRanges(int threads, int count, int minPerThread, int ranges)
    {
        var ctx = NnContext.Create(GemmKind.Managed, threads);
        var seen = new List<(int, int)>();
        ctx.For(count, minPerThread, seen, static (s, a, b) => { lock (s) s.Add((a, b)); });
        seen.Sort();
        Assert.Equal(ranges, seen.Count);
        Assert.Equal(0, seen[0].Item1);
        Assert.Equal(count, seen[^1].Item2);
        for (int i = 1; i < seen.Count; i++) Assert.Equal(seen[i - 1].Item2, Math.Min(count, seen[i].Item1));
        Assert.All(seen, r => Assert.InRange(r.Item2 - r.Item1, ranges == 1 ? count : Math.Max(1, minPerThread), (count + ranges - 1) / ranges)); // balanced, none empty
        Assert.Equal(count, seen.Sum(r => r.Item2 - r.Item1));
    }

    public static TheoryData<string> LayerKinds => new() { "dense", "conv2d", "conv_transpose2d" };

    /// <summary>
    /// A layer big enough that each of its thread splits has two parts on two threads: images by 8 (convolutions), the
    /// dense layer's element-wise passes by <see cref="NnContext.MinValuesPerThread"/> values (500 rows × 600 columns).
    /// </summary>
    private static Layer Wide(string kind) => kind switch
    {
        "dense" => new DenseLayer("d", 3, 600, ActivationKind.Tanh),
        "conv2d" => new Conv2dLayer("c", new ConvGeometry(1, 3, 3, 2, 1, 0), 130, ActivationKind.Tanh),
        _ => new ConvTranspose2dLayer("t", 130, 2, 2, 2, 2, 1, 0, 0, ActivationKind.Tanh),
    };

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void ThreadCount_DoesNotChangeALayersOutputOrGradients(string kind)
    {
        var x = TestData.Uniform(kind == "dense" ? 500 : 70, Wide(kind).InputSize, 22);
        Assert.True(kind != "dense" || 2 * NnContext.MinValuesPerThread <= x.Rows * 600);
        float[][] Run(int threads)
        {
            var layer = Wide(kind);
            var rng = new Rng(23);
            foreach (var p in layer.Parameters) rng.FillUniform(p.Value.Span, -0.5f, 0.5f);
            var ctx = NnContext.Create(GemmKind.Managed, threads);
            var y = layer.Forward(x, true, ctx).Clone();
            var dy = TestData.Uniform(y.Rows, y.Cols, 24);
            var dx = layer.Backward(dy, true, ctx)!;
            return [y.Span.ToArray(), dx.Span.ToArray(), .. layer.Parameters.Select(p => p.Grad.Span.ToArray())];
        }
        Assert.Equal(Run(1), Run(2));
        Assert.Equal(Run(1), Run(12)); // more threads than cores, and splits that do not divide evenly
    }
}
