using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>
/// Where <see cref="TrainingLoop"/> takes its minibatches from: the rows of one epoch in training order, and the
/// held-out rows. Two kinds exist: rows already in memory (<see cref="MinibatchSource.InMemory"/>, a full reshuffle
/// every epoch) and rows read pass after pass from a <see cref="IRowStream"/> (<see cref="MinibatchSource.Streaming"/>,
/// a bounded shuffle buffer, memory independent of the number of rows).
/// </summary>
/// <typeparam name="TBatch">A minibatch: the rows themselves (<see cref="Matrix"/>) or their indices.</typeparam>
public interface IMinibatchSource<TBatch>
{
    /// <summary>
    /// The training minibatches of epoch <paramref name="epoch"/> (1-based), in order. <paramref name="rng"/> is the
    /// loop's generator: the source draws its split and shuffles from it, so one seed fixes the whole run. A yielded
    /// batch is only valid until the enumeration moves on (buffers are reused).
    /// </summary>
    IEnumerable<TBatch> TrainingBatches(int epoch, Rng rng, CancellationToken cancellationToken);

    /// <summary>The held-out rows (after at least one <see cref="TrainingBatches"/> pass), in chunks of at most 1 024 rows; none without a validation split.</summary>
    IEnumerable<TBatch> ValidationBatches(CancellationToken cancellationToken);

    /// <summary>Rows in <paramref name="batch"/>.</summary>
    int RowCount(TBatch batch);

    /// <summary>Minibatches per epoch when known (in memory: always; streaming: after the first pass).</summary>
    int? BatchesPerEpoch { get; }
}

/// <summary>
/// Rows read one after another, in the same order on every pass, with nothing kept in memory between them — an ML.NET
/// cursor over a file-backed view, or a file reader. Each row's values are checked by the stream (it knows its file and
/// column names for the messages).
/// </summary>
public interface IRowStream
{
    /// <summary>Values per row.</summary>
    int Width { get; }

    /// <summary>Starts a new pass at the first row.</summary>
    IRowReader Open();
}

/// <summary>One pass over an <see cref="IRowStream"/>.</summary>
public interface IRowReader : IDisposable
{
    /// <summary>Moves to the next row; false at the end.</summary>
    bool MoveNext();

    /// <summary>Copies the current row's values into <paramref name="row"/> (of length <see cref="IRowStream.Width"/>). A row that is not read is skipped without decoding it where the stream can.</summary>
    void Read(Span<float> row);
}

/// <summary>The minibatch sources.</summary>
public static class MinibatchSource
{
    /// <summary>Rows held in a matrix: a seeded validation split and a full reshuffle of the training rows every epoch.</summary>
    public static IMinibatchSource<Matrix> InMemory(Matrix data, MinibatchSettings settings) => new InMemoryBatches(data, settings);

    /// <summary>
    /// Rows read from <paramref name="rows"/> on every pass (one pass per epoch, and one more per epoch for the
    /// validation loss when there is a split), shuffled through a buffer of <paramref name="shuffleBufferRows"/> rows;
    /// validation rows are chosen by a seeded hash of each row's index. Memory: the buffer plus one minibatch.
    /// </summary>
    public static IMinibatchSource<Matrix> Streaming(IRowStream rows, MinibatchSettings settings, int shuffleBufferRows)
        => new StreamingBatches(rows, settings, shuffleBufferRows);

    /// <summary><paramref name="source"/>'s batches passed through <paramref name="map"/> (row for row; e.g. the frozen encoders below a stacked layer).</summary>
    public static IMinibatchSource<Matrix> Select(this IMinibatchSource<Matrix> source, Func<Matrix, Matrix> map) => new MappedBatches(source, map);

    /// <summary>The row indices 0 … <paramref name="rowCount"/>−1, split and shuffled as <see cref="InMemory"/> does (for trainers that gather several arrays per row).</summary>
    public static IMinibatchSource<int[]> Indices(int rowCount, MinibatchSettings settings) => new IndexBatches(rowCount, settings);

