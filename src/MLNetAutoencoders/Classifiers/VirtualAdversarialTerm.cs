using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// The unlabelled half of virtual adversarial training (Miyato et al. 2018): for each unlabelled row x, the direction
/// r in which a perturbation of length ε changes the classifier's prediction most (one power iteration from a random
/// direction), and the penalty α × KL(p(·|x) ‖ p(·|x + r)), the batch mean, with p(·|x) and r held constant. Both
/// predictions run the network without dropout.
/// </summary>
internal sealed class VirtualAdversarialTerm
{
    private readonly Network _net;
    private readonly float _weight, _epsilon, _xi;
    private readonly NnContext _ctx;
    private readonly UnlabelledBatches _batches;
    private Matrix? _probe, _grad, _perturbed;

    public VirtualAdversarialTerm(Network net, Matrix unlabelled, EncoderClassifierOptions o, NnContext ctx)
    {
        _net = net;
        _weight = o.VatWeight;
        _epsilon = o.VatEpsilon;
        _xi = o.VatXi;
        _ctx = ctx;
        _batches = new UnlabelledBatches(unlabelled, o.UnlabelledBatchSize, ctx.Rng);
    }

    /// <summary>The next unlabelled batch.</summary>
    public Matrix NextBatch() => _batches.Next();

    /// <summary>
    /// Adds the gradient of α × the batch-mean KL at the virtual adversarial perturbation of <paramref name="x"/> to the
    /// parameters' gradients, which must be zero on entry (as after an optimiser step); returns that α × mean KL.
    /// </summary>
    public double AddGradients(Matrix x)
    {
        var p = Predictions(x);
        var direction = new Matrix(x.Rows, x.Cols);
        _ctx.Rng.FillGaussian(direction.Span);
        var r = Perturbation(x, p, direction);
        return Penalty(x, r, p, true);
    }

    /// <summary>The class probabilities p(·|x) without dropout (a new matrix).</summary>
    internal Matrix Predictions(Matrix x) => Softmax.SoftmaxRows(_net.Forward(x, false, _ctx).Clone());

    /// <summary>
    /// r = ε g / ‖g‖ per row, g = ∇_r KL(p ‖ p(·|x + r)) at r = ξ d / ‖d‖ (d: <paramref name="direction"/>, one row per
    /// row of x). The parameters' gradients are left as they were found.
    /// </summary>
    internal Matrix Perturbation(Matrix x, Matrix p, Matrix direction)
    {
        var probe = Matrix.Ensure(ref _probe, x.Rows, x.Cols);
        ScaleRows(direction, _xi, probe);
        TensorPrimitives.Add(probe.Span, x.Span, probe.Span);
        var logits = _net.Forward(probe, false, _ctx);
        var g = Matrix.Ensure(ref _grad, logits.Rows, logits.Cols);
        Softmax.KullbackLeibler(p, logits, g);
        var dx = _net.Backward(g, true, _ctx)!;
        foreach (var parameter in _net.Parameters) parameter.Grad.Span.Clear();
        var r = new Matrix(x.Rows, x.Cols);
        ScaleRows(dx, _epsilon, r);
        return r;
    }

    /// <summary>α × the batch mean of KL(p ‖ p(·|x + r)); with <paramref name="backward"/> its gradient is added to the parameters' gradients.</summary>
    internal double Penalty(Matrix x, Matrix r, Matrix p, bool backward)
    {
        var perturbed = Matrix.Ensure(ref _perturbed, x.Rows, x.Cols);
        TensorPrimitives.Add(x.Span, r.Span, perturbed.Span);
        var logits = _net.Forward(perturbed, false, _ctx);
        double scale = _weight / (double)x.Rows;
        Matrix? g = backward ? Matrix.Ensure(ref _grad, logits.Rows, logits.Cols) : null;
        double kl = Softmax.KullbackLeibler(p, logits, g, scale);
        if (backward) _net.Backward(g!, false, _ctx);
        return kl * scale;
    }

    /// <summary>Each row of <paramref name="v"/> scaled to length <paramref name="length"/> into <paramref name="into"/> (a zero row stays zero).</summary>
    private static void ScaleRows(Matrix v, float length, Matrix into)
    {
        for (int i = 0; i < v.Rows; i++)
        {
            var row = v.Row(i);
            double norm = Math.Sqrt(TensorPrimitives.Dot(row, row));
            TensorPrimitives.Multiply(row, norm > 0 ? (float)(length / norm) : 0f, into.Row(i));
        }
    }
}
