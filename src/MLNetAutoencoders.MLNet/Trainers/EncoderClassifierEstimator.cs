using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Hosting;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.MLNet.Trainers;

/// <summary>
/// A multiclass classifier built on a pretrained encoder: the encoder of a fitted autoencoder stage (or one pretrained
/// here on unlabelled rows), a softmax head, and a training mode — linear probe (encoder frozen), fine-tune,
/// fine-tune with a smaller encoder learning rate, joint (semi-supervised: the classification loss of the labelled
/// rows plus a weighted reconstruction loss of <see cref="Options.UnlabelledData"/>, one shared encoder), or one of the
/// semi-supervised modes of <see cref="EncoderTrainingMode"/> (virtual adversarial, M1+M2, consistency). The fitted <see cref="EncoderClassifierTransformer"/> writes ML.NET's
/// multiclass columns, <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (a key with the label's class
/// names), so <c>MulticlassClassification.Evaluate</c> and <c>CrossValidate</c> work. Made by
/// <c>mlContext.MulticlassClassification.Trainers.EncoderClassifier(...)</c>.
/// </summary>
public sealed class EncoderClassifierEstimator : IEstimator<EncoderClassifierTransformer>
{
    internal const string StageName = "MulticlassClassification.Trainers.EncoderClassifier";

    /// <summary>The trainer's settings (seed, progress of the classifier's epochs and cancellation from <see cref="StageTrainingOptions"/>).</summary>
    public sealed class Options : StageTrainingOptions
    {
        /// <summary>The label column: a key (use <c>MapValueToKey</c>), as for ML.NET's own multiclass trainers. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = "Label";

        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = "Features";

        /// <summary>A fitted autoencoder stage whose encoder starts the classifier (its input width must be the feature column's).</summary>
        public AutoencoderTransformer? Encoder { get; set; }

        /// <summary>Without <see cref="Encoder"/>: the autoencoder to pretrain on <see cref="UnlabelledData"/> (in <see cref="EncoderTrainingMode.SemiSupervisedVae"/> mode a VAE with its defaults instead) (its column names are ignored; its <see cref="StreamingTrainingOptions.Streaming"/> decides whether the unlabelled rows are streamed). Default: the plain kind.</summary>
        public AutoencoderEstimator.Options? Pretrain { get; set; }

        /// <summary>
        /// Unlabelled rows (their <see cref="FeatureColumnName"/> column): pretrained on when there is no <see cref="Encoder"/>,
        /// and, in <see cref="EncoderTrainingMode.Joint"/>, <see cref="EncoderTrainingMode.VirtualAdversarial"/> and <see cref="EncoderTrainingMode.SemiSupervisedVae"/> modes
        /// (where they are required), reconstructed or smoothed while the classifier trains. Null outside those modes =
        /// pretrain on the training rows, labels unused.
        /// </summary>
        public IDataView? UnlabelledData { get; set; }

        /// <summary><see cref="EncoderTrainingMode.Consistency"/> (where it is required): the images' height in pixels; each row of the feature column holds one image (or several channels of it), row by row.</summary>
        public int ImageHeight { get; set; }

        /// <summary><see cref="EncoderTrainingMode.Consistency"/> (where it is required): the images' width in pixels.</summary>
        public int ImageWidth { get; set; }

        /// <summary>
        /// The head and the training mode (probe, fine-tune, discriminative, joint with its
        /// <see cref="EncoderClassifierOptions.ReconstructionWeight"/>), epochs, learning rate, early stopping. Default
        /// <see cref="DefaultClassifier"/>: the options' own defaults, with the trainer's for few labels.
        /// </summary>
        public EncoderClassifierOptions Classifier { get; set; } = DefaultClassifier();

