using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Onnx.Proto;

namespace MLNetAutoencoders.Onnx;

public static partial class OnnxExport
{
    /// <summary>
    /// A code-space anomaly scorer (<see cref="CodeAnomalyScorer"/>) as a model: output <paramref name="scoreName"/> is
    /// each row's score ([N, 1]) and, if <paramref name="predictedLabelName"/> is given, score &gt; <paramref name="threshold"/>.
    /// The neighbour distance uses ‖z − c‖² = ‖z‖² − 2 z·c + ‖c‖² over the training codes c (kept as an initializer),
    /// clipped at 0, then TopK; the Gaussian score (z − μ)ᵀ Σ⁻¹ (z − μ) as a MatMul and a row sum.
    /// </summary>
    public static ModelProto CodeAnomalyScorer(CodeAnomalyScorer scorer, string inputName, string scoreName, string? predictedLabelName, float threshold)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var model = scorer.Model;
        var stage = EncoderStage(model);
        var b = new OnnxGraphBuilder(inputName, model.InputSize, graphName: stage.Kind + " code anomaly score");
        var code = b.Append(b.Input, stage);
        string score = scorer.Knn is { } knn ? AppendKnn(b, code, knn) : AppendGaussian(b, code, scorer.Gaussian!);
        if (scorer.ReconstructionStandardization is { } rs)
        {
            var ds = scorer.DensityStandardization;
            var d = b.Mul(b.Sub(score, [ds.Mean], "density_centre"), [1 / ds.Scale], "density_z");
            var r = b.Mul(b.Sub(AppendRowError(b, AppendReconstruction(b, model, code)), [rs.Mean], "reconstruction_centre"), [1 / rs.Scale], "reconstruction_z");
            score = b.Add(r, d, "combined_score");
        }
        return ScorerOutputs(b, stage, inputName, score, scoreName, predictedLabelName, threshold);
    }

    private static string AppendKnn(OnnxGraphBuilder b, string code, KnnDistance knn)
    {
        var reference = knn.Reference;
        var transposed = new Numerics.Matrix(reference.Cols, reference.Rows);
        var norms = new float[reference.Rows];
        for (int r = 0; r < reference.Rows; r++)
        {
            double s = 0;
            for (int j = 0; j < reference.Cols; j++) { float v = reference[r, j]; transposed[j, r] = v; s += (double)v * v; }
            norms[r] = (float)s;
        }
        var cross = b.MatMul(code, transposed, "training_codes");
        var zz = b.RowSum(b.Mul(code, code, "code_sq"), "code_norm");
        var d2 = b.Add(b.Add(b.Mul(cross, b.Constant(-2f, "minus_two"), "cross2"), zz, "d2_partial"), norms, "d2");
        var nearest = b.SmallestPerRow(b.Clip(d2, 0f, null, "d2_nonnegative"), knn.K, "nearest");
        return b.RowMean(b.Sqrt(nearest, "distances"), "knn_distance");
    }

    private static string AppendGaussian(OnnxGraphBuilder b, string code, GaussianDensity gaussian)
    {
        var centred = b.Sub(code, gaussian.Mean, "code_centred");
        var t = b.MatMul(centred, gaussian.Precision, "precision");
        return b.RowSum(b.Mul(centred, t, "mahalanobis_terms"), "mahalanobis");
    }
}
