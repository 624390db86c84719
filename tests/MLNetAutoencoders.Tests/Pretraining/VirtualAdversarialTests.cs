using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The virtual adversarial mode of the encoder classifier: its penalty, its perturbation, its training.</summary>
public class VirtualAdversarialTests
{
    private static EncoderClassifierOptions Vat(int epochs = 1, int seed = 3, float epsilon = 1.5f)
    {
        var o = Options(EncoderTrainingMode.VirtualAdversarial, epochs, seed);
        o.VatEpsilon = epsilon;
        o.VatXi = 0.5f;
        o.VatWeight = 0.7f;
        o.UnlabelledBatchSize = 8;
        return o;
    }

    /// <summary>A trained-for-one-epoch classifier 24 → 16 → 6 → scaler → 3 with random biases, its term and data.</summary>
    private static (Network Net, VirtualAdversarialTerm Term, Matrix X, int[] Y, Matrix U) Setup()
    {
        var (x, y) = Manifold(9, 2);
        var (u, _) = Manifold(5, 4);
        var o = Vat();
        var model = EncoderClassifierTrainer.FitVirtualAdversarial(Autoencoder(u).CodePath, x, y, u, o, Classes);
        var net = model.Network;
        var rng = new Rng(5);
        foreach (var d in net.DenseLayers.Where(d => d.Weight.Name != "scaler.weight")) rng.FillUniform(d.Bias.Value.Span, -0.3f, 0.3f);
        foreach (var p in net.Parameters) p.Frozen = p.Name.StartsWith("scaler", StringComparison.Ordinal);
        return (net, new VirtualAdversarialTerm(net, u, o, NnContext.Create(GemmKind.Managed, 1, 2)), x, y, u);
    }

    private static Matrix Direction(int rows, int cols)
    {
        var d = new Matrix(rows, cols);
        new Rng(9).FillGaussian(d.Span);
        return d;
    }

