using System.Globalization;

namespace MLNetAutoencoders.Onnx;

// Operators on tensors of any rank (images [N, C, H, W] above all): reshaping, convolution, pooling, batch
// normalisation and the activations ONNX opset 17 lacks. Shapes are tracked as for the dense operators, the batch
// dimension N standing as SymbolicDim; each method checks its operands' shapes and names the value when they do not fit.
public sealed partial class OnnxGraphBuilder
{
    // ---------------------------------------------------------------- shapes

    /// <summary>
    /// ONNX <c>Reshape</c> of x to [N, <paramref name="rowShape"/>…]: the batch dimension is kept, the rest of each
    /// row is laid out as <paramref name="rowShape"/> (row-major, so the values keep their order). The element counts
    /// must agree.
    /// </summary>
    public string Reshape(string x, ReadOnlySpan<long> rowShape, string hint = "reshape")
    {
        var m = Meta(x);
        var d = RequireBatched(x, m, "Reshape");
        long have = RowElements(d), want = 1;
        foreach (var v in rowShape)
        {
            if (v < 1) throw new ArgumentException($"{hint}: the row shape {FormatShape(rowShape.ToArray())} has a dimension below 1.", nameof(rowShape));
            want = checked(want * v);
        }
        if (have != want)
            throw new ArgumentException($"{hint}: '{x}' has shape {FormatShape(d)} ({have} values per row), which cannot be viewed as {FormatShape(rowShape.ToArray())} ({want}).", nameof(rowShape));
        var stem = UniqueName(hint);
        long[] target = [0, .. rowShape]; // 0 copies the batch dimension from the input
        var shape = AddInt64Initializer(target, stem + "_shape");
        return Emit("Reshape", [x, shape], [SymbolicDim, .. rowShape], m.Elem, stem);
    }

    /// <summary>ONNX <c>Flatten</c> with axis 1: [N, a, b, …] → [N, a·b·…].</summary>
    public string Flatten(string x, string hint = "flatten")
    {
        var m = Meta(x);
        var d = RequireBatched(x, m, "Flatten");
        return Emit("Flatten", [x], [SymbolicDim, RowElements(d)], m.Elem, hint, [Attribute("axis", 1L)]);
    }

    // ---------------------------------------------------------------- convolution

    /// <summary>
    /// ONNX <c>Conv</c> over x [N, C, spatial…] with a weight of shape [M, C / group, kernel…] (row-major, PyTorch's
    /// layout) and an optional bias of length M (empty for none). <paramref name="pads"/> gives the padding at the
    /// start of each spatial axis and then at the end of each (ONNX order: [h_begin, w_begin, h_end, w_end]).
    /// </summary>
    public string Conv(string x, ReadOnlySpan<float> weight, ReadOnlySpan<long> weightShape, ReadOnlySpan<float> bias,
        ReadOnlySpan<long> strides, ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations, long group = 1, string hint = "conv")
    {
        var (m, d, spatial) = SpatialInput(x, "Conv", hint);
        long c = d[1];
        CheckConvGeometry(hint, weightShape, spatial, strides, pads, dilations, group);
        if (weightShape[1] * group != c)
            throw new ArgumentException($"{hint}: the weight {FormatShape(weightShape.ToArray())} with {group} group(s) reads {weightShape[1] * group} channels, but '{x}' has shape {FormatShape(d)}.");
        long outC = weightShape[0];
        if (outC % group != 0) throw new ArgumentException($"{hint}: {outC} output channels do not split into {group} groups.");
        var dims = new long[d.Length];
        dims[0] = SymbolicDim;
        dims[1] = outC;
        for (int i = 0; i < spatial; i++)
        {
            long span = d[2 + i] + pads[i] + pads[spatial + i] - dilations[i] * (weightShape[2 + i] - 1) - 1;
            if (span < 0)
                throw new ArgumentException($"{hint}: the kernel {FormatShape(weightShape[2..].ToArray())} (dilation {dilations[i]}) is larger than the padded input {FormatShape(d)}.");
            dims[2 + i] = span / strides[i] + 1;
        }
        return ConvNode("Conv", x, m, weight, weightShape, bias, outC, strides, pads, dilations, [], group, dims, hint);
    }

