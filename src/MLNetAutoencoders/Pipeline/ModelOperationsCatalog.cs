using System.Text.Json;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// Saving and loading fitted pipelines (ML.NET's <c>mlContext.Model</c>). A pipeline file is one
/// <see cref="ModelArchive"/> of kind <c>pipeline</c> (so it carries the archive format version and a CRC) whose metadata
/// holds <see cref="FormatVersion"/>, the optional input schema, and the transformer nested under <c>root</c>: a chain
/// nests each stage's own archive in turn (tensors prefixed by the stage's position).
/// </summary>
public sealed class ModelOperationsCatalog
{
    /// <summary>Model kind of a pipeline file.</summary>
    public const string Kind = "pipeline";

    /// <summary>The pipeline layout version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly IReadOnlyDictionary<string, Func<ModelArchive, ITransformer>> Loaders = new Dictionary<string, Func<ModelArchive, ITransformer>>
    {
        [TransformerChain<ITransformer>.Kind] = a => TransformerChain<ITransformer>.FromArchive(a, LoadTransformer),
        [NormalizingTransformer.Kind] = NormalizingTransformer.FromArchive,
        [PcaTransformer.Kind] = PcaTransformer.FromArchive,
        [AutoencoderTransformer.Kind] = AutoencoderTransformer.FromArchive,
        // Every autoencoder kind (plain, stacked, VAE) loads through the one stage kind; new stage kinds register here.
        [LogisticRegressionTransformer.Kind] = LogisticRegressionTransformer.FromArchive,
        [MlpClassifierTransformer.Kind] = MlpClassifierTransformer.FromArchive,
        [EncoderClassifierTransformer.Kind] = EncoderClassifierTransformer.FromArchive,
    };

    internal ModelOperationsCatalog() { }

    /// <summary>Saves a fitted transformer (a single stage or a chain) to one file, written atomically.</summary>
    public void Save(ITransformer model, string path) => Save(model, null, path);

    /// <summary>Saves a fitted transformer with the schema of the data it expects (checked by <see cref="Load(string, out DataSchema?)"/>'s callers).</summary>
    public void Save(ITransformer model, DataSchema? inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (inputSchema is not null) model.GetOutputSchema(inputSchema); // refuse a schema the model cannot transform
        ToArchive(model, inputSchema).Save(path);
    }

    /// <summary>Loads a transformer saved with <see cref="Save(ITransformer, string)"/>; it gives the same output as the saved one.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a pipeline file, a newer or unknown format version, corrupt, or an unknown stage kind (the message names the file).</exception>
    public ITransformer Load(string path) => Load(path, out _);

    /// <summary>Loads a transformer and the input schema saved with it (null when none was saved).</summary>
    public ITransformer Load(string path, out DataSchema? inputSchema)
    {
        var (model, schema) = ModelArchive.Load(path, Kind, a => (FromArchive(a, out var s), s));
        inputSchema = schema;
        return model;
    }

    /// <summary>The archive <see cref="Save(ITransformer, DataSchema?, string)"/> writes.</summary>
    public static ModelArchive ToArchive(ITransformer model, DataSchema? inputSchema = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var a = new ModelArchive(Kind);
        a.Set("pipelineFormat", FormatVersion);
        if (inputSchema is not null) a.Set("inputSchema", inputSchema.ToArray());
        ArchiveNesting.Put(a, "root", model.ToArchive());
        return a;
    }

    /// <summary>Rebuilds a transformer from a pipeline archive; errors say what is wrong (without a file name).</summary>
    public static ITransformer FromArchive(ModelArchive archive, out DataSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(archive);
        if (archive.Kind != Kind) throw new InvalidDataException($"holds a '{archive.Kind}' model; expected '{Kind}'");
        int version = archive.GetValue<int>("pipelineFormat");
        if (version != FormatVersion)
            throw new InvalidDataException($"has pipeline format version {version}; this library reads version {FormatVersion}" +
                (version > FormatVersion ? " (the file was written by a newer version)" : ""));
        inputSchema = archive.Metadata.ContainsKey("inputSchema") ? new DataSchema(archive.GetValue<SchemaColumn[]>("inputSchema")) : null;
        return LoadTransformer(ArchiveNesting.Take(archive, "root"));
    }

    /// <summary>Rebuilds one stage (or chain) from its archive, by kind.</summary>
    internal static ITransformer LoadTransformer(ModelArchive a)
    {
        if (!Loaders.TryGetValue(a.Kind, out var load))
            throw new InvalidDataException($"holds a stage of unknown kind '{a.Kind}'; this library knows {string.Join(", ", Loaders.Keys)}");
        return load(a);
    }
}
