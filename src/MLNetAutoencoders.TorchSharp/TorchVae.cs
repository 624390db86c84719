using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>
/// The VAE's objective in LibTorch over the library's networks: per batch Σ −log p(x|z) + β·KL(N(μ, σ²) ‖ N(0, I)) with
/// z = μ + σ ⊙ ε, ε drawn from the seeded generator (one draw per sample, for training and validation batches alike),
/// differentiated as its batch mean, as <c>VaeTrainer</c> does.
/// </summary>
internal sealed class TorchVae : IDisposable
{
    private readonly VaeOptions _o;
    private readonly VaeNetwork _net;
    private readonly TorchParameters _p;

    public TorchVae(VaeOptions options, VaeNetwork network)
    {
        _o = options;
        _net = network;
        _p = new TorchParameters(network.Parameters);
    }

    public TorchParameters Parameters => _p;

    public TrainingHistory Train(IMinibatchSource<Matrix> source, Rng rng, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        torch.set_num_threads(_o.Threads);
        // Only the context's generator is used here (noise, masks, probes, ε): a managed GEMM keeps OpenBLAS and its
        // threads out of the process that LibTorch runs in.
        var ctx = new NnContext(new ManagedGemm(), rng.Fork(1));
        _p.CreateOptimizer(_o.Optimizer, _o.LearningRate, _o.Momentum);
        Matrix? eps = null;

        double Batch(Matrix xb, bool train)
        {
            var e = Matrix.Ensure(ref eps, xb.Rows, _o.LatentSize);
            ctx.Rng.FillGaussian(e.Span);
            using var scope = torch.NewDisposeScope();
            if (!train)
            {
                using var noGrad = torch.no_grad();
                return Objective(xb, e).to_type(ScalarType.Float64).item<double>();
            }
            double loss = LossAndGradients(xb, e);
            _p.Step();
            return loss;
        }

        return TrainingLoop.Run(source, _o.Minibatch, rng, _p.Parameters, xb => Batch(xb, true), xb => Batch(xb, false),
            progress, cancellationToken, _p.Store);
    }

    /// <summary>The objective summed over the batch, with the gradient of its batch mean left in the tensors' gradients.</summary>
    internal double LossAndGradients(Matrix xb, Matrix eps)
    {
        var total = Objective(xb, eps);
        (total / xb.Rows).backward();
        return total.item<float>();
    }

    private Tensor Objective(Matrix xb, Matrix eps)
    {
        var x = TorchLayers.Input(xb);
        var h = TorchLayers.Forward(_net.Encoder, _p, x, null);
        var mu = TorchLayers.Dense(_net.Mean, _p, h);
        var logVar = TorchLayers.Dense(_net.LogVariance, _p, h);
        var z = mu + torch.exp(0.5f * logVar) * TorchLayers.Input(eps);
        var output = TorchLayers.Forward(_net.Decoder, _p, z, null);
        Tensor reconstruction;
        if (_net.Likelihood == VaeLikelihood.Bernoulli) reconstruction = TorchLayers.Loss(LossKind.CrossEntropy, output, x);
        else
        {
            double sigma2 = (double)_net.Sigma * _net.Sigma;
            reconstruction = TorchLayers.Loss(LossKind.SquaredError, output, x) / (float)sigma2
                + (float)(xb.Rows * 0.5 * xb.Cols * Math.Log(2 * Math.PI * sigma2));
        }
        var kl = 0.5f * (mu.pow(2) + logVar.exp() - 1 - logVar).sum();
        return reconstruction + _o.Beta * kl;
    }

    public void Dispose() => _p.Dispose();
}
