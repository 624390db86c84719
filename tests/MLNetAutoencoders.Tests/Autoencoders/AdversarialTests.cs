using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using Xunit.Abstractions;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class AdversarialTests(ITestOutputHelper output)
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    private static AdversarialRegularizer Regularizer(float weight = 0.7f, int code = 3) =>
        new(weight, code, [5, 4], OptimizerKind.Adam, 1e-3f, 0.9f, new Rng(5));

    [Fact]
    public void Discriminator_gradient_matches_finite_differences()
    {
        var reg = Regularizer();
        var prior = RegularizerTests.Random(7, 3, 21, -2, 2);
        var code = RegularizerTests.Random(7, 3, 22, -2, 2);
        var ps = reg.Discriminator.Parameters;
        // Non-zero biases: with the initial zero biases a row whose first-layer units are all off sits exactly on the
        // next layer's ReLU kink, where finite differences and the one-sided derivative disagree.
        var rng = new Rng(8);
        foreach (var l in reg.Discriminator.DenseLayers) rng.FillUniform(l.Bias.Value.Span, 0.1f, 0.4f);
        foreach (var p in ps) p.Grad.Clear();
        double loss = reg.DiscriminatorLoss(prior, code, Ctx, backward: true);
        Assert.True(loss > 0.1, $"loss {loss}");
        var analytic = ps.Select(p => p.Grad.Span.ToArray()).ToList();
        Assert.All(analytic, a => Assert.Contains(a, v => v != 0));
        for (int k = 0; k < ps.Count; k++)
            GradientCheck.Check(ps[k].Name, ps[k].Value.Data, analytic[k], () => reg.DiscriminatorLoss(prior, code, Ctx, backward: false));
    }

    [Fact]
    public void Encoder_term_gradient_matches_finite_differences_through_the_encoder()
    {
        var enc = RegularizerTests.Encoder([5, 4, 3], [ActivationKind.Tanh, ActivationKind.Identity]);
        var reg = Regularizer();
        reg.TrainDiscriminator = false; // a fixed discriminator: the term is then a function of the encoder's parameters
        RegularizerTests.CheckGradients(reg, enc, RegularizerTests.Random(6, 5, 23));
        // …and the code gradient itself, entry by entry.
        var code = RegularizerTests.Random(6, 3, 24, -2, 2);
        var g = new Matrix(6, 3);
        reg.EncoderTerm(code, g, Ctx);
        GradientCheck.Check("code", code.Data, g.Span, () => reg.EncoderTerm(code, new Matrix(6, 3), Ctx) / 6);
    }

    [Fact]
    public void Training_pulls_the_codes_towards_the_prior_and_is_deterministic()
    {
        var data = TestData.LowRankData(600, 24, seed: 2);
        AutoencoderOptions Options(AutoencoderKind kind) => AutoencoderKinds.Apply(kind, new AutoencoderOptions
        {
            HiddenSizes = [32], CodeSize = 3, Epochs = 30, BatchSize = 50, Gemm = GemmKind.Managed, Seed = 4,
            DiscriminatorHiddenSizes = [32, 32],
        });
        var plain = new AutoencoderTrainer(Options(AutoencoderKind.Plain)).Fit(data);
        var adv = new AutoencoderTrainer(Options(AutoencoderKind.Adversarial)).Fit(data);
        double klPlain = PriorCodes.GaussianKl(plain.Encode(data)), klAdv = PriorCodes.GaussianKl(adv.Encode(data));
        output.WriteLine($"KL from N(0, I): adversarial {klAdv:F4}, plain {klPlain:F4}; MSE adversarial {adv.ReconstructionMse(data):G4}, plain {plain.ReconstructionMse(data):G4}");
        Assert.True(klAdv < 0.5 * klPlain && klAdv < 0.5, $"KL from N(0, I): adversarial {klAdv:F3}, plain {klPlain:F3}");
        Assert.True(adv.ReconstructionMse(data) < 0.02, $"adversarial reconstruction MSE {adv.ReconstructionMse(data):G3}");
        var again = new AutoencoderTrainer(Options(AutoencoderKind.Adversarial)).Fit(data);
        Assert.Equal(adv.Encode(data).Span.ToArray(), again.Encode(data).Span.ToArray());
        // The saved model is an ordinary autoencoder (no discriminator) that remembers its term.
        var path = Path.Combine(Path.GetTempPath(), $"aae-{Guid.NewGuid():N}.mlae");
        try
        {
            adv.Save(path);
            var loaded = AutoencoderModel.Load(path);
            Assert.Equal(AutoencoderDefaults.Adversarial, loaded.Options.Adversarial);
            Assert.Equal(adv.Sample(5, 1).Span.ToArray(), loaded.Sample(5, 1).Span.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Gaussian_kl_of_prior_draws_is_near_zero_and_of_moved_draws_is_the_formula()
    {
        var z = PriorCodes.Draw(20000, 3, 7);
        Assert.InRange(PriorCodes.GaussianKl(z), 0, 0.01);
        var shifted = z.Clone();
        foreach (ref var v in shifted.Span) v += 1;
        Assert.Equal(1.5, PriorCodes.GaussianKl(shifted), 1); // ½‖μ‖² = 1.5
        var scaled = z.Clone();
        foreach (ref var v in scaled.Span) v *= 2;
        Assert.Equal(0.5 * 3 * (4 - 1 - Math.Log(4)), PriorCodes.GaussianKl(scaled), 1);
        Assert.Contains("more than 3 codes", Assert.Throws<ArgumentException>(() => PriorCodes.GaussianKl(new Matrix(3, 3))).Message);
    }

    [Fact]
    public void Bad_adversarial_options_name_the_option()
    {
        Assert.Equal("Adversarial", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new AutoencoderOptions { Adversarial = -1 })).ParamName);
        Assert.Equal("DiscriminatorHiddenSizes", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new AutoencoderOptions { DiscriminatorHiddenSizes = [0] })).ParamName);
        Assert.Equal("DiscriminatorLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AutoencoderTrainer(new AutoencoderOptions { DiscriminatorLearningRate = float.NaN })).ParamName);
    }

    [Fact]
    public void Terms_hold_only_the_positive_weights_and_the_discriminator_rate_falls_back_to_the_learning_rate()
    {
        var o = new AutoencoderOptions { CodeSize = 2, LearningRate = 0.004f, Adversarial = 0.5f };
        var adversarial = Assert.IsType<AdversarialRegularizer>(Assert.Single(AutoencoderTerms.Create(o, 5).Regularizers));
        Assert.Equal(0.004f, adversarial.LearningRate);
        o.DiscriminatorLearningRate = 0.02f;
        Assert.Equal(0.02f, Assert.IsType<AdversarialRegularizer>(Assert.Single(AutoencoderTerms.Create(o, 5).Regularizers)).LearningRate);
        var none = AutoencoderTerms.Create(new AutoencoderOptions(), 5);
        Assert.Empty(none.Regularizers);
        Assert.Null(none.Corruption);
    }

    [Fact]
    public void Discriminator_loss_is_the_mean_cross_entropy_of_prior_draws_labelled_one_and_codes_labelled_zero_for_any_batch_size()
    {
        var reg = Regularizer();
        double Expected(Matrix prior, Matrix code)
        {
            var lp = reg.Discriminator.Forward(prior, false, Ctx).Span.ToArray();
            var lc = reg.Discriminator.Forward(code, false, Ctx).Span.ToArray();
            double s = lp.Sum(l => Math.Log(1 + Math.Exp(-l))) + lc.Sum(l => Math.Log(1 + Math.Exp(l))); // −log σ(l) and −log(1 − σ(l))
            return s / (lp.Length + lc.Length);
        }
        // A smaller batch after a larger one reuses the buffers: the codes' labels must still be 0.
        foreach (int n in new[] { 5, 3 })
        {
            var prior = RegularizerTests.Random(n, 3, 21, -2, 2);
            var code = RegularizerTests.Random(n, 3, 22, -2, 2);
            double expected = Expected(prior, code);
            Assert.Equal(expected, reg.DiscriminatorLoss(prior, code, Ctx, backward: false), 1e-5 * expected);
        }
        var e = Assert.Throws<ArgumentException>(() => reg.DiscriminatorLoss(new Matrix(4, 3), new Matrix(3, 3), Ctx, backward: false));
        Assert.Contains("Prior draw 4×3 and codes 3×3 differ in shape", e.Message);
        Assert.Throws<ArgumentException>(() => reg.DiscriminatorLoss(new Matrix(4, 2), new Matrix(4, 3), Ctx, backward: false));
    }
}
