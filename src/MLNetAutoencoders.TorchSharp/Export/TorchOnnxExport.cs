using System.Globalization;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Export;

/// <summary>
/// Exports TorchSharp modules to ONNX through the project's graph builder (<see cref="OnnxGraphBuilder"/>), since
/// TorchSharp itself has no ONNX export. A module is exportable when it is one of the <see cref="SupportedLayers"/>, or
/// a <c>Sequential</c> of them (nested <c>Sequential</c>s included): the exporter knows what each of these layers
/// computes from its type and settings, whereas a custom module's <c>forward()</c> is arbitrary code it cannot read.
/// </summary>
/// <remarks>
/// <para>The exported graph reads a flat row, float32 [N, D] with D the product of the input shape, so that it fits an
/// ML.NET vector column; when the module needs an image (an input shape of rank &gt; 1, e.g. 1 × 28 × 28 for
/// Conv2d) the row is reshaped to [N, C, H, W] inside the graph, in PyTorch's row-major order. The module's output is
/// flattened back to [N, k]. Layers are written with PyTorch's meaning of their settings (padding, stride, dilation,
/// output padding, groups, ceil mode, count_include_pad, ε); batch normalisation is written in inference form (running
/// statistics) and dropout as the identity, as in <c>eval()</c> mode.</para>
/// <para>The entry points: <see cref="Module"/> (a whole model), <see cref="Append"/> (the module's nodes inside a
/// larger graph, e.g. an encoder stage) and <see cref="CheckExportable"/> (the check a trainer runs before training,
/// so that an unsupported layer fails at <c>Fit</c>, not when the model is saved).</para>
/// </remarks>
public static class TorchOnnxExport
{
    /// <summary>The TorchSharp layer types the exporter writes, by their TorchSharp names.</summary>
    public static IReadOnlyList<string> SupportedLayers { get; } =
    [
        "Sequential", "Linear", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
        "Dropout", "Flatten", "Unflatten", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU", "Sigmoid", "Tanh",
    ];

    /// <summary>
    /// The module as an ONNX model: input <paramref name="inputName"/> float32 [N, D] (D = product of
    /// <paramref name="inputShape"/>), output <paramref name="outputName"/> float32 [N, k] (the module's output per row,
    /// flattened).
    /// </summary>
    /// <param name="module">A <c>Sequential</c> of the <see cref="SupportedLayers"/>, or one such layer.</param>
    /// <param name="inputShape">The shape of one input row as the module sees it, without the batch dimension: [D] for dense
    /// modules, [C, H, W] for images.</param>
    /// <param name="inputName">The graph input's name.</param>
    /// <param name="outputName">The graph output's name.</param>
    /// <exception cref="NotSupportedException">A layer (named by its path in the module tree) is not one the exporter knows, or one of its settings has no ONNX form.</exception>
    /// <exception cref="ArgumentException">The layers' shapes do not fit the input shape or each other (the message names the layer).</exception>
    public static ModelProto Module(nn.Module module, IReadOnlyList<long> inputShape, string inputName = OnnxExport.DefaultInputName,
        string outputName = OnnxExport.DefaultOutputName)
    {
        ArgumentNullException.ThrowIfNull(module);
        var b = new OnnxGraphBuilder(inputName, checked((int)RowSize(inputShape)), graphName: module.GetName());
        var y = Append(b, b.Input, module, inputShape, "module");
        b.Output(y, outputName);
        b.DocString = $"TorchSharp module {module.GetName()} exported by {OnnxGraphBuilder.ProducerName} {OnnxGraphBuilder.LibraryVersion}.";
        return b.Build();
    }

