using System.Buffers;
using System.Numerics.Tensors;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>Reconstruction losses.</summary>
public enum LossKind
{
    /// <summary>Bernoulli cross-entropy on logits: Σᵢ softplus(aᵢ) − xᵢ·aᵢ per sample (targets in [0, 1]).</summary>
    CrossEntropy,
    /// <summary>Squared error ½‖x − x̃‖² per sample.</summary>
    SquaredError,
}

/// <summary>Loss values and gradients. Losses are summed over a sample's features and averaged over the batch.</summary>
public static class Losses
{
    /// <summary>Parses <c>cross-entropy</c>/<c>bce</c> or <c>squared-error</c>/<c>mse</c>.</summary>
    public static LossKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cross-entropy" or "crossentropy" or "bce" => LossKind.CrossEntropy,
        "squared-error" or "squarederror" or "mse" => LossKind.SquaredError,
        _ => throw new ArgumentException($"Unknown loss '{name}'; expected cross-entropy or squared-error."),
    };

    /// <summary>
    /// Computes the batch-mean loss of <paramref name="output"/> (logits for cross-entropy) against <paramref name="target"/>,
    /// and writes ∂loss/∂output into <paramref name="grad"/> (already scaled by 1/batch). Returns the loss summed over the
    /// batch (divide by rows for the mean).
    /// </summary>
    /// <remarks>
    /// With a context the rows are split across its threads; per-row sums are then added in row order, so the value
    /// does not depend on the thread count. <paramref name="rowScratch"/> (at least one entry per row) avoids an allocation.
    /// </remarks>
    public static double Compute(LossKind kind, Matrix output, Matrix target, Matrix grad, NnContext? ctx = null, double[]? rowScratch = null)
    {
        if (output.Rows != target.Rows || output.Cols != target.Cols || grad.Rows != output.Rows || grad.Cols != output.Cols)
            throw new ArgumentException($"Loss shapes differ: output {output.Rows}×{output.Cols}, target {target.Rows}×{target.Cols}, grad {grad.Rows}×{grad.Cols}.");
        float inv = 1f / output.Rows;
        double total = 0;
        var a = output.Span; var x = target.Span; var g = grad.Span;
        if (kind == LossKind.SquaredError)
        {
            TensorPrimitives.Subtract(a, x, g);
            total = 0.5 * TensorPrimitives.Dot(g, g);
            TensorPrimitives.Multiply(g, inv, g);
            return total;
        }
        // Per-row sums added in row order: the total does not depend on how rows are split across threads.
        // A pooled buffer when the caller has none: no allocation per minibatch.
        double[]? rented = rowScratch is not null && rowScratch.Length >= output.Rows ? null : ArrayPool<double>.Shared.Rent(output.Rows);
        var rowLoss = rented ?? rowScratch!;
        var state = (output, target, grad, rowLoss, inv);
        static void Rows((Matrix a, Matrix x, Matrix g, double[] loss, float inv) s, int r0, int r1)
        {
            for (int r = r0; r < r1; r++) s.loss[r] = FastMath.BceWithLogits(s.a.Row(r), s.x.Row(r), s.g.Row(r), s.inv);
        }
        if (ctx is null) Rows(state, 0, output.Rows); else ctx.For(output.Rows, 64, state, Rows);
        for (int r = 0; r < output.Rows; r++) total += rowLoss[r];
        if (rented is not null) ArrayPool<double>.Shared.Return(rented);
        return total;
    }

    /// <summary>Per-sample loss values (no gradient), for evaluation.</summary>
    public static double SampleLoss(LossKind kind, ReadOnlySpan<float> output, ReadOnlySpan<float> target)
    {
        double s = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double a = output[i], x = target[i];
            s += kind == LossKind.SquaredError
                ? 0.5 * (a - x) * (a - x)
                : Math.Max(a, 0) - x * a + Math.Log(1 + Math.Exp(-Math.Abs(a)));
        }
        return s;
    }
}
