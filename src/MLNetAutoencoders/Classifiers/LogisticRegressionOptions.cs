using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// Settings of <see cref="LogisticRegression.Fit"/>. The objective is scikit-learn's
/// <c>C·Σ_i CE_i + ½‖W‖²_F</c> (intercepts unpenalised), minimised in the equivalent mean form
/// <c>(1/N)·Σ_i CE_i + ‖W‖²_F / (2·C·N)</c>; the tolerances below refer to that mean form.
/// </summary>
public sealed class LogisticRegressionOptions
{
    /// <summary>Inverse regularisation strength, as scikit-learn's <c>C</c> (&gt; 0; <see cref="double.PositiveInfinity"/> = no penalty). Default 1.</summary>
    public double C { get; init; } = 1.0;

    /// <summary>Fit one unpenalised intercept per class (default true).</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>Maximum L-BFGS iterations (≥ 1, default 100 as scikit-learn).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Stop when the largest absolute gradient entry of the mean objective is at most this (≥ 0, default 1e-5).</summary>
    public double GradientTolerance { get; init; } = 1e-5;

    /// <summary>Stop when an iteration lowers the objective by at most this fraction of it (≥ 0, default 1e-9; 0 disables).</summary>
    public double LossTolerance { get; init; } = 1e-9;

    /// <summary>Number of correction pairs L-BFGS keeps (≥ 1, default 10).</summary>
    public int History { get; init; } = 10;

    /// <summary>Threads for GEMM and the softmax (≥ 1; default: the processor count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>The GEMM provider; null creates <c>Gemm.Create(GemmKind.Auto, Threads)</c>.</summary>
    public IGemm? Gemm { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (!(C > 0) || double.IsNaN(C))
            throw new ArgumentOutOfRangeException(nameof(C), C, "LogisticRegressionOptions.C must be > 0 (PositiveInfinity for no penalty).");
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "LogisticRegressionOptions.MaxIterations must be at least 1.");
        if (!(GradientTolerance >= 0) || double.IsInfinity(GradientTolerance))
            throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "LogisticRegressionOptions.GradientTolerance must be finite and ≥ 0.");
        if (!(LossTolerance >= 0) || double.IsInfinity(LossTolerance))
            throw new ArgumentOutOfRangeException(nameof(LossTolerance), LossTolerance, "LogisticRegressionOptions.LossTolerance must be finite and ≥ 0.");
        if (History < 1)
            throw new ArgumentOutOfRangeException(nameof(History), History, "LogisticRegressionOptions.History must be at least 1.");
        if (Threads < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "LogisticRegressionOptions.Threads must be at least 1.");
    }
}