    /// <summary>
    /// ONNX <c>ConvTranspose</c> over x [N, C, spatial…] with a weight of shape [C, M / group, kernel…] (PyTorch's
    /// layout), an optional bias of length M, and PyTorch's meaning of the arguments: output size along an axis is
    /// (in − 1)·stride − pad_begin − pad_end + dilation·(kernel − 1) + output_padding + 1.
    /// </summary>
    public string ConvTranspose(string x, ReadOnlySpan<float> weight, ReadOnlySpan<long> weightShape, ReadOnlySpan<float> bias,
        ReadOnlySpan<long> strides, ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations, ReadOnlySpan<long> outputPadding,
        long group = 1, string hint = "conv_transpose")
    {
        var (m, d, spatial) = SpatialInput(x, "ConvTranspose", hint);
        CheckConvGeometry(hint, weightShape, spatial, strides, pads, dilations, group);
        if (weightShape[0] != d[1])
            throw new ArgumentException($"{hint}: the weight {FormatShape(weightShape.ToArray())} reads {weightShape[0]} channels, but '{x}' has shape {FormatShape(d)}.");
        if (d[1] % group != 0) throw new ArgumentException($"{hint}: {d[1]} input channels do not split into {group} groups.");
        if (outputPadding.Length != spatial)
            throw new ArgumentException($"{hint}: output_padding has {outputPadding.Length} values; the input has {spatial} spatial axes.");
        long outC = weightShape[1] * group;
        var dims = new long[d.Length];
        dims[0] = SymbolicDim;
        dims[1] = outC;
        for (int i = 0; i < spatial; i++)
        {
            if (outputPadding[i] < 0 || (outputPadding[i] >= strides[i] && outputPadding[i] >= dilations[i]))
                throw new ArgumentException($"{hint}: output_padding {outputPadding[i]} must be smaller than the stride ({strides[i]}) or the dilation ({dilations[i]}).");
            long k = weightShape[2 + i];
            dims[2 + i] = (d[2 + i] - 1) * strides[i] - pads[i] - pads[spatial + i] + dilations[i] * (k - 1) + outputPadding[i] + 1;
            if (dims[2 + i] < 1) throw new ArgumentException($"{hint}: the padding leaves no output along spatial axis {i} of '{x}' {FormatShape(d)}.");
        }
        return ConvNode("ConvTranspose", x, m, weight, weightShape, bias, outC, strides, pads, dilations, outputPadding, group, dims, hint);
    }

    private string ConvNode(string op, string x, ValueMeta m, ReadOnlySpan<float> weight, ReadOnlySpan<long> weightShape, ReadOnlySpan<float> bias,
        long outC, ReadOnlySpan<long> strides, ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations, ReadOnlySpan<long> outputPadding,
        long group, long[] dims, string hint)
    {
        if (bias.Length != 0 && bias.Length != outC)
            throw new ArgumentException($"{hint}: the bias has {bias.Length} values; the layer has {outC} output channels.", nameof(bias));
        var stem = UniqueName(hint);
        var inputs = new List<string> { x, AddInitializer(weight, weightShape, stem + "_W") };
        if (bias.Length != 0) inputs.Add(AddInitializer(bias, stem + "_b"));
        var a = new List<Proto.AttributeProto>
        {
            Attribute("kernel_shape", weightShape[2..].ToArray()),
            Attribute("strides", strides.ToArray()),
            Attribute("pads", pads.ToArray()),
            Attribute("dilations", dilations.ToArray()),
            Attribute("group", group),
        };
        if (outputPadding.Length != 0) a.Add(Attribute("output_padding", outputPadding.ToArray()));
        return Emit(op, inputs, dims, m.Elem, stem, a);
    }

    // ---------------------------------------------------------------- pooling

