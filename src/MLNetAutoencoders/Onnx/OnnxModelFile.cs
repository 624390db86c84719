using System.Buffers.Binary;
using Google.Protobuf;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx.Proto;
using DataType = MLNetAutoencoders.Onnx.Proto.TensorProto.Types.DataType;

namespace MLNetAutoencoders.Onnx;

/// <summary>
/// Reads and writes ONNX model files (<see cref="ModelProto"/>) and checks their structure: IR version, operator set
/// imports, unique value names, nodes in topological order, outputs that exist, and initializers whose data agree with
/// their shapes. The checks are structural only; operator semantics are left to the runtime (or onnx's checker).
/// </summary>
public static class OnnxModelFile
{
    /// <summary>The lowest IR version accepted when loading (3 introduced operator set imports).</summary>
    public const long MinIrVersion = 3;

    /// <summary>Reads and validates an ONNX model.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, not a protobuf ModelProto, or structurally invalid; the message names the file.</exception>
    public static ModelProto Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates an ONNX model held in memory; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty, not a ModelProto, or a structurally invalid model.</exception>
    public static ModelProto Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0) throw new InvalidDataException($"{source}: the file is empty; expected an ONNX model.");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not an ONNX model; the protobuf data is corrupt or truncated ({e.Message}).", e);
        }
        Validate(model, source);
        return model;
    }

    /// <summary>Validates <paramref name="model"/> and writes it atomically to <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The model is structurally invalid (nothing is written).</exception>
    public static void Save(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Validate(model, path);
        AtomicFile.Write(path, s => model.WriteTo(s));
    }

    /// <summary>Checks the structure of a model (see the class remarks); throws <see cref="InvalidDataException"/> naming <paramref name="source"/>.</summary>
    public static void Validate(ModelProto model, string source)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.HasIrVersion)
            throw Bad(source, "the file has no ir_version (is it an ONNX model?)");
        if (model.IrVersion < MinIrVersion)
            throw Bad(source, $"the model has IR version {model.IrVersion}; at least {MinIrVersion} is needed");
        if (model.OpsetImport.Count == 0)
            throw Bad(source, "the model imports no operator set (opset_import is empty)");
        foreach (var op in model.OpsetImport)
        {
            if (op.Version < 1) throw Bad(source, $"the model imports operator set '{op.Domain}' with invalid version {op.Version}");
        }
        var g = model.Graph ?? throw Bad(source, "the model has no graph");

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vi in g.Input)
        {
            if (string.IsNullOrEmpty(vi.Name)) throw Bad(source, "a graph input has no name");
            if (!defined.Add(vi.Name)) throw Bad(source, $"two graph inputs are named '{vi.Name}'");
        }
        var initNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in g.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name)) throw Bad(source, "an initializer has no name");
            if (!initNames.Add(t.Name)) throw Bad(source, $"two initializers are named '{t.Name}'");
            defined.Add(t.Name); // an initializer may also be listed as an input (its default value)
            ValidateTensor(t, source);
        }
        for (int i = 0; i < g.Node.Count; i++)
        {
            var n = g.Node[i];
            var label = string.IsNullOrEmpty(n.Name) ? $"node {i} ({n.OpType})" : $"node '{n.Name}' ({n.OpType})";
            if (string.IsNullOrEmpty(n.OpType)) throw Bad(source, $"{label} has no op_type");
            foreach (var x in n.Input)
            {
                if (x.Length != 0 && !defined.Contains(x))
                    throw Bad(source, $"{label} reads '{x}', which is not a graph input, an initializer or the output of an earlier node");
            }
            foreach (var y in n.Output)
            {
                if (y.Length != 0 && !defined.Add(y))
                    throw Bad(source, $"{label} writes '{y}', which is already defined");
            }
        }
        if (g.Output.Count == 0) throw Bad(source, "the graph has no outputs");
        foreach (var o in g.Output)
        {
            if (!defined.Contains(o.Name)) throw Bad(source, $"the graph output '{o.Name}' is not defined by any node, input or initializer");
        }
    }

    /// <summary>The values of a FLOAT tensor (from <c>raw_data</c> or <c>float_data</c>), row-major.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="source">Names the model in error messages (e.g. its path).</param>
    /// <exception cref="InvalidDataException">The tensor is not FLOAT, stores its data externally, or has the wrong number of values.</exception>
    public static float[] ReadFloats(TensorProto tensor, string source = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DataType != (int)DataType.Float)
            throw Bad(source, $"tensor '{tensor.Name}' has data type {(DataType)tensor.DataType}; expected FLOAT");
        ValidateTensor(tensor, source);
        long count = ElementCount(tensor, source);
        if (!tensor.HasRawData) return tensor.FloatData.ToArray();
        var raw = tensor.RawData.Span;
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
        return values;
    }

    /// <summary>A rank-2 FLOAT tensor as a <see cref="Matrix"/> ([rows, cols]).</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="source">Names the model in error messages (e.g. its path).</param>
    /// <exception cref="InvalidDataException">The tensor is not a valid rank-2 FLOAT tensor.</exception>
    public static Matrix ReadMatrix(TensorProto tensor, string source = "ONNX model")
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Dims.Count != 2)
            throw Bad(source, $"tensor '{tensor.Name}' has {tensor.Dims.Count} dimensions; expected 2");
        var values = ReadFloats(tensor, source);
        return new Matrix(checked((int)tensor.Dims[0]), checked((int)tensor.Dims[1]), values);
    }

    private static void ValidateTensor(TensorProto t, string source)
    {
        var what = $"tensor '{t.Name}'";
        var type = (DataType)t.DataType;
        if (type == DataType.Undefined) throw Bad(source, $"{what} has no data type");
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count != 0)
            throw Bad(source, $"{what} stores its data in an external file, which is not supported");
        long count = ElementCount(t, source);
        int size = ElementSize(type);
        if (t.HasRawData)
        {
            if (size > 0 && t.RawData.Length != count * size)
                throw Bad(source, $"{what} has {t.RawData.Length} bytes of raw_data; its shape {OnnxGraphBuilder.FormatShape(t.Dims)} of {type} needs {count * size}");
            return;
        }
        int typed = type switch
        {
            DataType.Float or DataType.Complex64 => t.FloatData.Count,
            DataType.Double or DataType.Complex128 => t.DoubleData.Count,
            DataType.Int64 => t.Int64Data.Count,
            DataType.Uint32 or DataType.Uint64 => t.Uint64Data.Count,
            DataType.String => t.StringData.Count,
            DataType.Int32 or DataType.Int16 or DataType.Int8 or DataType.Uint16 or DataType.Uint8 or DataType.Bool
                or DataType.Float16 or DataType.Bfloat16 => t.Int32Data.Count,
            _ => -1,
        };
        if (type is DataType.Complex64 or DataType.Complex128) typed /= 2;
        if (typed >= 0 && typed != count)
            throw Bad(source, $"{what} holds {typed} values; its shape {OnnxGraphBuilder.FormatShape(t.Dims)} needs {count}");
    }

    private static long ElementCount(TensorProto t, string source)
    {
        long n = 1;
        foreach (var d in t.Dims)
        {
            if (d < 0) throw Bad(source, $"tensor '{t.Name}' has a negative dimension {d}");
            try { n = checked(n * d); }
            catch (OverflowException) { throw Bad(source, $"tensor '{t.Name}' has too many elements"); }
        }
        return n;
    }

    private static int ElementSize(DataType type) => type switch
    {
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        DataType.Double or DataType.Int64 or DataType.Uint64 or DataType.Complex64 => 8,
        DataType.Complex128 => 16,
        DataType.Int16 or DataType.Uint16 or DataType.Float16 or DataType.Bfloat16 => 2,
        DataType.Int8 or DataType.Uint8 or DataType.Bool or DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz
            or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz => 1,
        _ => 0, // strings and 4-bit types: not checked
    };

    private static InvalidDataException Bad(string source, string message) => new($"{source}: {message}.");
}
