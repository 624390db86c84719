using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetAutoencoders.MLNet.Hosting;

/// <summary>
/// Every reach into Microsoft.ML's internals, in one place. A third-party component needs three things that ML.NET keeps
/// internal to its own assemblies and offers no public route to (checked against Microsoft.ML 6.0's source): the
/// <see cref="IHostEnvironment"/> behind a catalog, the constructor of <see cref="SchemaShape.Column"/> (for
/// <c>GetOutputSchema</c>), and the constructors of its prediction transformers and model parameters (so that a saved
/// model has the <c>Score</c>/<c>PredictedLabel</c> columns ML.NET's evaluators expect). Tested with Microsoft.ML
/// <see cref="TestedVersions"/>; when another version lacks one, the error names that version.
/// </summary>
internal static class MLNetInternals
{
    /// <summary>The Microsoft.ML releases the test suite runs against.</summary>
    public const string TestedVersions = "5.0.1 and 6.0.0";

    private const BindingFlags Instance = BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance;

    /// <summary>The version of the Microsoft.ML assembly loaded in this process, as its package names it (e.g. 6.0.0).</summary>
    public static string LoadedVersion
    {
        get
        {
            var assembly = typeof(MLContext).Assembly;
            string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return v is null ? assembly.GetName().Version?.ToString() ?? "?" : v.Split('+')[0];
        }
    }

    /// <summary>The error for an internal member that the loaded Microsoft.ML lacks.</summary>
    public static NotSupportedException Missing(string what) => new(
        $"MLNetAutoencoders.MLNet needs {what} of Microsoft.ML, which the loaded Microsoft.ML {LoadedVersion} does not have " +
        $"(it is tested with Microsoft.ML {TestedVersions}); reference one of those versions.");

    /// <summary>The catalog's environment (the MLContext), read through ML.NET's internal <c>IInternalCatalog</c>.</summary>
    public static IHostEnvironment Environment(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var property = catalog.GetType().GetInterfaces()
            .FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog")
            ?.GetProperty("Environment", BindingFlags.Public | BindingFlags.Instance);
        return property?.GetValue(catalog) as IHostEnvironment ?? throw Missing($"the environment behind {catalog.GetType().Name} (IInternalCatalog.Environment)");
    }

    private static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column).GetConstructor(Instance, null,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)], null);

    /// <summary>A <see cref="SchemaShape.Column"/> (its constructor is internal).</summary>
    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations) =>
        (SchemaShape.Column)(ColumnConstructor ?? throw Missing("the constructor SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape)"))
            .Invoke([name, kind, itemType, isKey, annotations]);

    /// <summary>A new <paramref name="type"/> through its (internal) constructor taking <paramref name="parameters"/>.</summary>
    public static object Construct(Type type, Type[] parameters, object?[] arguments)
    {
        var ctor = type.GetConstructor(Instance, null, parameters, null)
            ?? throw Missing($"the constructor {type.Name}({string.Join(", ", parameters.Select(p => p.Name))})");
        return ctor.Invoke(arguments);
    }
}
