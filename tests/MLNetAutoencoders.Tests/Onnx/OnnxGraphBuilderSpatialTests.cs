using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// The builder's image operators on their own (the TorchSharp tests compare them with PyTorch's layers on 1 000 rows):
/// tracked shapes, errors naming the value, and small cases worked out by hand run in ONNX Runtime.
/// </summary>
public sealed class OnnxGraphBuilderSpatialTests
{
    [Fact]
    public void Shapes_follow_PyTorchs_formulas()
    {
        var b = new OnnxGraphBuilder("x", 2 * 11 * 12);
        var img = b.Reshape(b.Input, [2, 11, 12]);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 2L, 11L, 12L], b.ShapeOf(img)!);
        var c = b.Conv(img, new float[4 * 2 * 9], [4, 2, 3, 3], new float[4], [2, 2], [1, 1, 1, 1], [1, 1]);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 4L, 6L, 6L], b.ShapeOf(c)!);
        var t = b.ConvTranspose(c, new float[4 * 3 * 9], [4, 3, 3, 3], [], [2, 2], [1, 1, 1, 1], [1, 1], [1, 0]);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 3L, 12L, 11L], b.ShapeOf(t)!);
        // Ceil mode: height ⌈(12 + 2 − 3) / 2⌉ + 1 = 7 (rounding down would give 6); width ⌈(11 + 2 − 3) / 2⌉ + 1 = 6.
        var p = b.MaxPool(t, [3, 3], [2, 2], [1, 1, 1, 1], [1, 1], ceilMode: true);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 3L, 7L, 6L], b.ShapeOf(p)!);
        Assert.Equal(3 * 7 * 6, b.WidthOf(b.Flatten(p)));
        // A window that would start in the end padding is dropped, as PyTorch does: ⌈(5 + 2 − 2) / 2⌉ + 1 = 4, less 1.
        var small = new OnnxGraphBuilder("x", 25);
        var q = small.AveragePool(small.Reshape(small.Input, [1, 5, 5]), [2, 2], [2, 2], [1, 1, 1, 1], ceilMode: true);
        Assert.Equal([OnnxGraphBuilder.SymbolicDim, 1L, 3L, 3L], small.ShapeOf(q)!);
    }

    [Fact]
    public void Errors_name_the_operand_and_what_was_expected()
    {
        var b = new OnnxGraphBuilder("x", 12);
        Assert.Contains("cannot be viewed as [5, 2]", Assert.Throws<ArgumentException>(() => b.Reshape(b.Input, [5, 2])).Message);
        Assert.Contains("spatial", Assert.Throws<ArgumentException>(() => b.Conv(b.Input, new float[9], [1, 1, 3, 3], [], [1, 1], [0, 0, 0, 0], [1, 1])).Message);
        var img = b.Reshape(b.Input, [3, 2, 2]);
        var channels = Assert.Throws<ArgumentException>(() => b.Conv(img, new float[2 * 2], [2, 2, 1, 1], [], [1, 1], [0, 0, 0, 0], [1, 1], hint: "enc_conv"));
        Assert.Contains("enc_conv", channels.Message);
        Assert.Contains("[N, 3, 2, 2]", channels.Message);
        Assert.Contains("larger than", Assert.Throws<ArgumentException>(() => b.Conv(img, new float[3 * 9], [1, 3, 3, 3], [], [1, 1], [0, 0, 0, 0], [1, 1])).Message);
        Assert.Contains("half the window", Assert.Throws<ArgumentException>(() => b.MaxPool(img, [2, 2], [1, 1], [2, 2, 2, 2], [1, 1])).Message);
        Assert.Contains("output_padding", Assert.Throws<ArgumentException>(() => b.ConvTranspose(img, new float[3 * 4], [3, 1, 2, 2], [], [1, 1], [0, 0, 0, 0], [1, 1], [1, 1])).Message);
        Assert.Contains("need 3 values each", Assert.Throws<ArgumentException>(() => b.BatchNormalization(img, [1, 1], [0, 0], [0, 0], [1, 1], 1e-5f)).Message);
    }

    [Fact]
    public void OnnxRuntime_computes_the_hand_worked_cases()
    {
        // One 3 × 3 image 1..9.
        var x = new Matrix(1, 9, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var b = new OnnxGraphBuilder("x", 9);
        var img = b.Reshape(b.Input, [1, 3, 3]);
        // 2 × 2 kernel of ones, bias 0.5: window sums 12, 16, 24, 28.
        b.Output(b.Flatten(b.Conv(img, [1, 1, 1, 1], [1, 1, 2, 2], [0.5f], [1, 1], [0, 0, 0, 0], [1, 1])), "y_conv");
        // Transposed 1 × 1 kernel 2, stride 2: every value doubled, zeros between, 5 × 5.
        b.Output(b.Flatten(b.ConvTranspose(img, [2], [1, 1, 1, 1], [], [2, 2], [0, 0, 0, 0], [1, 1], [0, 0])), "y_up");
        // Max over 2 × 2, stride 2, ceil mode: windows {1,2,4,5} {3,6} {7,8} {9}.
        b.Output(b.Flatten(b.MaxPool(img, [2, 2], [2, 2], [0, 0, 0, 0], [1, 1], ceilMode: true)), "y_max");
        // Mean over 2 × 2, stride 2, padding 1, padding not counted: {1} {2,3} {4,7} {5,6,8,9}.
        b.Output(b.Flatten(b.AveragePool(img, [2, 2], [2, 2], [1, 1, 1, 1], countIncludePad: false)), "y_avg");
        // Batch norm with mean 5, variance 4 − ε: (x − 5)/2 · 3 + 1.
        b.Output(b.Flatten(b.BatchNormalization(img, [3], [1], [5], [4 - 1e-3f], 1e-3f)), "y_bn");
        var path = Path.Combine(Path.GetTempPath(), $"spatial-{Guid.NewGuid():N}.onnx");
        try
        {
            b.Save(path);
            OnnxRuntimeHarness.Check(path);
            Assert.Equal([12.5f, 16.5f, 24.5f, 28.5f], OnnxRuntimeHarness.Run(path, x, "y_conv").Span.ToArray());
            var up = OnnxRuntimeHarness.Run(path, x, "y_up").Span.ToArray();
            Assert.Equal(25, up.Length);
            Assert.Equal([2f, 0, 4, 0, 6], up[..5]);
            Assert.Equal(18f, up[24]);
            Assert.Equal([5f, 6, 8, 9], OnnxRuntimeHarness.Run(path, x, "y_max").Span.ToArray());
            Assert.Equal([1f, 2.5f, 5.5f, 7], OnnxRuntimeHarness.Run(path, x, "y_avg").Span.ToArray());
            var bn = OnnxRuntimeHarness.Run(path, x, "y_bn").Span.ToArray();
            for (int i = 0; i < 9; i++) Assert.Equal((x.Span[i] - 5) / 2 * 3 + 1, bn[i], 5);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Gelu_matches_its_formula_in_OnnxRuntime()
    {
        var x = new Matrix(1, 7, [-3, -1, -0.5f, 0, 0.5f, 1, 3]);
        var b = new OnnxGraphBuilder("x", 7);
        b.Output(b.Gelu(b.Input), "erf");
        b.Output(b.Gelu(b.Input, tanhApproximation: true), "tanh");
        var path = Path.Combine(Path.GetTempPath(), $"gelu-{Guid.NewGuid():N}.onnx");
        try
        {
            b.Save(path);
            var erf = OnnxRuntimeHarness.Run(path, x, "erf").Span.ToArray();
            var tanh = OnnxRuntimeHarness.Run(path, x, "tanh").Span.ToArray();
            for (int i = 0; i < 7; i++)
            {
                double v = x.Span[i];
                Assert.Equal(v * NormalCdf(v), erf[i], 5);
                Assert.Equal(0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), tanh[i], 5);
            }
        }
        finally { File.Delete(path); }
    }

    /// <summary>Φ(v) by Simpson's rule on the normal density from −10 (error far below 1e-6).</summary>
    private static double NormalCdf(double v)
    {
        const int n = 20000;
        double a = -10, h = (v - a) / n, s = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = a + i * h, f = Math.Exp(-t * t / 2) / Math.Sqrt(2 * Math.PI);
            s += f * (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return s * h / 3;
    }
}
