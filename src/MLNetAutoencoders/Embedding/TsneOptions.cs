namespace MLNetAutoencoders.Embedding;

/// <summary>How t-SNE places the points before the first iteration.</summary>
public enum TsneInit
{
    /// <summary>The first principal components of the data, scaled so the first has standard deviation 1e-4 (global layout kept; scikit-learn's default).</summary>
    Pca,
    /// <summary>Independent N(0, 1e-4²) draws from the seed (the original method).</summary>
    Random,
}

/// <summary>
/// Options of exact t-SNE (<see cref="Tsne"/>). The defaults are scikit-learn 1.2's: perplexity 30, 1 000 iterations of
/// which the first 250 use early exaggeration 12 and momentum 0.5 (then 0.8), learning rate max(N / 12 / 4, 50), PCA start.
/// </summary>
public sealed class TsneOptions
{
    /// <summary>Width of the output (2 for maps). Range 1–10.</summary>
    public int Dimensions { get; set; } = 2;

    /// <summary>The effective number of neighbours each point's Gaussian keeps (2^entropy of its row of P). Range (1, N − 1); default 30.</summary>
    public double Perplexity { get; set; } = 30;

    /// <summary>Total gradient iterations (early exaggeration included). Range ≥ 1; default 1 000.</summary>
    public int Iterations { get; set; } = 1000;

    /// <summary>Factor on P during the first <see cref="ExaggerationIterations"/> iterations (pulls clusters together early). Range ≥ 1; default 12.</summary>
    public double EarlyExaggeration { get; set; } = 12;

    /// <summary>Iterations with early exaggeration and momentum 0.5. Range 0–<see cref="Iterations"/>; default 250.</summary>
    public int ExaggerationIterations { get; set; } = 250;

    /// <summary>Step size; null (default) = max(N / <see cref="EarlyExaggeration"/> / 4, 50), scikit-learn's "auto".</summary>
    public double? LearningRate { get; set; }

    /// <summary>Momentum during early exaggeration. Default 0.5.</summary>
    public double InitialMomentum { get; set; } = 0.5;

    /// <summary>Momentum after early exaggeration. Default 0.8.</summary>
    public double FinalMomentum { get; set; } = 0.8;

    /// <summary>The start. Default <see cref="TsneInit.Pca"/> (random when the data has fewer rows or columns than <see cref="Dimensions"/>).</summary>
    public TsneInit Init { get; set; } = TsneInit.Pca;

    /// <summary>Seed of the random start (and of the PCA solver); any value, the generator takes its 32 bits. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Report progress every this many iterations (each report computes the KL divergence, an O(N²) pass). Default 50.</summary>
    public int ReportEvery { get; set; } = 50;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Dimensions is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must be in 1–10.");
        if (!(Perplexity > 1 && double.IsFinite(Perplexity))) throw new ArgumentOutOfRangeException(nameof(Perplexity), Perplexity, "Perplexity must be a finite number > 1.");
        if (Iterations < 1) throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be ≥ 1.");
        if (!(EarlyExaggeration >= 1 && double.IsFinite(EarlyExaggeration))) throw new ArgumentOutOfRangeException(nameof(EarlyExaggeration), EarlyExaggeration, "EarlyExaggeration must be ≥ 1.");
        if (ExaggerationIterations < 0 || ExaggerationIterations > Iterations)
            throw new ArgumentOutOfRangeException(nameof(ExaggerationIterations), ExaggerationIterations, $"ExaggerationIterations must be in 0–Iterations ({Iterations}).");
        if (LearningRate is double lr && !(lr > 0 && double.IsFinite(lr))) throw new ArgumentOutOfRangeException(nameof(LearningRate), lr, "LearningRate must be positive (or null for automatic).");
        if (!(InitialMomentum >= 0 && InitialMomentum < 1)) throw new ArgumentOutOfRangeException(nameof(InitialMomentum), InitialMomentum, "InitialMomentum must be in [0, 1).");
        if (!(FinalMomentum >= 0 && FinalMomentum < 1)) throw new ArgumentOutOfRangeException(nameof(FinalMomentum), FinalMomentum, "FinalMomentum must be in [0, 1).");
        if (!Enum.IsDefined(Init)) throw new ArgumentOutOfRangeException(nameof(Init), Init, "Unknown TsneInit.");
        if (ReportEvery < 1) throw new ArgumentOutOfRangeException(nameof(ReportEvery), ReportEvery, "ReportEvery must be ≥ 1.");
    }

    /// <summary>A copy.</summary>
    public TsneOptions Clone() => (TsneOptions)MemberwiseClone();
}
