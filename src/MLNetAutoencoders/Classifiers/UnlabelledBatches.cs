using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>Minibatches of unlabelled rows taken in a cycle that is reshuffled each time it is used up.</summary>
internal sealed class UnlabelledBatches
{
    private readonly Matrix _rows;
    private readonly Rng _rng;
    private readonly int[] _order;
    private readonly int[] _batch;
    private int _next;
    private Matrix? _buffer;

    public UnlabelledBatches(Matrix rows, int batchSize, Rng rng)
    {
        _rows = rows;
        _rng = rng;
        _order = rng.Permutation(rows.Rows);
        _batch = new int[Math.Min(batchSize, rows.Rows)];
    }

    /// <summary>The next batch (a buffer reused by the next call).</summary>
    public Matrix Next()
    {
        for (int i = 0; i < _batch.Length; i++)
        {
            if (_next == _order.Length) { _rng.Shuffle(_order.AsSpan()); _next = 0; }
            _batch[i] = _order[_next++];
        }
        _rows.GatherRows(_batch, ref _buffer);
        return _buffer!;
    }
}
