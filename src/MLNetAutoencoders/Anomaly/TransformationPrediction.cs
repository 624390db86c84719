using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>The settings of the transformation-prediction score's classifier (<see cref="TransformationPredictionScorer"/>).</summary>
public sealed class TransformationPredictionOptions
{
    /// <summary>Widths of the classifier's hidden ReLU layers. Default <see cref="AnomalyDefaults.TransformationHiddenSizes"/>.</summary>
    public int[] HiddenSizes { get; set; } = [.. AnomalyDefaults.TransformationHiddenSizes];

    /// <summary>Passes over every (image, transformation) pair. Default <see cref="AnomalyDefaults.TransformationEpochs"/>.</summary>
    public int Epochs { get; set; } = AnomalyDefaults.TransformationEpochs;

    /// <summary>Transformed images per optimizer step. Default <see cref="AnomalyDefaults.TransformationBatchSize"/>.</summary>
    public int BatchSize { get; set; } = AnomalyDefaults.TransformationBatchSize;

    /// <summary>
    /// Shift in pixels: 0 (default <see cref="AnomalyDefaults.TransformationShift"/>) = the right-angle rotations and
    /// flips alone; s &gt; 0 = each of them combined with shifts of 0 and ±s pixels along each axis, nine times as many
    /// transformations (<see cref="ImageTransforms.RightAnglesAndShifts"/>), so each epoch and each score cost nine
    /// times as much. Must be smaller than the image's height and width.
    /// </summary>
    public int Shift { get; set; } = AnomalyDefaults.TransformationShift;

    /// <summary>Adam's learning rate. Default <see cref="AnomalyDefaults.TransformationLearningRate"/>.</summary>
    public float LearningRate { get; set; } = AnomalyDefaults.TransformationLearningRate;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(HiddenSizes, nameof(HiddenSizes));
        if (HiddenSizes.Any(h => h < 1)) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), string.Join(",", HiddenSizes), "Transformation prediction: every HiddenSizes width must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Transformation prediction: Epochs must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Transformation prediction: BatchSize must be at least 1.");
        if (Shift < 0) throw new ArgumentOutOfRangeException(nameof(Shift), Shift, "Transformation prediction: Shift must be ≥ 0 (0 = no shifts).");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Transformation prediction: LearningRate must be positive.");
    }

    /// <summary>A copy with its own array.</summary>
    public TransformationPredictionOptions Clone()
    {
        var c = (TransformationPredictionOptions)MemberwiseClone();
        c.HiddenSizes = (int[])HiddenSizes.Clone();
        return c;
    }
}

/// <summary>
/// Transformation prediction (the idea of GeoTrans): a dense softmax classifier is trained to tell which right-angle
/// rotation or flip (<see cref="ImageTransforms.RightAngles"/>, with <see cref="TransformationPredictionOptions.Shift"/>
/// also shifted: <see cref="ImageTransforms.RightAnglesAndShifts"/>) was applied to a normal image; every (image,
/// transformation) pair is a training row whose label is the transformation. To answer, the network must learn how a
/// normal image stands: where its top is, which side its details lie on. A row's score is the sum over the
/// transformations t of −log p(t | t(x)), the surprise at the right answer: an image of another kind, whose orientation
/// the network cannot read, scores high. No autoencoder is involved (<see cref="Model"/> is null).
/// </summary>
public sealed class TransformationPredictionScorer : IAnomalyScorer
{
    private readonly object _lock = new();
    private readonly NnContext _inference;

    private TransformationPredictionScorer(Network network, int height, int width, int[][] transforms, TransformationPredictionOptions options,
        int seed, int threads, TrainingHistory history)
    {
        Network = network;
        Height = height;
        Width = width;
        Transforms = transforms;
        Options = options;
        Seed = seed;
        History = history;
        _inference = NnContext.Create(threads: threads, seed: seed);
        TrainingScores = [];
    }

    /// <summary>The classifier: the rows' values in, one logit per transformation out.</summary>
    public Network Network { get; }

    /// <summary>Always null: this score has no autoencoder.</summary>
    public IAutoencoder? Model => null;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Each transformation (class t of the classifier) as the source index of every value of a transformed row.</summary>
    public IReadOnlyList<int[]> Transforms { get; }

    /// <summary>The settings the classifier was trained with.</summary>
    public TransformationPredictionOptions Options { get; }

    /// <summary>The seed of the initialisation and the shuffles.</summary>
    public int Seed { get; }

