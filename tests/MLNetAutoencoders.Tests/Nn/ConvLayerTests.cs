using System.Runtime.InteropServices;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Data;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>
/// Conv2d and ConvTranspose2d: finite-difference checks of the weight, bias and input gradients, the transposed
/// convolution as the exact adjoint of the convolution, and the forward pass against PyTorch 1.13 (within 1e-5).
/// </summary>
public class ConvLayerTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    private static void Fill(Layer layer, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in layer.Parameters) rng.FillUniform(p.Value.Span, -0.5f, 0.5f);
    }

    private static void CheckGradients(Network net, Matrix x, Matrix target, LossKind loss)
    {
        foreach (var p in net.Parameters) p.Grad.Clear();
        var y = net.Forward(x, true, Ctx);
        var g = new Matrix(y.Rows, y.Cols);
        Losses.Compute(loss, y, target, g);
        var dx = net.Backward(g, true, Ctx)!.Clone();
        double LossOnly()
        {
            var o = net.Forward(x, false, Ctx);
            double s = 0;
            for (int i = 0; i < o.Rows; i++) s += Losses.SampleLoss(loss, o.Row(i), target.Row(i));
            return s / x.Rows; // Losses.Compute's gradient is that of the batch mean
        }
        foreach (var p in net.Parameters) GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, LossOnly, probes: 60);
        GradientCheck.Check("input", x.Data, dx.Span, LossOnly, probes: 60);
    }

    [Theory]
    [InlineData(3, 2, 1, ActivationKind.Tanh)]
    [InlineData(4, 2, 1, ActivationKind.Relu)]
    [InlineData(2, 1, 0, ActivationKind.Sigmoid)]
    public void Conv2d_GradientsMatchFiniteDifferences(int kernel, int stride, int padding, ActivationKind act)
    {
        var conv = new Conv2dLayer("conv", new ConvGeometry(2, 7, 6, kernel, stride, padding), 3, act);
        Fill(conv, 4);
        var dense = new DenseLayer("dense", conv.OutputSize, 5, ActivationKind.Identity);
        Fill(dense, 5);
        var net = new Network([conv, dense]);
        CheckGradients(net, TestData.Uniform(3, conv.InputSize, 6), TestData.Uniform(3, 5, 7, 0, 1), LossKind.SquaredError);
    }

    [Theory]
    [InlineData(4, 2, 1, 0, ActivationKind.Identity)]
    [InlineData(3, 2, 1, 1, ActivationKind.Tanh)]
    [InlineData(3, 1, 0, 0, ActivationKind.LeakyRelu)]
    public void ConvTranspose2d_GradientsMatchFiniteDifferences(int kernel, int stride, int padding, int outputPadding, ActivationKind act)
    {
        var t = new ConvTranspose2dLayer("convt", 3, 4, 3, 2, kernel, stride, padding, outputPadding, act, 0.1f);
        Fill(t, 8);
        var net = new Network([t]);
        var x = TestData.Uniform(3, t.InputSize, 9);
        CheckGradients(net, x, TestData.Uniform(3, t.OutputSize, 10, 0, 1), LossKind.CrossEntropy);
    }

    [Fact]
    public void ConvTranspose2d_IsTheAdjointOfConv2d()
    {
        // ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ with the same weight (no bias, identity activation).
        var conv = new Conv2dLayer("c", new ConvGeometry(2, 9, 9, 3, 2, 1), 4, ActivationKind.Identity);
        Fill(conv, 1);
        conv.Bias.Value.Clear();
        var t = new ConvTranspose2dLayer(conv.Weight, new Parameter("t.bias", 1, 2),
            ConvTranspose2dLayer.OutputGeometry("t", conv.Geometry.OutHeight, conv.Geometry.OutWidth, 2, 3, 2, 1, 0), ActivationKind.Identity);
        Assert.Equal(conv.InputSize, t.OutputSize);
        var x = TestData.Uniform(2, conv.InputSize, 2);
        var y = TestData.Uniform(2, conv.OutputSize, 3);
        var cx = conv.Forward(x, false, Ctx);
        var ty = t.Forward(y, false, Ctx);
        double left = 0, right = 0;
        for (int i = 0; i < cx.Length; i++) left += cx.Span[i] * y.Span[i];
        for (int i = 0; i < ty.Length; i++) right += x.Span[i] * ty.Span[i];
        Assert.Equal(left, right, 4);
    }

    [Fact]
    public void Geometry_ErrorsNameTheLayer()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dLayer("enc.0", new ConvGeometry(1, 2, 2, 5, 1, 0), 3, ActivationKind.Relu));
        Assert.Contains("enc.0", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2dLayer("dec.1", 1, 3, 3, 1, 3, 2, 1, 2, ActivationKind.Relu));
        Assert.Contains("output padding", e.Message);
        var conv = new Conv2dLayer("c", new ConvGeometry(1, 4, 4, 2, 2, 0), 2, ActivationKind.Relu);
        Assert.Contains("expected 16", Assert.Throws<ArgumentException>(() => conv.Forward(new Matrix(1, 15), false, Ctx)).Message);
    }

    [Theory]
    [InlineData(0, 5, 5, 3, 1, 0)]
    [InlineData(1, 0, 5, 3, 1, 0)]
    [InlineData(1, 5, 0, 3, 1, 0)]
    [InlineData(1, 5, 5, 0, 1, 0)]
    [InlineData(1, 5, 5, 3, 0, 0)] // a zero stride once made the message itself divide by zero
    [InlineData(1, 5, 5, 3, 1, -1)]
    [InlineData(1, 2, 5, 5, 1, 1)] // the kernel is taller than the padded image
    [InlineData(1, 5, 2, 5, 1, 1)] // … or wider
    public void Geometry_OutOfRange_IsRejectedNamingTheLayer(int channels, int height, int width, int kernel, int stride, int padding)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ConvGeometry(channels, height, width, kernel, stride, padding).Validate("enc.3"));
        Assert.Equal("enc.3", e.ParamName);
        Assert.StartsWith("Layer enc.3: ", e.Message);
        Assert.Contains(kernel == 5 ? $"the 5×5 kernel is larger than the padded {height}×{width} image" : $"(got {channels}, {height}, {width}, {kernel}, {stride}, {padding})", e.Message);
    }

    [Fact]
    public void Geometry_AKernelAsLargeAsThePaddedImage_FitsOnce()
    {
        var g = new ConvGeometry(2, 3, 3, 5, 2, 1);
        g.Validate("c"); // 3 + 2·1 = 5 = kernel, both ways
        Assert.Equal((1, 1, 50, 18), (g.OutHeight, g.OutWidth, g.WindowSize, g.ImageSize));
        new ConvGeometry(1, 1, 1, 1, 1, 0).Validate("c"); // every number at its smallest
    }

    [Fact]
    public void Parameters_OfTheWrongShape_AreRejected()
    {
        var g = new ConvGeometry(2, 5, 5, 3, 1, 0); // window 18
        foreach (var (w, b) in new[] { (3, 17, 1, 3), (3, 18, 2, 3), (3, 18, 1, 2) }.Select(s => (new Parameter("w", s.Item1, s.Item2), new Parameter("b", s.Item3, s.Item4))))
            Assert.Contains("Conv2d 'w': the weight must be out×18", Assert.Throws<ArgumentException>(() => new Conv2dLayer(w, b, g, ActivationKind.Relu)).Message);
        // A transposed convolution's weight is in × out·kernel² and its bias has one value per output channel (2 here).
        foreach (var (w, b) in new[] { (3, 17, 1, 2), (3, 18, 2, 2), (3, 18, 1, 3) }.Select(s => (new Parameter("w", s.Item1, s.Item2), new Parameter("b", s.Item3, s.Item4))))
            Assert.Contains("ConvTranspose2d 'w': the weight must be in×18", Assert.Throws<ArgumentException>(() => new ConvTranspose2dLayer(w, b, g, ActivationKind.Relu)).Message);
        Assert.Equal(3, new ConvTranspose2dLayer(new Parameter("w", 3, 18), new Parameter("b", 1, 2), g, ActivationKind.Relu).InChannels);
        var zeroStride = new ConvGeometry(2, 5, 5, 3, 0, 0); // weight and bias fit, the geometry does not
        Assert.Equal("w", Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2dLayer(new Parameter("w", 3, 18), new Parameter("b", 1, 2), zeroStride, ActivationKind.Relu)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2dLayer(new Parameter("w", 3, 18), new Parameter("b", 1, 3), zeroStride, ActivationKind.Relu)).ParamName);
    }

    [Theory]
    [InlineData(3, 2, 1, 1, 1)]
    [InlineData(4, 2, 1, 0, 0)]
    [InlineData(3, 3, 0, 2, 2)]
    public void TransposedOutputGeometry_RecoversItsOutputPadding(int kernel, int stride, int padding, int outputPadding, int expected)
    {
        var t = new ConvTranspose2dLayer("t", 1, 4, 3, 1, kernel, stride, padding, outputPadding, ActivationKind.Identity);
        Assert.Equal(expected, t.OutputPadding);
        Assert.Equal((4 - 1) * stride - 2 * padding + kernel + outputPadding, t.Geometry.Height);
        Assert.Equal((4, 3), (t.Geometry.OutHeight, t.Geometry.OutWidth));
    }

    [Fact]
    public void TransposedOutputGeometry_OutOfRange_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ConvTranspose2dLayer.OutputGeometry("dec.0", 3, 3, 1, 3, 2, 1, -1));
        Assert.Equal("outputPadding", e.ParamName);
        Assert.Contains("Layer dec.0: output padding must be in [0, stride 2)", e.Message);
        ConvTranspose2dLayer.OutputGeometry("dec.0", 3, 3, 1, 3, 2, 1, 1); // stride − 1 is the largest
        // A 1×1 input with padding 2 and a 3×3 kernel would need a negative output size.
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ConvTranspose2dLayer.OutputGeometry("dec.0", 1, 1, 1, 3, 1, 2, 0));
        Assert.Equal("dec.0", e.ParamName);
        // An input so tall that the output height overflows int (536 870 912 · 8 = 2³²) is caught by the final check.
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ConvTranspose2dLayer.OutputGeometry("dec.0", 536_870_913, 1, 1, 1, 8, 0, 0));
        Assert.Equal("padding", e.ParamName);
        Assert.Contains("Layer dec.0: a 536870913×1 input with kernel 1, stride 8, padding 0 leaves no output", e.Message);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    public void Backward_SkipsFrozenParameters_AndTheInputGradientWhenNotAsked(bool transposed, bool freezeWeight, bool freezeBias)
    {
        Layer Make() => transposed
            ? new ConvTranspose2dLayer("t", 2, 3, 3, 3, 3, 2, 1, 0, ActivationKind.Tanh)
            : new Conv2dLayer("c", new ConvGeometry(2, 5, 5, 3, 2, 1), 3, ActivationKind.Tanh);
        var free = Make();
        var layer = Make();
        Fill(free, 21);
        Fill(layer, 21);
        layer.Parameters[0].Frozen = freezeWeight;
        layer.Parameters[1].Frozen = freezeBias;
        var x = TestData.Uniform(2, layer.InputSize, 22);
        var dy = TestData.Uniform(2, layer.OutputSize, 23);
        Assert.Contains("Backward called before Forward", Assert.Throws<InvalidOperationException>(() => layer.Backward(dy.Clone(), true, Ctx)).Message);
        free.Forward(x, true, Ctx);
        Assert.NotNull(free.Backward(dy.Clone(), true, Ctx));
        layer.Forward(x, true, Ctx);
        Assert.Null(layer.Backward(dy.Clone(), false, Ctx));
        for (int i = 0; i < 2; i++)
        {
            var expected = free.Parameters[i].Grad.Span.ToArray();
            Assert.Contains(expected, v => v != 0);
            bool frozen = i == 0 ? freezeWeight : freezeBias;
            Assert.Equal(frozen ? new float[expected.Length] : expected, layer.Parameters[i].Grad.Span.ToArray());
        }
    }

    [Fact]
    public void TransposedConvolution_ChecksItsInputWidth()
    {
        var t = new ConvTranspose2dLayer("dec.2", 3, 4, 5, 1, 3, 1, 1, 0, ActivationKind.Relu);
        var e = Assert.Throws<ArgumentException>(() => t.Forward(new Matrix(1, 59), false, Ctx));
        Assert.Contains("Layer dec.2.weight: input has 59 columns; expected 60 (3×4×5)", e.Message);
    }

    [Fact]
    public void Forward_MatchesPyTorch()
    {
        // conv2d(x, W1, b1, stride 2, padding 1) with a 4×4 kernel, then conv_transpose2d(·, W2, b2, stride 2, padding 1,
        // output_padding 1) with a 3×3 kernel: the layers' outputs against PyTorch 1.13's on the same values.
        var conv = new Conv2dLayer("c", new ConvGeometry(2, 10, 8, 4, 2, 1), 3, ActivationKind.Identity);
        var t = new ConvTranspose2dLayer("t", 3, 5, 4, 2, 3, 2, 1, 1, ActivationKind.Identity);
        Fill(conv, 11);
        Fill(t, 12);
        var x = TestData.Uniform(4, conv.InputSize, 13);
        var y1 = conv.Forward(x, false, Ctx).Clone();
        var y2 = t.Forward(y1, false, Ctx).Clone();
        Assert.Equal(2 * 10 * 8, t.OutputSize);

        using var s = new Scratch();
        var input = s.Path("in.f32");
        using (var f = File.Create(input))
            foreach (var m in new[] { x, conv.Weight.Value, conv.Bias.Value, t.Weight.Value, t.Bias.Value })
                f.Write(MemoryMarshal.AsBytes(m.Span));
        var output = s.Path("out.f32");
        RefPython.Run("""
            import sys, numpy as np, torch
            v = np.fromfile(sys.argv[1], dtype='<f4'); o = 0
            def take(*shape):
                global o
                n = int(np.prod(shape)); a = torch.from_numpy(v[o:o + n].reshape(shape).copy()); o += n; return a
            x = take(4, 2, 10, 8); w1 = take(3, 2, 4, 4); b1 = take(3); w2 = take(3, 2, 3, 3); b2 = take(2)
            y1 = torch.nn.functional.conv2d(x, w1, b1, stride=2, padding=1)
            y2 = torch.nn.functional.conv_transpose2d(y1, w2, b2, stride=2, padding=1, output_padding=1)
            np.concatenate([y1.numpy().ravel(), y2.numpy().ravel()]).astype('<f4').tofile(sys.argv[2])
            """, input, output);
        var reference = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output)).ToArray();
        Assert.Equal(y1.Length + y2.Length, reference.Length);
        for (int i = 0; i < y1.Length; i++) Assert.True(Math.Abs(y1.Span[i] - reference[i]) <= 1e-5, $"conv2d value {i}: ours {y1.Span[i]}, PyTorch {reference[i]}");
        for (int i = 0; i < y2.Length; i++) Assert.True(Math.Abs(y2.Span[i] - reference[y1.Length + i]) <= 1e-5, $"conv_transpose2d value {i}: ours {y2.Span[i]}, PyTorch {reference[y1.Length + i]}");
    }

    [Fact]
    public void ThreadCount_DoesNotChangeResults()
    {
        var o = new AutoencoderOptions { Conv = new ConvAutoencoderOptions { ImageShape = [1, 8, 8], Channels = [4, 6] }, CodeSize = 3 };
        var x = TestData.Uniform(5, 64, 14, 0, 1);
        float[] Grads(int threads)
        {
            var (enc, dec) = AutoencoderTrainer.Build(o, 64, new Rng(1));
            var ctx = NnContext.Create(GemmKind.Managed, threads, 1);
            var y = dec.Forward(enc.Forward(x, true, ctx), true, ctx);
            var g = new Matrix(y.Rows, y.Cols);
            Losses.Compute(LossKind.CrossEntropy, y, x, g);
            enc.Backward(dec.Backward(g, true, ctx)!, false, ctx);
            return enc.Parameters.Concat(dec.Parameters).SelectMany(p => p.Grad.Span.ToArray()).ToArray();
        }
        Assert.Equal(Grads(1), Grads(2));
    }
}
