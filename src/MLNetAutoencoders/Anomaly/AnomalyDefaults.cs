using MLNetAutoencoders.Autoencoders;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// The one source of the anomaly detectors' defaults: the code-space scorers' settings and the rule that adapts the
/// network's size and training length to the rows given (<see cref="AdaptToRows"/>), so that a small table gets
/// enough optimizer steps and no layer wider than its input.
/// </summary>
public static class AnomalyDefaults
{
    /// <summary>Neighbours of the k-nearest-neighbour code score: 5.</summary>
    public const int Neighbours = 5;

    /// <summary>Shrinkage of the codes' covariance towards its diagonal in the Gaussian score: 0.1.</summary>
    public const double CovarianceShrinkage = 0.1;

    /// <summary>Epochs of Deep SVDD's second phase, the encoder pulled to the centre: 20.</summary>
    public const int SvddEpochs = 20;

    /// <summary>Adam's learning rate in Deep SVDD's second phase: 1e-4.</summary>
    public const float SvddLearningRate = 1e-4f;

    /// <summary>Weight decay λ of Deep SVDD's second phase (λ/2 · Σ w² added to the objective): 1e-6.</summary>
    public const float SvddWeightDecay = 1e-6f;

    /// <summary>Deep SVDD's centre coordinates nearer 0 than this are pushed to ±this value: 0.1.</summary>
    public const float SvddCentreMinimum = 0.1f;

    /// <summary>Hidden ReLU widths of the transformation-prediction classifier: 256, 128.</summary>
    public static IReadOnlyList<int> TransformationHiddenSizes => [256, 128];

    /// <summary>Epochs of the transformation-prediction classifier (passes over every image under every transformation): 10.</summary>
    public const int TransformationEpochs = 10;

    /// <summary>Shift in pixels that the transformation-prediction classifier's transformations add to the right angles: 0 (none, the eight right-angle rotations and flips alone).</summary>
    public const int TransformationShift = 0;

    /// <summary>Batch size of the transformation-prediction classifier: 256.</summary>
    public const int TransformationBatchSize = 256;

    /// <summary>Adam's learning rate for the transformation-prediction classifier: 1e-3.</summary>
    public const float TransformationLearningRate = 1e-3f;

    /// <summary>Members of an ensemble when it is asked for without a size: 5.</summary>
    public const int EnsembleSize = 5;

    /// <summary>The batch is at most this share of the training rows (at least <see cref="MinBatchSize"/> rows): 1/8.</summary>
    public const double BatchShare = 1.0 / 8;

    /// <summary>The smallest batch the adaptation chooses: 8.</summary>
    public const int MinBatchSize = 8;

    /// <summary>Training is lengthened to at least this many optimizer steps, within <see cref="RowVisitBudget"/>: 1 000.</summary>
    public const int MinSteps = 1000;

    /// <summary>Extra epochs are added only while epochs × rows stays within this many row visits: 100 000 (so large sets keep their epochs).</summary>
    public const int RowVisitBudget = 100_000;

    /// <summary>
    /// The options adapted to <paramref name="rows"/> training rows of <paramref name="inputSize"/> values (a copy; the
    /// given options are not changed): hidden widths and code no wider than the input; the batch no larger than
    /// <see cref="BatchShare"/> of the rows (at least <see cref="MinBatchSize"/>); epochs raised until training makes
    /// <see cref="MinSteps"/> optimizer steps, as long as epochs × rows stays within <see cref="RowVisitBudget"/>.
    /// A convolutional network's widths are its channels and are left as they are.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="inputSize"/> below 1.</exception>
    public static AutoencoderOptions AdaptToRows(AutoencoderOptions options, int rows, int inputSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        var o = options.Clone();
        if (o.Conv is null)
        {
            o.HiddenSizes = o.HiddenSizes.Select(h => Math.Min(h, inputSize)).ToArray();
            o.CodeSize = Math.Min(o.CodeSize, inputSize);
        }
        o.BatchSize = Math.Min(o.BatchSize, Math.Max(MinBatchSize, (int)Math.Ceiling(rows * BatchShare)));
        int stepsPerEpoch = (rows + o.BatchSize - 1) / o.BatchSize;
        int wanted = (MinSteps + stepsPerEpoch - 1) / stepsPerEpoch;
        int affordable = Math.Max(o.Epochs, RowVisitBudget / rows);
        o.Epochs = Math.Max(o.Epochs, Math.Min(wanted, affordable));
        return o;
    }
}
