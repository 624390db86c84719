using System.Numerics.Tensors;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// The unlabelled half of consistency training with pseudo-labels (FixMatch, Sohn et al. 2020): for each unlabelled
/// image, the classifier's prediction for a weakly augmented view, where its top probability reaches the threshold τ,
/// is a hard label for the cross-entropy of a strongly augmented view: λ × (1/M) Σ_j 1[max q_j ≥ τ] × −log p(ŷ_j | strong_j),
/// with q_j = p(·|weak_j) held constant. Both predictions run the network without dropout. The weak augmentation also
/// gives the labelled images' training views. All draws come from the context's generator. With a teacher decay d > 0
/// (Mean Teacher), q_j comes from a teacher network whose weights follow the exponential moving average of the
/// network's after each step (<see cref="UpdateTeacher"/>).
/// </summary>
internal sealed class ConsistencyTerm
{
    private readonly Network _net;
    private readonly ImageAugmentation _images;
    private readonly AugmentationStrength _weak, _strong;
    private readonly float _threshold, _weight;
    private readonly NnContext _ctx;
    private readonly UnlabelledBatches _batches;
    private readonly float _decay;
    private readonly (Parameter Student, Parameter Teacher)[] _pairs = [];
    private Matrix? _labelledView, _weakView, _strongView, _grad;

    public ConsistencyTerm(Network net, Matrix unlabelled, ImageAugmentation images, EncoderClassifierOptions o, NnContext ctx)
    {
        _net = net;
        _images = images;
        _weak = new AugmentationStrength(o.WeakShift, o.HorizontalFlip, 0, 0);
        _strong = new AugmentationStrength(o.StrongShift, o.HorizontalFlip, o.CutoutSize, o.AugmentationNoise, o.StrongRotation, o.StrongContrast);
        _threshold = o.ConsistencyThreshold;
        _weight = o.ConsistencyWeight;
        _ctx = ctx;
        _batches = new UnlabelledBatches(unlabelled, o.UnlabelledBatchSize, ctx.Rng);
        _decay = o.TeacherDecay;
        Teacher = net;
        if (_decay > 0)
        {
            var copies = net.Parameters.ToDictionary(p => p.Name, p => new Parameter(p.Name, p.Value.Rows, p.Value.Cols));
            foreach (var p in net.Parameters) p.Value.Span.CopyTo(copies[p.Name].Value.Span);
            Teacher = Network.FromSpecs(net.ToSpecs(), name => copies[name]);
            _pairs = net.Parameters.Select(p => (p, copies[p.Name])).ToArray();
        }
    }

    /// <summary>The network that gives the pseudo-labels: the classifier itself, or its moving-average teacher.</summary>
    public Network Teacher { get; }

    /// <summary>
    /// After an optimiser step: each teacher weight becomes d × itself + (1 − d) × the classifier's (frozen parameters,
    /// which the step left unchanged, are left as they are). Nothing without a teacher.
    /// </summary>
    public void UpdateTeacher()
    {
        foreach (var (student, teacher) in _pairs)
        {
            if (student.Frozen) continue;
            var t = teacher.Value.Span;
            TensorPrimitives.Multiply(t, _decay, t);
            TensorPrimitives.MultiplyAdd(student.Value.Span, 1 - _decay, t, t);
        }
    }

    /// <summary>Copies the teacher's weights into the classifier's (the fitted model is the teacher). Nothing without a teacher.</summary>
    public void CopyTeacherToNetwork()
    {
        foreach (var (student, teacher) in _pairs) teacher.Value.Span.CopyTo(student.Value.Span);
    }

    /// <summary>The share of the last unlabelled batch whose weak view was confident enough to get a pseudo-label.</summary>
    public double LastConfidentShare { get; private set; }

    /// <summary>A weakly augmented view of the labelled batch (a buffer reused by the next call).</summary>
    public Matrix LabelledView(Matrix x) => _images.Apply(x, _weak, _ctx.Rng, ref _labelledView);

    /// <summary>
    /// Takes the next unlabelled batch, draws its weak and strong views and adds the gradient of the term to the
    /// parameters' gradients, which must be zero on entry (as after an optimiser step); returns the term's value.
    /// </summary>
    public double AddGradients()
    {
        if (_weight == 0) return 0; // the labelled images alone: no unlabelled view is drawn or scored
        var u = _batches.Next();
        var weak = _images.Apply(u, _weak, _ctx.Rng, ref _weakView);
        var strong = _images.Apply(u, _strong, _ctx.Rng, ref _strongView);
        return Loss(weak, strong, true);
    }

    /// <summary>
    /// λ × (1/M) Σ_j 1[max q_j ≥ τ] × −log p(argmax q_j | strong_j) over the M rows of the given views, q_j = p(·|weak_j)
    /// held constant; with <paramref name="backward"/> its gradient is added to the parameters' gradients.
    /// </summary>
    internal double Loss(Matrix weak, Matrix strong, bool backward)
    {
        var q = Softmax.SoftmaxRows(Teacher.Forward(weak, false, _ctx).Clone());
        var best = Softmax.ArgMaxRows(q);
        var targets = new Matrix(q.Rows, q.Cols);
        int confident = 0;
        for (int i = 0; i < q.Rows; i++)
            if (q[i, best[i]] >= _threshold) { targets[i, best[i]] = 1f; confident++; }
        LastConfidentShare = (double)confident / q.Rows;
        var logits = _net.Forward(strong, false, _ctx);
        double scale = _weight / (double)q.Rows;
        // KL(onehot ‖ p) is the cross-entropy of the pseudo-label; a row without one has no target and no gradient.
        Matrix? g = backward ? Matrix.Ensure(ref _grad, logits.Rows, logits.Cols) : null;
        double loss = Softmax.KullbackLeibler(targets, logits, g, scale) * scale;
        if (!backward) return loss;
        for (int i = 0; i < q.Rows; i++)
            if (q[i, best[i]] < _threshold) g!.Row(i).Clear();
        _net.Backward(g!, false, _ctx);
        return loss;
    }
}