        /// <summary>
        /// The trainer's classifier settings when none are given: <see cref="EncoderClassifierOptions"/>' defaults, except
        /// that every labelled row trains (<see cref="AutoencoderDefaults.ClassifierValidationFraction"/>, no early
        /// stopping) for <see cref="AutoencoderDefaults.ClassifierEpochs"/> epochs with dropout
        /// <see cref="AutoencoderDefaults.ClassifierDropoutRate"/>: chosen for the few-label use, where they beat ML.NET's
        /// logistic regression on the pixels of Fashion-MNIST at 100 and 600 labels (docs/semi-supervised.md, seventh round).
        /// </summary>
        public static EncoderClassifierOptions DefaultClassifier() => new()
        {
            DropoutRate = AutoencoderDefaults.ClassifierDropoutRate,
            ValidationFraction = AutoencoderDefaults.ClassifierValidationFraction,
            EarlyStoppingPatience = AutoencoderDefaults.ClassifierEarlyStoppingPatience,
            Epochs = AutoencoderDefaults.ClassifierEpochs,
        };

    }

    private readonly IHostEnvironment _environment;
    private readonly MLNetHost _host;
    private readonly Options _options;
    private readonly int _seed;

    internal EncoderClassifierEstimator(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.LabelColumnName)) throw new ArgumentException($"{StageName}: LabelColumnName must be a column name.", nameof(options));
        if (string.IsNullOrWhiteSpace(options.FeatureColumnName)) throw new ArgumentException($"{StageName}: FeatureColumnName must be a column name.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.Classifier, nameof(options.Classifier));
        options.Classifier.Validate();
        if (options.Classifier.Mode == EncoderTrainingMode.Joint && options.UnlabelledData is null)
            throw new ArgumentException($"{StageName}: joint mode needs UnlabelledData, the unlabelled rows to reconstruct while the classifier trains.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.VirtualAdversarial && options.UnlabelledData is null)
            throw new ArgumentException($"{StageName}: virtual adversarial mode needs UnlabelledData, the unlabelled rows whose predictions it smooths while the classifier trains.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.SemiSupervisedVae && options.UnlabelledData is null)
            throw new ArgumentException($"{StageName}: the semi-supervised VAE mode (M1+M2) needs UnlabelledData, the unlabelled rows its generative model learns from while the classifier trains.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.Consistency && options.UnlabelledData is null)
            throw new ArgumentException($"{StageName}: consistency mode needs UnlabelledData, the unlabelled images it pseudo-labels while the classifier trains.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.Consistency && (options.ImageHeight < 1 || options.ImageWidth < 1))
            throw new ArgumentOutOfRangeException(nameof(options.ImageHeight), options.ImageHeight, $"{StageName}: consistency mode augments images and needs their ImageHeight and ImageWidth (≥ 1); got {options.ImageHeight} × {options.ImageWidth}.");
        if (options.Classifier.ConvolutionChannels.Length > 0 && (options.Classifier.Mode != EncoderTrainingMode.Consistency || options.Classifier.Initialization != EncoderInitialization.Random))
            throw new ArgumentException($"{StageName}: a convolutional encoder (Classifier.ConvolutionChannels) is built anew in consistency mode: set Classifier.Mode = Consistency (ConsistencyWeight = 0 for the labelled images alone) and Classifier.Initialization = Random; got {options.Classifier.Mode} and {options.Classifier.Initialization}.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.SemiSupervisedVae && options.Encoder is { Model: not VaeModel })
            throw new ArgumentException($"{StageName}: the semi-supervised VAE mode (M1+M2) needs a VAE stage (EncodeWithVariationalAutoencoder) as its Encoder; got a {options.Encoder.Model.GetType().Name}.", nameof(options));
        if (options.Classifier.Mode == EncoderTrainingMode.Joint && options.Encoder is { Model: not AutoencoderModel })
            throw new ArgumentException($"{StageName}: joint mode needs a deterministic autoencoder stage (EncodeWithAutoencoder) as its Encoder; a VAE stage has no joint mode.", nameof(options));
        _environment = environment;
        _host = new MLNetHost(environment, StageName);
        _options = options;
        _seed = _host.Seed(options.Seed);
    }

    /// <summary>The schema the fitted classifier will produce; fails before training when the feature or label column is not as expected.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        VectorColumn.Check(inputSchema, _options.FeatureColumnName, StageName);
        var label = inputSchema.Where(c => c.Name == _options.LabelColumnName).Select(c => (SchemaShape.Column?)c).LastOrDefault();
        if (label is not { IsKey: true })
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"{StageName}: schema mismatch for label column '{_options.LabelColumnName}': expected a key (map the labels with MapValueToKey), got {(label is null ? "no such column" : label.Value.ItemType.ToString())}.");
        return SchemaShapes.Append(inputSchema, [SchemaShapes.SingleColumn(EncoderClassifierTransformer.ScoreColumn, vector: true), SchemaShapes.KeyColumn(EncoderClassifierTransformer.PredictedLabelColumn, label.Value)]);
    }

    /// <summary>Pretrains the encoder if needed, then trains the classifier on the labelled rows.</summary>
    /// <exception cref="ArgumentException">No rows, a NaN/∞ feature, a missing label (the message names the row), or a class without rows.</exception>
    public EncoderClassifierTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var labelColumn = input.Schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"{StageName}: the label column '{_options.LabelColumnName}' is missing.");
        if (labelColumn.Type is not KeyDataViewType keyType || keyType.Count is 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(input), $"{StageName}: the label column '{_options.LabelColumnName}' is {labelColumn.Type}; expected a key (map the labels with MapValueToKey).");
        int classes = (int)keyType.Count;
        var x = VectorColumn.ReadAll(input, _options.FeatureColumnName, StageName, unitRange: false, _options.CancellationToken);
        var y = ReadLabels(input, labelColumn, x.Rows);
        var counts = new int[classes];
        foreach (int c in y) counts[c]++;
        int empty = Array.IndexOf(counts, 0);
        if (empty >= 0) throw new ArgumentException($"{StageName}: class {empty + 1} of the label column '{_options.LabelColumnName}' has no rows; every class of the key needs at least one.");

        if (_options.Classifier.ConvolutionChannels.Length > 0)
            return new EncoderClassifierTransformer(FitConsistency([], x, y, classes), _options.FeatureColumnName, _options.LabelColumnName, keyType, labelColumn.Annotations);
        var encoder = _options.Encoder?.Model ?? Pretrain(input);
        if (encoder.InputSize != x.Cols)
            throw new ArgumentException($"{StageName}: the encoder reads {encoder.InputSize} values per row; column '{_options.FeatureColumnName}' has {x.Cols}.");
        var o = _options.Classifier.Clone();
        o.Seed = _seed;
        var progress = _host.EpochLog(StageName, _options.Progress);
        EncoderClassifier model;
        if (o.Mode == EncoderTrainingMode.Joint)
        {
            var ae = (AutoencoderModel)encoder; // checked when made, or pretrained here by EncodeWithAutoencoder
            var unlabelled = ReadUnlabelled(x.Cols, unitRange: ae.Options.Loss == LossKind.CrossEntropy);
            model = EncoderClassifierTrainer.FitJoint(ae, x, y, unlabelled, o, classes, progress, _options.CancellationToken);
        }
        else if (o.Mode == EncoderTrainingMode.VirtualAdversarial)
            model = EncoderClassifierTrainer.FitVirtualAdversarial(encoder.CodePath, x, y, ReadUnlabelled(x.Cols, unitRange: false), o, classes, progress, _options.CancellationToken);
        else if (o.Mode == EncoderTrainingMode.Consistency)
            model = FitConsistency(encoder.CodePath, x, y, classes);
        else if (o.Mode == EncoderTrainingMode.SemiSupervisedVae)
            model = EncoderClassifierTrainer.FitSemiSupervisedVae(encoder, x, y, ReadUnlabelled(x.Cols, unitRange: false), o, classes, progress, _options.CancellationToken);
        else model = EncoderClassifierTrainer.Fit(encoder, x, y, o, classes, progress, _options.CancellationToken);
        return new EncoderClassifierTransformer(model, _options.FeatureColumnName, _options.LabelColumnName, keyType, labelColumn.Annotations);
    }

    /// <summary>Consistency mode: the rows must be whole images of ImageHeight × ImageWidth (an error naming the column otherwise).</summary>
    private EncoderClassifier FitConsistency(IReadOnlyList<DenseLayer> encoder, Matrix x, int[] y, int classes)
    {
        if (x.Cols % ((long)_options.ImageHeight * _options.ImageWidth) != 0)
            throw new ArgumentException($"{StageName}: column '{_options.FeatureColumnName}' has {x.Cols} values per row, which are not images of ImageHeight × ImageWidth = {_options.ImageHeight} × {_options.ImageWidth} pixels (nor several channels of them).");
        var o = _options.Classifier.Clone();
        o.Seed = _seed;
        return EncoderClassifierTrainer.FitConsistency(encoder, x, y, ReadUnlabelled(x.Cols, unitRange: false), _options.ImageHeight, _options.ImageWidth, o, classes,
            _host.EpochLog(StageName, _options.Progress), _options.CancellationToken);
    }

    /// <summary>The feature column of <see cref="Options.UnlabelledData"/>; no rows, or another width than the training rows', is an error naming the column.</summary>
    private Matrix ReadUnlabelled(int width, bool unitRange)
    {
        var unlabelled = VectorColumn.ReadAll(_options.UnlabelledData!, _options.FeatureColumnName, StageName, unitRange, _options.CancellationToken);
        if (unlabelled.Cols != width)
            throw new ArgumentException($"{StageName}: column '{_options.FeatureColumnName}' of the unlabelled rows has {unlabelled.Cols} values per row; the training rows have {width}.");
        if (unlabelled.Rows == 0)
            throw new ArgumentException($"{StageName}: UnlabelledData has no rows; {_options.Classifier.Mode} mode needs unlabelled rows in column '{_options.FeatureColumnName}'.");
        return unlabelled;
    }

    private IAutoencoder Pretrain(IDataView labelled)
    {
        if (_options.Classifier.Mode == EncoderTrainingMode.SemiSupervisedVae)
        {
            var vae = new VariationalAutoencoderEstimator.Options
            {
                InputColumnName = _options.FeatureColumnName, OutputColumnName = "EncoderClassifier.Code", Seed = _seed,
                CancellationToken = _options.CancellationToken,
            };
            return new VariationalAutoencoderEstimator(_environment, vae).Fit(_options.UnlabelledData!).Model;
        }
        var p = _options.Pretrain ?? AutoencoderEstimator.Options.ForKind(AutoencoderKind.Plain);
        var o = new AutoencoderEstimator.Options
        {
            InputColumnName = _options.FeatureColumnName, OutputColumnName = "EncoderClassifier.Code", Autoencoder = p.Autoencoder, Stacked = p.Stacked,
            FineTuneEpochs = p.FineTuneEpochs, Seed = _seed, Progress = p.Progress, CancellationToken = _options.CancellationToken,
            Streaming = p.Streaming,
        };
        return new AutoencoderEstimator(_environment, o).Fit(_options.UnlabelledData ?? labelled).Model;
    }

    /// <summary>The label keys as class indices 0 … K−1; a missing key (0) is an error naming the row.</summary>
    private int[] ReadLabels(IDataView input, DataViewSchema.Column column, int rows)
    {
        var y = new int[rows];
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<uint>(column);
        uint key = 0;
        int i = 0;
        while (cursor.MoveNext())
        {
            getter(ref key);
            if (key == 0) throw new ArgumentException($"{StageName}: label column '{column.Name}', row {i} is missing (key 0) or outside the key's range 1–{((KeyDataViewType)column.Type).Count}; every training row needs a class.");
            if (key > ((KeyDataViewType)column.Type).Count)
                throw new ArgumentException($"{StageName}: label column '{column.Name}', row {i} has key {key}, outside the key's range 1–{((KeyDataViewType)column.Type).Count}.");
            y[i++] = (int)key - 1;
        }
        return y;
    }
}