    [Fact]
    public void Objective_GradientsMatchFiniteDifferences()
    {
        // Cross-entropy + L2 of the labelled rows + α × mean KL(p(·|u) ‖ p(·|u + r)) with p(·|u) and r held fixed.
        var (net, term, x, y, u) = Setup();
        var p = term.Predictions(u);
        var r = term.Perturbation(u, p, Direction(u.Rows, u.Cols));
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        Matrix? grad = null;
        double Loss()
        {
            foreach (var q in net.Parameters) q.Grad.Clear();
            return term.Penalty(u, r, p, true) + EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, ctx, ref grad);
        }
        Assert.True(term.Penalty(u, r, p, false) > 1e-4, "the penalty is not negligible at the perturbation");
        Loss();
        var trained = net.Parameters.Where(q => !q.Frozen).ToList();
        var grads = trained.Select(q => q.Grad.Span.ToArray()).ToList();
        for (int i = 0; i < trained.Count; i++) GradientCheck.Check(trained[i].Name, trained[i].Value.Data, grads[i], Loss);
    }

    [Fact]
    public void Perturbation_IsTheNormalisedInputGradientOfTheKl_AndLeavesNoParameterGradient()
    {
        var (net, term, _, _, u) = Setup();
        var p = term.Predictions(u);
        var d = Direction(u.Rows, u.Cols);
        var r = term.Perturbation(u, p, d.Clone());
        Assert.All(net.Parameters, q => Assert.All(q.Grad.Span.ToArray(), g => Assert.Equal(0f, g)));
        // Numeric gradient of KL(p ‖ p(·|v)) at v = u + ξ d/‖d‖, row by row, in double around float inputs.
        var ctx = NnContext.Create(GemmKind.Managed, 1, 1);
        var v = new Matrix(u.Rows, u.Cols);
        for (int i = 0; i < u.Rows; i++)
        {
            double norm = Math.Sqrt(d.Row(i).ToArray().Sum(t => (double)t * t));
            for (int j = 0; j < u.Cols; j++) v[i, j] = u[i, j] + (float)(0.5 * d[i, j] / norm);
        }
        double Kl() => Softmax.KullbackLeibler(p, net.Forward(v, false, ctx), null);
        for (int i = 0; i < u.Rows; i++)
        {
            var numeric = new double[u.Cols];
            for (int j = 0; j < u.Cols; j++)
            {
                float keep = v[i, j];
                v[i, j] = keep + 1e-2f; double up = Kl();
                v[i, j] = keep - 1e-2f; double down = Kl();
                v[i, j] = keep;
                numeric[j] = (up - down) / 2e-2;
            }
            var analytic = r.Row(i).ToArray();
            double dot = numeric.Zip(analytic, (a, b) => a * b).Sum();
            double cosine = dot / Math.Sqrt(numeric.Sum(t => t * t)) / Math.Sqrt(analytic.Sum(t => (double)t * t));
            Assert.True(cosine > 0.999, $"row {i}: cosine {cosine:F5} between the perturbation and the numeric gradient");
            Assert.Equal(1.5, Math.Sqrt(analytic.Sum(t => (double)t * t)), 4);
        }
    }

    [Fact]
    public void Loss_MatchesPyTorch_FromTheSameWeightsAndBatch()
    {
        var (net, term, x, y, u) = Setup();
        var d = Direction(u.Rows, u.Cols);
        var p = term.Predictions(u);
        var r = term.Perturbation(u, p, d.Clone());
        double penalty = term.Penalty(u, r, p, false);
        Matrix? grad = null;
        double supervised = EncoderClassifierTrainer.LossAndGradients(net, x, y, 0.05f, 0, null, NnContext.Create(GemmKind.Managed, 1, 1), ref grad);

        var dense = net.DenseLayers.ToList();
        string layers = string.Join(";", dense.Select(l => FormattableString.Invariant($"{l.InputSize},{l.OutputSize},{l.Activation},{(l.Weight.Frozen ? 0 : 1)}")));
        var values = PyTorchObjective.Evaluate("vat_loss.py", [x, u, d], dense,
            layers, string.Join(",", y), FormattableString.Invariant($"{x.Rows},{u.Rows},{x.Cols}"), "1.5", "0.5", "0.7", "0.05");
        PyTorchObjective.AssertClose(penalty, values[0], "VAT penalty");
        PyTorchObjective.AssertClose(supervised + penalty, values[1], "objective");
    }

    [Fact]
    public void WeightZero_IsBitForBitThePlainFineTune_AndAPositiveWeightIsNot()
    {
        var (x, y) = Manifold(60, 1);
        var (u, _) = Manifold(200, 2);
        var ae = Autoencoder(u);
        EncoderClassifierOptions Settings(EncoderTrainingMode mode, float weight)
        {
            var o = Vat(epochs: 8);
            o.Mode = mode;
            o.VatWeight = weight;
            o.DropoutRate = 0.2f;
            return o;
        }
        var fine = EncoderClassifierTrainer.Fit(ae, x, y, Settings(EncoderTrainingMode.FineTune, 0), Classes);
        var zero = EncoderClassifierTrainer.FitVirtualAdversarial(ae.CodePath, x, y, u, Settings(EncoderTrainingMode.VirtualAdversarial, 0), Classes);
        var some = EncoderClassifierTrainer.FitVirtualAdversarial(ae.CodePath, x, y, u, Settings(EncoderTrainingMode.VirtualAdversarial, 1), Classes);
        var w = fine.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray();
        Assert.Equal(w, zero.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
        Assert.NotEqual(w, some.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
        Assert.Equal(some.Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray(),
            EncoderClassifierTrainer.FitVirtualAdversarial(ae.CodePath, x, y, u, Settings(EncoderTrainingMode.VirtualAdversarial, 1), Classes)
                .Network.Parameters.Select(q => q.Value.Span.ToArray()).ToArray());
    }

    [Fact]
    public void BadInput_GetsNamedErrors()
    {
        var (x, y) = Manifold(30, 1);
        var (u, _) = Manifold(20, 2);
        var layers = Autoencoder(u).CodePath;
        Assert.Contains("needs unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitVirtualAdversarial(layers, x, y, new Matrix(0, Dim), Vat())).Message);
        Assert.Contains("have 5 columns", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitVirtualAdversarial(layers, x, y, new Matrix(4, 5), Vat())).Message);
        Assert.Contains("virtual adversarial mode", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitVirtualAdversarial(layers, x, y, u, Options(EncoderTrainingMode.FineTune))).Message);
        Assert.Contains("FitVirtualAdversarial", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.Fit(layers, x, y, Vat())).Message);
        var nan = u.Clone();
        nan[3, 2] = float.NaN;
        Assert.Contains("unlabelled rows", Assert.Throws<ArgumentException>(() => EncoderClassifierTrainer.FitVirtualAdversarial(layers, x, y, nan, Vat())).Message);
        foreach (var (name, o) in new[] { ("VatEpsilon", Vat(epsilon: 0)), ("VatXi", WithXi(float.NaN)), ("VatWeight", WithWeight(-1)) })
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => EncoderClassifierTrainer.FitVirtualAdversarial(layers, x, y, u, o)).ParamName);
        static EncoderClassifierOptions WithXi(float xi) { var o = Vat(); o.VatXi = xi; return o; }
        static EncoderClassifierOptions WithWeight(float w) { var o = Vat(); o.VatWeight = w; return o; }
    }
}
