using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>Settings of <see cref="MlpClassifier.Fit"/>.</summary>
public sealed class MlpClassifierOptions
{
    /// <summary>Hidden layer widths, input side first (empty = a softmax regression). Default 64.</summary>
    public int[] HiddenSizes { get; set; } = { 64 };

    /// <summary>Activation of the hidden layers. Default ReLU.</summary>
    public ActivationKind HiddenActivation { get; set; } = ActivationKind.Relu;

    /// <summary>Weight initialisation. Default <see cref="InitKind.Auto"/> (He for ReLU).</summary>
    public InitKind Init { get; set; } = InitKind.Auto;

    /// <summary>L2 penalty <c>½λ‖W‖²</c> on the weights (not the biases), added to the mean cross-entropy (≥ 0). Default 1e-4.</summary>
    public float L2 { get; set; } = 1e-4f;

    /// <summary>Passes over the training data (≥ 1). Default 50.</summary>
    public int Epochs { get; set; } = 50;

    /// <summary>Minibatch size (≥ 1). Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Learning rate (&gt; 0). Default 1e-3.</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Optimiser. Default Adam.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Share of rows held out for the validation loss, in [0, 1). Default 0.</summary>
    public double ValidationFraction { get; set; }

    /// <summary>Early-stopping patience in epochs (0 = off; needs a validation fraction). Default 0.</summary>
    public int EarlyStoppingPatience { get; set; }

    /// <summary>Seed of initialisation and shuffling. Default 0.</summary>
    public ulong Seed { get; set; }

    /// <summary>GEMM threads (≥ 1); one thread gives bit-identical runs. Default 1.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>GEMM provider. Default auto.</summary>
    public GemmKind Gemm { get; set; } = GemmKind.Auto;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (HiddenSizes is null || HiddenSizes.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "MlpClassifierOptions.HiddenSizes must all be ≥ 1 (empty for no hidden layer).");
        if (!(L2 >= 0 && float.IsFinite(L2))) throw new ArgumentOutOfRangeException(nameof(L2), L2, "MlpClassifierOptions.L2 must be finite and ≥ 0.");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "MlpClassifierOptions.LearningRate must be positive.");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "MlpClassifierOptions.Threads must be ≥ 1.");
        if (EarlyStoppingPatience > 0 && ValidationFraction <= 0)
            throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "EarlyStoppingPatience needs ValidationFraction > 0.");
        Minibatch.Validate();
    }

    internal MinibatchSettings Minibatch => new(Epochs, BatchSize, ValidationFraction, EarlyStoppingPatience);

    /// <summary>A copy (arrays copied).</summary>
    public MlpClassifierOptions Clone()
    {
        var c = (MlpClassifierOptions)MemberwiseClone();
        c.HiddenSizes = (int[])HiddenSizes.Clone();
        return c;
    }
}

/// <summary>
/// A multilayer perceptron classifier: dense hidden layers, then a linear layer of K logits, trained with softmax
/// cross-entropy <c>−log softmax(a)_y</c> (averaged over the batch) plus an optional L2 weight penalty, by minibatch
/// Adam/SGD on the project's own <see cref="Network"/> engine. Inference is deterministic and thread-safe.
/// </summary>
public sealed class MlpClassifier
{
    /// <summary>Model kind stored in model files.</summary>
    public const string Kind = "mlp-classifier";

    private readonly object _lock = new();
    private NnContext? _inference;

    /// <summary>Wraps a trained network whose output width is the class count.</summary>
    public MlpClassifier(MlpClassifierOptions options, Network network, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(network);
        if (network.OutputSize < 2) throw new ArgumentException($"A classifier needs at least 2 classes; the network has {network.OutputSize} outputs.", nameof(network));
        Options = options;
        Network = network;
        History = history ?? new TrainingHistory();
    }

    /// <summary>The options it was trained with.</summary>
    public MlpClassifierOptions Options { get; }

    /// <summary>The network (its output is the K logits).</summary>
    public Network Network { get; }

    /// <summary>Per-epoch losses.</summary>
    public TrainingHistory History { get; }

    /// <summary>Number of classes K.</summary>
    public int ClassCount => Network.OutputSize;