    /// <summary>
    /// ONNX <c>MaxPool</c> over x [N, C, spatial…] as PyTorch's <c>max_pool</c> computes it: padding is −∞, and with
    /// <paramref name="ceilMode"/> the output size is rounded up, except that a window starting beyond the input and
    /// its begin padding is dropped. <paramref name="pads"/> is in ONNX order (all begins, then all ends).
    /// </summary>
    /// <remarks>
    /// Opset 17's rule for ceil mode keeps that last window (ONNX Runtime drops it, as PyTorch does, but shape inference
    /// and other runtimes follow the rule), so ceil mode is written as floor mode with the end padding that gives
    /// PyTorch's output size; the extra padding is −∞ and never changes a maximum.
    /// </remarks>
    public string MaxPool(string x, ReadOnlySpan<long> kernel, ReadOnlySpan<long> strides, ReadOnlySpan<long> pads,
        ReadOnlySpan<long> dilations, bool ceilMode = false, string hint = "max_pool")
    {
        var (m, d, spatial) = SpatialInput(x, "MaxPool", hint);
        var dims = PoolDims(hint, x, d, spatial, kernel, strides, pads, dilations, ceilMode);
        var floorPads = FloorPads(d, dims, spatial, kernel, strides, pads, dilations);
        return Emit("MaxPool", [x], dims, m.Elem, hint,
        [
            Attribute("kernel_shape", kernel.ToArray()), Attribute("strides", strides.ToArray()), Attribute("pads", floorPads),
            Attribute("dilations", dilations.ToArray()), Attribute("ceil_mode", 0L),
        ]);
    }

    /// <summary>
    /// ONNX <c>AveragePool</c> over x [N, C, spatial…] as PyTorch's <c>avg_pool</c> computes it: the mean of each window,
    /// counting the zero padding in the divisor when <paramref name="countIncludePad"/> (PyTorch's default), and with
    /// <paramref name="ceilMode"/> the output size rounded up as <see cref="MaxPool"/> does, the part of a window beyond
    /// the padding not counted.
    /// </summary>
    /// <remarks>
    /// Written in floor mode (see <see cref="MaxPool"/>). When ceil mode needs other end padding and the padding counts,
    /// the zero padding is added by an explicit <c>Pad</c> and the pool counts only what lies inside it, which is
    /// PyTorch's divisor.
    /// </remarks>
    public string AveragePool(string x, ReadOnlySpan<long> kernel, ReadOnlySpan<long> strides, ReadOnlySpan<long> pads,
        bool ceilMode = false, bool countIncludePad = true, string hint = "average_pool")
    {
        var (m, d, spatial) = SpatialInput(x, "AveragePool", hint);
        var ones = new long[spatial];
        Array.Fill(ones, 1L);
        var dims = PoolDims(hint, x, d, spatial, kernel, strides, pads, ones, ceilMode);
        var floorPads = FloorPads(d, dims, spatial, kernel, strides, pads, ones);
        var stem = UniqueName(hint);
        if (countIncludePad && !floorPads.AsSpan().SequenceEqual(pads) && pads.ToArray().Any(p => p != 0))
        {
            // Pad explicitly with PyTorch's padding, then pool the padded tensor counting only what lies inside it.
            var padded = (long[])d.Clone();
            var padAll = new long[2 * d.Length];
            for (int i = 0; i < spatial; i++)
            {
                padded[2 + i] += pads[i] + pads[spatial + i];
                padAll[2 + i] = pads[i];
                padAll[d.Length + 2 + i] = pads[spatial + i];
                floorPads[spatial + i] -= pads[spatial + i];
                floorPads[i] = 0;
            }
            x = Emit("Pad", [x, AddInt64Initializer(padAll, stem + "_pads")], padded, m.Elem, stem + "_pad", [Attribute("mode", "constant")]);
        }
        // Without padding of PyTorch's own, its divisor counts only the input, whatever ceil mode adds.
        if (!floorPads.AsSpan().SequenceEqual(pads)) countIncludePad = false;
        return Emit("AveragePool", [x], dims, m.Elem, stem,
        [
            Attribute("kernel_shape", kernel.ToArray()), Attribute("strides", strides.ToArray()), Attribute("pads", floorPads),
            Attribute("ceil_mode", 0L), Attribute("count_include_pad", countIncludePad ? 1L : 0L),
        ]);
    }

