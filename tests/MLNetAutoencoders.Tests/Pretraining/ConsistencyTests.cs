using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The consistency (FixMatch) mode of the encoder classifier: its pseudo-label term, its training, its errors. The rows are 4 × 6 images.</summary>
public class ConsistencyTests
{
    private const int Height = ImageHeight, Width = ImageWidth;

    private static EncoderClassifierOptions FixMatch(int epochs = 1, int seed = 3, float threshold = 0.5f)
    {
        var o = Options(EncoderTrainingMode.Consistency, epochs, seed);
        o.ConsistencyThreshold = threshold;
        o.ConsistencyWeight = 0.7f;
        o.WeakShift = 1;
        o.StrongShift = 2;
        o.CutoutSize = 2;
        o.AugmentationNoise = 0.1f;
        o.UnlabelledBatchSize = 8;
        return o;
    }

    /// <summary>
    /// A classifier 24 → 16 → 6 → scaler → 3 trained for one epoch, with random biases; a labelled batch (a weak view),
    /// weak and strong views of 12 unlabelled rows, and the term with τ in the widest gap between the weak views' top
    /// probabilities ranked 4th to 9th, so that some rows get a pseudo-label and some do not, and a small change of a
    /// weight moves none across τ.
    /// </summary>
    private static (Network Net, ConsistencyTerm Term, Matrix X, int[] Y, Matrix Weak, Matrix Strong, float Tau) Setup()
    {
        var (net, _, y, u, lx, weak, strong, images) = ConsistencySetup(FixMatch(), labelledView: true);
        var ctx = NnContext.Create(GemmKind.Managed, 1, 2);
        float tau = ThresholdBetweenTopProbabilities(net.Forward(weak, false, ctx));
        return (net, new ConsistencyTerm(net, u, images, FixMatch(threshold: tau), ctx), lx!, y, weak, strong, tau);
    }

