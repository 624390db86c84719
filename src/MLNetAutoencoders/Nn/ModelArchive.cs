using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>
/// The versioned binary container behind every model file: a kind string, a JSON metadata object and named float32
/// tensors, closed by a CRC-32 of everything before it. Layout (little-endian): magic <c>MLAE</c>, uint32 format version,
/// kind, metadata JSON (each as int32 byte length + UTF-8), int32 tensor count, then per tensor its name, int32 rows,
/// int32 cols and rows·cols float32 values; finally the uint32 CRC-32.
/// </summary>
public sealed class ModelArchive
{
    /// <summary>The format version this library writes and reads.</summary>
    public const uint FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "MLAE"u8;

    /// <summary>Creates an empty archive of the given model kind.</summary>
    public ModelArchive(string kind, JsonObject? metadata = null)
    {
        Kind = kind;
        Metadata = metadata ?? new JsonObject();
    }

    /// <summary>What model the archive holds (e.g. <c>autoencoder</c>, <c>vae</c>, <c>pipeline</c>).</summary>
    public string Kind { get; }

    /// <summary>Options, layer specs, history and any other structured data.</summary>
    public JsonObject Metadata { get; }

    /// <summary>Named tensors, in insertion order.</summary>
    public List<KeyValuePair<string, Matrix>> Tensors { get; } = new();

    /// <summary>Adds a tensor (a copy is not made).</summary>
    public void Add(string name, Matrix value) => Tensors.Add(new(name, value));

    /// <summary>Gets a tensor by name or throws naming the file's missing tensor.</summary>
    public Matrix Get(string name)
    {
        foreach (var kv in Tensors) if (kv.Key == name) return kv.Value;
        throw new InvalidDataException($"The model file has no tensor named '{name}'.");
    }

    /// <summary>Serialises a value into the metadata under <paramref name="key"/>.</summary>
    public void Set<T>(string key, T value) => Metadata[key] = JsonSerializer.SerializeToNode(value, JsonOptions);

    /// <summary>Deserialises the metadata value under <paramref name="key"/> or throws naming it.</summary>
    public T GetValue<T>(string key)
    {
        var node = Metadata[key] ?? throw new InvalidDataException($"The model file's metadata has no '{key}'.");
        return node.Deserialize<T>(JsonOptions) ?? throw new InvalidDataException($"The model file's '{key}' is empty.");
    }

    /// <summary>JSON settings used for metadata (enums as strings, camelCase).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = false,
    };

    /// <summary>Writes the archive atomically.</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    /// <summary>Writes the archive to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            WriteString(w, Kind);
            WriteString(w, Metadata.ToJsonString());
            w.Write(Tensors.Count);
            foreach (var (name, m) in Tensors)
            {
                WriteString(w, name);
                w.Write(m.Rows);
                w.Write(m.Cols);
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(m.Span));
            }
        }
        var body = ms.GetBuffer().AsSpan(0, (int)ms.Length);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.HashToUInt32(body));
        stream.Write(body);
        stream.Write(crc);
    }

    /// <summary>Reads and validates an archive; errors name the file and what is wrong.</summary>
    public static ModelArchive Load(string path, string? expectedKind = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            var a = Read(bytes);
            if (expectedKind != null && a.Kind != expectedKind)
                throw new InvalidDataException($"holds a '{a.Kind}' model; expected '{expectedKind}'");
            return a;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"Model file '{path}' {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads the file (of <paramref name="expectedKind"/>, or any kind when null) and rebuilds the model with
    /// <paramref name="fromArchive"/>; anything inconsistent inside the file (a missing tensor, bad metadata, shapes that
    /// do not fit) becomes an <see cref="InvalidDataException"/> that names the file.
    /// </summary>
    public static T Load<T>(string path, string? expectedKind, Func<ModelArchive, T> fromArchive)
    {
        var a = Load(path, expectedKind);
        try { return fromArchive(a); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"Model file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Reads and validates an archive from bytes.</summary>
    public static ModelArchive Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual(Magic))
            throw new InvalidDataException("is not a MLNetAutoencoders model (no 'MLAE' magic at offset 0)");
        var body = bytes[..^4];
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]);
        uint actual = Crc32.HashToUInt32(body);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != FormatVersion)
            throw new InvalidDataException($"has format version {version}; this library reads version {FormatVersion}");
        if (stored != actual)
            throw new InvalidDataException($"is corrupt or truncated: checksum {actual:x8} of {body.Length} bytes does not match the stored {stored:x8}");
        using var r = new BinaryReader(new MemoryStream(body.ToArray()), Encoding.UTF8);
        r.BaseStream.Position = 8;
        var kind = ReadString(r);
        var meta = JsonNode.Parse(ReadString(r)) as JsonObject ?? throw new InvalidDataException("has metadata that is not a JSON object");
        var archive = new ModelArchive(kind, meta);
        int count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException($"declares {count} tensors");
        for (int i = 0; i < count; i++)
        {
            long at = r.BaseStream.Position;
            var name = ReadString(r);
            int rows = r.ReadInt32(), cols = r.ReadInt32();
            long n = (long)rows * cols;
            if (rows < 0 || cols < 0 || n * 4 > r.BaseStream.Length - r.BaseStream.Position)
                throw new InvalidDataException($"tensor '{name}' at offset {at} declares {rows}×{cols} values, more than the file holds");
            var m = new Matrix(rows, cols);
            r.Read(System.Runtime.InteropServices.MemoryMarshal.AsBytes(m.Span));
            archive.Add(name, m);
        }
        return archive;
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write(b.Length);
        w.Write(b);
    }

    private static string ReadString(BinaryReader r)
    {
        long at = r.BaseStream.Position;
        int len = r.ReadInt32();
        if (len < 0 || len > r.BaseStream.Length - r.BaseStream.Position)
            throw new InvalidDataException($"has a string of {len} bytes at offset {at}, beyond the end of the file");
        return Encoding.UTF8.GetString(r.ReadBytes(len));
    }
}