    /// <summary>
    /// Appends the module's nodes reading <paramref name="x"/> ([N, D], D = product of <paramref name="inputShape"/>);
    /// returns the name of its output, flattened to [N, k].
    /// </summary>
    /// <param name="builder">The graph being built.</param>
    /// <param name="x">An existing [N, D] value of the graph.</param>
    /// <param name="module">A <c>Sequential</c> of the <see cref="SupportedLayers"/>, or one such layer.</param>
    /// <param name="inputShape">One row's shape as the module sees it (see <see cref="Module"/>).</param>
    /// <param name="hint">The base of the names of the nodes and initializers added.</param>
    /// <exception cref="NotSupportedException">A layer is not exportable (see <see cref="Module"/>).</exception>
    public static string Append(OnnxGraphBuilder builder, string x, nn.Module module, IReadOnlyList<long> inputShape, string hint)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(module);
        long d = RowSize(inputShape);
        if (builder.WidthOf(x) != d)
            throw new ArgumentException($"The input shape {FormatShape(inputShape)} has {d} values per row, but '{x}' has {builder.WidthOf(x)}.", nameof(inputShape));
        CheckExportable(module, hint);
        using var noGrad = torch.no_grad();
        if (inputShape.Count > 1) x = builder.Reshape(x, inputShape.ToArray(), hint + "_image");
        x = Walk(builder, x, module, hint);
        return builder.ShapeOf(x)!.Count > 2 ? builder.Flatten(x, hint + "_flatten") : x;
    }

    /// <summary>
    /// Throws when the module (or a layer in it) cannot be exported, naming the layer by its path in the module tree
    /// and listing the <see cref="SupportedLayers"/>. Trainers call it before training.
    /// </summary>
    /// <param name="module">The module to check.</param>
    /// <param name="what">What the module is in messages, e.g. "encoder".</param>
    /// <exception cref="NotSupportedException">A layer is not one the exporter knows, or a setting of it has no ONNX form.</exception>
    public static void CheckExportable(nn.Module module, string what)
    {
        ArgumentNullException.ThrowIfNull(module);
        Visit(module, what);

        static void Visit(nn.Module m, string path)
        {
            if (m is Sequential)
            {
                foreach (var (name, child) in m.named_children()) Visit(child, path + "." + name);
                return;
            }
            var problem = m switch
            {
                Linear or MaxPool2d or Dropout or Flatten or Unflatten or ReLU or LeakyReLU or ELU or SELU or GELU or Sigmoid or Tanh => null,
                Conv2d c when c.padding_mode != PaddingModes.Zeros => $"its padding mode is {c.padding_mode}; only zero padding has an ONNX form",
                Conv2d => null,
                ConvTranspose2d => null,
                AvgPool2d a when a.divisor_override is not null => "it has a divisor_override, which ONNX's AveragePool cannot express",
                AvgPool2d => null,
                BatchNorm1d or BatchNorm2d when ((NormBase)m).running_mean is null => "it does not track running statistics, so its inference output depends on the batch",
                BatchNorm1d or BatchNorm2d => null,
                _ => "",
            };
            if (problem == "")
                throw new NotSupportedException(
                    $"The {path} is a {m.GetType().Name}, which the ONNX export does not know. It exports a Sequential of these layers: " +
                    $"{string.Join(", ", SupportedLayers)}. A custom module with its own forward() cannot be read; build it as a Sequential of these layers.");
            if (problem != null)
                throw new NotSupportedException($"The {path} ({m.GetType().Name}) cannot be exported to ONNX: {problem}.");
        }
    }

    private static string Walk(OnnxGraphBuilder b, string x, nn.Module m, string path)
    {
        if (m is Sequential)
        {
            foreach (var (name, child) in m.named_children()) x = Walk(b, x, child, path + "_" + name);
            return x;
        }
        try
        {
            return Layer(b, x, m, path);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The layer {path} ({m.GetType().Name}) does not fit its input {FormatShape(b.ShapeOf(x))}: {e.Message}", e);
        }
    }

    private static string Layer(OnnxGraphBuilder b, string x, nn.Module m, string h)
    {
        var shape = b.ShapeOf(x)!;
        int rank = shape.Count;
        switch (m)
        {
            case Linear l:
            {
                if (rank != 2) throw new ArgumentException($"Linear is exported for inputs [N, features]; put a Flatten before it.");
                var w = new Matrix((int)l.out_features, (int)l.in_features, Floats(l.weight));
                return b.Dense(x, w, l.bias is null ? ReadOnlySpan<float>.Empty : Floats(l.bias), hint: h);
            }
            case Conv2d c:
            {
                long[] pads = c.padding_type switch
                {
                    null => [c.padding![0], c.padding[1], c.padding[0], c.padding[1]],
                    Padding.Valid => [0, 0, 0, 0],
                    _ => SamePads(c.kernel_size, c.dilation),
                };
                return b.Conv(x, Floats(c.weight), c.weight.shape, c.bias is null ? [] : Floats(c.bias), c.stride, pads, c.dilation, c.groups, h);
            }
            case ConvTranspose2d t:
            {
                var p = t.padding ?? [0, 0];
                return b.ConvTranspose(x, Floats(t.weight), t.weight.shape, t.bias is null ? [] : Floats(t.bias), t.stride,
                    [p[0], p[1], p[0], p[1]], t.dilation, t.output_padding, t.groups, h);
            }
            case MaxPool2d p:
            {
                var pad = p.padding ?? [0, 0];
                return b.MaxPool(x, p.kernel_size, p.stride ?? p.kernel_size, [pad[0], pad[1], pad[0], pad[1]], p.dilation ?? [1, 1], p.ceil_mode, h);
            }
            case AvgPool2d p:
            {
                var pad = p.padding ?? [0, 0];
                return b.AveragePool(x, p.kernel_size, p.stride ?? p.kernel_size, [pad[0], pad[1], pad[0], pad[1]], p.ceil_mode, p.count_include_pad, h);
            }
            case BatchNorm1d or BatchNorm2d:
            {
                var n = (NormBase)m;
                int expected = m is BatchNorm2d ? 4 : rank is 2 or 3 ? rank : 2;
                if (rank != expected) throw new ArgumentException($"{m.GetType().Name} expects an input of rank {(m is BatchNorm2d ? "4" : "2 or 3")}.");
                long c = n.num_features;
                float[] ones = Enumerable.Repeat(1f, (int)c).ToArray(), zeros = new float[c];
                return b.BatchNormalization(x, n.weight is null || !n.affine ? ones : Floats(n.weight), n.bias is null || !n.affine ? zeros : Floats(n.bias),
                    Floats(n.running_mean!), Floats(n.running_var!), (float)n.eps, h);
            }
            case Dropout:
                return x;
            case Flatten f:
            {
                long start = Axis(f.start_dim, rank, "start_dim"), end = Axis(f.end_dim, rank, "end_dim");
                if (start == 0) throw new ArgumentException("Flatten with start_dim 0 would merge rows; the export needs start_dim ≥ 1.");
                if (end < start) throw new ArgumentException($"Flatten's end_dim ({f.end_dim}) is before its start_dim ({f.start_dim}).");
                if (start == 1 && end == rank - 1) return rank == 2 ? x : b.Flatten(x, h);
                var row = new List<long>();
                for (int i = 1; i < start; i++) row.Add(shape[i]);
                long merged = 1;
                for (long i = start; i <= end; i++) merged *= shape[(int)i];
                row.Add(merged);
                for (long i = end + 1; i < rank; i++) row.Add(shape[(int)i]);
                return b.Reshape(x, row.ToArray(), h);
            }
            case Unflatten u:
            {
                long dim = Axis(u.dim, rank, "dim");
                if (dim == 0) throw new ArgumentException("Unflatten of dimension 0 would split rows; the export needs dim ≥ 1.");
                var sizes = u.unflattened_size.ToArray();
                int unknown = Array.IndexOf(sizes, -1L);
                if (unknown >= 0)
                {
                    long known = sizes.Where(s => s != -1).Aggregate(1L, (p, s) => p * s);
                    sizes[unknown] = shape[(int)dim] / known;
                }
                if (sizes.Aggregate(1L, (p, s) => p * s) != shape[(int)dim])
                    throw new ArgumentException($"Unflatten cannot view dimension {dim} of size {shape[(int)dim]} as {FormatShape(u.unflattened_size)}.");
                var row = shape.Skip(1).Take((int)dim - 1).Concat(sizes).Concat(shape.Skip((int)dim + 1)).ToArray();
                return b.Reshape(x, row, h);
            }
            case ReLU: return b.Activation(x, OnnxActivation.Relu, hint: h);
            case LeakyReLU r: return b.Activation(x, OnnxActivation.LeakyRelu, alpha: (float)r.negative_slope, hint: h);
            case ELU e: return b.Activation(x, OnnxActivation.Elu, alpha: (float)e.alpha, hint: h);
            case SELU: return b.Activation(x, OnnxActivation.Selu, hint: h); // the builder's defaults are PyTorch's constants
            case GELU g: return b.Gelu(x, g.approximate == GELU.Approximate.tanh, h);
            case Sigmoid: return b.Activation(x, OnnxActivation.Sigmoid, hint: h);
            case Tanh: return b.Activation(x, OnnxActivation.Tanh, hint: h);
            default: throw new NotSupportedException($"The layer {h} is a {m.GetType().Name}, which the ONNX export does not know.");
        }
    }

    /// <summary>PyTorch's "same" padding: total dilation·(k − 1) per axis, the smaller half at the start.</summary>
    private static long[] SamePads(long[] kernel, long[] dilation)
    {
        var pads = new long[2 * kernel.Length];
        for (int i = 0; i < kernel.Length; i++)
        {
            long total = dilation[i] * (kernel[i] - 1);
            pads[i] = total / 2;
            pads[kernel.Length + i] = total - total / 2;
        }
        return pads;
    }

    private static long Axis(long axis, int rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"{what} {axis} is outside the input's {rank} dimensions.");
        return a;
    }

    /// <summary>A parameter or buffer's values as float32 (row-major), read without gradient tracking.</summary>
    internal static float[] Floats(Tensor t)
    {
        if (t.dtype != ScalarType.Float32)
            throw new NotSupportedException($"A parameter has type {t.dtype}; the ONNX export writes float32 models (call module.to(torch.float32)).");
        using var c = t.detach().cpu().contiguous();
        return c.data<float>().ToArray();
    }

    /// <summary>The number of values per row of the shape; every dimension must be at least 1.</summary>
    internal static long RowSize(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Count == 0 || shape.Any(s => s < 1))
            throw new ArgumentException($"A row shape needs at least one dimension, each at least 1; got {FormatShape(shape)}.", nameof(shape));
        return shape.Aggregate(1L, (p, s) => checked(p * s));
    }

    private static string FormatShape(IReadOnlyList<long>? shape)
        => shape is null ? "(unknown)" : "[" + string.Join(", ", shape.Select(s => s == OnnxGraphBuilder.SymbolicDim ? "N" : s.ToString(CultureInfo.InvariantCulture))) + "]";
}