    /// <summary>The classifier's training losses per epoch (mean cross-entropy per transformed image).</summary>
    public TrainingHistory History { get; }

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; private set; }

    /// <summary>
    /// Trains the classifier on every transformation of <paramref name="trainingRows"/> (images of <paramref name="height"/>
    /// × <paramref name="width"/> pixels, channels one after another) from <paramref name="seed"/>, with
    /// <paramref name="threads"/> GEMM threads: the same seed on one thread gives the same scorer, bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">A row width that is not a whole number of height × width images, fewer than two rows, or values that are not finite.</exception>
    public static TransformationPredictionScorer Fit(Matrix trainingRows, int height, int width, TransformationPredictionOptions? options = null,
        int seed = 0, int threads = 1, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingRows);
        var o = (options ?? new TransformationPredictionOptions()).Clone();
        o.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (o.Shift > 0 && (o.Shift >= height || o.Shift >= width))
            throw new ArgumentOutOfRangeException(nameof(o.Shift), o.Shift, $"Transformation prediction: Shift must be smaller than the image's height and width ({height} × {width}).");
        var transforms = ImageTransforms.RightAnglesAndShifts(height, width, trainingRows.Cols, o.Shift);
        if (trainingRows.Rows < 2) throw new ArgumentException($"Transformation prediction needs at least 2 training rows; got {trainingRows.Rows}.", nameof(trainingRows));
        trainingRows.ThrowIfNotFinite("Transformation prediction's training rows");

        var rng = new Rng(seed);
        var network = Build(trainingRows.Cols, o.HiddenSizes, transforms.Length, rng);
        var ctx = new NnContext(Gemm.Create(GemmKind.Auto, threads), rng.Fork(1));
        var optimizer = new Adam(network.Parameters, o.LearningRate);
        int n = trainingRows.Rows;
        Matrix? xb = null, grad = null;
        int[] yb = [];
        // Pair p is image p mod n under transformation p div n (the order of the Python prototype).
        double TrainBatch(int[] pairs)
        {
            var x = Matrix.Ensure(ref xb, pairs.Length, trainingRows.Cols);
            if (yb.Length != pairs.Length) yb = new int[pairs.Length];
            for (int i = 0; i < pairs.Length; i++)
            {
                int t = pairs[i] / n;
                var map = transforms[t];
                var from = trainingRows.Row(pairs[i] % n);
                var to = x.Row(i);
                for (int j = 0; j < map.Length; j++) to[j] = from[map[j]];
                yb[i] = t;
            }
            double loss = EncoderClassifierTrainer.LossAndGradients(network, x, yb, 0, 0, null, ctx, ref grad);
            optimizer.Step(ctx);
            return loss * pairs.Length;
        }
        var settings = new MinibatchSettings(o.Epochs, o.BatchSize, 0, 0);
        var history = TrainingLoop.Run(checked(n * transforms.Length), settings, rng, network.Parameters, TrainBatch, _ => 0, progress, cancellationToken);
        var scorer = new TransformationPredictionScorer(network, height, width, transforms, o, seed, threads, history);
        scorer.TrainingScores = scorer.Score(trainingRows);
        return scorer;
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != Network.InputSize) throw new ArgumentException($"Rows of {x.Cols} values; the transformation classifier reads {Network.InputSize}.", nameof(x));
        var scores = new double[x.Rows];
        var scratch = new double[Transforms.Count];
        for (int t = 0; t < Transforms.Count; t++)
        {
            Matrix logits;
            lock (_lock) logits = Network.Predict(ImageTransforms.Apply(x, Transforms[t]), _inference);
            for (int i = 0; i < x.Rows; i++)
            {
                var a = logits.Row(i);
                scores[i] += Softmax.LogSumExp(a, scratch) - a[t];
            }
        }
        return scores.Select(s => (float)s).ToArray();
    }

    /// <summary>The classifier: dense ReLU layers of <paramref name="hidden"/> widths, then a linear layer of one logit per class; PyTorch's default initialisation (that of the prototype).</summary>
    private static Network Build(int input, IReadOnlyList<int> hidden, int classes, Rng rng)
    {
        int[] widths = [input, .. hidden, classes];
        var layers = new List<Layer>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            bool last = i + 2 == widths.Length;
            var d = new DenseLayer($"transformation.{i}", widths[i], widths[i + 1], last ? ActivationKind.Identity : ActivationKind.Relu);
            Initializer.Initialize(d, InitKind.PyTorchDefault, rng);
            layers.Add(d);
        }
        return new Network(layers);
    }
}
