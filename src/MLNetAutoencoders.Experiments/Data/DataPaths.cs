namespace MLNetAutoencoders.Data;

/// <summary>Where the built-in datasets are read from.</summary>
internal static class DataPaths
{
    /// <summary><paramref name="given"/> if set, else the environment variable <paramref name="variable"/> if set, else <paramref name="fallback"/>.</summary>
    public static string Resolve(string? given, string variable, string fallback)
    {
        if (!string.IsNullOrEmpty(given)) return given;
        var env = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(env) ? fallback : env;
    }
}
