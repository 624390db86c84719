using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>The settings of Deep SVDD's second phase (the network and its pretraining are an <see cref="AutoencoderOptions"/>).</summary>
public sealed class DeepSvddOptions
{
    /// <summary>Epochs of the second phase. Default <see cref="AnomalyDefaults.SvddEpochs"/>.</summary>
    public int Epochs { get; set; } = AnomalyDefaults.SvddEpochs;

    /// <summary>Adam's learning rate in the second phase. Default <see cref="AnomalyDefaults.SvddLearningRate"/>.</summary>
    public float LearningRate { get; set; } = AnomalyDefaults.SvddLearningRate;

    /// <summary>Weight decay λ (λ/2 · Σ w² is added to the objective); range [0, ∞). Default <see cref="AnomalyDefaults.SvddWeightDecay"/>.</summary>
    public float WeightDecay { get; set; } = AnomalyDefaults.SvddWeightDecay;

    /// <summary>Centre coordinates nearer 0 than this are pushed to ±this value; range [0, ∞). Default <see cref="AnomalyDefaults.SvddCentreMinimum"/>.</summary>
    public float CentreMinimum { get; set; } = AnomalyDefaults.SvddCentreMinimum;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Deep SVDD: Epochs must be at least 1.");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Deep SVDD: LearningRate must be positive.");
        if (!(WeightDecay >= 0 && float.IsFinite(WeightDecay))) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Deep SVDD: WeightDecay must be ≥ 0.");
        if (!(CentreMinimum >= 0 && float.IsFinite(CentreMinimum))) throw new ArgumentOutOfRangeException(nameof(CentreMinimum), CentreMinimum, "Deep SVDD: CentreMinimum must be ≥ 0.");
    }

    /// <summary>A copy.</summary>
    public DeepSvddOptions Clone() => (DeepSvddOptions)MemberwiseClone();
}

/// <summary>
/// Deep SVDD (one-class deep support vector data description): a network φ without biases is pretrained as an
/// autoencoder, the centre c is the mean code of the training rows, and the encoder is then trained to minimise the
/// mean ‖φ(x) − c‖² over the training rows (plus weight decay); a row's score is ‖φ(x) − c‖². Every layer is bias-free
/// because a bias lets the network reach the minimum 0 trivially: zero weights and a last bias equal to c map every
/// input, normal or not, onto the centre. The decoder of the pretraining is kept in <see cref="Model"/> but not used by
/// the score.
/// </summary>
public sealed class DeepSvddScorer : IAnomalyScorer
{
    private DeepSvddScorer(AutoencoderModel model, float[] centre, TrainingHistory history, float[] trainingScores)
    {
        Network = model;
        Centre = centre;
        SvddHistory = history;
        TrainingScores = trainingScores;
    }

    /// <summary>The bias-free network: its encoder is φ after the second phase, its decoder the pretrained one.</summary>
    public AutoencoderModel Network { get; }

    /// <inheritdoc />
    public IAutoencoder Model => Network;

    /// <summary>The centre c.</summary>
    public IReadOnlyList<float> Centre { get; }