    /// <summary>
    /// The pads with which floor mode gives the output sizes <paramref name="dims"/>: the begin pads as given, each end
    /// pad kept when it already does, else the nearest that does (never negative).
    /// </summary>
    private static long[] FloorPads(long[] d, long[] dims, int spatial, ReadOnlySpan<long> kernel, ReadOnlySpan<long> strides,
        ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations)
    {
        var result = pads.ToArray();
        for (int i = 0; i < spatial; i++)
        {
            // floor((in + begin + end − window) / stride) + 1 = n exactly for end in [lowest, lowest + stride − 1].
            long window = dilations[i] * (kernel[i] - 1) + 1;
            long lowest = (dims[2 + i] - 1) * strides[i] + window - d[2 + i] - pads[i];
            result[spatial + i] = Math.Clamp(pads[spatial + i], Math.Max(lowest, 0), lowest + strides[i] - 1);
        }
        return result;
    }

    private static long[] PoolDims(string hint, string x, long[] d, int spatial, ReadOnlySpan<long> kernel, ReadOnlySpan<long> strides,
        ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations, bool ceilMode)
    {
        if (kernel.Length != spatial || strides.Length != spatial || dilations.Length != spatial || pads.Length != 2 * spatial)
            throw new ArgumentException($"{hint}: '{x}' {FormatShape(d)} has {spatial} spatial axes; kernel, strides and dilations need {spatial} values each and pads {2 * spatial}.");
        var dims = (long[])d.Clone();
        for (int i = 0; i < spatial; i++)
        {
            if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 || pads[spatial + i] < 0)
                throw new ArgumentException($"{hint}: kernel, stride and dilation must be at least 1 and padding at least 0 (axis {i}).");
            long effective = dilations[i] * (kernel[i] - 1) + 1;
            if (pads[i] > effective / 2 || pads[spatial + i] > effective / 2)
                throw new ArgumentException($"{hint}: padding {Math.Max(pads[i], pads[spatial + i])} is more than half the window ({effective}) along spatial axis {i}.");
            long span = d[2 + i] + pads[i] + pads[spatial + i] - dilations[i] * (kernel[i] - 1) - 1;
            if (span < 0) throw new ArgumentException($"{hint}: the window (kernel {kernel[i]}, dilation {dilations[i]}) is larger than the padded input along spatial axis {i} of '{x}' {FormatShape(d)}.");
            long n = (ceilMode ? (span + strides[i] - 1) / strides[i] : span / strides[i]) + 1;
            if (ceilMode && (n - 1) * strides[i] >= d[2 + i] + pads[i]) n--; // the last window must start inside the input or the begin padding
            dims[2 + i] = n;
        }
        return dims;
    }

    // ---------------------------------------------------------------- normalisation and activations

    /// <summary>
    /// ONNX <c>BatchNormalization</c> in inference form over x [N, C, …]: (x − mean) / √(variance + ε) · scale + bias,
    /// per channel (axis 1), with the stored running statistics.
    /// </summary>
    public string BatchNormalization(string x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> variance, float epsilon, string hint = "batch_norm")
    {
        var m = Meta(x);
        var d = RequireBatched(x, m, "BatchNormalization");
        long c = d[1];
        if (scale.Length != c || bias.Length != c || mean.Length != c || variance.Length != c)
            throw new ArgumentException($"{hint}: scale, bias, mean and variance need {c} values each (the channels of '{x}' {FormatShape(d)}); they have {scale.Length}, {bias.Length}, {mean.Length}, {variance.Length}.");
        if (!(epsilon > 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{hint}: epsilon must be positive and finite.");
        foreach (var v in variance)
        {
            if (v < 0) throw new ArgumentException($"{hint}: a running variance is negative ({v}).", nameof(variance));
        }
        var stem = UniqueName(hint);
        return Emit("BatchNormalization",
            [x, AddInitializer(scale, stem + "_scale"), AddInitializer(bias, stem + "_bias"), AddInitializer(mean, stem + "_mean"), AddInitializer(variance, stem + "_var")],
            d, m.Elem, stem, [Attribute("epsilon", epsilon)]);
    }

    /// <summary>ONNX <c>Erf</c>: the error function element-wise.</summary>
    public string Erf(string x, string? hint = null) => Unary("Erf", x, hint);

    /// <summary>
    /// GELU element-wise, x·Φ(x) — opset 17 has no Gelu operator, so it is written out: exactly as
    /// 0.5·x·(1 + erf(x/√2)), or with <paramref name="tanhApproximation"/> as 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
    /// PyTorch's two forms.
    /// </summary>
    public string Gelu(string x, bool tanhApproximation = false, string hint = "gelu")
    {
        var stem = UniqueName(hint);
        string inner;
        if (!tanhApproximation)
        {
            inner = Erf(Mul(x, Constant((float)(1 / Math.Sqrt(2)), stem + "_inv_sqrt2"), stem + "_scaled"), stem + "_erf");
        }
        else
        {
            var cube = Mul(Mul(x, x, stem + "_sq"), x, stem + "_cube");
            var poly = Add(x, Mul(cube, Constant(0.044715f, stem + "_c"), stem + "_cube_c"), stem + "_poly");
            inner = Unary("Tanh", Mul(poly, Constant((float)Math.Sqrt(2 / Math.PI), stem + "_sqrt_2_pi"), stem + "_scaled"), stem + "_tanh");
        }
        var onePlus = Add(inner, Constant(1f, stem + "_one"), stem + "_one_plus");
        return Mul(Mul(x, Constant(0.5f, stem + "_half"), stem + "_half_x"), onePlus, stem);
    }

    // ---------------------------------------------------------------- helpers

    private long[] RequireBatched(string x, ValueMeta m, string op)
    {
        var d = m.Dims;
        if (d is null || d.Length < 2 || d[0] != SymbolicDim || d.Skip(1).Any(v => v < 1))
            throw new ArgumentException($"{op}: '{x}' has shape {FormatShape(d)}; expected [N, …] with known sizes.", nameof(x));
        return d;
    }

    private static long RowElements(long[] d)
    {
        long n = 1;
        for (int i = 1; i < d.Length; i++) n = checked(n * d[i]);
        return n;
    }

    private (ValueMeta Meta, long[] Dims, int Spatial) SpatialInput(string x, string op, string hint)
    {
        var m = Meta(x);
        var d = RequireBatched(x, m, op);
        if (d.Length < 3)
            throw new ArgumentException($"{hint}: {op} needs an input [N, C, spatial…]; '{x}' has shape {FormatShape(d)}.", nameof(x));
        return (m, d, d.Length - 2);
    }

    private static void CheckConvGeometry(string hint, ReadOnlySpan<long> weightShape, int spatial, ReadOnlySpan<long> strides,
        ReadOnlySpan<long> pads, ReadOnlySpan<long> dilations, long group)
    {
        if (weightShape.Length != spatial + 2)
            throw new ArgumentException($"{hint}: the weight has shape {FormatShape(weightShape.ToArray())}; for {spatial} spatial axes it needs rank {spatial + 2}.");
        if (strides.Length != spatial || dilations.Length != spatial || pads.Length != 2 * spatial)
            throw new ArgumentException($"{hint}: strides and dilations need {spatial} values each and pads {2 * spatial}; got {strides.Length}, {dilations.Length} and {pads.Length}.");
        if (group < 1) throw new ArgumentException($"{hint}: group must be at least 1; got {group}.");
        for (int i = 0; i < spatial; i++)
        {
            if (strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 || pads[spatial + i] < 0)
                throw new ArgumentException($"{hint}: strides and dilations must be at least 1 and pads at least 0 (spatial axis {i.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
