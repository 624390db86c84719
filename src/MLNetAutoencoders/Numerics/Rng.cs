using System.Numerics;

namespace MLNetAutoencoders.Numerics;

/// <summary>
/// A seeded, reproducible random number generator (xoshiro256**, seeded through SplitMix64).
/// The same seed gives the same sequence on every machine and runtime. Not thread-safe: give
/// each thread its own instance (see <see cref="Fork"/>).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    /// <summary>
    /// Creates a generator from an options class's seed, taken as its 32 bits (<c>(ulong)(uint)seed</c>): a seed from 0 to
    /// <see cref="int.MaxValue"/> gives the same generator as the same value passed as a <see cref="ulong"/>.
    /// </summary>
    public Rng(int seed)
        : this(unchecked((ulong)(uint)seed))
    {
    }

    /// <summary>Creates a generator from a seed.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A new independent generator derived from this one's next output and <paramref name="stream"/>.</summary>
    public Rng Fork(ulong stream = 0) => new(NextUInt64() ^ (stream * 0xD1B54A32D192ED03UL));

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive.");
        return (int)((NextUInt64() >> 32) * (ulong)n >> 32);
    }

    /// <summary>Standard normal N(0, 1) (Box–Muller, polar form).</summary>
    public double NextGaussian()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Fills <paramref name="dest"/> with N(<paramref name="mean"/>, <paramref name="std"/>²) draws.</summary>
    public void FillGaussian(Span<float> dest, float mean = 0, float std = 1)
    {
        for (int i = 0; i < dest.Length; i++) dest[i] = (float)(mean + std * NextGaussian());
    }

    /// <summary>Fills <paramref name="dest"/> with uniform draws in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> dest, float low, float high)
    {
        for (int i = 0; i < dest.Length; i++) dest[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }
}
