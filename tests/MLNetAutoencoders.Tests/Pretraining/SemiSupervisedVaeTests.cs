using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The semi-supervised VAE (M1+M2) mode of the encoder classifier: its objective, its gradients, its training.</summary>
public class SemiSupervisedVaeTests
{
    private static EncoderClassifierOptions M2(int epochs = 1, float weight = 1f)
    {
        var o = Options(EncoderTrainingMode.SemiSupervisedVae, epochs);
        o.M2Weight = weight;
        o.M2HiddenSize = 7;
        o.M2LatentSize = 3;
        o.UnlabelledBatchSize = 6;
        o.HeadHiddenSizes = [5];
        return o;
    }

    private static VaeModel M1(Matrix x) => new VaeTrainer(new VaeOptions
    {
        HiddenSizes = [16], LatentSize = 4, Epochs = 10, BatchSize = 32, LearningRate = 3e-3f, Seed = 1, Gemm = GemmKind.Managed,
    }).Fit(x);

    /// <summary>A one-epoch M1+M2 classifier with random head biases, a fresh M2 term beside it, the features and noise of one batch.</summary>
    private static (Network Net, SemiSupervisedVaeTerm Term, Matrix X, int[] Y, Matrix S, Matrix U, Matrix El, Matrix Eu) Setup()
    {
        var (x, y) = Manifold(9, 2);
        var (u, _) = Manifold(5, 4);
        var o = M2();
        var model = EncoderClassifierTrainer.FitSemiSupervisedVae(M1(u), x, y, u, o, Classes);
        var net = model.Network;
        int featureLayers = model.EncoderLayerCount + 1;
        var features = new Network(net.Layers.Take(featureLayers));
        foreach (var p in features.Parameters) p.Frozen = true; // as in training: M1 and the code scaler stay fixed
        var term = new SemiSupervisedVaeTerm(features, new Network(net.Layers.Skip(featureLayers)), u, Classes, o, new Rng(7), NnContext.Create(GemmKind.Managed, 1, 2));
        var rng = new Rng(5);
        foreach (var d in net.DenseLayers.Skip(featureLayers).Concat(term.Networks.SelectMany(n => n.DenseLayers))) rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        // Two of the decoder's log-variances far below the floor, so that the floor is part of every check.
        var logVarianceBias = term.Networks[1].DenseLayers.Last().Bias.Value;
        logVarianceBias[0, features.OutputSize] = logVarianceBias[0, features.OutputSize + 1] = -10f;
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var s = features.Predict(x, ctx);
        var su = features.Predict(u, ctx);
        var el = new Matrix(x.Rows, o.M2LatentSize);
        var eu = new Matrix(u.Rows * Classes, o.M2LatentSize);
        rng.FillGaussian(el.Span);
        rng.FillGaussian(eu.Span);
        return (net, term, x, y, s, su, el, eu);
    }