    /// <summary>Number of input features.</summary>
    public int FeatureCount => Network.InputSize;

    private NnContext Inference => _inference ??= new NnContext(Gemm.Create(Options.Gemm, Options.Threads), new Rng(Options.Seed));

    /// <summary>Builds the untrained network (<paramref name="inputs"/> → hidden → <paramref name="classes"/> logits).</summary>
    internal static Network Build(MlpClassifierOptions o, int inputs, int classes, Rng rng)
    {
        var widths = new List<int> { inputs };
        widths.AddRange(o.HiddenSizes);
        widths.Add(classes);
        var layers = new List<Layer>();
        for (int i = 0; i + 1 < widths.Count; i++)
        {
            bool last = i + 2 == widths.Count;
            var d = new DenseLayer($"mlp.{i}", widths[i], widths[i + 1], last ? ActivationKind.Identity : o.HiddenActivation);
            Initializer.Initialize(d, last ? InitKind.GlorotUniform : o.Init, rng);
            layers.Add(d);
        }
        return new Network(layers);
    }

    /// <summary>Trains a classifier on the rows of <paramref name="x"/> with class labels 0 … K−1.</summary>
    /// <param name="x">N×d features (finite).</param>
    /// <param name="labels">N class indices ≥ 0.</param>
    /// <param name="options">Settings (validated and copied); null for defaults.</param>
    /// <param name="classCount">K; null means max(label) + 1 (at least 2).</param>
    /// <param name="progress">Receives each finished epoch.</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Empty or non-finite data, label count mismatch, labels out of range, fewer than 2 classes.</exception>
    public static MlpClassifier Fit(Matrix x, int[] labels, MlpClassifierOptions? options = null, int? classCount = null,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        var o = (options ?? new MlpClassifierOptions()).Clone();
        o.Validate();
        int k = CheckTrainingData(x, labels, classCount, "The MLP classifier");

        var rng = new Rng(o.Seed);
        var net = Build(o, x.Cols, k, rng);
        var ctx = new NnContext(Gemm.Create(o.Gemm, o.Threads), rng.Fork(1));
        var parameters = net.Parameters;
        var optimizer = Optimizer.Create(o.Optimizer, parameters, o.LearningRate);
        Matrix? xb = null;
        int[] yb = Array.Empty<int>();

        double TrainBatch(int[] rows)
        {
            Gather(rows);
            double loss = LossAndGradients(net, xb!, yb, o.L2, ctx);
            optimizer.Step();
            return loss * rows.Length;
        }

        double ValidationLoss(int[] rows)
        {
            Gather(rows);
            return SoftmaxCrossEntropy(net.Forward(xb!, false, ctx), yb, null);
        }

        void Gather(int[] rows)
        {
            x.GatherRows(rows, ref xb);
            if (yb.Length != rows.Length) yb = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++) yb[i] = labels[rows[i]];
        }

