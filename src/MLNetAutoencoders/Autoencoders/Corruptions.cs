using System.Globalization;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>How a denoising autoencoder corrupts its training input.</summary>
public enum CorruptionKind
{
    /// <summary>No corruption.</summary>
    None,
    /// <summary>Additive Gaussian noise x' = x + ε, ε ~ N(0, η²I) (no clamping).</summary>
    Gaussian,
    /// <summary>Masking: each input is set to 0 with probability ν (no rescaling).</summary>
    Masking,
    /// <summary>Salt and pepper: each input is, with probability ν, set to 0 or 1 (even odds).</summary>
    SaltAndPepper,
}

/// <summary>Parses and names corruption settings.</summary>
public static class Corruptions
{
    /// <summary>
    /// Parses <c>gaussian:η</c>, <c>mask:ν</c> (or <c>masking:ν</c>), <c>salt-pepper:ν</c> (or <c>salt-and-pepper:ν</c>) or
    /// <c>none</c>; the level is not range-checked here (<see cref="AutoencoderOptions.Validate"/> does that).
    /// </summary>
    public static (CorruptionKind Kind, float Level) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split(':', 2);
        var kind = parts[0].Trim().ToLowerInvariant() switch
        {
            "none" => CorruptionKind.None,
            "gaussian" or "gauss" => CorruptionKind.Gaussian,
            "mask" or "masking" => CorruptionKind.Masking,
            "salt-pepper" or "salt-and-pepper" or "saltpepper" => CorruptionKind.SaltAndPepper,
            _ => throw new ArgumentException($"Unknown corruption '{text}'; expected gaussian:η, mask:ν, salt-pepper:ν or none."),
        };
        if (kind == CorruptionKind.None) return (kind, 0);
        if (parts.Length < 2 || !float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var level))
            throw new ArgumentException($"Corruption '{text}' needs a level after the colon, e.g. gaussian:0.2 or mask:0.3.");
        return (kind, level);
    }

    /// <summary>The text <see cref="Parse"/> reads back, e.g. <c>gaussian:0.2</c>.</summary>
    public static string Format(CorruptionKind kind, float level) => kind switch
    {
        CorruptionKind.None => "none",
        CorruptionKind.Gaussian => FormattableString.Invariant($"gaussian:{level}"),
        CorruptionKind.Masking => FormattableString.Invariant($"mask:{level}"),
        _ => FormattableString.Invariant($"salt-pepper:{level}"),
    };

    internal static ICorruption? Create(CorruptionKind kind, float level) =>
        kind == CorruptionKind.None || level == 0 ? null : new InputCorruption(kind, level);
}

/// <summary>The three corruptions of <see cref="CorruptionKind"/>, drawn from the context's seeded generator.</summary>
internal sealed class InputCorruption(CorruptionKind kind, float level) : ICorruption
{
    private Matrix? _buffer;

    public CorruptionKind Kind => kind;

    public float Level => level;

    public Matrix Apply(Matrix clean, NnContext ctx)
    {
        var y = Matrix.Ensure(ref _buffer, clean.Rows, clean.Cols);
        var x = clean.Span;
        var o = y.Span;
        var rng = ctx.Rng;
        switch (kind)
        {
            case CorruptionKind.Gaussian:
                rng.FillGaussian(o, 0, level);
                System.Numerics.Tensors.TensorPrimitives.Add(o, x, o);
                break;
            case CorruptionKind.Masking:
                for (int i = 0; i < x.Length; i++) o[i] = rng.NextFloat() < level ? 0f : x[i];
                break;
            case CorruptionKind.SaltAndPepper:
                for (int i = 0; i < x.Length; i++)
                {
                    float u = rng.NextFloat();
                    o[i] = u >= level ? x[i] : u < 0.5f * level ? 0f : 1f;
                }
                break;
            default:
                x.CopyTo(o);
                break;
        }
        return y;
    }
}
