using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>Small synthetic data in [0, 1] and quickly trained autoencoders for the pretraining tests.</summary>
internal static class PretrainingTestData
{
    public const int Dim = 24;
    public const int Classes = 3;

    /// <summary>The rows read as images: 4 × 6 = <see cref="Dim"/>.</summary>
    public const int ImageHeight = 4, ImageWidth = 6;

    /// <summary>Each parameter's values of a fitted classifier, copied.</summary>
    public static float[][] Weights(EncoderClassifier model) => model.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray();

    /// <summary>
    /// A classifier 24 → 16 → 6 → scaler → 3 fitted in consistency mode with <paramref name="options"/> on 9 labelled and 12
    /// unlabelled rows (as <see cref="ImageHeight"/> × <see cref="ImageWidth"/> images), then given random biases, its
    /// scaler frozen; with a weak view of the labelled rows if <paramref name="labelledView"/> (drawn first), and weak and
    /// strong views of the unlabelled rows, all from one generator.
    /// </summary>
    public static (Network Net, Matrix X, int[] Y, Matrix U, Matrix? Labelled, Matrix Weak, Matrix Strong, ImageAugmentation Images)
        ConsistencySetup(EncoderClassifierOptions options, bool labelledView)
    {
        var (x, y) = Manifold(9, 2);
        var (u, _) = Manifold(12, 4);
        var net = EncoderClassifierTrainer.FitConsistency(Autoencoder(u).CodePath, x, y, u, ImageHeight, ImageWidth, options, Classes).Network;
        var rng = new Rng(5);
        foreach (var d in net.DenseLayers.Where(d => d.Weight.Name != "scaler.weight")) rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        foreach (var p in net.Parameters) p.Frozen = p.Name.StartsWith("scaler", StringComparison.Ordinal);
        var images = ImageAugmentation.Create(ImageHeight, ImageWidth, Dim);
        Matrix? labelled = null, weak = null, strong = null;
        if (labelledView) images.Apply(x, new AugmentationStrength(1, true, 0, 0), rng, ref labelled);
        images.Apply(u, new AugmentationStrength(1, true, 0, 0), rng, ref weak);
        images.Apply(u, new AugmentationStrength(2, true, 2, 0.1f), rng, ref strong);
        return (net, x, y, u, labelled, weak!, strong!, images);
    }

    /// <summary>
    /// A pseudo-label threshold τ in the widest gap between the rows' top probabilities (softmax of <paramref name="logits"/>)
    /// ranked 4th to 9th, so that some rows get a pseudo-label and some do not, and a small change of a weight moves none across τ.
    /// </summary>
    public static float ThresholdBetweenTopProbabilities(Matrix logits)
    {
        var top = Softmax.SoftmaxRows(logits.Clone());
        var sorted = Enumerable.Range(0, top.Rows).Select(i => top.Row(i).ToArray().Max()).Order().ToArray();
        int k = Enumerable.Range(3, 6).MaxBy(i => sorted[i + 1] - sorted[i]);
        Assert.True(sorted[k + 1] - sorted[k] > 1e-3, "the top probabilities are too close for a threshold between them");
        return (sorted[k] + sorted[k + 1]) / 2;
    }

    /// <summary>
    /// <paramref name="n"/> rows: a class c = i mod 3 picks a centre in a 4-dimensional latent space, plus latent noise,
    /// mapped into <see cref="Dim"/> values in (0, 1) by a fixed random linear map and a sigmoid, plus a little pixel noise.
    /// </summary>
    public static (Matrix X, int[] Y) Manifold(int n, ulong seed)
    {
        var map = new Rng(12345);
        var w = new float[4 * Dim];
        map.FillGaussian(w, 0, 1.2f);
        var centres = new float[Classes * 4];
        map.FillGaussian(centres, 0, 1.5f);
        var rng = new Rng(seed);
        var x = new Matrix(n, Dim);
        var y = new int[n];
        Span<float> z = stackalloc float[4];
        for (int i = 0; i < n; i++)
        {
            int c = i % Classes;
            y[i] = c;
            for (int k = 0; k < 4; k++) z[k] = centres[c * 4 + k] + 0.8f * (float)rng.NextGaussian();
            var row = x.Row(i);
            for (int j = 0; j < Dim; j++)
            {
                float a = 0.05f * (float)rng.NextGaussian();
                for (int k = 0; k < 4; k++) a += w[k * Dim + j] * z[k];
                row[j] = 1f / (1f + MathF.Exp(-a));
            }
        }
        return (x, y);
    }

    public static AutoencoderOptions SmallAe(int seed = 1) => new()
    {
        HiddenSizes = new[] { 16 }, CodeSize = 6, Epochs = 15, BatchSize = 32, LearningRate = 3e-3f, Seed = seed, Gemm = GemmKind.Managed,
    };

    public static AutoencoderModel Autoencoder(Matrix x, int seed = 1) => new AutoencoderTrainer(SmallAe(seed)).Fit(x);

    /// <summary>Small-network defaults (one thread, managed GEMM: bit-reproducible; no validation split).</summary>
    public static EncoderClassifierOptions Options(EncoderTrainingMode mode, int epochs = 20, int seed = 3) => new()
    {
        Mode = mode, Epochs = epochs, BatchSize = 16, LearningRate = 3e-3f, ValidationFraction = 0, EarlyStoppingPatience = 0,
        Seed = seed, Gemm = GemmKind.Managed,
    };
}