    [Fact]
    public void Objective_GradientsMatchFiniteDifferences_OnEveryTrainedParameter()
    {
        // Cross-entropy + L2 of the labelled rows + β × M2's objective, with the noise held fixed.
        var (net, term, x, y, s, u, el, eu) = Setup();
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var trained = net.Parameters.Where(q => !q.Frozen).Concat(term.Parameters).ToList();
        Assert.Equal(4 + 8, trained.Count);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var q in trained) q.Grad.Clear();
            return term.Loss(s, y, u, el, eu, true) + EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, ctx, ref grad);
        }
        Loss();
        var grads = trained.Select(q => q.Grad.Span.ToArray()).ToList();
        Assert.All(grads, g => Assert.Contains(g, v => v != 0));
        var floored = term.Networks[1].DenseLayers.Last().Bias;
        Assert.Equal([0f, 0f], floored.Grad.Span.Slice(s.Cols, 2).ToArray()); // below the floor: no gradient
        for (int i = 0; i < trained.Count; i++) GradientCheck.Check(trained[i].Name, trained[i].Value.Data, grads[i], Loss, rtol: 3e-2, atol: 5e-3);
    }

    [Fact]
    public void Loss_MatchesPyTorch_FromTheSameWeightsFeaturesAndNoise()
    {
        var (net, term, x, y, s, u, el, eu) = Setup();
        double m2 = term.Loss(s, y, u, el, eu, false);
        Matrix? grad = null;
        double supervised = EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, NnContext.Create(GemmKind.Managed, 1, 1), ref grad);

        var head = net.DenseLayers.Where(d => !d.Weight.Frozen).ToList();
        var nets = new[] { head }.Concat(term.Networks.Select(n => n.DenseLayers.ToList())).ToList();
        string spec = string.Join("|", nets.Select(n => string.Join(";", n.Select(l => FormattableString.Invariant($"{l.InputSize},{l.OutputSize},{l.Activation}")))));
        var values = PyTorchObjective.Evaluate("m2_loss.py", [s, u, el, eu], nets.SelectMany(n => n),
            spec, string.Join(",", y), FormattableString.Invariant($"{x.Rows},{u.Rows},{s.Cols},{el.Cols},{Classes}"), "1", "0.05");
        PyTorchObjective.AssertClose(m2, values[0], "M2 term");
        PyTorchObjective.AssertClose(supervised + m2, values[1], "objective");
    }

    [Fact]
    public void WeightZero_IsBitForBitTheProbe_AndAPositiveWeightIsNotButRepeats()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(200, 2);
        var vae = M1(u);
        EncoderClassifierOptions Settings(EncoderTrainingMode mode, float weight)
        {
            var o = M2(epochs: 6, weight: weight);
            o.Mode = mode;
            return o;
        }
        var probe = EncoderClassifierTrainer.Fit(vae, x, y, Settings(EncoderTrainingMode.Probe, 0), Classes);
        var zero = EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, u, Settings(EncoderTrainingMode.SemiSupervisedVae, 0), Classes);
        var some = EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, u, Settings(EncoderTrainingMode.SemiSupervisedVae, 0.5f), Classes);
        var w = probe.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray();
        Assert.Equal(w, zero.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
        Assert.NotEqual(w, some.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
        // M1's encoder stays frozen: the copied weights are the VAE's mean path.
        Assert.Equal(vae.CodePath[0].Weight.Value.Span.ToArray(), some.EncoderLayers[0].Weight.Value.Span.ToArray());
        Assert.Equal(some.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray(),
            EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, u, Settings(EncoderTrainingMode.SemiSupervisedVae, 0.5f), Classes)
                .Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
    }

    [Fact]
    public void BadInput_GetsNamedErrors()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        var vae = M1(u);
        Assert.Contains("needs unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, new Matrix(0, Dim), M2())).Message);
        Assert.Contains("have 5 columns", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, new Matrix(4, 5), M2())).Message);
        Assert.Contains("needs a VAE as M1", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(Autoencoder(u), x, y, u, M2())).Message);
        Assert.Contains("M1+M2", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, u, Options(EncoderTrainingMode.FineTune))).Message);
        Assert.Contains("FitSemiSupervisedVae", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(vae, x, y, M2())).Message);
        var nan = u.Clone();
        nan[3, 2] = float.NaN;
        Assert.Contains("unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, nan, M2())).Message);
        var bad = (int[])y.Clone();
        bad[4] = -1;
        Assert.Contains("row 4", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, bad, u, M2())).Message);
        foreach (var (name, o) in new[] { ("M2Weight", With(o => o.M2Weight = -1)), ("M2HiddenSize", With(o => o.M2HiddenSize = 0)), ("M2LatentSize", With(o => o.M2LatentSize = 0)) })
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitSemiSupervisedVae(vae, x, y, u, o)).ParamName);
        static EncoderClassifierOptions With(Action<EncoderClassifierOptions> change) { var o = M2(); change(o); return o; }
    }
}
