using System.Diagnostics;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>One finished epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs requested.</param>
/// <param name="TrainLoss">Mean training loss per sample over the epoch (penalties included).</param>
/// <param name="ValidationLoss">Mean validation loss per sample (clean input, no penalties), when a validation split is used.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch (validation included).</param>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, double Seconds);

/// <summary>What happened during training.</summary>
public sealed class TrainingHistory
{
    /// <summary>One entry per epoch run.</summary>
    public List<EpochReport> Epochs { get; init; } = new();

    /// <summary>The epoch whose parameters were kept (the best validation loss, or the last epoch).</summary>
    public int BestEpoch { get; set; }

    /// <summary>True when early stopping ended training before the requested epochs.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>The engine that trained the model (<c>managed</c> or <c>torchsharp</c>; see <c>TrainingEngine</c>).</summary>
    public string Engine { get; set; } = "managed";

    /// <summary>Total training seconds.</summary>
    public double TotalSeconds => Epochs.Sum(e => e.Seconds);
}

/// <summary>Thrown when the training loss becomes NaN or infinite.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingDivergedException(string message) : base(message) { }
}

/// <summary>Minibatch settings shared by every trainer.</summary>
public sealed record MinibatchSettings(int Epochs, int BatchSize, double ValidationFraction, int Patience)
{
    /// <summary>Throws naming the option that is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "EarlyStoppingPatience must be ≥ 0 (0 turns early stopping off).");
    }
}

/// <summary>
/// The epoch/minibatch loop every trainer uses: minibatches from an <see cref="IMinibatchSource{TBatch}"/> (rows in
/// memory, reshuffled every epoch, or streamed through a shuffle buffer), divergence checks, early stopping on
/// validation loss with the best parameters restored, progress and cancellation.
/// </summary>
public static class TrainingLoop
{
    /// <summary>
    /// Runs training on the row indices 0 … <paramref name="rowCount"/>−1 (<see cref="MinibatchSource.Indices"/>).
    /// <paramref name="trainBatch"/> performs one optimisation step on the given rows and returns the loss summed over
    /// them; <paramref name="validationLoss"/> returns the summed loss of the given rows without training.
    /// </summary>
    public static TrainingHistory Run(int rowCount, MinibatchSettings settings, Rng rng, IReadOnlyList<Parameter> parameters,
        Func<int[], double> trainBatch, Func<int[], double> validationLoss,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, Action? epochEnd = null)
        => Run(MinibatchSource.Indices(rowCount, settings), settings, rng, parameters, trainBatch, validationLoss, progress, cancellationToken, epochEnd);

    /// <summary>
    /// Runs training on the minibatches of <paramref name="source"/> (which applies the batch size and validation split
    /// of <paramref name="settings"/>; the loop uses its epochs and patience). <paramref name="trainBatch"/> performs one
    /// optimisation step and returns the loss summed over the batch's rows; <paramref name="validationLoss"/> returns
    /// the summed loss of held-out rows without training. <paramref name="rng"/> drives the source's split and shuffles.
    /// <paramref name="epochEnd"/>, when given, runs after each epoch's last batch, before validation (an engine that
    /// trains copies of <paramref name="parameters"/> writes them back there).
    /// </summary>
    public static TrainingHistory Run<TBatch>(IMinibatchSource<TBatch> source, MinibatchSettings settings, Rng rng, IReadOnlyList<Parameter> parameters,
        Func<TBatch, double> trainBatch, Func<TBatch, double> validationLoss,
        IProgress<EpochReport>? progress, CancellationToken cancellationToken, Action? epochEnd = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        settings.Validate();
        var history = new TrainingHistory();
        double best = double.PositiveInfinity;
        int bestEpoch = 0;
        Matrix[]? bestParams = null;

        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var sw = Stopwatch.StartNew();
            double total = 0;
            long trainRows = 0;
            int b = 0;
            foreach (var batch in source.TrainingBatches(epoch, rng, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                b++;
                double loss = trainBatch(batch);
                if (!double.IsFinite(loss))
                    throw new TrainingDivergedException($"Training diverged: the loss became {loss} at epoch {epoch}, batch {b}{(source.BatchesPerEpoch is int n ? $" of {n}" : "")}. Lower the learning rate or check the data's scale.");
                total += loss;
                trainRows += source.RowCount(batch);
            }
            epochEnd?.Invoke();
            double? vLoss = null;
            long valRows = 0;
            double v = 0;
            foreach (var batch in source.ValidationBatches(cancellationToken))
            {
                v += validationLoss(batch);
                valRows += source.RowCount(batch);
            }
            if (valRows > 0) vLoss = v / valRows;
            var report = new EpochReport(epoch, settings.Epochs, total / trainRows, vLoss, sw.Elapsed.TotalSeconds);
            history.Epochs.Add(report);
            progress?.Report(report);
            if (vLoss is double vl && settings.Patience > 0)
            {
                if (vl < best)
                {
                    best = vl;
                    bestEpoch = epoch;
                    bestParams = Snapshot(parameters, bestParams);
                }
                else if (epoch - bestEpoch >= settings.Patience)
                {
                    history.StoppedEarly = epoch < settings.Epochs;
                    break;
                }
            }
            else bestEpoch = epoch;
        }
        history.BestEpoch = bestEpoch;
        if (bestParams != null && bestEpoch != history.Epochs.Count)
            for (int i = 0; i < parameters.Count; i++) bestParams[i].Span.CopyTo(parameters[i].Value.Span);
        return history;
    }

    private static Matrix[] Snapshot(IReadOnlyList<Parameter> ps, Matrix[]? into)
    {
        into ??= ps.Select(p => new Matrix(p.Value.Rows, p.Value.Cols)).ToArray();
        for (int i = 0; i < ps.Count; i++) ps[i].Value.Span.CopyTo(into[i].Span);
        return into;
    }
}
