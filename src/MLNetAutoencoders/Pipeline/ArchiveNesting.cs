using System.Text.Json.Nodes;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Pipeline;

/// <summary>
/// Stores archives inside an archive: the child's kind and metadata go under a metadata key, its tensors under the
/// same key as a name prefix (<c>key/tensor</c>). Nesting is recursive, so a chain of chains keeps every tensor.
/// </summary>
internal static class ArchiveNesting
{
    public static void Put(ModelArchive parent, string key, ModelArchive child)
    {
        parent.Metadata[key] = new JsonObject { ["kind"] = child.Kind, ["metadata"] = child.Metadata.DeepClone() };
        foreach (var (name, value) in child.Tensors) parent.Add(key + "/" + name, value);
    }

    public static ModelArchive Take(ModelArchive parent, string key)
    {
        var node = parent.Metadata[key] as JsonObject ?? throw new InvalidDataException($"has no nested model '{key}' in its '{parent.Kind}' metadata");
        var kind = node["kind"]?.GetValue<string>() ?? throw new InvalidDataException($"nested model '{key}' has no kind");
        var meta = node["metadata"]?.DeepClone() as JsonObject ?? throw new InvalidDataException($"nested model '{key}' has no metadata object");
        var child = new ModelArchive(kind, meta);
        string prefix = key + "/";
        foreach (var (name, value) in parent.Tensors)
            if (name.StartsWith(prefix, StringComparison.Ordinal)) child.Add(name[prefix.Length..], value);
        return child;
    }
}
