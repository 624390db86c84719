using Microsoft.ML.OnnxRuntime;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using static MLNetAutoencoders.Tests.Onnx.ExportCases;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>
/// The scoring export of an autoencoder (code, reconstruction, per-row error) and its one-row form (what the ML.NET
/// stages save into ML.NET's zip), checked by onnx's checker and run in ONNX Runtime against the library.
/// </summary>
public class ExportScoringTests
{
    public static TheoryData<string> Kinds => new() { "ae", "tied-squared-error", "vae" };

    private static IAutoencoder Train(string kind)
    {
        var x = Rows(400, 1);
        if (kind == "vae") return new VaeTrainer(new VaeOptions { HiddenSizes = [16], LatentSize = 4, Epochs = 3, BatchSize = 64, Seed = 2, Threads = 1 }).Fit(x);
        var o = SmallAe();
        if (kind == "tied-squared-error") { o.TiedWeights = true; o.Loss = LossKind.SquaredError; o.OutputActivation = ActivationKind.Sigmoid; }
        return new AutoencoderTrainer(o).Fit(x);
    }

    /// <summary>The mean of (x − x̂)² over each row.</summary>
    private static Matrix RowErrors(Matrix x, Matrix r) => RowReduce(x, (m, i) =>
    {
        double s = 0;
        for (int j = 0; j < m.Cols; j++) s += Math.Pow(m[i, j] - r[i, j], 2);
        return s / m.Cols;
    });

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Batch_model_gives_code_reconstruction_and_error_as_the_library(string kind)
    {
        var model = Train(kind);
        var x = Eval();
        using var dir = new TempDir();
        var path = dir.File(kind + ".onnx");
        OnnxModelFile.Save(OnnxExport.Autoencoder(model, "Pixels", "Code", "Reconstruction", "Error"), path);
        OnnxRuntimeHarness.Check(path);
        var reconstruction = model.Reconstruct(x);
        OnnxRuntimeHarness.AssertClose(model.Encode(x), OnnxRuntimeHarness.Run(path, x, "Code"), 1e-5f, "code");
        OnnxRuntimeHarness.AssertClose(reconstruction, OnnxRuntimeHarness.Run(path, x, "Reconstruction"), 1e-5f, "reconstruction");
        OnnxRuntimeHarness.AssertClose(RowErrors(x, reconstruction), OnnxRuntimeHarness.Run(path, x, "Error"), 1e-6f, "error");
    }

    [Fact]
    public void Single_row_model_takes_one_row_and_gives_rank_one_outputs_equal_to_the_batch_model()
    {
        var model = Train("ae");
        var x = Eval();
        var single = OnnxExport.SingleRow(OnnxExport.Autoencoder(model, "Features", "Code", errorName: "Error"));
        var input = single.Graph.Input.Single();
        Assert.Equal([(long)model.InputSize], input.Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal([[(long)model.CodeSize], [1L]], single.Graph.Output.Select(o => o.Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray()));
        using var dir = new TempDir();
        var path = dir.File("single.onnx");
        OnnxModelFile.Save(single, path);
        OnnxRuntimeHarness.Check(path);

        var codes = model.Encode(x);
        var errors = RowErrors(x, model.Reconstruct(x));
        using var session = new InferenceSession(path);
        using var runOptions = new RunOptions();
        for (int i = 0; i < 50; i++)
        {
            using var row = OrtValue.CreateTensorValueFromMemory(x.Row(i).ToArray(), [x.Cols]);
            using var outputs = session.Run(runOptions, ["Features"], [row], ["Code", "Error"]);
            Assert.Equal([(long)model.CodeSize], outputs[0].GetTensorTypeAndShape().Shape);
            var code = outputs[0].GetTensorDataAsSpan<float>();
            for (int j = 0; j < code.Length; j++) Assert.True(Math.Abs(code[j] - codes[i, j]) <= 1e-5f, $"row {i}, code {j}: {code[j]} vs {codes[i, j]}");
            Assert.Equal(errors[i, 0], outputs[1].GetTensorDataAsSpan<float>()[0], 5);
        }
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void Anomaly_scorer_gives_the_VAE_negative_ELBO_and_the_thresholded_label(VaeLikelihood likelihood)
    {
        var model = new VaeTrainer(new VaeOptions { HiddenSizes = [16], LatentSize = 4, Epochs = 3, BatchSize = 64, Seed = 2, Threads = 1, Likelihood = likelihood }).Fit(Rows(400, 1));
        var x = Eval();
        var elbo = model.NegativeElboAtMean(x);
        float threshold = (float)elbo.OrderBy(v => v).ElementAt(elbo.Length / 2);
        using var dir = new TempDir();
        var path = dir.File("elbo.onnx");
        OnnxModelFile.Save(OnnxExport.AnomalyScorer(model, "Features", "Score", "PredictedLabel", threshold, negativeElbo: true), path);
        OnnxRuntimeHarness.Check(path);
        var score = OnnxRuntimeHarness.Run(path, x, "Score");
        var label = OnnxRuntimeHarness.Run(path, x, "PredictedLabel");
        for (int i = 0; i < x.Rows; i++)
        {
            Assert.True(Math.Abs(score[i, 0] - elbo[i]) <= 1e-4 * Math.Max(1, Math.Abs(elbo[i])), $"row {i}: ORT {score[i, 0]}, library {elbo[i]}");
            if (Math.Abs(elbo[i] - threshold) > 1e-3) Assert.Equal(elbo[i] > threshold ? 1f : 0f, label[i, 0]);
        }
    }

    [Fact]
    public void Negative_ELBO_at_the_mean_equals_a_hand_computation_on_a_tiny_VAE()
    {
        var model = new VaeTrainer(new VaeOptions { HiddenSizes = [3], LatentSize = 2, Epochs = 2, BatchSize = 16, Seed = 4, Threads = 1 }).Fit(Rows(64, 3));
        var x = Eval();
        var mu = model.Encode(x);
        var lv = model.EncodeLogVariance(x);
        var p = model.Decode(mu); // sigmoid of the logits
        var ours = model.NegativeElboAtMean(x);
        for (int i = 0; i < 5; i++)
        {
            double rec = 0, kl = 0;
            for (int j = 0; j < x.Cols; j++) rec -= x[i, j] * Math.Log(p[i, j]) + (1 - x[i, j]) * Math.Log(1 - p[i, j]);
            for (int j = 0; j < mu.Cols; j++) kl += 0.5 * (mu[i, j] * mu[i, j] + Math.Exp(lv[i, j]) - 1 - lv[i, j]);
            Assert.True(Math.Abs(rec + kl - ours[i]) <= 1e-4 * Math.Abs(ours[i]), $"row {i}: by hand {rec + kl}, library {ours[i]}");
        }
    }
}
