namespace MLNetAutoencoders;

/// <summary>
/// The experiments' own settings that are no library option: the held-out share, seed and threads every <c>mlae</c>
/// command starts from, what <c>mlae map</c>, <c>sample</c> and <c>reconstruct</c> draw, what <c>mlae encode</c>
/// encodes and how often <c>mlae pca</c> times each fit. The library's defaults stay in their <c>…Defaults</c> classes (<c>AutoencoderDefaults</c>,
/// <c>PcaDefaults</c>, <c>TsneOptions</c>).
/// </summary>
internal static class ExperimentDefaults
{
    /// <summary>Share of a file's rows held out when it has no test split of its own: 0.2.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Seed of a command's randomness: 0 (the library's options default to the same seed).</summary>
    public const int Seed = 0;

    /// <summary>Threads a command gives the GEMM kernels: every logical CPU (the library's options default to 1, which is bit-identical run to run).</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>Test images a map draws: 1500.</summary>
    public const int MapCount = 1500;

    /// <summary>The methods a map fits unless told otherwise: pca, ae, vae.</summary>
    public static readonly IReadOnlyList<string> MapMethods = ["pca", "ae", "vae"];

    /// <summary>Fits per implementation when timing PCA (the fastest counts): 3.</summary>
    public const int PcaRepeats = 3;

    /// <summary>Images <c>mlae sample</c> decodes from prior draws: 64.</summary>
    public const int SampleCount = 64;

    /// <summary>Test images <c>mlae reconstruct</c> shows beside their reconstructions: 32.</summary>
    public const int ReconstructCount = 32;

    /// <summary>Pixel magnification of the grids <c>mlae sample</c> and <c>mlae reconstruct</c> write: 2.</summary>
    public const int GridZoom = 2;

    /// <summary>The split <c>mlae encode</c> encodes: test.</summary>
    public const string EncodeSplit = "test";
}