    [Fact]
    public void Objective_GradientsMatchFiniteDifferences()
    {
        // Cross-entropy + L2 of the labelled view + λ × the pseudo-labelled strong views' cross-entropy, views fixed.
        var (net, term, x, y, weak, strong, _) = Setup();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var q in net.Parameters) q.Grad.Clear();
            return term.Loss(weak, strong, true) + EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, ctx, ref grad);
        }
        Assert.True(term.Loss(weak, strong, false) > 1e-3, "the pseudo-label term is not negligible");
        Assert.InRange(term.LastConfidentShare, 0.2, 0.8);
        Loss();
        var trained = net.Parameters.Where(q => !q.Frozen).ToList();
        var grads = trained.Select(q => q.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < trained.Count; i++) GradientCheck.Check(trained[i].Name, trained[i].Value.Data, grads[i], Loss);
    }

    [Fact]
    public void Term_CountsOnlyConfidentRows_AndVanishesAboveEveryPrediction()
    {
        var (net, term, _, _, weak, strong, tau) = Setup();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var q = Softmax.SoftmaxRows(net.Forward(weak, false, ctx).Clone());
        var p = Softmax.SoftmaxRows(net.Forward(strong, false, ctx).Clone());
        double expected = 0;
        var best = Softmax.ArgMaxRows(q);
        for (int i = 0; i < q.Rows; i++)
            if (q[i, best[i]] >= tau) expected -= Math.Log(p[i, best[i]]);
        Assert.Equal(0.7 * expected / q.Rows, term.Loss(weak, strong, false), 5);
        var none = new ConsistencyTerm(net, weak, ImageAugmentation.Create(Height, Width, Dim), FixMatch(threshold: 1f), ctx);
        Assert.Equal(0, none.Loss(weak, strong, true));
        Assert.All(net.Parameters, w => Assert.All(w.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void Loss_MatchesPyTorch_FromTheSameWeightsAndViews()
    {
        var (net, term, x, y, weak, strong, tau) = Setup();
        double unlabelled = term.Loss(weak, strong, false);
        Matrix? grad = null;
        double supervised = EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, NnContext.Create(GemmKind.Managed, 1, 1), ref grad);

        var dense = net.DenseLayers.ToList();
        string layers = string.Join(";", dense.Select(l => FormattableString.Invariant($"{l.InputSize},{l.OutputSize},{l.Activation},{(l.Weight.Frozen ? 0 : 1)}")));
        var values = PyTorchObjective.Evaluate("fixmatch_loss.py", [x, weak, strong], dense,
            layers, string.Join(",", y), FormattableString.Invariant($"{x.Rows},{weak.Rows},{x.Cols}"), FormattableString.Invariant($"{tau:R}"), "0.7", "0.05");
        PyTorchObjective.AssertClose(unlabelled, values[0], "pseudo-label term");
        PyTorchObjective.AssertClose(supervised + unlabelled, values[1], "objective");
    }

    private static EncoderClassifierOptions Settings(EncoderTrainingMode mode, float weight, int weakShift)
    {
        var o = FixMatch(epochs: 8, threshold: 0.6f);
        o.Mode = mode;
        o.ConsistencyWeight = weight;
        o.WeakShift = weakShift;
        o.HorizontalFlip = weakShift > 0;
        o.DropoutRate = 0.2f;
        return o;
    }

    [Fact]
    public void WeightZeroWithoutWeakAugmentation_IsBitForBitThePlainFineTune_AndTheModeIsReproducible()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(200, 2);
        var ae = Autoencoder(u);
        var fine = EncoderClassifierTrainer.Fit(ae, x, y, Settings(EncoderTrainingMode.FineTune, 0, 0), Classes);
        var zero = EncoderClassifierTrainer.FitConsistency(ae.CodePath, x, y, u, Height, Width, Settings(EncoderTrainingMode.Consistency, 0, 0), Classes);
        Assert.Equal(Weights(fine), Weights(zero));
        var some = EncoderClassifierTrainer.FitConsistency(ae.CodePath, x, y, u, Height, Width, Settings(EncoderTrainingMode.Consistency, 1, 1), Classes);
        var augmentedOnly = EncoderClassifierTrainer.FitConsistency(ae.CodePath, x, y, u, Height, Width, Settings(EncoderTrainingMode.Consistency, 0, 1), Classes);
        Assert.NotEqual(Weights(fine), Weights(augmentedOnly));
        Assert.NotEqual(Weights(augmentedOnly), Weights(some));
        Assert.Equal(Weights(some), Weights(EncoderClassifierTrainer.FitConsistency(ae.CodePath, x, y, u, Height, Width, Settings(EncoderTrainingMode.Consistency, 1, 1), Classes)));
    }

    [Fact]
    public void BadInput_GetsNamedErrors()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        var layers = Autoencoder(u).CodePath;
        var o = FixMatch();
        Assert.Contains("needs unlabelled images", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, new Matrix(0, Dim), Height, Width, o)).Message);
        Assert.Contains("have 5 columns", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, new Matrix(4, 5), Height, Width, o)).Message);
        Assert.Contains("not images of 5 × 6", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, u, 5, Width, o)).Message);
        Assert.Contains("consistency mode", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, Options(EncoderTrainingMode.FineTune))).Message);
        Assert.Contains("FitConsistency", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(layers, x, y, o)).Message);
        var nan = u.Clone();
        nan[3, 2] = float.NaN;
        Assert.Contains("unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, nan, Height, Width, o)).Message);
        foreach (var (name, change) in new (string, Action<EncoderClassifierOptions>)[]
                 {
                     ("ConsistencyThreshold", s => s.ConsistencyThreshold = 0), ("ConsistencyThreshold", s => s.ConsistencyThreshold = 1.5f),
                     ("ConsistencyWeight", s => s.ConsistencyWeight = float.NaN), ("WeakShift", s => s.WeakShift = -1), ("StrongShift", s => s.StrongShift = 65),
                     ("CutoutSize", s => s.CutoutSize = -2), ("AugmentationNoise", s => s.AugmentationNoise = -0.1f),
                     ("StrongRotation", s => s.StrongRotation = 181), ("StrongRotation", s => s.StrongRotation = float.NaN), ("StrongContrast", s => s.StrongContrast = 1.5f),
                 })
        {
            var bad = FixMatch();
            change(bad);
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, bad)).ParamName);
        }
    }
}