/// <summary>A fitted encoder classifier: adds <c>Score</c> (the K class probabilities) and <c>PredictedLabel</c> (the most probable class, a key).</summary>
public sealed class EncoderClassifierTransformer : RowMappingTransformer
{
    /// <summary>The probabilities column: <c>Score</c>.</summary>
    public const string ScoreColumn = "Score";

    /// <summary>The prediction column: <c>PredictedLabel</c>.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    private const string Logits = "Score.Logits";
    private readonly string _labelColumn;

    internal EncoderClassifierTransformer(EncoderClassifier model, string featureColumnName, string labelColumnName, KeyDataViewType keyType, DataViewSchema.Annotations labelAnnotations)
        : base(EncoderClassifierEstimator.StageName, featureColumnName, model.FeatureCount,
            [new OutputColumn(ScoreColumn, model.ClassCount), new OutputColumn(PredictedLabelColumn, 0) { Key = (keyType, labelAnnotations) }])
    {
        Model = model;
        _labelColumn = labelColumnName;
    }

    /// <summary>The trained classifier (the library's model: probabilities, predictions, model file, ONNX).</summary>
    public EncoderClassifier Model { get; }

    /// <inheritdoc />
    private protected override Matrix[] Map(Matrix rows)
    {
        var p = Model.PredictProbabilities(rows);
        var predicted = new Matrix(rows.Rows, 1);
        var best = Model.Predict(rows);
        for (int i = 0; i < best.Length; i++) predicted[i, 0] = best[i] + 1;
        return [p, predicted];
    }

