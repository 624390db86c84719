using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// Why a row is anomalous: each input value's share of the row's reconstruction error. Value j of row i contributes
/// (x_ij − x̂_ij)² / D, so a row's contributions add up exactly to its reconstruction error (the mean over its D values).
/// A feature pushed far from what the normal rows allow is reconstructed near its usual value, so it contributes most.
/// </summary>
public static class FeatureContributions
{
    /// <summary>The contributions of each value of each row of <paramref name="x"/> (rows × D).</summary>
    /// <exception cref="ArgumentException">A width other than the model's input.</exception>
    public static Matrix Of(IAutoencoder model, Matrix x)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != model.InputSize) throw new ArgumentException($"Rows of width {x.Cols}; the model's input has {model.InputSize}.", nameof(x));
        var r = model.Reconstruct(x);
        var c = new Matrix(x.Rows, x.Cols);
        float scale = 1f / x.Cols;
        for (int i = 0; i < x.Length; i++) { float d = x.Data[i] - r.Data[i]; c.Data[i] = d * d * scale; }
        return c;
    }

    /// <summary>The indices of a row's values, largest contribution first.</summary>
    public static int[] Ranking(ReadOnlySpan<float> contributions)
    {
        var order = Enumerable.Range(0, contributions.Length).ToArray();
        var values = contributions.ToArray();
        Array.Sort(values.Select(v => -v).ToArray(), order);
        return order;
    }
}