        var history = TrainingLoop.Run(x.Rows, o.Minibatch, rng, parameters, TrainBatch, ValidationLoss, progress, cancellationToken);
        return new MlpClassifier(o, net, history);
    }

    /// <summary>
    /// Checks training rows and labels for a classifier named <paramref name="what"/> and returns the class count K
    /// (<paramref name="classCount"/>, or max(label) + 1).
    /// </summary>
    internal static int CheckTrainingData(Matrix x, int[] labels, int? classCount, string what)
    {
        if (x.Rows == 0) throw new ArgumentException("The training matrix has no rows.", nameof(x));
        if (labels.Length != x.Rows) throw new ArgumentException($"There are {labels.Length} labels for {x.Rows} rows.", nameof(labels));
        x.ThrowIfNotFinite(what + " features");
        int k = classCount ?? labels.Max() + 1;
        if (k < 2) throw new ArgumentException($"{what} needs at least 2 classes; got {k}.", nameof(classCount));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)k) throw new ArgumentException($"Label {labels[i]} at row {i} is outside 0..{k - 1}.", nameof(labels));
        return k;
    }

    /// <summary>
    /// One forward and backward pass: returns the batch-mean objective (cross-entropy + ½λ‖W‖²) and leaves its gradient
    /// in the parameters' <see cref="Parameter.Grad"/> (added to what is there).
    /// </summary>
    internal static double LossAndGradients(Network net, Matrix x, int[] labels, float l2, NnContext ctx)
    {
        var logits = net.Forward(x, true, ctx);
        var grad = new Matrix(logits.Rows, logits.Cols);
        double loss = SoftmaxCrossEntropy(logits, labels, grad) / x.Rows;
        net.Backward(grad, false, ctx);
        if (l2 > 0)
        {
            foreach (var d in net.DenseLayers)
            {
                var w = d.Weight.Value.Span;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w, l2, d.Weight.Grad.Span, d.Weight.Grad.Span);
                loss += 0.5 * l2 * System.Numerics.Tensors.TensorPrimitives.Dot(w, w);
            }
        }
        return loss;
    }

    /// <summary>
    /// Σ_i −log softmax(a_i)_{y_i} over the rows (stable: log-sum-exp in double); when <paramref name="grad"/> is given it
    /// receives (softmax(a) − onehot(y)) / rows, the gradient of the batch mean.
    /// </summary>
    internal static double SoftmaxCrossEntropy(Matrix logits, int[] labels, Matrix? grad)
    {
        int k = logits.Cols;
        var e = new double[k];
        double total = 0, inv = 1.0 / logits.Rows;
        for (int i = 0; i < logits.Rows; i++)
        {
            var a = logits.Row(i);
            double lse = LogisticRegression.LogSumExp(a, e);
            total += lse - a[labels[i]];
            if (grad is null) continue;
            var g = grad.Row(i);
            double sum = 0;
            for (int c = 0; c < k; c++) sum += e[c];
            for (int c = 0; c < k; c++) g[c] = (float)((e[c] / sum - (c == labels[i] ? 1 : 0)) * inv);
        }
        return total;
    }

    /// <summary>The K logits of each row (a new N×K matrix).</summary>
    public Matrix DecisionFunction(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != FeatureCount) throw new ArgumentException($"The input has {x.Cols} columns; the classifier was fitted on {FeatureCount}.", nameof(x));
        lock (_lock) return Network.Predict(x, Inference);
    }

    /// <summary>Class probabilities (softmax of the logits), N×K; rows sum to 1.</summary>
    public Matrix PredictProbabilities(Matrix x) => SoftmaxRows(DecisionFunction(x));

    /// <summary>The most probable class of each row (the lowest index on ties).</summary>
    public int[] Predict(Matrix x) => ArgMaxRows(DecisionFunction(x));

    /// <summary>Replaces each row of logits by its softmax (log-sum-exp in double); returns <paramref name="z"/>.</summary>
    internal static Matrix SoftmaxRows(Matrix z)
    {
        var e = new double[z.Cols];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            double lse = LogisticRegression.LogSumExp(row, e);
            for (int c = 0; c < row.Length; c++) row[c] = (float)Math.Exp(row[c] - lse);
        }
        return z;
    }

    /// <summary>The index of the largest value of each row (the lowest index on ties).</summary>
    internal static int[] ArgMaxRows(Matrix z)
    {
        var result = new int[z.Rows];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            int best = 0;
            for (int c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary>The model as an archive (options, layer specs, history, parameters).</summary>
    public ModelArchive ToArchive()
    {
        var a = new ModelArchive(Kind);
        a.Set("options", Options);
        a.Set("network", Network.ToSpecs());
        a.Set("history", History);
        foreach (var p in Network.Parameters) a.Add(p.Name, p.Value);
        return a;
    }

    /// <summary>Rebuilds a model from <see cref="ToArchive"/>'s output.</summary>
    public static MlpClassifier FromArchive(ModelArchive a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Parameter Lookup(string name)
        {
            var m = a.Get(name);
            var p = new Parameter(name, m.Rows, m.Cols);
            m.Span.CopyTo(p.Value.Span);
            return p;
        }
        var net = Network.FromSpecs(a.GetValue<List<LayerSpec>>("network"), Lookup);
        return new MlpClassifier(a.GetValue<MlpClassifierOptions>("options"), net, a.GetValue<TrainingHistory>("history"));
    }
}
