using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>
/// One training step of a user's own modules, checked by number: with every row in one minibatch, the SGD and Adam
/// updates of a linear encoder and decoder equal the ones computed here from the closed-form gradient of the mean
/// squared-error loss (½‖x̂ − x‖² per row); batch-norm layers are trained in training mode (their running statistics
/// move by the batch's mean), and the validation loss is measured in eval mode (no dropout).
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesTrainingStepTests
{
    private const int Features = 12, Code = 3, Rows = 40;

    /// <summary>The parameters a factory created, copied before training changes them.</summary>
    private sealed class Initial
    {
        public float[] W1 = [], B1 = [], W2 = [], B2 = [];
    }

    private static float[] Values(Tensor t) => t.detach().clone().contiguous().data<float>().ToArray();

    private static (TorchModules Modules, Initial Initial) Linear()
    {
        var initial = new Initial();
        var modules = new TorchModules(
            () =>
            {
                var l = nn.Linear(Features, Code);
                (initial.W1, initial.B1) = (Values(l.weight!), Values(l.bias!));
                return l;
            },
            () =>
            {
                var l = nn.Linear(Code, Features);
                (initial.W2, initial.B2) = (Values(l.weight!), Values(l.bias!));
                return l;
            });
        return (modules, initial);
    }

    private static AutoencoderOptions OneFullBatch(TorchModules modules, OptimizerKind optimizer, float learningRate) => new()
    {
        Modules = modules, Epochs = 1, BatchSize = 64, Optimizer = optimizer, Momentum = 0, LearningRate = learningRate,
        Loss = LossKind.SquaredError, Seed = 3,
    };

    /// <summary>
    /// The gradient of (1/n)·Σ ½‖W₂(W₁x + b₁) + b₂ − x‖² over the rows, in doubles: (gW1, gB1, gW2, gB2), each row-major
    /// like TorchSharp's weights ([out, in]).
    /// </summary>
    private static (double[] W1, double[] B1, double[] W2, double[] B2) Gradient(Matrix x, Initial p)
    {
        var (gW1, gB1, gW2, gB2) = (new double[Code * Features], new double[Code], new double[Features * Code], new double[Features]);
        for (int r = 0; r < x.Rows; r++)
        {
            var row = x.Row(r);
            var z = new double[Code];
            for (int k = 0; k < Code; k++)
            {
                z[k] = p.B1[k];
                for (int i = 0; i < Features; i++) z[k] += p.W1[k * Features + i] * (double)row[i];
            }
            var residual = new double[Features];
            for (int i = 0; i < Features; i++)
            {
                residual[i] = p.B2[i] - row[i];
                for (int k = 0; k < Code; k++) residual[i] += p.W2[i * Code + k] * z[k];
            }
            for (int i = 0; i < Features; i++)
            {
                gB2[i] += residual[i] / x.Rows;
                for (int k = 0; k < Code; k++) gW2[i * Code + k] += residual[i] * z[k] / x.Rows;
            }
            for (int k = 0; k < Code; k++)
            {
                double dz = 0;
                for (int i = 0; i < Features; i++) dz += p.W2[i * Code + k] * residual[i];
                gB1[k] += dz / x.Rows;
                for (int i = 0; i < Features; i++) gW1[k * Features + i] += dz * row[i] / x.Rows;
            }
        }
        return (gW1, gB1, gW2, gB2);
    }

    private static void AssertStep(string what, float[] before, double[] gradient, Tensor after, Func<double, double> step)
    {
        var actual = Values(after);
        Assert.Equal(before.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            double expected = before[i] - step(gradient[i]);
            Assert.True(Math.Abs(actual[i] - expected) <= 2e-6, $"{what}[{i}]: {actual[i]}, expected {expected} (before {before[i]}, gradient {gradient[i]})");
        }
    }

    private static void AssertAllSteps(TorchModulesModel model, Initial p, Matrix x, Func<double, double> step)
    {
        var g = Gradient(x, p);
        var encoder = (global::TorchSharp.Modules.Linear)model.Encoder;
        var decoder = (global::TorchSharp.Modules.Linear)model.Decoder;
        AssertStep("encoder weight", p.W1, g.W1, encoder.weight!, step);
        AssertStep("encoder bias", p.B1, g.B1, encoder.bias!, step);
        AssertStep("decoder weight", p.W2, g.W2, decoder.weight!, step);
        AssertStep("decoder bias", p.B2, g.B2, decoder.bias!, step);
    }

    [Fact]
    public void One_SGD_step_moves_each_parameter_by_the_learning_rate_times_the_mean_gradient()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(Rows, 2);
        var (modules, initial) = Linear();
        var model = modules.Fit(OneFullBatch(modules, OptimizerKind.Sgd, 0.1f), x);
        AssertAllSteps(model, initial, x, g => 0.1 * g);
    }

    [Fact]
    public void One_Adam_step_moves_each_parameter_by_the_learning_rate_in_the_gradients_direction()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(Rows, 2);
        var (modules, initial) = Linear();
        var model = modules.Fit(OneFullBatch(modules, OptimizerKind.Adam, 0.01f), x);
        // Adam's first step (bias-corrected moments m̂ = g, v̂ = g²): lr·g / (|g| + 1e-8).
        AssertAllSteps(model, initial, x, g => 0.01 * g / (Math.Abs(g) + 1e-8));
    }

    [Fact]
    public void Batch_norm_layers_train_in_training_mode_so_their_running_means_move_by_the_batch_mean()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(Rows, 4);
        float[] codeBias = [];
        var modules = new TorchModules(
            () =>
            {
                var code = nn.Linear(Features, Code);
                codeBias = Values(code.bias!);
                return nn.Sequential(nn.BatchNorm1d(Features), code);
            },
            () => nn.Sequential(nn.BatchNorm1d(Code), nn.Linear(Code, Features)));
        var model = modules.Fit(OneFullBatch(modules, OptimizerKind.Sgd, 0.1f), x);

        // One batch of every row, momentum 0.1, running means starting at 0: the encoder's batch norm holds 0.1 × the
        // rows' column means; the code is normalised rows (column means 0) times the initial weights plus the initial
        // bias, so the decoder's batch norm holds 0.1 × that bias.
        var encoderNorm = (global::TorchSharp.Modules.BatchNorm1d)((global::TorchSharp.Modules.Sequential)model.Encoder)[0];
        var decoderNorm = (global::TorchSharp.Modules.BatchNorm1d)((global::TorchSharp.Modules.Sequential)model.Decoder)[0];
        var encoderMean = Values(encoderNorm.running_mean!);
        for (int i = 0; i < Features; i++)
        {
            double mean = 0;
            for (int r = 0; r < x.Rows; r++) mean += x.Row(r)[i] / (double)x.Rows;
            Assert.True(Math.Abs(encoderMean[i] - 0.1 * mean) <= 1e-6, $"encoder running mean [{i}]: {encoderMean[i]}, expected {0.1 * mean}");
        }
        var decoderMean = Values(decoderNorm.running_mean!);
        for (int k = 0; k < Code; k++)
            Assert.True(Math.Abs(decoderMean[k] - 0.1 * codeBias[k]) <= 1e-6, $"decoder running mean [{k}]: {decoderMean[k]}, expected {0.1 * codeBias[k]}");
    }

    [Fact]
    public void The_validation_loss_is_measured_in_eval_mode_without_the_decoders_dropout()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(200, 5);
        var modules = new TorchModules(
            () => nn.Sequential(nn.Linear(Features, 16), nn.ReLU(), nn.Linear(16, Code)),
            () => nn.Sequential(nn.Linear(Code, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, Features)));
        var o = OneFullBatch(modules, OptimizerKind.Adam, 0.01f);
        (o.BatchSize, o.ValidationFraction, o.EarlyStoppingPatience) = (32, 0.25, 1);
        var model = modules.Fit(o, x);

        // The validation rows as the training loop draws them (the trainer forks stream 1 first).
        var rng = new Rng(o.Seed);
        rng.Fork(1);
        var validation = rng.Permutation(x.Rows)[..50];
        Matrix? rows = null;
        x.GatherRows(validation, ref rows);
        var r = model.Reconstruct(rows!);
        double loss = 0;
        for (int i = 0; i < rows!.Rows; i++) loss += Losses.SampleLoss(LossKind.SquaredError, r.Row(i), rows.Row(i));
        Assert.Equal(loss / rows.Rows, model.History.Epochs.Single().ValidationLoss!.Value, 5);
    }
}
