using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>
/// Consistency training with a moving-average teacher (<see cref="EncoderClassifierOptions.TeacherDecay"/>): the teacher's
/// update, its pseudo-labels, the objective's gradient with the teacher held fixed, training, errors. The rows are 4 × 6 images.
/// </summary>
public class MeanTeacherTests
{
    private const int Height = ImageHeight, Width = ImageWidth;

    private static EncoderClassifierOptions Teacher(float decay, int epochs = 8, float threshold = 0.6f)
    {
        var o = Options(EncoderTrainingMode.Consistency, epochs);
        o.ConsistencyThreshold = threshold;
        o.ConsistencyWeight = 0.7f;
        o.WeakShift = 1;
        o.CutoutSize = 2;
        o.UnlabelledBatchSize = 8;
        o.DropoutRate = 0.2f;
        o.TeacherDecay = decay;
        return o;
    }

    /// <summary>A trained classifier 24 → 16 → 6 → scaler → 3 with random biases, the scaler frozen; weak and strong views of 12 unlabelled rows.</summary>
    private static (Network Net, Matrix U, Matrix Weak, Matrix Strong, ImageAugmentation Images) Setup()
    {
        var (net, _, _, u, _, weak, strong, images) = ConsistencySetup(Teacher(0, epochs: 1), labelledView: false);
        return (net, u, weak, strong, images);
    }

    /// <summary>Moves every trained weight of <paramref name="net"/> by a random amount (as an optimiser step would).</summary>
    private static void Step(Network net, Rng rng)
    {
        foreach (var p in net.Parameters.Where(p => !p.Frozen))
        {
            var v = p.Value.Span;
            for (int i = 0; i < v.Length; i++) v[i] += 0.4f * ((float)rng.NextDouble() - 0.5f);
        }
    }

    [Fact]
    public void Teacher_StartsAsTheNetwork_FollowsItsMovingAverage_AndIsCopiedBack()
    {
        var (net, u, _, _, images) = Setup();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var term = new ConsistencyTerm(net, u, images, Teacher(0.75f), ctx);
        Assert.NotSame(net, term.Teacher);
        var student = net.Parameters.ToList();
        var teacher = term.Teacher.Parameters.ToList();
        Assert.Equal(student.Select(p => p.Name), teacher.Select(p => p.Name));
        Assert.All(student.Zip(teacher), pair => Assert.NotSame(pair.First, pair.Second));
        Assert.Equal(student.Select(p => p.Value.Span.ToArray()), teacher.Select(p => p.Value.Span.ToArray()));

        var before = teacher.Select(p => p.Value.Span.ToArray()).ToList();
        Step(net, new Rng(9));
        term.UpdateTeacher();
        for (int i = 0; i < student.Count; i++)
        {
            var s = student[i].Value.Span.ToArray();
            var t = teacher[i].Value.Span.ToArray();
            if (student[i].Frozen) Assert.Equal(before[i], t);
            else for (int j = 0; j < t.Length; j++) Assert.Equal(0.75 * before[i][j] + 0.25 * s[j], t[j], 1e-6);
        }
        Assert.Contains(student, p => !p.Frozen && !p.Value.Span.SequenceEqual(teacher[student.IndexOf(p)].Value.Span));

        term.CopyTeacherToNetwork();
        Assert.Equal(teacher.Select(p => p.Value.Span.ToArray()), student.Select(p => p.Value.Span.ToArray()));
    }

    [Fact]
    public void PseudoLabelsComeFromTheTeacher_AndTheGradientReachesOnlyTheNetwork()
    {
        var (net, u, weak, strong, images) = Setup();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 2);
        var probe = new ConsistencyTerm(net, u, images, Teacher(0.5f), ctx);
        Step(net, new Rng(11)); // the network moves away from its teacher, which stays where it started
        var logits = probe.Teacher.Forward(weak, false, ctx).Clone();
        var q = Softmax.SoftmaxRows(logits.Clone());
        float tau = ThresholdBetweenTopProbabilities(logits);
        var term = new ConsistencyTerm(net, u, images, Teacher(0.5f, threshold: tau), ctx);
        var startWeights = probe.Teacher.Parameters.Select(p => p.Value.Span.ToArray()).ToList();
        for (int i = 0; i < startWeights.Count; i++) startWeights[i].CopyTo(term.Teacher.Parameters[i].Value.Span);

        var p = Softmax.SoftmaxRows(net.Forward(strong, false, ctx).Clone());
        var best = Softmax.ArgMaxRows(q);
        double expected = 0;
        for (int i = 0; i < q.Rows; i++)
            if (q[i, best[i]] >= tau) expected -= Math.Log(p[i, best[i]]);
        Assert.Equal(0.7 * expected / q.Rows, term.Loss(weak, strong, false), 5);
        Assert.InRange(term.LastConfidentShare, 0.2, 0.8);
        var own = Softmax.ArgMaxRows(Softmax.SoftmaxRows(net.Forward(weak, false, ctx).Clone()));
        Assert.NotEqual(best, own); // the network alone would have given other pseudo-labels

        double Loss()
        {
            foreach (var w in net.Parameters.Concat(term.Teacher.Parameters)) w.Grad.Clear();
            return term.Loss(weak, strong, true);
        }
        Loss();
        Assert.All(term.Teacher.Parameters, w => Assert.All(w.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
        var trained = net.Parameters.Where(w => !w.Frozen).ToList();
        var grads = trained.Select(w => w.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < trained.Count; i++) GradientCheck.Check(trained[i].Name, trained[i].Value.Data, grads[i], Loss);
    }

    [Fact]
    public void ATeacherThatKeepsNothingOfItsPast_IsBitForBitPlainConsistency_AndATeacherIsReproducible()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(200, 2);
        var layers = Autoencoder(u).CodePath;
        EncoderClassifier Fit(float decay) => EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, Teacher(decay), Classes);
        // With d = 1e-30 each update sets the teacher to the network (1 − d rounds to 1), so the network labels itself.
        Assert.Equal(Weights(Fit(0)), Weights(Fit(1e-30f)));
        var averaged = Fit(0.9f);
        Assert.NotEqual(Weights(Fit(0)), Weights(averaged));
        Assert.Equal(Weights(averaged), Weights(Fit(0.9f)));
    }

    [Fact]
    public void EarlyStopping_KeepsTheTeacherOfTheBestEpoch()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(200, 2);
        var layers = Autoencoder(u).CodePath;
        var o = Teacher(0.9f, epochs: 40);
        o.ValidationFraction = 0.25;
        o.EarlyStoppingPatience = 3;
        o.LearningRate = 1e-2f;
        var stopped = EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, o, Classes);
        int best = stopped.History.BestEpoch;
        Assert.True(best < stopped.History.Epochs.Count, "training should have gone on past its best epoch");
        Assert.Equal(stopped.History.Epochs.Min(e => e.ValidationLoss!.Value), stopped.History.Epochs[best - 1].ValidationLoss!.Value);
        // The same training cut at the best epoch, without early stopping: its teacher is the model kept above.
        o.EarlyStoppingPatience = 0;
        o.Epochs = best;
        Assert.Equal(Weights(EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, o, Classes)), Weights(stopped));
    }

    [Fact]
    public void BadDecay_GetsANamedError()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        var layers = Autoencoder(u).CodePath;
        foreach (float decay in new[] { -0.1f, 1f, 1.5f, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitConsistency(layers, x, y, u, Height, Width, Teacher(decay)));
            Assert.Equal("TeacherDecay", e.ParamName);
            Assert.Contains("[0, 1)", e.Message);
        }
    }
}
