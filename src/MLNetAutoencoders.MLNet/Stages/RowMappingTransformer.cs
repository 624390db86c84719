using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;

namespace MLNetAutoencoders.MLNet.Stages;

/// <summary>
/// The fitted stages' shared machinery: a transformer that reads one known-size vector column and adds columns computed
/// from it row by row by a model that works on blocks of rows (an encoder, a PCA projection). It is what ML.NET expects
/// of a transformer: <see cref="Transform"/> is lazy and passes every input column through; cursors compute the new
/// columns for blocks of rows at once where the view allows it (one call per block of 1 024 rows rather than per row); it is a
/// row-to-row mapper, so <c>CreatePredictionEngine</c> works; it is immutable, so <see cref="Transform"/> may be called
/// from several threads at once; and it saves into ML.NET's model zip as an ONNX model (see <see cref="ICanSaveModel.Save"/>).
/// </summary>
public abstract class RowMappingTransformer : ITransformer, ICanSaveModel
{
    /// <summary>Rows computed together by a cursor.</summary>
    internal const int BlockRows = 1024;

    private protected RowMappingTransformer(string stageName, string inputColumnName, int inputSize, IReadOnlyList<OutputColumn> outputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count == 0) throw new ArgumentException("A stage must add at least one column.", nameof(outputs));
        var dup = outputs.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw new ArgumentException($"{stageName}: the output column '{dup.Key}' is named twice; give each output column its own name.", nameof(outputs));
        StageName = stageName;
        InputColumnName = inputColumnName;
        InputSize = inputSize;
        OutputColumns = outputs;
    }

    /// <summary>The stage's name in messages (the catalog method that made it).</summary>
    public string StageName { get; }

    /// <summary>The column read: <c>Vector&lt;Single, InputSize&gt;</c>.</summary>
    public string InputColumnName { get; }

    /// <summary>The input vectors' length.</summary>
    public int InputSize { get; }

    /// <summary>The columns added, in order.</summary>
    internal IReadOnlyList<OutputColumn> OutputColumns { get; }

    /// <summary>Always true: the stage maps each row on its own.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Computes the output columns of a block of input rows: one matrix per output column, rows × width (rows × 1 for a scalar; for a Boolean column, 1 = true).</summary>
    private protected abstract Matrix[] Map(Matrix rows);

    /// <summary>
    /// The stage as an ONNX model over batches: input <see cref="InputColumnName"/> float32 [N, InputSize], one output
    /// per <see cref="OutputColumns"/> entry, named after it, float32 [N, width] ([N, 1] for a scalar).
    /// </summary>
    internal abstract ModelProto ToOnnx();

    /// <summary>
    /// Saves the fitted stage as an ONNX model over batches, for ONNX Runtime or ML.NET's <c>ApplyOnnxModel</c>: input
    /// <see cref="InputColumnName"/> float32 [N, InputSize], one output per column the stage adds, named after it, float32
    /// [N, width] ([N, 1] for a scalar). The file is written whole or not at all.
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <exception cref="IOException">The file cannot be written (the message names it).</exception>
    public void SaveAsOnnx(string path) => OnnxModelFile.Save(ToOnnx(), path);

    /// <summary>The schema after <see cref="Transform"/>: the input's columns, then the added ones.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or not <c>Vector&lt;Single, InputSize&gt;</c>.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        VectorColumn.Check(inputSchema, InputColumnName, StageName, InputSize);
        var b = new DataViewSchema.Builder();
        b.AddColumns(inputSchema);
        foreach (var o in OutputColumns) b.AddColumn(o.Name, o.Type, o.Key?.Annotations);
        return b.ToSchema();
    }

    /// <summary>A lazy view of <paramref name="input"/> with the added columns: nothing is computed until a cursor asks for them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of the wrong type or size.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedView(this, input, GetOutputSchema(input.Schema));
    }

    /// <summary>The row-to-row mapper that <c>CreatePredictionEngine</c> uses.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new RowMapper(this, inputSchema, GetOutputSchema(inputSchema));
    }

    /// <summary>
    /// Writes the stage into ML.NET's model zip. ML.NET's own format is not writable from outside ML.NET, so the stage
    /// hands the context to an <c>OnnxTransformer</c> built from its one-row ONNX model (<see cref="OnnxExport.SingleRow"/>):
    /// the zip holds the ONNX bytes, and <c>mlContext.Model.Load</c> gives back an <c>OnnxTransformer</c> with the same
    /// input and output columns, in any program with Microsoft.ML and Microsoft.ML.OnnxTransformer (this library is not
    /// needed to load it). Vector columns keep their types; a scalar column (the reconstruction error) comes back as a
    /// one-element vector, because ML.NET's <c>OnnxTransformer</c> cannot produce scalar columns. The library's own
    /// model file keeps the rest (decoder, sampling, history).
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var stage = ToNativeStage(new MLContext());
        try { ((ICanSaveModel)stage).Save(ctx); }
        finally { (stage as IDisposable)?.Dispose(); }
    }

    /// <summary>The ML.NET transformer that stands for this stage in a model zip: by default the <c>OnnxTransformer</c> of the one-row ONNX model.</summary>
    private protected virtual ITransformer ToNativeStage(MLContext ml) => OnnxStage(ml, OnnxExport.SingleRow(ToOnnx()), OutputColumns.Select(o => o.Name).ToArray());

    /// <summary>An ML.NET <c>OnnxTransformer</c> running <paramref name="model"/> (one-row form) on the input column.</summary>
    private protected ITransformer OnnxStage(MLContext ml, ModelProto model, string[] outputs)
    {
        using var bytes = new MemoryStream(model.ToByteArray());
        return ml.Transforms.ApplyOnnxModel(outputs, [InputColumnName], bytes).Fit(EmptyInput(ml));
    }

    /// <summary>An empty view with just the input column, for fitting the ONNX stage.</summary>
    private protected IDataView EmptyInput(MLContext ml)
    {
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[0].ColumnName = InputColumnName;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputSize);
        return ml.Data.LoadFromEnumerable(Array.Empty<VectorRow>(), definition);
    }

    private sealed class VectorRow
    {
#pragma warning disable CS0649 // set by ML.NET through reflection; never read here
        public float[]? Values;
#pragma warning restore CS0649
    }

    // ------------------------------------------------------------------ the lazy view, its cursors and the row mapper

    /// <summary>
    /// Input columns a consumer of <paramref name="needed"/> output-schema columns depends on, and which added columns are
    /// active. The input vector column is among them when an added column is active, unless <paramref name="readAhead"/>
    /// says a second cursor reads it (then only when the consumer asked for it itself).
    /// </summary>
    private (List<DataViewSchema.Column> Inputs, bool[] Active) Dependencies(DataViewSchema inputSchema, IEnumerable<DataViewSchema.Column> needed, bool readAhead = false)
    {
        int n = inputSchema.Count;
        var active = new bool[OutputColumns.Count];
        var inputs = new List<DataViewSchema.Column>();
        foreach (var c in needed)
        {
            if (c.Index < n) inputs.Add(inputSchema[c.Index]);
            else active[c.Index - n] = true;
        }
        if (!readAhead && active.Any(a => a))
        {
            var source = inputSchema[InputColumnName];
            if (!inputs.Any(c => c.Index == source.Index)) inputs.Add(source);
        }
        return (inputs, active);
    }

    private sealed class MappedView(RowMappingTransformer parent, IDataView input, DataViewSchema schema) : IDataView
    {
        public bool CanShuffle => input.CanShuffle;

        public DataViewSchema Schema => schema;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToList();
            // Blocks need a second cursor that runs ahead over the same rows; that is sure only in the view's own order.
            // That cursor reads the input vectors, so the main one reads them only when its consumer asks for them.
            bool readAhead = rand is null && parent.Dependencies(input.Schema, needed).Active.Any(a => a);
            var (inputs, active) = parent.Dependencies(input.Schema, needed, readAhead);
            var cursor = input.GetRowCursor(inputs, rand);
            var ahead = readAhead ? input.GetRowCursor([input.Schema[parent.InputColumnName]]) : null;
            return new MappedCursor(parent, cursor, ahead, schema, active);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class RowMapper(RowMappingTransformer parent, DataViewSchema inputSchema, DataViewSchema outputSchema) : IRowToRowMapper
    {
        public DataViewSchema InputSchema => inputSchema;

        public DataViewSchema OutputSchema => outputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
            => parent.Dependencies(inputSchema, dependingColumns).Inputs;

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            ArgumentNullException.ThrowIfNull(input);
            return new MappedCursor(parent, input, null, outputSchema, parent.Dependencies(inputSchema, activeColumns).Active);
        }
    }

    /// <summary>
    /// Rows of the input with the added columns. With a run-ahead cursor it computes <see cref="BlockRows"/> rows per
    /// model call, checking that both cursors stand on the same row (by row id); without one (shuffled cursors, single
    /// rows of a prediction engine) it computes each row on its own. Values are computed once per row.
    /// </summary>
    private sealed class MappedCursor : DataViewRowCursor
    {
        private readonly RowMappingTransformer _parent;
        private readonly DataViewRow _input;
        private readonly DataViewRowCursor? _ahead;
        private readonly DataViewSchema _schema;
        private readonly bool[] _active;
        private readonly int _inputCount;
        private ValueGetter<VBuffer<float>>? _vector;    // made on the first row computed on its own
        private readonly ValueGetter<DataViewRowId> _id;
        private readonly ValueGetter<VBuffer<float>>? _aheadVector;
        private readonly ValueGetter<DataViewRowId>? _aheadId;

        private Matrix[] _values = [];          // the computed block: one matrix per output
        private DataViewRowId[] _blockIds = [];
        private long _blockStart = -1;          // position of the block's first row
        private int _blockCount;
        private long _singlePosition = -1;      // position computed in single-row mode
        private bool _blocks;
        private VBuffer<float> _buffer;
        private Matrix? _rows;                  // the block's input rows, reused from block to block
        private Matrix? _row;                   // a row computed on its own, reused from row to row

        public MappedCursor(RowMappingTransformer parent, DataViewRow input, DataViewRowCursor? ahead, DataViewSchema schema, bool[] active)
        {
            _parent = parent;
            _input = input;
            _ahead = ahead;
            _blocks = ahead != null;
            _schema = schema;
            _active = active;
            _inputCount = input.Schema.Count;
            _id = input.GetIdGetter();
            if (ahead != null)
            {
                _aheadVector = ahead.GetGetter<VBuffer<float>>(ahead.Schema[parent.InputColumnName]);
                _aheadId = ahead.GetIdGetter();
            }
        }

        public override DataViewSchema Schema => _schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _id;

        public override bool MoveNext() => _input is DataViewRowCursor c
            ? c.MoveNext()
            : throw new InvalidOperationException("This row belongs to a row mapper; it cannot move.");

        public override bool IsColumnActive(DataViewSchema.Column column)
            => column.Index < _inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index - _inputCount];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            int k = column.Index - _inputCount;
            if (!_active[k]) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            var output = _parent.OutputColumns[k];
            if (output.Key is not null)
            {
                if (typeof(TValue) != typeof(uint)) throw TypeMismatch(output, typeof(TValue));
                ValueGetter<uint> key = (ref uint value) => { var (m, r) = Locate(k); value = (uint)m[r, 0]; };
                return (ValueGetter<TValue>)(Delegate)key;
            }
            if (output.IsBoolean)
            {
                if (typeof(TValue) != typeof(bool)) throw TypeMismatch(output, typeof(TValue));
                ValueGetter<bool> flag = (ref bool value) => { var (m, r) = Locate(k); value = m[r, 0] != 0; };
                return (ValueGetter<TValue>)(Delegate)flag;
            }
            if (output.IsScalar)
            {
                if (typeof(TValue) != typeof(float)) throw TypeMismatch(output, typeof(TValue));
                ValueGetter<float> scalar = (ref float value) => { var (m, r) = Locate(k); value = m[r, 0]; };
                return (ValueGetter<TValue>)(Delegate)scalar;
            }
            if (typeof(TValue) != typeof(VBuffer<float>)) throw TypeMismatch(output, typeof(TValue));
            ValueGetter<VBuffer<float>> vector = (ref VBuffer<float> value) =>
            {
                var (m, r) = Locate(k);
                var editor = VBufferEditor.Create(ref value, output.Width);
                m.Row(r).CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)vector;
        }

        private static InvalidOperationException TypeMismatch(OutputColumn c, Type asked)
            => new($"Column '{c.Name}' is {c.Type}; a getter of {asked.Name} was asked for.");

        /// <summary>The matrix holding output <paramref name="k"/> of the current row, and the row's index in it.</summary>
        private (Matrix Values, int Row) Locate(int k)
        {
            long p = _input.Position;
            if (p < 0) throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
            if (_blocks)
            {
                if (p < _blockStart || p >= _blockStart + _blockCount) FillBlock(p);
                if (_blocks) return (_values[k], (int)(p - _blockStart));
            }
            if (_singlePosition != p)
            {
                var row = _row ??= new Matrix(1, _parent.InputSize);
                (_vector ??= VectorGetter(p))(ref _buffer);
                _buffer.CopyTo(row.Row(0));
                VectorColumn.CheckRow(row.Row(0), p, _parent.StageName, _parent.InputColumnName, unitRange: false);
                _values = _parent.Map(row);
                _singlePosition = p;
            }
            return (_values[k], 0);
        }

        /// <summary>The input vector's getter of the main cursor, which reads that column unless a run-ahead cursor was to.</summary>
        private ValueGetter<VBuffer<float>> VectorGetter(long p)
        {
            var source = _input.Schema[_parent.InputColumnName];
            if (!_input.IsColumnActive(source))
                throw new InvalidOperationException(
                    $"{_parent.StageName}: two cursors over the input view in its own order did not stand on the same row at row {p} " +
                    $"(compared by row id), so column '{_parent.InputColumnName}' cannot be read ahead. The view must give every cursor the same rows in the same order.");
            return _input.GetGetter<VBuffer<float>>(source);
        }

        /// <summary>Reads up to <see cref="BlockRows"/> rows from the run-ahead cursor, starting at position <paramref name="p"/>, and maps them.</summary>
        private void FillBlock(long p)
        {
            var ahead = _ahead!;
            while (ahead.Position < p)
            {
                if (!ahead.MoveNext()) { _blocks = false; return; }
            }
            if (ahead.Position != p) { _blocks = false; return; }
            var rows = _rows ??= new Matrix(BlockRows, _parent.InputSize);
            if (_blockIds.Length != BlockRows) _blockIds = new DataViewRowId[BlockRows];
            int count = 0;
            while (true)
            {
                var span = rows.Row(count);
                _aheadVector!(ref _buffer);
                _buffer.CopyTo(span);
                VectorColumn.CheckRow(span, p + count, _parent.StageName, _parent.InputColumnName, unitRange: false);
                _aheadId!(ref _blockIds[count]);
                count++;
                if (count == BlockRows || !ahead.MoveNext()) break;
            }
            DataViewRowId id = default;
            _id(ref id);
            if (!id.Equals(_blockIds[0])) { _blocks = false; return; }
            var block = count == BlockRows ? rows : new Matrix(count, _parent.InputSize, rows.Data);
            _values = _parent.Map(block);
            _blockStart = p;
            _blockCount = count;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _ahead?.Dispose();
                if (_input is DataViewRowCursor c) c.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
