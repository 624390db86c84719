using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The encoder classifier with a convolutional encoder (<see cref="EncoderClassifierOptions.ConvolutionChannels"/>); the rows are 4 × 6 images.</summary>
public class ConvolutionalEncoderTests
{
    private const int Height = ImageHeight, Width = ImageWidth;

    private static EncoderClassifierOptions Conv(float weight = 0.7f, float threshold = 0.5f, int epochs = 4, float dropout = 0.2f)
    {
        var o = Options(EncoderTrainingMode.Consistency, epochs);
        o.Initialization = EncoderInitialization.Random;
        o.ConvolutionChannels = [3, 4];
        o.ConvolutionCodeSize = 5;
        o.ConsistencyThreshold = threshold;
        o.ConsistencyWeight = weight;
        o.WeakShift = 1;
        o.CutoutSize = 2;
        o.UnlabelledBatchSize = 8;
        o.DropoutRate = dropout;
        return o;
    }

    [Fact]
    public void Network_IsTheConvolutionsThenTheCodeLayerThenDropoutAndTheHead()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        var model = EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, Conv(), Classes);
        var layers = model.Network.Layers;
        var first = Assert.IsType<Conv2dLayer>(layers[0]);
        Assert.Equal(new ConvGeometry(1, 4, 6, 3, 2, 1), first.Geometry); // 4 × 6 → 2 × 3
        Assert.Equal(new ConvGeometry(3, 2, 3, 3, 2, 1), Assert.IsType<Conv2dLayer>(layers[1]).Geometry); // → 1 × 2
        Assert.Equal((8, 5), (layers[2].InputSize, layers[2].OutputSize));
        Assert.Equal(3, model.EncoderLayerCount);
        Assert.Equal(5, model.CodeSize);
        Assert.Equal(["scaler", "dropout", "head"], layers.Skip(3).Select(l => l switch { DropoutLayer => "dropout", DenseLayer d => d.Weight.Name.Split('.')[0], _ => "?" }));
        var loaded = EncoderClassifier.FromArchive(model.ToArchive());
        Assert.Equal(model.DecisionFunction(x).Span.ToArray(), loaded.DecisionFunction(x).Span.ToArray());
    }

    [Fact]
    public void Objective_GradientsMatchFiniteDifferences()
    {
        // Cross-entropy + L2 (convolution weights included) of the labelled view + λ × the pseudo-label term, views fixed, no dropout.
        var (x, y) = Manifold(9, 2);
        var (u, _) = Manifold(12, 4);
        var net = EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, Conv(epochs: 2, dropout: 0), Classes).Network;
        var rng = new Rng(5);
        foreach (var p in net.Parameters.Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal) && !p.Name.StartsWith("scaler", StringComparison.Ordinal)))
            rng.FillUniform(p.Value.Span, -0.3f, 0.3f);
        foreach (var p in net.Parameters) p.Frozen = p.Name.StartsWith("scaler", StringComparison.Ordinal);
        var images = ImageAugmentation.Create(Height, Width, Dim);
        Matrix? lx = null, weak = null, strong = null;
        images.Apply(x, new AugmentationStrength(1, true, 0, 0), rng, ref lx);
        images.Apply(u, new AugmentationStrength(1, true, 0, 0), rng, ref weak);
        images.Apply(u, new AugmentationStrength(2, true, 2, 0.1f), rng, ref strong);
        var ctx = NnContext.Create(GemmKind.Managed, 1, 2);
        var term = new ConsistencyTerm(net, u, images, Conv(threshold: ThresholdBetweenTopProbabilities(net.Forward(weak!, false, ctx))), ctx);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var q in net.Parameters) q.Grad.Clear();
            return term.Loss(weak!, strong!, true) + EncoderClassifierTrainer.LossAndGradients(net, lx!, y, 0.05f, 0, null, ctx, ref grad);
        }
        Assert.True(term.Loss(weak!, strong!, false) > 1e-3, "the pseudo-label term is not negligible");
        Assert.InRange(term.LastConfidentShare, 0.2, 0.8);
        Loss();
        var trained = net.Parameters.Where(q => !q.Frozen).ToList();
        Assert.Contains(trained, q => q.Name == "encoder.0.weight");
        var grads = trained.Select(q => q.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < trained.Count; i++) GradientCheck.Check(trained[i].Name, trained[i].Value.Data, grads[i], Loss);
    }

    [Fact]
    public void SameSeed_IsBitIdentical_AndTheUnlabelledTermChangesTheWeights()
    {
        var (x, y) = Manifold(40, 1);
        var (u, _) = Manifold(60, 2);
        var a = EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, Conv(), Classes);
        var b = EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, Conv(), Classes);
        Assert.Equal(Weights(a), Weights(b));
        var alone = EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, Conv(weight: 0), Classes);
        Assert.NotEqual(Weights(a), Weights(alone));
    }

    [Fact]
    public void BadInput_GetsNamedErrors()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        Assert.Contains("not images of 5 × 6", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency([], x, y, u, 5, Width, Conv())).Message);
        var pretrained = Conv();
        pretrained.Initialization = EncoderInitialization.Pretrained;
        Assert.Contains("Initialization = Random", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, pretrained)).Message);
        var fine = Conv();
        fine.Mode = EncoderTrainingMode.FineTune;
        var message = Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(Autoencoder(u).CodePath, x, y, fine)).Message;
        Assert.Contains("images' height and width", message);
        Assert.Contains("FineTune", message);
        foreach (var (name, change) in new (string, Action<EncoderClassifierOptions>)[]
                 {
                     ("ConvolutionChannels", s => s.ConvolutionChannels = [3, 0]), ("ConvolutionChannels", s => s.ConvolutionChannels = [1025]),
                     ("ConvolutionCodeSize", s => s.ConvolutionCodeSize = 0),
                 })
        {
            var bad = Conv();
            change(bad);
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitConsistency([], x, y, u, Height, Width, bad)).ParamName);
        }
    }
}
