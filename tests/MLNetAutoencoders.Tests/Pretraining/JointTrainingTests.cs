using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The joint (semi-supervised) mode of <see cref="EncoderClassifier"/>: classification + λ × reconstruction.</summary>
public class JointTrainingTests
{
    private static float[][] Values(IEnumerable<Parameter> ps) => ps.Select(p => p.Value.Span.ToArray()).ToArray();

    private static EncoderClassifierOptions Joint(float weight, int epochs = 20, int seed = 3)
    {
        var o = Options(EncoderTrainingMode.Joint, epochs, seed);
        o.ReconstructionWeight = weight;
        o.UnlabelledBatchSize = 32;
        return o;
    }

    [Theory]
    [InlineData(false, "l1")]
    [InlineData(true, "contractive")]
    public void JointObjective_GradientsMatchFiniteDifferences(bool tied, string regularizer)
    {
        // Encoder 24 → 5 (tanh) → 4, decoder 4 → 5 → 24 (tied or not), code scaler, head 4 → 3; the objective is the
        // labelled batch's mean cross-entropy + L2 + λ × (the unlabelled batch's mean reconstruction loss + regulariser).
        var (x, y) = Manifold(9, 2);
        var (u, _) = Manifold(7, 4);
        var ao = new AutoencoderOptions
        {
            HiddenSizes = new[] { 5 }, CodeSize = 4, HiddenActivation = ActivationKind.Tanh, Epochs = 1, Gemm = GemmKind.Managed, TiedWeights = tied,
            L1Activity = regularizer == "l1" ? 0.05f : 0, Contractive = regularizer == "contractive" ? 0.05f : 0,
        };
        var ae = new AutoencoderTrainer(ao).Fit(u);
        var o = Joint(0.3f, epochs: 1);
        var model = EncoderClassifierTrainer.FitJoint(ae, x, y, u, o, Classes);
        var net = model.Network;
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var joint = EncoderClassifierTrainer.JointTerm.Create(ae, model.EncoderLayers, u, o, NnContext.Create(GemmKind.Managed, 1, 2));
        var rng = new Rng(5);
        foreach (var d in net.DenseLayers.Where(d => d.Weight.Name != "scaler.weight").Concat(joint.Layers.OfType<DenseLayer>()))
            rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        foreach (var p in net.Parameters) p.Frozen = p.Name.StartsWith("scaler", StringComparison.Ordinal);
        var all = net.Parameters.Concat(joint.Parameters).Distinct().ToList();
        Assert.Equal(tied ? 6 : 8, joint.Parameters.Count);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var p in all) p.Grad.Clear();
            return joint.AddGradients(u) + EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, ctx, ref grad);
        }
        Loss();
        var grads = all.Select(p => p.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < all.Count; i++)
            if (!all[i].Frozen) GradientCheck.Check(all[i].Name, all[i].Value.Data, grads[i], Loss);
        // The decoder only gets gradient from the reconstruction term: it is really there.
        Assert.Contains(joint.Parameters, p => p.Name.StartsWith("decoder", StringComparison.Ordinal) && grads[all.IndexOf(p)].Any(g => g != 0));
    }

    [Fact]
    public void WeightZero_IsBitForBitThePlainFineTune_AndAPositiveWeightIsNot()
    {
        // Dropout, a validation split with early stopping and a masking corruption on the reconstruction side: with
        // λ = 0 the reconstruction branch still runs (own random stream), but the classifier must train exactly as a fine-tune.
        var (x, y) = Manifold(90, 1);
        var (u, _) = Manifold(200, 2);
        var ao = SmallAe();
        ao.Corruption = CorruptionKind.Masking;
        ao.CorruptionLevel = 0.3f;
        var ae = new AutoencoderTrainer(ao).Fit(u);
        var before = Values(ae.Encoder.Parameters.Concat(ae.Decoder.Parameters));
        EncoderClassifierOptions Settings(EncoderTrainingMode mode, float weight)
        {
            var o = Joint(weight, epochs: 8);
            o.Mode = mode;
            o.DropoutRate = 0.3f;
            o.ValidationFraction = 0.2;
            o.EarlyStoppingPatience = 3;
            return o;
        }
        var fine = EncoderClassifierTrainer.Fit(ae, x, y, Settings(EncoderTrainingMode.FineTune, 0), Classes);
        var zero = EncoderClassifierTrainer.FitJoint(ae, x, y, u, Settings(EncoderTrainingMode.Joint, 0), Classes);
        var some = EncoderClassifierTrainer.FitJoint(ae, x, y, u, Settings(EncoderTrainingMode.Joint, 0.05f), Classes);
        Assert.Equal(Values(fine.Network.Parameters), Values(zero.Network.Parameters));
        Assert.Equal(fine.History.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)), zero.History.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss)));
        Assert.NotEqual(Values(fine.Network.Parameters), Values(some.Network.Parameters));
        Assert.Equal(before, Values(ae.Encoder.Parameters.Concat(ae.Decoder.Parameters))); // the autoencoder is never modified
        Assert.Equal(EncoderTrainingMode.Joint, some.Options.Mode);
    }

    /// <summary>
    /// A harder task than <see cref="PretrainingTestData.Manifold"/>: 3 classes as clusters in a 2-d latent space, mapped
    /// to 48 values by a fixed random map and a sigmoid, with strong independent noise on every value. Few labels cannot
    /// tell the latent directions from the noise; many unlabelled rows can.
    /// </summary>
    private static (Matrix X, int[] Y) NoisyClusters(int n, ulong seed, float noise)
    {
        const int dim = 48;
        var map = new Rng(777);
        var w = new float[2 * dim];
        map.FillGaussian(w, 0, 1.5f);
        var rng = new Rng(seed);
        var x = new Matrix(n, dim);
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % Classes;
            y[i] = c;
            double angle = 2 * Math.PI * c / Classes;
            float z0 = (float)(1.5 * Math.Cos(angle) + 0.5 * rng.NextGaussian()), z1 = (float)(1.5 * Math.Sin(angle) + 0.5 * rng.NextGaussian());
            for (int j = 0; j < dim; j++)
                x[i, j] = 1f / (1f + MathF.Exp(-(w[j] * z0 + w[dim + j] * z1 + noise * (float)rng.NextGaussian())));
        }
        return (x, y);
    }

    [Fact]
    public void Joint_BeatsScratch_OnAFewLabelsWithManyUnlabelledRows()
    {
        // (Measured when written: scratch 77.9 %, joint from random initialisation 83.8 %, from the pretrained autoencoder 80.3 %.)
        const float noise = 3;
        // 6 labelled rows (2 per class), 900 unlabelled, 900 test rows, 3 seeds. Scratch: the same network from random
        // initialisation on the labels alone. Joint from the same random initialisation, and from a pretrained autoencoder.
        var (u, _) = NoisyClusters(900, 11, noise);
        var (testX, testY) = NoisyClusters(900, 12, noise);
        double scratch = 0, jointRandom = 0, jointPretrained = 0;
        for (int seed = 0; seed < 3; seed++)
        {
            var (x, y) = NoisyClusters(6, 20 + (ulong)seed, noise);
            var ao = SmallAe(seed + 1);
            ao.CodeSize = 4;
            var ae = new AutoencoderTrainer(ao).Fit(u);
            double Accuracy(EncoderClassifier m) => (double)m.Predict(testX).Where((p, i) => p == testY[i]).Count() / testY.Length;
            var s = Options(EncoderTrainingMode.FineTune, epochs: 60, seed: seed);
            s.Initialization = EncoderInitialization.Random;
            scratch += Accuracy(EncoderClassifierTrainer.Fit(ae, x, y, s, Classes)) / 3;
            var j = Joint(0.05f, epochs: 60, seed: seed);
            j.Initialization = EncoderInitialization.Random;
            jointRandom += Accuracy(EncoderClassifierTrainer.FitJoint(ae, x, y, u, j, Classes)) / 3;
            jointPretrained += Accuracy(EncoderClassifierTrainer.FitJoint(ae, x, y, u, Joint(0.05f, epochs: 60, seed: seed), Classes)) / 3;
        }
        Assert.True(jointRandom > scratch + 0.03, $"joint from random initialisation {jointRandom:P1}, scratch {scratch:P1}");
        Assert.True(jointPretrained > scratch + 0.01, $"joint from the pretrained autoencoder {jointPretrained:P1}, scratch {scratch:P1}");
    }

    [Fact]
    public void BadWeight_MissingUnlabelledRows_AndAVae_AreClearErrors()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(40, 2);
        var ae = Autoencoder(u);
        foreach (float w in new[] { -0.1f, float.NaN, float.PositiveInfinity })
            Assert.Equal("ReconstructionWeight", Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, u, Joint(w))).ParamName);
        var small = Joint(0.1f);
        small.UnlabelledBatchSize = 0;
        Assert.Equal("UnlabelledBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, u, small)).ParamName);
        Assert.Contains("needs unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, null!, Joint(0.1f))).Message);
        Assert.Contains("needs unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, new Matrix(0, Dim), Joint(0.1f))).Message);
        Assert.Contains("have 5 columns", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, new Matrix(4, 5), Joint(0.1f))).Message);
        var outside = u.Clone();
        outside[2, 3] = 1.5f;
        Assert.Contains("row 2, column 3", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, outside, Joint(0.1f))).Message);
        Assert.Contains("FitJoint", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(ae, x, y, Joint(0.1f))).Message);
        Assert.Contains("joint mode", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(ae, x, y, u, Options(EncoderTrainingMode.FineTune))).Message);
        var vae = new VaeTrainer(new VaeOptions { HiddenSizes = new[] { 8 }, LatentSize = 3, Epochs = 1, Gemm = GemmKind.Managed }).Fit(u);
        Assert.Contains("deterministic autoencoder", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitJoint(vae, x, y, u, Joint(0.1f))).Message);
    }

    [Fact]
    public void StackedDenoisingAutoencoder_TrainsJointly_AndSavesLikeAnyClassifier()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(120, 2);
        var ao = SmallAe();
        ao.Epochs = 2;
        ao.Corruption = CorruptionKind.Masking;
        ao.CorruptionLevel = 0.5f;
        var stacked = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = ao }).Fit(u);
        var m = EncoderClassifierTrainer.FitJoint(stacked, x, y, u, Joint(0.05f, epochs: 3), Classes);
        using var dir = new TempDir();
        m.Save(dir.File("joint.mlae"));
        var loaded = EncoderClassifier.Load(dir.File("joint.mlae"));
        Assert.Equal(m.DecisionFunction(x).Span.ToArray(), loaded.DecisionFunction(x).Span.ToArray());
        Assert.Equal(EncoderTrainingMode.Joint, loaded.Options.Mode);
        Assert.Equal(0.05f, loaded.Options.ReconstructionWeight);
    }
}