    /// <summary>The class probabilities as an ONNX model (input the feature column, output <c>Score</c>).</summary>
    internal override Onnx.Proto.ModelProto ToOnnx() => Onnx.OnnxExportClassifier.Classifier(Model, InputColumnName, ScoreColumn);

    /// <summary>
    /// In a model zip: the ONNX model computes the logits, and ML.NET's own multiclass prediction transformer (a
    /// maximum-entropy model with identity weights) turns them into <c>Score</c> = softmax(logits) and a key
    /// <c>PredictedLabel</c> with the label's class names; the logits column is then dropped.
    /// </summary>
    private protected override ITransformer ToNativeStage(MLContext ml)
    {
        var onnx = OnnxStage(ml, Onnx.OnnxExport.SingleRow(Onnx.OnnxExportClassifier.Logits(Model, InputColumnName, Logits)), [Logits]);
        var keyColumn = OutputColumns[1].Key!.Value;
        var b = new DataViewSchema.Builder();
        b.AddColumns(onnx.GetOutputSchema(EmptyInput(ml).Schema));
        b.AddColumn(_labelColumn, keyColumn.Type, keyColumn.Annotations);
        var names = ClassNames(keyColumn.Annotations, Model.ClassCount);
        var softmax = NativePredictors.Softmax(ml, b.ToSchema(), Logits, _labelColumn, names);
        var drop = ml.Transforms.DropColumns(Logits).Fit(softmax.Transform(onnx.Transform(EmptyInput(ml))));
        return new TransformerChain<ITransformer>(onnx, softmax, drop);
    }

    private static string[] ClassNames(DataViewSchema.Annotations annotations, int count)
    {
        var names = Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var column = annotations.Schema.GetColumnOrNull("KeyValues");
        if (column is { Type: VectorDataViewType { ItemType: TextDataViewType } })
        {
            var values = default(VBuffer<ReadOnlyMemory<char>>);
            annotations.GetValue("KeyValues", ref values);
            var dense = values.DenseValues().ToArray();
            for (int i = 0; i < Math.Min(count, dense.Length); i++) names[i] = dense[i].ToString();
        }
        return names;
    }
}
