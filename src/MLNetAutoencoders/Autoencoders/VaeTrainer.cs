using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// Trains a <see cref="VaeModel"/>: minibatch gradient descent on the batch mean of −log p(x|z) + β·KL with one
/// reparameterised draw z = μ + σ ⊙ ε per sample (ε from the seeded generator). The validation loss is the same
/// objective (one draw), without updates.
/// </summary>
public sealed class VaeTrainer
{
    /// <summary>Creates a trainer; the options are validated and copied.</summary>
    public VaeTrainer(VaeOptions? options = null)
    {
        Options = (options ?? new VaeOptions()).Clone();
        Options.Validate();
    }

    /// <summary>The options used.</summary>
    public VaeOptions Options { get; }

    /// <summary>
    /// Fits the VAE on the rows of <paramref name="data"/> (one sample a row; values in [0, 1] for the Bernoulli
    /// likelihood). Reports each epoch to <paramref name="progress"/>; honours <paramref name="cancellationToken"/>.
    /// </summary>
    public VaeModel Fit(Matrix data, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        AutoencoderTrainer.ValidateData(data, Options.Likelihood == VaeLikelihood.Bernoulli ? LossKind.CrossEntropy : LossKind.SquaredError);
        return Fit(data.Cols, MinibatchSource.InMemory(data, Options.Minibatch), progress, cancellationToken);
    }

    /// <summary>
    /// Fits the VAE on rows read pass after pass from <paramref name="rows"/>, shuffled through a buffer of
    /// <see cref="NetworkOptions.ShuffleBufferRows"/> rows (memory does not grow with the number of rows); the stream
    /// checks the values.
    /// </summary>
    public VaeModel Fit(IRowStream rows, IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return Fit(rows.Width, MinibatchSource.Streaming(rows, Options.Minibatch, Options.ShuffleBufferRows), progress, cancellationToken);
    }

    private VaeModel Fit(int inputSize, IMinibatchSource<Matrix> source, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var o = Options;
        var rng = new Rng(o.Seed);
        var net = VaeNetwork.Build(o, inputSize, rng);
        var history = o.Engine.TrainVae(o, net, source, rng, progress, cancellationToken);
        history.Engine = o.Engine.Name;
        return new VaeModel(o, net, history);
    }

    /// <summary>The managed engine's training of the VAE's networks.</summary>
    internal static TrainingHistory TrainManaged(VaeOptions o, VaeNetwork net, IMinibatchSource<Matrix> source, Rng rng, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        var ctx = o.CreateContext(rng.Fork(1));
        var parameters = net.Parameters;
        var optimizer = Optimizer.Create(o.Optimizer, parameters, o.LearningRate, o.Momentum);
        Matrix? eps = null;

        double Batch(Matrix xb, bool train)
        {
            var e = Matrix.Ensure(ref eps, xb.Rows, o.LatentSize);
            ctx.Rng.FillGaussian(e.Span);
            var (rec, kl) = net.Loss(xb, e, o.Beta, train, ctx);
            if (train) optimizer.Step(ctx);
            return rec + o.Beta * kl;
        }

        return TrainingLoop.Run(source, o.Minibatch, rng, parameters, xb => Batch(xb, true), xb => Batch(xb, false), progress, cancellationToken);
    }
}
