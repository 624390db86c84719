namespace MLNetAutoencoders;

/// <summary>
/// The experiments' own settings that are no library option: what <c>mlae map</c> draws and how often <c>mlae pca</c>
/// times each fit. The library's defaults stay in their <c>…Defaults</c> classes (<c>AutoencoderDefaults</c>,
/// <c>PcaDefaults</c>, <c>TsneOptions</c>).
/// </summary>
internal static class ExperimentDefaults
{
    /// <summary>Test images a map draws: 1500.</summary>
    public const int MapCount = 1500;

    /// <summary>The methods a map fits unless told otherwise: pca, ae, vae.</summary>
    public static readonly IReadOnlyList<string> MapMethods = ["pca", "ae", "vae"];

    /// <summary>Fits per implementation when timing PCA (the fastest counts): 3.</summary>
    public const int PcaRepeats = 3;
}