    /// <summary>
    /// Whether row <paramref name="index"/> is held out: a 64-bit mix of the seed and the index, read as a number in
    /// [0, 1), is below <paramref name="fraction"/>. Needs no memory and gives each row the same answer on every pass.
    /// </summary>
    public static bool IsValidationRow(ulong seed, long index, double fraction)
    {
        ulong z = seed ^ ((ulong)index * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53)) < fraction;
    }

    internal const int ValidationChunk = 1024;

    private sealed class IndexBatches : IMinibatchSource<int[]>
    {
        private readonly int _rowCount;
        private readonly MinibatchSettings _settings;
        private int[]? _train, _validation;
        private List<int[]>? _batches;

        public IndexBatches(int rowCount, MinibatchSettings settings)
        {
            settings.Validate();
            if (rowCount < 1) throw new ArgumentException("Training data is empty: it needs at least one row.");
            int nVal = (int)Math.Round(rowCount * settings.ValidationFraction);
            if (settings.ValidationFraction > 0 && (nVal < 1 || nVal >= rowCount))
                throw new ArgumentException($"ValidationFraction {settings.ValidationFraction} of {rowCount} rows leaves no training or no validation rows.");
            _rowCount = rowCount;
            _settings = settings;
        }

        public int? BatchesPerEpoch => (_rowCount - (int)Math.Round(_rowCount * _settings.ValidationFraction) + _settings.BatchSize - 1) / _settings.BatchSize;

        public int RowCount(int[] batch) => batch.Length;

        public IEnumerable<int[]> TrainingBatches(int epoch, Rng rng, CancellationToken cancellationToken)
        {
            if (_train is null)
            {
                // The split is drawn on the first pass, so the generator is used in the order it always was.
                var order = rng.Permutation(_rowCount);
                int nVal = (int)Math.Round(_rowCount * _settings.ValidationFraction);
                _validation = order[..nVal];
                Array.Sort(_validation);
                _train = order[nVal..];
                Array.Sort(_train);
                _batches = new List<int[]>();
                for (int s = 0; s < _train.Length; s += _settings.BatchSize)
                    _batches.Add(new int[Math.Min(_settings.BatchSize, _train.Length - s)]);
            }
            return Epoch(rng);
        }

        private IEnumerable<int[]> Epoch(Rng rng)
        {
            rng.Shuffle(_train.AsSpan());
            for (int b = 0, s = 0; b < _batches!.Count; b++, s += _settings.BatchSize)
            {
                _train.AsSpan(s, _batches[b].Length).CopyTo(_batches[b]);
                yield return _batches[b];
            }
        }

        public IEnumerable<int[]> ValidationBatches(CancellationToken cancellationToken)
        {
            var val = _validation ?? [];
            for (int s = 0; s < val.Length; s += ValidationChunk) yield return val[s..Math.Min(val.Length, s + ValidationChunk)];
        }
    }

    private sealed class InMemoryBatches(Matrix data, MinibatchSettings settings) : IMinibatchSource<Matrix>
    {
        private readonly IndexBatches _indices = new(data.Rows, settings);
        private Matrix? _batch;

        public int? BatchesPerEpoch => _indices.BatchesPerEpoch;

        public int RowCount(Matrix batch) => batch.Rows;

        public IEnumerable<Matrix> TrainingBatches(int epoch, Rng rng, CancellationToken cancellationToken) => Gather(_indices.TrainingBatches(epoch, rng, cancellationToken));

        public IEnumerable<Matrix> ValidationBatches(CancellationToken cancellationToken) => Gather(_indices.ValidationBatches(cancellationToken));

        private IEnumerable<Matrix> Gather(IEnumerable<int[]> rows)
        {
            foreach (var r in rows)
            {
                data.GatherRows(r, ref _batch);
                yield return _batch!;
            }
        }
    }

    private sealed class MappedBatches(IMinibatchSource<Matrix> source, Func<Matrix, Matrix> map) : IMinibatchSource<Matrix>
    {
        public int? BatchesPerEpoch => source.BatchesPerEpoch;

        public int RowCount(Matrix batch) => batch.Rows;

        public IEnumerable<Matrix> TrainingBatches(int epoch, Rng rng, CancellationToken cancellationToken) => source.TrainingBatches(epoch, rng, cancellationToken).Select(map);

        public IEnumerable<Matrix> ValidationBatches(CancellationToken cancellationToken) => source.ValidationBatches(cancellationToken).Select(map);
    }

    /// <summary>
    /// One pass per epoch through a shuffle buffer of B rows: the first B training rows fill it; after that each
    /// incoming row takes the place of a uniformly drawn buffered row, which goes to the minibatch; at the end the rest
    /// of the buffer leaves in a random order. Each epoch draws a new shuffle seed from the loop's generator.
    /// </summary>
    private sealed class StreamingBatches : IMinibatchSource<Matrix>
    {
        private readonly IRowStream _rows;
        private readonly MinibatchSettings _settings;
        private readonly int _bufferRows;
        private readonly int _width;
        private ulong _splitSeed;
        private bool _passed;
        private long _trainRows, _validationRows;
        private Matrix? _batch, _buffer;
        private float[]? _row;

        public StreamingBatches(IRowStream rows, MinibatchSettings settings, int shuffleBufferRows)
        {
            ArgumentNullException.ThrowIfNull(rows);
            settings.Validate();
            if (shuffleBufferRows < 1) throw new ArgumentOutOfRangeException(nameof(shuffleBufferRows), shuffleBufferRows, "ShuffleBufferRows must be ≥ 1.");
            if (rows.Width < 1) throw new ArgumentException("Training data has no features (0 columns).", nameof(rows));
            _rows = rows;
            _settings = settings;
            _bufferRows = shuffleBufferRows;
            _width = rows.Width;
        }

        public int? BatchesPerEpoch => _passed ? (int)((_trainRows + _settings.BatchSize - 1) / _settings.BatchSize) : null;

        public int RowCount(Matrix batch) => batch.Rows;

        public IEnumerable<Matrix> TrainingBatches(int epoch, Rng rng, CancellationToken cancellationToken)
        {
            if (!_passed) _splitSeed = rng.NextUInt64();
            return Epoch(new Rng(rng.NextUInt64()), cancellationToken);
        }

        private IEnumerable<Matrix> Epoch(Rng shuffle, CancellationToken cancellationToken)
        {
            int bs = _settings.BatchSize;
            _buffer ??= new Matrix(_bufferRows, _width);
            _row ??= new float[_width];
            var batch = Matrix.Ensure(ref _batch, bs, _width);
            int inBuffer = 0, inBatch = 0;
            long index = 0, train = 0, validation = 0;
            using (var reader = _rows.Open())
            {
                while (reader.MoveNext())
                {
                    if ((index & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                    bool held = _settings.ValidationFraction > 0 && IsValidationRow(_splitSeed, index, _settings.ValidationFraction);
                    index++;
                    if (held) { validation++; continue; }
                    train++;
                    if (inBuffer < _bufferRows)
                    {
                        reader.Read(_buffer.Row(inBuffer++));
                        continue;
                    }
                    reader.Read(_row);
                    int j = shuffle.NextInt(_bufferRows);
                    _buffer.Row(j).CopyTo(batch.Row(inBatch++));
                    _row.CopyTo(_buffer.Row(j));
                    if (inBatch == bs)
                    {
                        yield return batch;
                        batch = Matrix.Ensure(ref _batch, bs, _width);
                        inBatch = 0;
                    }
                }
            }
            if (!_passed)
            {
                if (index == 0) throw new ArgumentException("Training data is empty: it needs at least one row.");
                if (train == 0 || (_settings.ValidationFraction > 0 && validation == 0))
                    throw new ArgumentException($"ValidationFraction {_settings.ValidationFraction} of {index} rows leaves no training or no validation rows.");
                (_trainRows, _validationRows, _passed) = (train, validation, true);
            }
            else if (train != _trainRows || validation != _validationRows)
                throw new InvalidDataException($"The training data changed between passes: this pass read {index} rows, the first {_trainRows + _validationRows}.");
            var rest = new int[inBuffer];
            for (int i = 0; i < rest.Length; i++) rest[i] = i;
            shuffle.Shuffle(rest.AsSpan());
            foreach (int r in rest)
            {
                _buffer.Row(r).CopyTo(batch.Row(inBatch++));
                if (inBatch == bs)
                {
                    yield return batch;
                    batch = Matrix.Ensure(ref _batch, bs, _width);
                    inBatch = 0;
                }
            }
            if (inBatch > 0) yield return Matrix.Ensure(ref _batch, inBatch, _width);
        }

        public IEnumerable<Matrix> ValidationBatches(CancellationToken cancellationToken)
        {
            if (!_passed || _validationRows == 0) yield break;
            var chunk = Matrix.Ensure(ref _batch, ValidationChunk, _width);
            int inChunk = 0;
            long index = 0;
            using (var reader = _rows.Open())
            {
                while (reader.MoveNext())
                {
                    if ((index & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                    if (!IsValidationRow(_splitSeed, index++, _settings.ValidationFraction)) continue;
                    reader.Read(chunk.Row(inChunk++));
                    if (inChunk == ValidationChunk)
                    {
                        yield return chunk;
                        chunk = Matrix.Ensure(ref _batch, ValidationChunk, _width);
                        inChunk = 0;
                    }
                }
            }
            if (inChunk > 0) yield return Matrix.Ensure(ref _batch, inChunk, _width);
        }
    }
}
