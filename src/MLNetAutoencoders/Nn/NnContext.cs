using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>What layers need to run: the GEMM provider and a random source (for dropout and noise).</summary>
public sealed class NnContext
{
    /// <summary>Creates a context.</summary>
    public NnContext(IGemm gemm, Rng rng)
    {
        Gemm = gemm ?? throw new ArgumentNullException(nameof(gemm));
        Rng = rng ?? throw new ArgumentNullException(nameof(rng));
    }

    /// <summary>Creates a context with a new GEMM provider of the given kind and threads, and a seeded generator.</summary>
    public static NnContext Create(GemmKind gemm = GemmKind.Auto, int threads = 1, int seed = 0)
        => new(Numerics.Gemm.Create(gemm, threads), new Rng(seed));

    /// <summary>The GEMM provider.</summary>
    public IGemm Gemm { get; }

    /// <summary>The random source.</summary>
    public Rng Rng { get; }

    /// <summary>Threads for element-wise work (the GEMM provider's thread count).</summary>
    public int Threads => Gemm.Threads;

    /// <summary>
    /// Values one thread should own before a memory-bound element-wise pass (bias, activation and its derivative) is
    /// split: a pass over this many floats takes tens of microseconds, while handing a range to another thread costs a
    /// few microseconds on an idle machine and up to a scheduler time slice (milliseconds) on a loaded one.
    /// </summary>
    internal const int MinValuesPerThread = 1 << 17;

    /// <summary>The fewest rows of width <paramref name="cols"/> worth giving a thread (see <see cref="MinValuesPerThread"/>).</summary>
    internal static int RowsPerThread(int cols) => Math.Max(1, MinValuesPerThread / Math.Max(1, cols));

    /// <summary>
    /// Runs <paramref name="body"/>(state, start, end) over [0, <paramref name="count"/>) split into one contiguous range per
    /// thread (inline when one thread or little work). Each index belongs to exactly one range, so results do not depend on
    /// the thread count as long as the body treats indices independently. With a static lambda and a value-type state
    /// the one-thread path allocates nothing.
    /// </summary>
    public void For<TState>(int count, int minPerThread, TState state, Action<TState, int, int> body)
    {
        int t = Math.Min(Threads, count / Math.Max(1, minPerThread));
        if (t <= 1) { body(state, 0, count); return; }
        // Range i is [i·count/t, (i+1)·count/t): sizes differ by at most one, so none is empty or runs backwards (rounding
        // every range up to ⌈count/t⌉ once left the last ones starting past the end, e.g. 97 items on 12 threads).
        Parallel.For(0, t, new ParallelOptions { MaxDegreeOfParallelism = t }, i => body(state, (int)((long)i * count / t), (int)((long)(i + 1) * count / t)));
    }
}
