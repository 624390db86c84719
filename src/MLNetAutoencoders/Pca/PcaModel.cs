using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Pca;

/// <summary>
/// A fitted principal component analysis: the encoder <c>z = V(x − x̄)</c> (divided by √(explained variance) when
/// whitening) and the decoder <c>x̂ = Vᵀz + x̄</c>, where the rows of <see cref="Components"/> (<c>V</c>, k×d) are
/// orthonormal principal axes in order of decreasing variance.
/// <para>Sign convention (both solvers): the entry of largest magnitude in each component is positive (the first such
/// entry on ties). This is scikit-learn's <c>svd_flip(u_based_decision=False)</c>, its PCA default from version 1.5.</para>
/// </summary>
public sealed class PcaModel
{
    private const int ChunkRows = 4096;
    private readonly float[] _whitenScale;   // 1/√(explained variance), or 0 for a component without variance.

    /// <summary>Creates a model from its parts (for loading a saved model; <see cref="Fit"/> is the usual way).</summary>
    /// <param name="mean">Column means (length d); all zeros for an uncentred model.</param>
    /// <param name="components">k×d principal axes, orthonormal rows.</param>
    /// <param name="explainedVariance">Variance along each component (length k, ≥ 0).</param>
    /// <param name="explainedVarianceRatio">Each component's share of the total variance (length k).</param>
    /// <param name="singularValues">Singular values of the centred data (length k).</param>
    /// <param name="noiseVariance">Mean variance of the discarded directions.</param>
    /// <param name="whiten">Whether codes are scaled to unit variance.</param>
    /// <param name="sampleCount">Rows of the training data.</param>
    /// <param name="solver">The solver that produced the model.</param>
    public PcaModel(float[] mean, Matrix components, double[] explainedVariance, double[] explainedVarianceRatio,
        double[] singularValues, double noiseVariance, bool whiten, int sampleCount, PcaSolver solver)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(explainedVariance);
        ArgumentNullException.ThrowIfNull(explainedVarianceRatio);
        ArgumentNullException.ThrowIfNull(singularValues);
        int k = components.Rows;
        if (k < 1) throw new ArgumentException("A PCA model needs at least one component.", nameof(components));
        if (components.Cols != mean.Length)
            throw new ArgumentException($"The components have {components.Cols} columns; the mean has {mean.Length} values.", nameof(components));
        if (explainedVariance.Length != k || explainedVarianceRatio.Length != k || singularValues.Length != k)
            throw new ArgumentException($"explainedVariance, explainedVarianceRatio and singularValues must each have {k} values (one per component).");
        Mean = mean;
        Components = components;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
        SingularValues = singularValues;
        NoiseVariance = noiseVariance;
        Whiten = whiten;
        SampleCount = sampleCount;
        Solver = solver;
        _whitenScale = new float[k];
        for (int r = 0; r < k; r++)
            _whitenScale[r] = explainedVariance[r] > 0 ? (float)(1 / Math.Sqrt(explainedVariance[r])) : 0f;
    }

    /// <summary>Fits PCA to the rows of <paramref name="x"/> (N×d, N ≥ 2, finite values).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or Components exceeds min(N, d).</exception>
    /// <exception cref="ArgumentException">The data has fewer than two rows or contains NaN/∞.</exception>
    public static PcaModel Fit(Matrix x, PcaOptions? options = null) => PcaFitter.Fit(x, options ?? new PcaOptions());

    /// <summary>Input dimension d.</summary>
    public int InputDimension => Mean.Length;

    /// <summary>Number of components k.</summary>
    public int ComponentCount => Components.Rows;

    /// <summary>Column means x̄ of the training data (zeros when the model is not centred).</summary>
    public float[] Mean { get; }

    /// <summary>Principal axes, k×d, orthonormal rows, by decreasing variance (see the class remarks for signs).</summary>
    public Matrix Components { get; }

    /// <summary>Variance along each component: eigenvalue of the scatter divided by N − 1 (as scikit-learn).</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Each component's explained variance divided by the total variance of the data (as scikit-learn).</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>Singular values of the centred data matrix (√ of the scatter eigenvalues).</summary>
    public double[] SingularValues { get; }

    /// <summary>Mean variance of the discarded directions: (total − Σ explained) / (min(N, d) − k), 0 when k = min(N, d).</summary>
    public double NoiseVariance { get; }

    /// <summary>Whether <see cref="Transform"/> scales codes to unit variance.</summary>
    public bool Whiten { get; }

    /// <summary>Number of training rows.</summary>
    public int SampleCount { get; }

    /// <summary>The solver that produced the model (never <see cref="PcaSolver.Auto"/> for a fitted model).</summary>
    public PcaSolver Solver { get; }

    /// <summary>Projects the rows of <paramref name="x"/> (N×d) onto the components: N×k codes.</summary>
    /// <param name="x">Input rows.</param>
    /// <param name="gemm">GEMM provider; null creates one with the processor count as threads.</param>
    public Matrix Transform(Matrix x, IGemm? gemm = null)
    {
        CheckInput(x, nameof(x));
        var z = new Matrix(x.Rows, ComponentCount);
        TransformInto(x, z, gemm ?? DefaultGemm());
        return z;
    }

    /// <summary>Maps N×k codes back to input space: N×d.</summary>
    /// <param name="codes">Codes as produced by <see cref="Transform"/>.</param>
    /// <param name="gemm">GEMM provider; null creates one with the processor count as threads.</param>
    public Matrix InverseTransform(Matrix codes, IGemm? gemm = null)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Cols != ComponentCount)
            throw new ArgumentException($"The codes have {codes.Cols} columns; this PCA has {ComponentCount} components.", nameof(codes));
        var x = new Matrix(codes.Rows, InputDimension);
        InverseInto(codes, x, gemm ?? DefaultGemm());
        return x;
    }

    /// <summary>Projects and maps back: the best rank-k approximation of each row, N×d.</summary>
    public Matrix Reconstruct(Matrix x, IGemm? gemm = null)
    {
        gemm ??= DefaultGemm();
        return InverseTransform(Transform(x, gemm), gemm);
    }

    /// <summary>Per-pixel mean squared reconstruction error: the mean over all N·d values of (x − x̂)².</summary>
    public double ReconstructionMse(Matrix x, IGemm? gemm = null)
    {
        CheckInput(x, nameof(x));
        if (x.Rows == 0) throw new ArgumentException("The matrix has no rows.", nameof(x));
        gemm ??= DefaultGemm();
        Matrix? z = null, r = null;
        int d = x.Cols;
        double sum = 0;
        for (int start = 0; start < x.Rows; start += ChunkRows)
        {
            int rows = Math.Min(ChunkRows, x.Rows - start);
            var chunk = x.Data.AsSpan(start * d, rows * d);
            var codes = Matrix.Ensure(ref z, rows, ComponentCount);
            var back = Matrix.Ensure(ref r, rows, d);
            TransformRows(chunk, rows, codes, gemm);
            InverseInto(codes, back, gemm);
            var rs = back.Span;
            TensorPrimitives.Subtract(rs, chunk, rs);
            for (int i = 0; i < rows; i++) sum += TensorPrimitives.Dot<float>(back.Row(i), back.Row(i));
        }
        if (!double.IsFinite(sum)) x.ThrowIfNotFinite("PCA input");
        return sum / ((double)x.Rows * d);
    }

    private void TransformInto(Matrix x, Matrix z, IGemm gemm)
    {
        TransformRows(x.Data.AsSpan(0, x.Length), x.Rows, z, gemm);
        if (z.Length > 0 && !float.IsFinite(TensorPrimitives.Sum<float>(z.Span))) x.ThrowIfNotFinite("PCA input");
    }

    /// <summary>
    /// Codes of <paramref name="rows"/> consecutive input rows into <paramref name="z"/> (rows×k). Blocks of rows are
    /// centred into a buffer first (subtracting V·x̄ afterwards instead would lose float precision when the mean is large).
    /// </summary>
    private void TransformRows(ReadOnlySpan<float> x, int rows, Matrix z, IGemm gemm)
    {
        int d = InputDimension, k = ComponentCount;
        bool centred = Array.Exists(Mean, v => v != 0);
        var buffer = centred ? new float[Math.Min(rows, ChunkRows) * d] : null;
        for (int start = 0; start < rows; start += ChunkRows)
        {
            int count = Math.Min(ChunkRows, rows - start);
            var block = x.Slice(start * d, count * d);
            if (buffer is not null)
            {
                for (int i = 0; i < count; i++) TensorPrimitives.Subtract(block.Slice(i * d, d), Mean, buffer.AsSpan(i * d, d));
                block = buffer.AsSpan(0, count * d);
            }
            gemm.Sgemm(false, true, count, k, d, 1f, block, d, Components.Data, d, 0f, z.Data.AsSpan(start * k), k);
        }
        if (Whiten)
            for (int i = 0; i < rows; i++) TensorPrimitives.Multiply(z.Row(i), _whitenScale, z.Row(i));
    }

    private void InverseInto(Matrix codes, Matrix x, IGemm gemm)
    {
        Matrix src = codes;
        if (Whiten)
        {
            src = codes.Clone();
            var scale = new float[ComponentCount];
            for (int r = 0; r < scale.Length; r++) scale[r] = (float)Math.Sqrt(Math.Max(0, ExplainedVariance[r]));
            for (int i = 0; i < src.Rows; i++) TensorPrimitives.Multiply(src.Row(i), scale, src.Row(i));
        }
        for (int i = 0; i < x.Rows; i++) Mean.CopyTo(x.Row(i));
        gemm.Multiply(src, false, Components, false, x, 1f, 1f);
    }

    private void CheckInput(Matrix x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.Cols != InputDimension)
            throw new ArgumentException($"The input has {x.Cols} columns; this PCA was fitted on {InputDimension}.", name);
    }

    internal static IGemm DefaultGemm() => Gemm.Create(GemmKind.Auto, Environment.ProcessorCount);
}