    /// <summary>The second phase's losses per epoch (the pretraining's are in the model's history).</summary>
    public TrainingHistory SvddHistory { get; }

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>
    /// Pretrains the bias-free network <paramref name="network"/> describes (its loss, terms and optimiser) on
    /// <paramref name="trainingRows"/>, sets the centre, and trains the encoder towards it as <paramref name="svdd"/> says.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two rows, values that are not finite (or outside [0, 1] for the cross-entropy loss), or options naming modules of the user's own or another engine.</exception>
    public static DeepSvddScorer Fit(Matrix trainingRows, AutoencoderOptions network, DeepSvddOptions? svdd = null,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var s = (svdd ?? new DeepSvddOptions()).Clone();
        s.Validate();
        var (o, rng, encoder, decoder) = OwnNetwork.Build(trainingRows, network, "Deep SVDD");
        RemoveBiases(encoder);
        RemoveBiases(decoder);
        var history = AutoencoderTrainer.Train(o, encoder, decoder, MinibatchSource.InMemory(trainingRows, o.Minibatch), trainingRows.Cols, rng, progress, cancellationToken);
        var model = new AutoencoderModel(o, encoder, decoder, history);
        var centre = CentreOf(model.Encode(trainingRows), s.CentreMinimum);

        var ctx = o.CreateContext(rng.Fork(2));
        var optimizer = new Adam(encoder.Parameters, s.LearningRate);
        var settings = new MinibatchSettings(s.Epochs, o.BatchSize, 0, 0);
        Matrix? grad = null;
        var svddHistory = TrainingLoop.Run(MinibatchSource.InMemory(trainingRows, settings), settings, rng, encoder.Parameters, xb =>
        {
            double loss = AddGradients(encoder, xb, centre, s.WeightDecay, ctx, ref grad) * xb.Rows;
            optimizer.Step(ctx);
            return loss;
        }, _ => 0, progress, cancellationToken);
        return new DeepSvddScorer(model, centre, svddHistory, Score(model.Encode(trainingRows), centre));
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Score(Network.Encode(x), Centre);
    }

    private static float[] Score(Matrix codes, IReadOnlyList<float> centre)
    {
        var scores = new float[codes.Rows];
        for (int i = 0; i < codes.Rows; i++)
        {
            var z = codes.Row(i);
            double s = 0;
            for (int j = 0; j < z.Length; j++) { double d = z[j] - centre[j]; s += d * d; }
            scores[i] = (float)s;
        }
        return scores;
    }

    /// <summary>Sets every bias of <paramref name="network"/> to 0 and freezes it (no optimiser moves it).</summary>
    internal static void RemoveBiases(Network network)
    {
        foreach (var p in network.Parameters.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)))
        {
            p.Value.Span.Clear();
            p.Frozen = true;
        }
    }

    /// <summary>The mean of the codes, with coordinates nearer 0 than <paramref name="minimum"/> pushed to ±minimum (a coordinate at 0 would be reached by zero weights alone).</summary>
    internal static float[] CentreOf(Matrix codes, float minimum)
    {
        var c = new float[codes.Cols];
        for (int j = 0; j < codes.Cols; j++)
        {
            double s = 0;
            for (int i = 0; i < codes.Rows; i++) s += codes[i, j];
            float m = (float)(s / codes.Rows);
            c[j] = Math.Abs(m) < minimum ? (m < 0 ? -minimum : minimum) : m;
        }
        return c;
    }

    /// <summary>
    /// One step's gradient: runs <paramref name="encoder"/> on <paramref name="batch"/>, adds the gradient of
    /// J = mean_i ‖φ(x_i) − c‖² + λ/2 · Σ w² (weights that are not frozen) into the parameters' gradients, and returns J.
    /// </summary>
    internal static double AddGradients(Network encoder, Matrix batch, IReadOnlyList<float> centre, float weightDecay, NnContext ctx, ref Matrix? grad)
    {
        var z = encoder.Forward(batch, true, ctx);
        var g = Matrix.Ensure(ref grad, z.Rows, z.Cols);
        double loss = 0;
        float scale = 2f / z.Rows;
        for (int i = 0; i < z.Rows; i++)
        {
            var zi = z.Row(i);
            var gi = g.Row(i);
            for (int j = 0; j < zi.Length; j++)
            {
                float d = zi[j] - centre[j];
                loss += (double)d * d;
                gi[j] = scale * d;
            }
        }
        loss /= z.Rows;
        encoder.Backward(g, false, ctx);
        if (weightDecay > 0)
            foreach (var p in encoder.Parameters.Where(p => !p.Frozen))
            {
                var w = p.Value.Span;
                var gw = p.Grad.Span;
                double sq = 0;
                for (int k = 0; k < w.Length; k++) { sq += (double)w[k] * w[k]; gw[k] += weightDecay * w[k]; }
                loss += 0.5 * weightDecay * sq;
            }
        return loss;
    }
}
