using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Tests.Onnx;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetAutoencoders.TorchSharp.Tests.Modules.TorchModulesTestData;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>A user's own TorchSharp encoder and decoder trained with the family's objective (<see cref="TorchModules"/>).</summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesTests
{
    [Fact]
    public void Learns_the_data_far_better_than_predicting_the_mean()
    {
        TorchSharpAvailable.Require();
        var train = Manifold(800, 1);
        var test = Manifold(300, 2);
        var model = Dense().Fit(Options(Dense(), epochs: 40), train);
        double mse = Mse(test, model.Reconstruct(test));
        double baseline = Mse(test, MeanRows(train, test.Rows));
        Assert.True(mse < 0.25 * baseline, $"test MSE {mse:G4}; predicting the training mean gives {baseline:G4}");
        Assert.Equal(3, model.CodeSize);
        Assert.Equal("torchsharp", model.History.Engine);
        Assert.Equal(40, model.History.Epochs.Count);
    }

    [Fact]
    public void The_objective_is_the_familys_loss_plus_its_activity_and_KL_penalties()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(64, 3);
        // SGD with a learning rate far below float resolution: one epoch leaves the weights as they were, so the
        // reported training loss is the objective at the initial weights, over one batch of all the rows.
        foreach (var (loss, sigmoidCode) in new[] { (LossKind.SquaredError, false), (LossKind.CrossEntropy, true) })
        {
            var modules = Dense(sigmoidCode: sigmoidCode);
            var o = Options(modules, epochs: 1);
            o.Loss = loss;
            o.Optimizer = OptimizerKind.Sgd;
            o.Momentum = 0;
            o.LearningRate = 1e-30f;
            o.BatchSize = x.Rows;
            o.L1Activity = 0.03f;
            o.L2Activity = 0.2f;
            if (sigmoidCode) { o.KlSparsityWeight = 0.5f; o.KlSparsityTarget = 0.1f; o.CodeActivation = ActivationKind.Sigmoid; }
            var model = modules.Fit(o, x);
            var code = model.Encode(x);
            var output = loss == LossKind.SquaredError ? model.Reconstruct(x) : Logits(model, code);
            double expected = 0;
            for (int r = 0; r < x.Rows; r++)
            {
                expected += Losses.SampleLoss(loss, output.Row(r), x.Row(r));
                foreach (var z in code.Row(r)) expected += o.L1Activity * Math.Abs(z) + o.L2Activity * 0.5 * z * z;
            }
            expected /= x.Rows;
            if (sigmoidCode)
            {
                for (int j = 0; j < code.Cols; j++)
                {
                    double q = 0;
                    for (int r = 0; r < x.Rows; r++) q += code.Row(r)[j];
                    q /= x.Rows;
                    double rho = o.KlSparsityTarget;
                    expected += o.KlSparsityWeight * (rho * Math.Log(rho / q) + (1 - rho) * Math.Log((1 - rho) / (1 - q)));
                }
            }
            double reported = model.History.Epochs[0].TrainLoss;
            Assert.True(Math.Abs(reported - expected) <= 1e-5 * Math.Abs(expected), $"{loss}: reported {reported}, expected {expected}");
        }
    }

    [Fact]
    public void KL_penalty_keeps_a_gradient_at_saturated_units_as_the_managed_regularizer_does()
    {
        TorchSharpAvailable.Require();
        // Column 0 never fires, column 1 always does (ρ̂ clamped to ε and 1 − ε), column 2 lies inside (0, 1).
        float[,] values = { { 0, 1, 0.2f }, { 0, 1, 0.6f }, { 0, 1, 0.3f }, { 0, 1, 0.5f } };
        var code = new Matrix(4, 3);
        for (int r = 0; r < 4; r++) for (int j = 0; j < 3; j++) code[r, j] = values[r, j];
        const float weight = 0.5f, target = 0.1f;
        var managedGrad = new Matrix(4, 3);
        double managed = new KlSparsityRegularizer(weight, target).Apply(null!, null!, code, managedGrad, null!);

        // In double precision: in float32, 1 − ε rounds to 1 − 0.95ε, which moves the penalty at a unit that always fires.
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(code.Span.ToArray().Select(v => (double)v).ToArray(), [4L, 3L], requires_grad: true);
        var loss = TorchAutoencoder.KlDivergenceSum(z, target) * (4.0 * weight);
        loss.backward();
        var grad = z.grad!.data<double>().ToArray();
        Assert.Equal(managed, loss.item<double>(), managed * 1e-9);
        for (int i = 0; i < grad.Length; i++)
        {
            // managedGrad holds ∂(per-sample mean)/∂z; the summed loss's gradient is n times it.
            double expected = 4 * managedGrad.Span[i];
            Assert.True(Math.Abs(grad[i] - expected) <= 1e-4 * Math.Abs(expected), $"∂/∂z[{i / 3},{i % 3}]: TorchSharp {grad[i]}, managed {expected}");
            Assert.NotEqual(0, grad[i]);
        }
    }

    [Fact]
    public void Corruption_changes_the_training_input_but_not_the_clean_validation_loss()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(100, 4);
        double[] Losses(CorruptionKind kind, float level)
        {
            var modules = Dense();
            var o = Options(modules, epochs: 1);
            (o.Optimizer, o.Momentum, o.LearningRate, o.Loss) = (OptimizerKind.Sgd, 0, 1e-30f, LossKind.SquaredError);
            (o.Corruption, o.CorruptionLevel, o.ValidationFraction) = (kind, level, 0.3);
            var e = modules.Fit(o, x).History.Epochs[0];
            return [e.TrainLoss, e.ValidationLoss!.Value];
        }
        var clean = Losses(CorruptionKind.None, 0);
        var masked = Losses(CorruptionKind.Masking, 0.5f);
        Assert.NotEqual(clean[0], masked[0]);
        Assert.Equal(clean[1], masked[1], 6);
    }

    [Fact]
    public void Same_seed_gives_identical_codes_and_another_seed_other_codes()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(200, 5);
        var modules = Dense();
        var a = modules.Fit(Options(modules, 3), x).Encode(x);
        var b = modules.Fit(Options(modules, 3), x).Encode(x);
        Assert.True(a.Span.SequenceEqual(b.Span));
        var other = Options(modules, 3);
        other.Seed = 6;
        Assert.False(a.Span.SequenceEqual(modules.Fit(other, x).Encode(x).Span));
    }

    [Fact]
    public void Early_stopping_keeps_the_best_epochs_weights()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(200, 6);
        var modules = Dense();
        var o = Options(modules, epochs: 12);
        (o.LearningRate, o.ValidationFraction, o.EarlyStoppingPatience, o.Loss) = (0.3f, 0.25, 2, LossKind.SquaredError);
        var model = modules.Fit(o, x);
        var h = model.History;
        Assert.True(h.BestEpoch < h.Epochs.Count, $"best epoch {h.BestEpoch} of {h.Epochs.Count}: the test needs training that gets worse");
        // The validation rows are the ones the shared loop draws first from the seed.
        var rng = new Rng(o.Seed);
        rng.Fork(1); // the corruption's generator, forked before the split as the managed trainer does
        var val = rng.Permutation(x.Rows)[..50];
        Matrix? rows = null;
        x.GatherRows(val, ref rows);
        var r = model.Reconstruct(rows!);
        double loss = 0;
        for (int i = 0; i < rows!.Rows; i++) loss += Losses.SampleLoss(LossKind.SquaredError, r.Row(i), rows.Row(i));
        Assert.Equal(h.Epochs[h.BestEpoch - 1].ValidationLoss!.Value, loss / rows.Rows, 4);
    }

    [Fact]
    public void A_layer_outside_the_list_fails_at_Fit_before_training_naming_it()
    {
        TorchSharpAvailable.Require();
        var modules = new TorchModules(() => nn.Sequential(nn.Linear(Features, 3), nn.Softplus()), () => nn.Linear(3, Features));
        int epochs = 0;
        var e = Assert.Throws<NotSupportedException>(() => modules.Fit(Options(modules, 3), Manifold(50, 1), new SyncProgress(_ => epochs++)));
        Assert.Contains("encoder.1", e.Message);
        Assert.Contains("Softplus", e.Message);
        Assert.Contains("ConvTranspose2d", e.Message);
        Assert.Equal(0, epochs);
    }

    [Fact]
    public void Options_that_belong_to_the_built_in_network_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(50, 1);
        var modules = Dense();
        foreach (var (set, name) in new (Action<AutoencoderOptions>, string)[]
        {
            (o => o.TiedWeights = true, "TiedWeights"),
            (o => o.DropoutRate = 0.2f, "DropoutRate"),
            (o => o.Contractive = 0.1f, "contractive"),
            (o => o.Adversarial = 0.3f, "adversarial term"),
            (o => { o.KlSparsityWeight = 0.1f; o.CodeActivation = ActivationKind.Sigmoid; }, "nn.Sigmoid"),
        })
        {
            var o = Options(modules, 3);
            set(o);
            var e = Assert.Throws<NotSupportedException>(() => modules.Fit(o, x));
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void Modules_that_do_not_fit_the_data_are_errors_saying_what_was_expected()
    {
        TorchSharpAvailable.Require();
        var x = Manifold(50, 1);
        var shortDecoder = new TorchModules(() => nn.Linear(Features, 3), () => nn.Linear(3, Features - 1));
        Assert.Contains("one per input feature (12)", Assert.Throws<ArgumentException>(() => shortDecoder.Fit(Options(shortDecoder, 3), x)).Message);
        var wrongShape = new TorchModules(() => nn.Linear(Features, 3), () => nn.Linear(3, Features), inputShape: [1, 3, 3]);
        Assert.Contains("9 values per row", Assert.Throws<ArgumentException>(() => wrongShape.Fit(Options(wrongShape, 3), x)).Message);
    }

    [Fact]
    public void A_conv_autoencoder_of_own_modules_exports_code_reconstruction_and_error_that_OnnxRuntime_reproduces()
    {
        TorchSharpAvailable.Require();
        var x = Images(300, 8);
        var modules = new TorchModules(TorchOnnxExportTests.ConvEncoder, TorchOnnxExportTests.ConvDecoder, inputShape: [1, 12, 12]);
        var o = Options(modules, epochs: 2);
        o.Corruption = CorruptionKind.Gaussian;
        o.CorruptionLevel = 0.1f;
        var model = modules.Fit(o, x);
        var path = Path.Combine(Path.GetTempPath(), $"torch-modules-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxModelFile.Save(OnnxExport.Autoencoder(model, "Features", "Code", "Reconstruction", "Error"), path);
            OnnxRuntimeHarness.AssertMatches(path, x, model.Encode(x), 1e-5f, "Code");
            var reconstruction = model.Reconstruct(x);
            OnnxRuntimeHarness.AssertClose(reconstruction, OnnxRuntimeHarness.Run(path, x, "Reconstruction"), 1e-5f, "reconstruction");
            OnnxRuntimeHarness.AssertClose(AutoencoderMetrics.RowErrors(x, reconstruction), OnnxRuntimeHarness.Run(path, x, "Error"), 1e-5f, "row error");
        }
        finally { File.Delete(path); }
    }

    /// <summary>12 × 12 images in [0, 1]: a bright square at a random place on a dim noisy background.</summary>
    internal static Matrix Images(int rows, int seed)
    {
        var rng = new Random(seed);
        var x = new Matrix(rows, 144);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Row(r);
            for (int i = 0; i < 144; i++) row[i] = (float)(rng.NextDouble() * 0.2);
            int top = rng.Next(0, 8), left = rng.Next(0, 8);
            for (int i = top; i < top + 4; i++) for (int j = left; j < left + 4; j++) row[i * 12 + j] = 0.8f + (float)(rng.NextDouble() * 0.2);
        }
        return x;
    }

    private static Matrix Logits(TorchModulesModel model, Matrix code)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var y = model.Decoder.forward(torch.tensor(code.Span.ToArray(), [code.Rows, code.Cols])).contiguous();
        return new Matrix(code.Rows, (int)y.shape[1], y.data<float>().ToArray());
    }

    private static double Mse(Matrix a, Matrix b)
    {
        double s = 0;
        for (int i = 0; i < a.Span.Length; i++) s += (a.Span[i] - b.Span[i]) * (double)(a.Span[i] - b.Span[i]);
        return s / a.Span.Length;
    }

    private static Matrix MeanRows(Matrix x, int rows)
    {
        var mean = new float[x.Cols];
        for (int r = 0; r < x.Rows; r++) for (int c = 0; c < x.Cols; c++) mean[c] += x.Row(r)[c] / x.Rows;
        var m = new Matrix(rows, x.Cols);
        for (int r = 0; r < rows; r++) mean.CopyTo(m.Row(r));
        return m;
    }

    private sealed class SyncProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
