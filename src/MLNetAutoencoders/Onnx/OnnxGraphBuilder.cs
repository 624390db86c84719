using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx.Proto;
using DataType = MLNetAutoencoders.Onnx.Proto.TensorProto.Types.DataType;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// Builds an ONNX model (IR version <see cref="IrVersion"/>, default-domain opset <see cref="OpsetVersion"/>) with one
/// float32 input of shape [N, features], where N is the symbolic batch dimension <see cref="BatchDimension"/>.
/// </summary>
/// <remarks>
/// <para>Every method that adds a node takes the names of existing values and returns the (unique, generated) name of
/// the value it produces, so stages compose by passing one call's result to the next:</para>
/// <code>
/// var b = new OnnxGraphBuilder("input", 784);
/// var h = b.Activation(b.Dense(b.Input, w1, b1), OnnxActivation.Relu);
/// var z = b.Dense(h, w2, b2);
/// b.Output(z, "embedding");
/// b.Save("encoder.onnx");
/// </code>
/// <para>The builder tracks each value's element type and shape (N stands for the batch dimension) and checks widths as
/// nodes are added, so a mismatch between stages fails when the graph is built, naming the values involved, rather
/// than in a runtime. Initializers must be finite. Not thread-safe.</para>
/// </remarks>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>The ONNX IR version written (8: accepted by onnx ≥ 1.10 and every ONNX Runtime since 1.10).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default ("ai.onnx") operator set the model imports.</summary>
    public const long OpsetVersion = 17;

    /// <summary>The symbolic name of the batch (row) dimension of inputs and outputs.</summary>
    public const string BatchDimension = "N";

    /// <summary>The model's <c>producer_name</c>.</summary>
    public const string ProducerName = "MLNetAutoencoders";

    /// <summary>Stands for the symbolic batch dimension in the shapes <see cref="ShapeOf"/> returns.</summary>
    public const long SymbolicDim = -1;

    private const float DefaultLeakyAlpha = 0.01f;
    private const float DefaultEluAlpha = 1f;
    private const float DefaultSeluAlpha = 1.67326319217681884765625f;
    private const float DefaultSeluGamma = 1.05070102214813232421875f;

    private enum Origin { Input, Initializer, Node }

    private readonly record struct ValueMeta(long[]? Dims, DataType Elem, Origin Origin);

    private readonly GraphProto _graph = new();
    private readonly Dictionary<string, ValueMeta> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputs = new(StringComparer.Ordinal);
    private readonly List<StringStringEntryProto> _metadata = [];

    /// <summary>Starts a graph whose single input is a float32 tensor [N, <paramref name="featureCount"/>].</summary>
    /// <param name="inputName">The name of the graph input, as runtimes will see it.</param>
    /// <param name="featureCount">The number of features (columns) of the input; at least 1.</param>
    /// <param name="graphName">The graph's name.</param>
    public OnnxGraphBuilder(string inputName, int featureCount, string graphName = "MLNetAutoencoders")
    {
        RequireName(inputName, nameof(inputName));
        RequireName(graphName, nameof(graphName));
        if (featureCount < 1)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "The input must have at least 1 feature.");
        _graph.Name = graphName;
        Input = inputName;
        InputWidth = featureCount;
        long[] dims = [SymbolicDim, featureCount];
        _values.Add(inputName, new ValueMeta(dims, DataType.Float, Origin.Input));
        _graph.Input.Add(MakeValueInfo(inputName, DataType.Float, dims));
    }

    /// <summary>The name of the graph input.</summary>
    public string Input { get; }

    /// <summary>The number of features of the graph input.</summary>
    public int InputWidth { get; }

    /// <summary>The model's documentation string (Markdown allowed); empty by default.</summary>
    public string DocString { get; set; } = "";

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>Number of initializers added so far.</summary>
    public int InitializerCount => _graph.Initializer.Count;

    /// <summary>Sets a metadata property (<c>metadata_props</c>) of the model; setting a key again replaces its value.</summary>
    public void SetMetadata(string key, string value)
    {
        RequireName(key, nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        foreach (var e in _metadata)
        {
            if (e.Key == key) { e.Value = value; return; }
        }
        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>Whether a value (input, initializer or node output) with this name exists.</summary>
    public bool Contains(string value) => _values.ContainsKey(value);

    /// <summary>
    /// The shape of a value as far as the builder knows it (<see cref="SymbolicDim"/> for the batch dimension), or
    /// null when it is unknown (outputs of nodes added through <see cref="AddNode"/>).
    /// </summary>
    public IReadOnlyList<long>? ShapeOf(string value) => Meta(value).Dims?.ToArray();

    /// <summary>The number of columns of a value of shape [N, width]; throws when the value has another or an unknown shape.</summary>
    public int WidthOf(string value)
    {
        var d = Meta(value).Dims;
        if (d is null || d.Length != 2 || d[0] != SymbolicDim)
            throw new ArgumentException($"Value '{value}' has shape {FormatShape(d)}, not [N, width].", nameof(value));
        return checked((int)d[1]);
    }

    /// <summary>
    /// Returns a value name based on <paramref name="hint"/> that is not used yet: the hint itself (characters other than
    /// letters, digits, '_', '.', '-', ':' and '/' replaced by '_'), or the hint followed by "_2", "_3", ...
    /// The name is not reserved until a value with it is added.
    /// </summary>
    public string UniqueName(string hint)
    {
        var baseName = Sanitize(hint);
        if (!_values.ContainsKey(baseName)) return baseName;
        for (int i = 2; ; i++)
        {
            var n = baseName + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (!_values.ContainsKey(n)) return n;
        }
    }

    // ---------------------------------------------------------------- initializers

    /// <summary>Adds a float32 initializer of shape [rows, cols] holding the matrix; returns its name.</summary>
    public string AddInitializer(Matrix values, string hint = "W")
    {
        ArgumentNullException.ThrowIfNull(values);
        return AddInitializer(values.Span, [values.Rows, values.Cols], hint);
    }

    /// <summary>Adds a float32 initializer of shape [length] (a vector); returns its name.</summary>
    public string AddInitializer(ReadOnlySpan<float> values, string hint = "b")
        => AddInitializer(values, [values.Length], hint);

    /// <summary>Adds a float32 initializer with the given shape (row-major values; an empty shape is a scalar); returns its name.</summary>
    public string AddInitializer(ReadOnlySpan<float> values, ReadOnlySpan<long> dims, string hint)
    {
        long count = ElementCount(dims, hint);
        if (count != values.Length)
            throw new ArgumentException($"Initializer '{hint}': shape {FormatShape(dims.ToArray())} needs {count} values; {values.Length} were given.", nameof(values));
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Initializer '{hint}': value {i} is {values[i]}; all values must be finite.", nameof(values));
        }
        var name = UniqueName(hint);
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = FloatBytes(values) };
        t.Dims.AddRange(dims.ToArray());
        return AddInitializerTensor(t, DataType.Float);
    }

    /// <summary>Adds a float32 scalar (rank-0) initializer, which broadcasts against any tensor; returns its name.</summary>
    public string Constant(float value, string hint = "c") => AddInitializer([value], [], hint);

    /// <summary>Adds an int64 initializer of shape [length] (e.g. axes or shapes for operators that take them as inputs); returns its name.</summary>
    public string AddInt64Initializer(ReadOnlySpan<long> values, string hint)
    {
        var name = UniqueName(hint);
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        t.Dims.Add(values.Length);
        return AddInitializerTensor(t, DataType.Int64);
    }

    private string AddInitializerTensor(TensorProto t, DataType elem)
    {
        _graph.Initializer.Add(t);
        _values.Add(t.Name, new ValueMeta(t.Dims.ToArray(), elem, Origin.Initializer));
        return t.Name;
    }

    // ---------------------------------------------------------------- generic nodes and attributes

    /// <summary>An INT attribute.</summary>
    public static AttributeProto Attribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A FLOAT attribute.</summary>
    public static AttributeProto Attribute(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A STRING attribute (UTF-8).</summary>
    public static AttributeProto Attribute(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>An INTS attribute.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A FLOATS attribute.</summary>
    public static AttributeProto Attribute(string name, IEnumerable<float> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values);
        return a;
    }

    /// <summary>
    /// Adds a node of any default-domain operator. The builder does not know the outputs' shapes (see <see cref="ShapeOf"/>);
    /// give <see cref="Output"/> the width of such a value. An input name may be "" for an omitted optional input.
    /// </summary>
    /// <param name="opType">The operator, e.g. "Gemm".</param>
    /// <param name="inputs">Names of existing values.</param>
    /// <param name="outputCount">Number of outputs (at least 1).</param>
    /// <param name="attributes">The node's attributes (see the <c>Attribute</c> factories), or null.</param>
    /// <param name="outputHint">Base of the output names; defaults to the operator in lower case.</param>
    /// <returns>The names of the outputs.</returns>
    public string[] AddNode(string opType, IReadOnlyList<string> inputs, int outputCount = 1,
        IEnumerable<AttributeProto>? attributes = null, string? outputHint = null)
    {
        if (outputCount < 1) throw new ArgumentOutOfRangeException(nameof(outputCount), outputCount, "A node needs at least 1 output.");
        var outputs = new string[outputCount];
        var meta = new ValueMeta[outputCount];
        Array.Fill(meta, new ValueMeta(null, DataType.Undefined, Origin.Node));
        AddNodeCore(opType, inputs, meta, attributes, outputHint, outputs);
        return outputs;
    }

    private string Emit(string opType, IReadOnlyList<string> inputs, long[]? dims, DataType elem, string? hint,
        IEnumerable<AttributeProto>? attributes = null)
    {
        var outputs = new string[1];
        AddNodeCore(opType, inputs, [new ValueMeta(dims, elem, Origin.Node)], attributes, hint, outputs);
        return outputs[0];
    }

    private void AddNodeCore(string opType, IReadOnlyList<string> inputs, ValueMeta[] meta,
        IEnumerable<AttributeProto>? attributes, string? outputHint, string[] outputs)
    {
        RequireName(opType, nameof(opType));
        ArgumentNullException.ThrowIfNull(inputs);
        var node = new NodeProto { OpType = opType, Name = UniqueNodeName(opType) };
        foreach (var x in inputs)
        {
            if (x.Length != 0) Meta(x);
            node.Input.Add(x);
        }
        if (attributes != null)
        {
            foreach (var a in attributes)
            {
                if (a is null || string.IsNullOrEmpty(a.Name) || a.Type == AttributeProto.Types.AttributeType.Undefined)
                    throw new ArgumentException($"Node {node.Name}: every attribute needs a name and a type.", nameof(attributes));
                node.Attribute.Add(a);
            }
        }
        var hint = outputHint ?? opType.ToLowerInvariant();
        for (int i = 0; i < meta.Length; i++)
        {
            outputs[i] = UniqueName(hint);
            _values.Add(outputs[i], meta[i]);
            node.Output.Add(outputs[i]);
        }
        _graph.Node.Add(node);
    }

    private string UniqueNodeName(string opType)
    {
        for (int i = _graph.Node.Count; ; i++)
        {
            var n = opType + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (_nodeNames.Add(n)) return n;
        }
    }

    // ---------------------------------------------------------------- linear algebra

    /// <summary>
    /// A dense layer y = x·Wᵀ + b (ONNX <c>Gemm</c> with transB = 1) for a row-major weight matrix W of shape [out, in];
    /// with <paramref name="transposed"/> W is [in, out] and y = x·W + b. <paramref name="bias"/> has length out, or is
    /// empty for no bias. Returns the name of y ([N, out]).
    /// </summary>
    public string Dense(string x, Matrix weight, ReadOnlySpan<float> bias, bool transposed = false, string hint = "dense")
    {
        ArgumentNullException.ThrowIfNull(weight);
        int inW = transposed ? weight.Rows : weight.Cols, outW = transposed ? weight.Cols : weight.Rows;
        RequireWidth(x, inW, $"{hint}: the weight matrix ({weight.Rows}×{weight.Cols}{(transposed ? ", transposed" : "")}) expects");
        if (bias.Length != 0 && bias.Length != outW)
            throw new ArgumentException($"{hint}: the bias has {bias.Length} values; the layer has {outW} outputs.", nameof(bias));
        var stem = UniqueName(hint);
        var w = AddInitializer(weight, stem + "_W");
        var b = bias.Length == 0 ? null : AddInitializer(bias, stem + "_b");
        return Gemm(x, w, b, transB: !transposed, hint: stem);
    }

    /// <summary>y = x·W for a row-major W of shape [in, out] (ONNX <c>MatMul</c>); returns the name of y ([N, out]).</summary>
    public string MatMul(string x, Matrix weight, string hint = "matmul")
    {
        ArgumentNullException.ThrowIfNull(weight);
        RequireWidth(x, weight.Rows, $"{hint}: the matrix ({weight.Rows}×{weight.Cols}) expects");
        var stem = UniqueName(hint);
        return MatMul(x, AddInitializer(weight, stem + "_W"), stem);
    }

    /// <summary>ONNX <c>MatMul</c> of two existing values (numpy matmul semantics).</summary>
    public string MatMul(string a, string b, string? hint = null)
    {
        var ma = Meta(a);
        var mb = Meta(b);
        RequireSameType("MatMul", a, ma, b, mb);
        long[]? dims = null;
        if (ma.Dims is { Length: 2 } da && mb.Dims is { Length: 2 } db)
        {
            if (!DimsMatch(da[1], db[0]))
                throw new ArgumentException($"MatMul: '{a}' {FormatShape(da)} and '{b}' {FormatShape(db)} do not fit (inner dimensions differ).");
            dims = [da[0], db[1]];
        }
        return Emit("MatMul", [a, b], dims, ma.Elem, hint);
    }

    /// <summary>
    /// ONNX <c>Gemm</c>: y = α·op(A)·op(B) + β·C with op = transpose when the flag is set; <paramref name="c"/> may be null.
    /// All four attributes are written explicitly.
    /// </summary>
    public string Gemm(string a, string b, string? c, bool transA = false, bool transB = false, float alpha = 1f, float beta = 1f,
        string? hint = null)
    {
        var ma = Meta(a);
        var mb = Meta(b);
        RequireSameType("Gemm", a, ma, b, mb);
        long[]? dims = null;
        if (ma.Dims is { } da && mb.Dims is { } db)
        {
            if (da.Length != 2 || db.Length != 2)
                throw new ArgumentException($"Gemm: '{a}' {FormatShape(da)} and '{b}' {FormatShape(db)} must both have rank 2.");
            long m = transA ? da[1] : da[0], k = transA ? da[0] : da[1];
            long k2 = transB ? db[1] : db[0], n = transB ? db[0] : db[1];
            if (!DimsMatch(k, k2))
                throw new ArgumentException($"Gemm: '{a}' {FormatShape(da)}{(transA ? "ᵀ" : "")} and '{b}' {FormatShape(db)}{(transB ? "ᵀ" : "")} do not fit (inner dimensions {k} and {k2}).");
            dims = [m, n];
        }
        var inputs = new List<string> { a, b };
        if (c != null)
        {
            var mc = Meta(c);
            RequireSameType("Gemm", a, ma, c, mc);
            if (dims != null && mc.Dims != null)
            {
                var bc = Broadcast("Gemm", a, dims, c, mc.Dims);
                if (!bc.AsSpan().SequenceEqual(dims))
                    throw new ArgumentException($"Gemm: C '{c}' {FormatShape(mc.Dims)} does not broadcast to the product's shape {FormatShape(dims)}.");
            }
            inputs.Add(c);
        }
        return Emit("Gemm", inputs, dims, ma.Elem, hint,
        [
            Attribute("alpha", alpha), Attribute("beta", beta),
            Attribute("transA", transA ? 1L : 0L), Attribute("transB", transB ? 1L : 0L),
        ]);
    }

    // ---------------------------------------------------------------- element-wise binary operators

    /// <summary>ONNX <c>Add</c> (numpy broadcasting) of two existing values.</summary>
    public string Add(string a, string b, string? hint = null) => Binary("Add", a, b, hint);

    /// <summary>ONNX <c>Sub</c>: a − b (numpy broadcasting).</summary>
    public string Sub(string a, string b, string? hint = null) => Binary("Sub", a, b, hint);

    /// <summary>ONNX <c>Mul</c>: a ⊙ b (numpy broadcasting).</summary>
    public string Mul(string a, string b, string? hint = null) => Binary("Mul", a, b, hint);

    /// <summary>ONNX <c>Div</c>: a / b (numpy broadcasting).</summary>
    public string Div(string a, string b, string? hint = null) => Binary("Div", a, b, hint);

    /// <summary>y = x + v with v a per-feature vector (length = width of x), stored as an initializer.</summary>
    public string Add(string x, ReadOnlySpan<float> perFeature, string hint = "add") => PerFeature("Add", x, perFeature, hint);

    /// <summary>y = x − v with v a per-feature vector (length = width of x), stored as an initializer.</summary>
    public string Sub(string x, ReadOnlySpan<float> perFeature, string hint = "sub") => PerFeature("Sub", x, perFeature, hint);

    /// <summary>y = x ⊙ v with v a per-feature vector (length = width of x), stored as an initializer.</summary>
    public string Mul(string x, ReadOnlySpan<float> perFeature, string hint = "mul") => PerFeature("Mul", x, perFeature, hint);

    /// <summary>y = x / v with v a per-feature vector (length = width of x), stored as an initializer.</summary>
    public string Div(string x, ReadOnlySpan<float> perFeature, string hint = "div") => PerFeature("Div", x, perFeature, hint);

    /// <summary>
    /// y = (x − shift) ⊙ scale per feature (a normaliser); either vector may be empty to skip that step. With both
    /// empty, returns <paramref name="x"/> unchanged (no node).
    /// </summary>
    public string AffinePerFeature(string x, ReadOnlySpan<float> shift, ReadOnlySpan<float> scale, string hint = "affine")
    {
        var y = x;
        if (shift.Length != 0) y = Sub(y, shift, hint + "_shift");
        if (scale.Length != 0) y = Mul(y, scale, hint + "_scale");
        return y;
    }

    private string PerFeature(string op, string x, ReadOnlySpan<float> v, string hint)
    {
        RequireWidth(x, v.Length, $"{hint}: the per-feature vector has {v.Length} values, so it expects");
        var stem = UniqueName(hint);
        return Binary(op, x, AddInitializer(v, stem + "_v"), stem);
    }

    private string Binary(string op, string a, string b, string? hint)
    {
        var ma = Meta(a);
        var mb = Meta(b);
        RequireSameType(op, a, ma, b, mb);
        long[]? dims = ma.Dims is null || mb.Dims is null ? null : Broadcast(op, a, ma.Dims, b, mb.Dims);
        return Emit(op, [a, b], dims, ma.Elem == DataType.Undefined ? mb.Elem : ma.Elem, hint);
    }

    // ---------------------------------------------------------------- unary operators and activations

    /// <summary>
    /// Applies an activation. <paramref name="alpha"/> is used by <see cref="OnnxActivation.LeakyRelu"/> (default 0.01),
    /// <see cref="OnnxActivation.Elu"/> (1) and <see cref="OnnxActivation.Selu"/> (≈1.6733); <paramref name="gamma"/> only
    /// by <see cref="OnnxActivation.Selu"/> (≈1.0507). The parameters are always written as attributes. Giving a
    /// parameter the activation does not use is an error.
    /// </summary>
    public string Activation(string x, OnnxActivation kind, float? alpha = null, float? gamma = null, string? hint = null)
    {
        bool usesAlpha = kind is OnnxActivation.LeakyRelu or OnnxActivation.Elu or OnnxActivation.Selu;
        if (alpha.HasValue && !usesAlpha)
            throw new ArgumentException($"Activation {kind} has no alpha parameter.", nameof(alpha));
        if (gamma.HasValue && kind != OnnxActivation.Selu)
            throw new ArgumentException($"Activation {kind} has no gamma parameter.", nameof(gamma));
        if (alpha is { } al && !float.IsFinite(al)) throw new ArgumentOutOfRangeException(nameof(alpha), al, "alpha must be finite.");
        if (gamma is { } ga && !float.IsFinite(ga)) throw new ArgumentOutOfRangeException(nameof(gamma), ga, "gamma must be finite.");
        var m = Meta(x);
        return kind switch
        {
            OnnxActivation.Identity => Emit("Identity", [x], m.Dims, m.Elem, hint),
            OnnxActivation.Relu => Emit("Relu", [x], m.Dims, m.Elem, hint),
            OnnxActivation.LeakyRelu => Emit("LeakyRelu", [x], m.Dims, m.Elem, hint, [Attribute("alpha", alpha ?? DefaultLeakyAlpha)]),
            OnnxActivation.Elu => Emit("Elu", [x], m.Dims, m.Elem, hint, [Attribute("alpha", alpha ?? DefaultEluAlpha)]),
            OnnxActivation.Selu => Emit("Selu", [x], m.Dims, m.Elem, hint,
                [Attribute("alpha", alpha ?? DefaultSeluAlpha), Attribute("gamma", gamma ?? DefaultSeluGamma)]),
            OnnxActivation.Sigmoid => Emit("Sigmoid", [x], m.Dims, m.Elem, hint),
            OnnxActivation.Tanh => Emit("Tanh", [x], m.Dims, m.Elem, hint),
            OnnxActivation.Softplus => Emit("Softplus", [x], m.Dims, m.Elem, hint),
            OnnxActivation.Softmax => Emit("Softmax", [x], m.Dims, m.Elem, hint, [Attribute("axis", 1L)]),
            OnnxActivation.LogSoftmax => Emit("LogSoftmax", [x], m.Dims, m.Elem, hint, [Attribute("axis", 1L)]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation."),
        };
    }

    /// <summary>ONNX <c>Identity</c>: a copy of x under a new name.</summary>
    public string Identity(string x, string? hint = null) => Unary("Identity", x, hint);

    /// <summary>ONNX <c>Exp</c>: eˣ element-wise.</summary>
    public string Exp(string x, string? hint = null) => Unary("Exp", x, hint);

    /// <summary>ONNX <c>Log</c>: natural logarithm element-wise.</summary>
    public string Log(string x, string? hint = null) => Unary("Log", x, hint);

    /// <summary>ONNX <c>Sqrt</c>: square root element-wise.</summary>
    public string Sqrt(string x, string? hint = null) => Unary("Sqrt", x, hint);

    /// <summary>ONNX <c>Abs</c>: absolute value element-wise.</summary>
    public string Abs(string x, string? hint = null) => Unary("Abs", x, hint);

    /// <summary>ONNX <c>Neg</c>: −x element-wise.</summary>
    public string Neg(string x, string? hint = null) => Unary("Neg", x, hint);

    /// <summary>ONNX <c>Reciprocal</c>: 1/x element-wise.</summary>
    public string Reciprocal(string x, string? hint = null) => Unary("Reciprocal", x, hint);

    /// <summary>ONNX <c>Clip</c>: clamps x to [min, max]; a null bound is omitted (unbounded on that side).</summary>
    public string Clip(string x, float? min, float? max, string hint = "clip")
    {
        if (min is { } lo && max is { } hi && lo > hi)
            throw new ArgumentException($"{hint}: min {lo} is greater than max {hi}.", nameof(min));
        var m = Meta(x);
        var stem = UniqueName(hint);
        var inputs = new List<string> { x };
        if (min is not null || max is not null) inputs.Add(min is { } a ? Constant(a, stem + "_min") : "");
        if (max is { } b) inputs.Add(Constant(b, stem + "_max"));
        return Emit("Clip", inputs, m.Dims, m.Elem, stem);
    }

    /// <summary>softplus(x) = log(1 + eˣ), element by element (ONNX <c>Softplus</c>).</summary>
    public string Softplus(string x, string? hint = null) => Unary("Softplus", x, hint);

    private string Unary(string op, string x, string? hint)
    {
        var m = Meta(x);
        return Emit(op, [x], m.Dims, m.Elem, hint);
    }

    // ---------------------------------------------------------------- row reductions

    /// <summary>x &gt; <paramref name="value"/>, element by element, as a boolean tensor of x's shape (ONNX <c>Greater</c>).</summary>
    public string Greater(string x, float value, string hint = "greater")
    {
        var m = Meta(x);
        return Emit("Greater", [x, Constant(value, hint + "_value")], m.Dims, DataType.Bool, hint);
    }

    /// <summary>The mean of each row of x ([N, d] → [N, 1]; ONNX <c>ReduceMean</c>, axes = [1], keepdims = 1).</summary>
    public string RowMean(string x, string hint = "row_mean")
    {
        var m = Meta(x);
        return Emit("ReduceMean", [x], RowReducedDims(m), m.Elem, hint, [Attribute("axes", [1L]), Attribute("keepdims", 1L)]);
    }

    /// <summary>The sum of each row of x ([N, d] → [N, 1]; ONNX <c>ReduceSum</c> with an axes input [1], keepdims = 1).</summary>
    public string RowSum(string x, string hint = "row_sum")
    {
        var m = Meta(x);
        var stem = UniqueName(hint);
        var axes = AddInt64Initializer([1L], stem + "_axes");
        return Emit("ReduceSum", [x, axes], RowReducedDims(m), m.Elem, stem, [Attribute("keepdims", 1L)]);
    }

    /// <summary>The index of the largest value of each row, as int64 [N, 1] (ONNX <c>ArgMax</c>, axis = 1, keepdims = 1; first index on ties).</summary>
    public string ArgMax(string x, string hint = "argmax")
    {
        var m = Meta(x);
        return Emit("ArgMax", [x], RowReducedDims(m), DataType.Int64, hint, [Attribute("axis", 1L), Attribute("keepdims", 1L)]);
    }

    private static long[]? RowReducedDims(ValueMeta m) => m.Dims is { Length: 2 } d ? [d[0], 1] : null;

    // ---------------------------------------------------------------- stages, outputs and the model

    /// <summary>Appends one stage reading <paramref name="x"/>; returns the name of its result.</summary>
    public string Append(string x, IOnnxStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        Meta(x);
        var y = stage.AppendTo(this, x);
        if (y is null || !_values.ContainsKey(y))
            throw new InvalidOperationException($"Stage {stage.GetType().Name} returned '{y}', which is not a value of the graph.");
        return y;
    }

    /// <summary>Appends stages in order, each reading the previous one's result (the first reads <paramref name="x"/>); returns the last result.</summary>
    public string Chain(string x, IEnumerable<IOnnxStage> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        foreach (var s in stages) x = Append(x, s);
        return x;
    }

    /// <summary>
    /// Declares <paramref name="value"/> a graph output named <paramref name="name"/> (an <c>Identity</c> node is added
    /// when the value has another name or is the input or an initializer). Its type is [N, width] of the value's element
    /// type; <paramref name="width"/> is needed only when the builder does not know the value's shape, and must agree
    /// with it otherwise. Returns <paramref name="name"/>.
    /// </summary>
    public string Output(string value, string name, int? width = null)
    {
        RequireName(name, nameof(name));
        var m = Meta(value);
        if (_outputs.Contains(name)) throw new ArgumentException($"'{name}' is already a graph output.", nameof(name));
        if (width is { } w && w < 1) throw new ArgumentOutOfRangeException(nameof(width), w, "An output needs at least 1 column.");
        var dims = m.Dims;
        if (dims is null)
        {
            if (width is null)
                throw new ArgumentException($"The shape of '{value}' is unknown; give Output the width of the output '{name}'.", nameof(width));
            dims = [SymbolicDim, width.Value];
        }
        else if (width is { } ww && (dims.Length != 2 || dims[1] != ww))
        {
            throw new ArgumentException($"Output '{name}' was declared with width {ww}, but '{value}' has shape {FormatShape(dims)}.", nameof(width));
        }
        var elem = m.Elem == DataType.Undefined ? DataType.Float : m.Elem;
        if (value != name || m.Origin != Origin.Node)
        {
            if (_values.ContainsKey(name))
                throw new ArgumentException($"The output name '{name}' is already used by another value of the graph.", nameof(name));
            var node = new NodeProto { OpType = "Identity", Name = UniqueNodeName("Identity") };
            node.Input.Add(value);
            node.Output.Add(name);
            _graph.Node.Add(node);
            _values.Add(name, new ValueMeta(dims, elem, Origin.Node));
        }
        _outputs.Add(name);
        _graph.Output.Add(MakeValueInfo(name, elem, dims));
        return name;
    }

    /// <summary>Builds the model: a new <see cref="ModelProto"/> each call (the builder can go on afterwards).</summary>
    public ModelProto Build()
    {
        if (_graph.Output.Count == 0) throw new InvalidOperationException("The graph has no output; call Output first.");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = LibraryVersion,
            DocString = DocString,
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var e in _metadata) model.MetadataProps.Add(e.Clone());
        return model;
    }

    /// <summary>Builds the model and writes it atomically to <paramref name="path"/>.</summary>
    public void Save(string path) => OnnxModelFile.Save(Build(), path);

    /// <summary>The library's version (major.minor.patch), written as <c>producer_version</c>.</summary>
    public static string LibraryVersion { get; } =
        typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    // ---------------------------------------------------------------- helpers

    private ValueMeta Meta(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.TryGetValue(value, out var m))
            throw new ArgumentException($"The graph has no value named '{value}'.", nameof(value));
        return m;
    }

    private void RequireWidth(string x, int expected, string what)
    {
        var d = Meta(x).Dims;
        if (d is null) return;
        if (d.Length != 2 || d[1] != expected)
            throw new ArgumentException($"{what} {expected} features, but '{x}' has shape {FormatShape(d)}.");
    }

    private static void RequireSameType(string op, string a, ValueMeta ma, string b, ValueMeta mb)
    {
        if (ma.Elem != DataType.Undefined && mb.Elem != DataType.Undefined && ma.Elem != mb.Elem)
            throw new ArgumentException($"{op}: '{a}' is {ma.Elem} but '{b}' is {mb.Elem}; both must have one element type.");
    }

    private static bool DimsMatch(long a, long b) => a == b || a == SymbolicDim || b == SymbolicDim;

    /// <summary>Numpy broadcasting of two shapes, <see cref="SymbolicDim"/> standing for N.</summary>
    private static long[] Broadcast(string op, string a, long[] da, string b, long[] db)
    {
        int rank = Math.Max(da.Length, db.Length);
        var r = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i < rank - da.Length ? 1 : da[i - (rank - da.Length)];
            long y = i < rank - db.Length ? 1 : db[i - (rank - db.Length)];
            if (x == y || y == 1) r[i] = x;
            else if (x == 1) r[i] = y;
            else if (x == SymbolicDim || y == SymbolicDim) r[i] = x == SymbolicDim ? y : x;
            else throw new ArgumentException($"{op}: '{a}' {FormatShape(da)} and '{b}' {FormatShape(db)} do not broadcast.");
        }
        return r;
    }

    private static long ElementCount(ReadOnlySpan<long> dims, string what)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Initializer '{what}': dimension {d} is negative.", nameof(dims));
            n = checked(n * d);
        }
        return n;
    }

    internal static string FormatShape(IReadOnlyList<long>? dims)
    {
        if (dims is null) return "(unknown)";
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i] == SymbolicDim ? BatchDimension : dims[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(']').ToString();
    }

    private static ValueInfoProto MakeValueInfo(string name, DataType elem, long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d == SymbolicDim
                ? new TensorShapeProto.Types.Dimension { DimParam = BatchDimension }
                : new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elem, Shape = shape } },
        };
    }

    private static ByteString FloatBytes(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) return ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static string Sanitize(string hint)
    {
        if (string.IsNullOrWhiteSpace(hint)) return "t";
        var sb = new StringBuilder(hint.Length);
        foreach (var ch in hint.Trim())
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '.' or '-' or ':' or '/' ? ch : '_');
        return sb.ToString();
    }

    private static void RequireName(string name, string param)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A non-empty name is required.", param);
    }
}
