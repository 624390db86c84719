using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pca;

/// <summary>How <see cref="PcaModel.Fit"/> finds the components.</summary>
public enum PcaSolver
{
    /// <summary>
    /// <see cref="Exact"/> when scikit-learn would pick its full solver (max(N, d) ≤ 500 or
    /// <see cref="PcaOptions.Components"/> ≥ 0.8·min(N, d)) or when the exact scatter is the cheaper computation
    /// (d ≤ 2048 and ¾·d ≤ 2·(2q + 2)·l, with l = k + oversampling and q power iterations: the scatter's square GEMMs
    /// run at least twice as fast per operation as the randomised solver's thin ones); otherwise <see cref="Randomized"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// Eigendecomposition of the d×d scatter matrix: the scatter is accumulated with GEMM (float products over blocks
    /// of rows, summed in double), then decomposed in double. Costs O(N·d² + d³); exact up to rounding.
    /// </summary>
    Exact,

    /// <summary>
    /// Randomised subspace iteration (Halko, Martinsson &amp; Tropp, 2011) with a Gaussian sketch of
    /// <c>Components + Oversampling</c> columns, <see cref="PcaOptions.PowerIterations"/> power iterations with
    /// re-orthonormalisation in double, and a small Rayleigh–Ritz eigenproblem. Costs O(N·d·(k+p)·(2q+2)).
    /// </summary>
    Randomized,
}

/// <summary>The one source of the PCA defaults: the core's <see cref="PcaOptions"/> and the ML.NET stage read them from here.</summary>
public static class PcaDefaults
{
    /// <summary>Principal components kept: 20 (as ML.NET's own PCA stage).</summary>
    public const int Components = 20;

    /// <summary>Extra sketch columns of the randomised solver: 10.</summary>
    public const int Oversampling = 10;
}

/// <summary>Settings of a PCA fit. Call <see cref="Validate"/> (done by <see cref="PcaModel.Fit"/>) to check them.</summary>
public sealed class PcaOptions
{
    /// <summary>Parses <c>auto</c>, <c>exact</c> (or <c>full</c>) or <c>randomized</c> (or <c>randomised</c>), any case.</summary>
    public static PcaSolver ParseSolver(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => PcaSolver.Auto,
        "exact" or "full" => PcaSolver.Exact,
        "randomized" or "randomised" => PcaSolver.Randomized,
        _ => throw new ArgumentException($"Unknown PCA solver '{name}'; expected auto, exact or randomized."),
    };

    /// <summary>Number of principal components to keep (≥ 1 and ≤ min(N, d) of the data). Default <see cref="PcaDefaults.Components"/>.</summary>
    public int Components { get; init; } = PcaDefaults.Components;

    /// <summary>The algorithm (default <see cref="PcaSolver.Auto"/>).</summary>
    public PcaSolver Solver { get; init; } = PcaSolver.Auto;

    /// <summary>Subtract the column means before the decomposition (default true). When false the mean is zero.</summary>
    public bool Center { get; init; } = true;

    /// <summary>Scale codes to unit variance: <see cref="PcaModel.Transform"/> divides by √(explained variance). Default false.</summary>
    public bool Whiten { get; init; }

    /// <summary>Extra sketch columns for <see cref="PcaSolver.Randomized"/> (≥ 0, default 10).</summary>
    public int Oversampling { get; init; } = PcaDefaults.Oversampling;

    /// <summary>
    /// Power iterations for <see cref="PcaSolver.Randomized"/> (≥ 0). Null (the default) means scikit-learn's "auto":
    /// 7 when <see cref="Components"/> &lt; 0.1·min(N, d), otherwise 4.
    /// </summary>
    public int? PowerIterations { get; init; }

    /// <summary>
    /// Seed of the random sketch (the randomised solver is deterministic for a given seed and thread count); any value,
    /// the generator takes its 32 bits. Default 0. Inside an ML.NET stage the stage's <c>Seed</c> is used instead (set a seed in one place).
    /// </summary>
    public int Seed { get; init; }

    /// <summary>Threads for GEMM and column statistics (≥ 1; default: the processor count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The GEMM provider; null creates <c>Gemm.Create(GemmKind.Auto, Threads)</c>.</summary>
    public IGemm? Gemm { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Components < 1)
            throw new ArgumentOutOfRangeException(nameof(Components), Components, "PcaOptions.Components must be at least 1.");
        if (!Enum.IsDefined(Solver))
            throw new ArgumentOutOfRangeException(nameof(Solver), Solver, "PcaOptions.Solver must be Auto, Exact or Randomized.");
        if (Oversampling < 0)
            throw new ArgumentOutOfRangeException(nameof(Oversampling), Oversampling, "PcaOptions.Oversampling must be ≥ 0.");
        if (PowerIterations is < 0)
            throw new ArgumentOutOfRangeException(nameof(PowerIterations), PowerIterations, "PcaOptions.PowerIterations must be ≥ 0 (or null for auto).");
        if (Threads < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "PcaOptions.Threads must be at least 1.");
    }

    /// <summary>The solver used for an <paramref name="n"/>×<paramref name="d"/> matrix (see <see cref="PcaSolver.Auto"/>).</summary>
    public PcaSolver ResolveSolver(int n, int d)
    {
        if (Solver != PcaSolver.Auto) return Solver;
        if (Math.Max(n, d) <= 500 || Components >= 0.8 * Math.Min(n, d)) return PcaSolver.Exact;
        long l = Math.Min(Components + Oversampling, Math.Min(n, d));
        bool scatterCheaper = d <= 2048 && 0.75 * d <= 2.0 * (2 * ResolvePowerIterations(n, d) + 2) * l;
        return scatterCheaper ? PcaSolver.Exact : PcaSolver.Randomized;
    }

    /// <summary>The number of power iterations used for an <paramref name="n"/>×<paramref name="d"/> matrix.</summary>
    public int ResolvePowerIterations(int n, int d) => PowerIterations ?? (Components < 0.1 * Math.Min(n, d) ? 7 : 4);
}
