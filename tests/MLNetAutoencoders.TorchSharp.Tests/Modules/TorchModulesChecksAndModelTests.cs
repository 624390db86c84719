using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Modules;
using MLNetAutoencoders.TorchSharp.Tests.Export;
using TorchSharp;
using static TorchSharp.torch;
using static MLNetAutoencoders.TorchSharp.Tests.Modules.TorchModulesTestData;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>
/// A user's own modules (<see cref="TorchModules"/>): the checks made before training (null arguments and factories,
/// float64 parameters, modules that cannot read the rows or each other's output, KL sparsity without a sigmoid code)
/// with their messages; the fitted model (<see cref="TorchModulesModel"/>): left in eval mode, its shapes, sizes and ONNX
/// stage description, the width check of Encode and Decode, the sigmoid on decoded logits, no library model file; and
/// early stopping putting back batch-norm statistics with the weights.
/// </summary>
[Collection(TorchGenerator.Collection)]
public class TorchModulesChecksAndModelTests
{
    [Fact]
    public void Null_arguments_and_bad_shapes_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        Func<nn.Module<Tensor, Tensor>> linear = () => nn.Linear(Features, 3);
        Assert.Equal("encoder", Assert.Throws<ArgumentNullException>(() => new TorchModules(null!, linear)).ParamName);
        Assert.Equal("decoder", Assert.Throws<ArgumentNullException>(() => new TorchModules(linear, null!)).ParamName);
        Assert.Contains("got [3, 0]", Assert.Throws<ArgumentException>(() => new TorchModules(linear, linear, [3, 0])).Message);
        long[] shape = [1, 3, 4];
        var modules = new TorchModules(linear, linear, shape);
        shape[0] = 2;
        Assert.Equal([1L, 3, 4], modules.InputShape);
        Assert.Null(new TorchModules(linear, linear).InputShape);

        var x = TorchModulesTestData.Manifold(40, 1);
        var dense = Dense();
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => dense.Fit(null!, x)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => dense.Fit(Options(dense, 1), null!)).ParamName);
    }

    [Fact]
    public void Factories_that_return_null_are_errors_naming_them()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(40, 1);
        var noEncoder = Dense(encoder: () => null!);
        var e = Assert.Throws<ArgumentException>(() => noEncoder.Fit(Options(noEncoder, 1), x));
        Assert.Equal("modules", e.ParamName);
        Assert.StartsWith("The encoder factory returned null.", e.Message);
        var noDecoder = Dense(decoder: () => null!);
        Assert.StartsWith("The decoder factory returned null.", Assert.Throws<ArgumentException>(() => noDecoder.Fit(Options(noDecoder, 1), x)).Message);
    }

    [Fact]
    public void Float64_parameters_are_an_error_naming_the_parameter()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(40, 1);
        var modules = Dense(decoder: () => nn.Sequential(nn.Linear(3, Features)).to(torch.float64));
        var e = Assert.Throws<NotSupportedException>(() => modules.Fit(Options(modules, 1), x));
        Assert.Equal("The parameter 0.weight is Float64 on CPU; the modules must be float32 on the CPU.", e.Message);
    }

    [Fact]
    public void Modules_that_cannot_read_the_rows_or_the_code_are_errors_saying_which()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(40, 1);
        var narrow = Dense(encoder: () => nn.Linear(5, 3));
        var e = Assert.Throws<ArgumentException>(() => narrow.Fit(Options(narrow, 1), x));
        Assert.StartsWith("The encoder cannot read rows of shape [12]: ", e.Message);
        Assert.Contains("(set TorchModules' inputShape to the shape it expects)", e.Message);
        var wide = Dense(decoder: () => nn.Linear(4, Features));
        Assert.StartsWith("The decoder cannot read the encoder's output (shape [3] per row): ",
            Assert.Throws<ArgumentException>(() => wide.Fit(Options(wide, 1), x)).Message);
        var shortDecoder = Dense(decoder: () => nn.Linear(3, Features - 2));
        Assert.StartsWith("The decoder gives 10 values per row (shape [10]); it must give one per input feature (12).",
            Assert.Throws<ArgumentException>(() => shortDecoder.Fit(Options(shortDecoder, 1), x)).Message);
    }

    [Fact]
    public void KL_sparsity_needs_the_encoder_to_end_in_a_sigmoid_nested_or_not()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(40, 1);
        var plain = Dense();
        var o = Options(plain, 1);
        (o.KlSparsityWeight, o.CodeActivation) = (0.1f, ActivationKind.Sigmoid);
        Assert.Equal("KL sparsity (KlSparsityWeight 0.1) needs code values in (0, 1): end the encoder with nn.Sigmoid(); it ends with Linear.",
            Assert.Throws<NotSupportedException>(() => plain.Fit(o, x)).Message);
        var nested = Dense(encoder: () => nn.Sequential(nn.Linear(Features, 8), nn.Sequential(nn.Linear(8, 3), nn.Sigmoid())));
        var n = Options(nested, 1);
        (n.KlSparsityWeight, n.CodeActivation) = (0.1f, ActivationKind.Sigmoid);
        Assert.Single(nested.Fit(n, x).History.Epochs);
    }

    [Fact]
    public void Fit_uses_the_options_thread_count()
    {
        TorchSharpAvailable.Require();
        int before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(2);
            var modules = Dense();
            var o = Options(modules, 1);
            o.Threads = 1;
            modules.Fit(o, TorchModulesTestData.Manifold(40, 1));
            Assert.Equal(1, torch.get_num_threads());
        }
        finally { torch.set_num_threads(before); }
    }

    [Fact]
    public void The_fitted_model_is_in_eval_mode_with_its_shapes_and_sizes()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(64, 2);
        var modules = Dense(encoder: () => nn.Sequential(nn.Linear(Features, 16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 3)));
        var o = Options(modules, 1);
        o.ValidationFraction = 0;
        var model = modules.Fit(o, x);
        Assert.False(model.Encoder.training);
        Assert.False(model.Decoder.training);
        Assert.True(model.Encode(x).Span.SequenceEqual(model.Encode(x).Span), "dropout is off in the fitted model");
        Assert.Equal([12L], model.InputShape);
        Assert.Equal([3L], model.CodeShape);
        Assert.Equal(Features, model.InputSize);
        Assert.Equal(3, model.CodeSize);
        Assert.Equal((Features * 16 + 16 + 16 * 3 + 3) + (3 * 16 + 16 + 16 * Features + Features), model.ParameterCount);
        Assert.Empty(model.CodePath);
        Assert.NotSame(o, model.Options);
        Assert.Equal(0, model.Options.ValidationFraction);
    }

    [Fact]
    public void Encode_and_Decode_check_the_width_and_decoded_logits_get_a_sigmoid()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(20, 3);
        foreach (var loss in new[] { LossKind.CrossEntropy, LossKind.SquaredError })
        {
            var modules = Dense();
            var o = Options(modules, 1);
            o.Loss = loss;
            var model = modules.Fit(o, x);
            var e = Assert.Throws<ArgumentException>(() => model.Encode(new Matrix(2, 5)));
            Assert.Equal("x", e.ParamName);
            Assert.StartsWith("The rows have 5 values; the module reads 12.", e.Message);
            Assert.StartsWith("The rows have 2 values; the module reads 3.", Assert.Throws<ArgumentException>(() => model.Decode(new Matrix(2, 2))).Message);
            Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => model.Encode(null!)).ParamName);
            var none = model.Encode(new Matrix(0, Features));
            Assert.Equal((0, 3), (none.Rows, none.Cols));
            var noRows = model.Decode(new Matrix(0, 3));
            Assert.Equal((0, Features), (noRows.Rows, noRows.Cols));

            var code = model.Encode(x);
            var decoded = model.Decode(code);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var raw = model.Decoder.forward(torch.tensor(code.Span.ToArray(), [code.Rows, 3L])).contiguous().data<float>().ToArray();
            for (int i = 0; i < raw.Length; i++)
            {
                float expected = loss == LossKind.CrossEntropy ? 1f / (1f + MathF.Exp(-raw[i])) : raw[i];
                Assert.True(Math.Abs(decoded.Span[i] - expected) <= 1e-6f, $"{loss}: value {i} decoded {decoded.Span[i]}, expected {expected}");
            }
            Assert.True(model.Reconstruct(x).Span.SequenceEqual(decoded.Span));
        }
    }

    [Fact]
    public void The_model_has_no_library_file_and_describes_its_layers_for_ONNX()
    {
        TorchSharpAvailable.Require();
        var modules = Dense();
        var model = modules.Fit(Options(modules, 1), TorchModulesTestData.Manifold(40, 1));
        Assert.Contains("has no library model file", Assert.Throws<NotSupportedException>(() => model.ToArchive()).Message);
        Assert.Contains("has no library model file", Assert.Throws<NotSupportedException>(() => model.Save("unused.bin")).Message);
        Assert.False(File.Exists("unused.bin"));
        var stage = model.EncoderStage();
        Assert.Equal(TorchModulesModel.Kind, stage.Kind);
        Assert.Equal("torch-modules", stage.Kind);
        Assert.Equal((Features, 3), (stage.InputSize, stage.OutputSize));
        var options = stage.Options.AsObject();
        Assert.Equal("[12]", options["inputShape"]!.ToJsonString());
        Assert.Equal("Linear > ReLU > Linear", (string?)options["encoder"]);
        Assert.Equal("Linear > ReLU > Linear", (string?)options["decoder"]);
        Assert.Equal(5, (int?)options["seed"]);
    }

    /// <summary>
    /// Early stopping puts back the best epoch's batch-norm running statistics with its weights: the fitted model's
    /// validation loss, recomputed, is the best epoch's.
    /// </summary>
    [Fact]
    public void Early_stopping_puts_back_the_best_epochs_batch_norm_statistics()
    {
        TorchSharpAvailable.Require();
        var x = TorchModulesTestData.Manifold(200, 6);
        var modules = Dense(encoder: () => nn.Sequential(nn.Linear(Features, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3)));
        var o = Options(modules, epochs: 12);
        (o.LearningRate, o.ValidationFraction, o.EarlyStoppingPatience, o.Loss) = (0.3f, 0.25, 2, LossKind.SquaredError);
        var model = modules.Fit(o, x);
        var h = model.History;
        Assert.True(h.BestEpoch < h.Epochs.Count, $"best epoch {h.BestEpoch} of {h.Epochs.Count}: the test needs training that gets worse");
        var rng = new Rng(o.Seed);
        rng.Fork(1);
        var val = rng.Permutation(x.Rows)[..50];
        Matrix? rows = null;
        x.GatherRows(val, ref rows);
        var r = model.Reconstruct(rows!);
        double loss = 0;
        for (int i = 0; i < rows!.Rows; i++) loss += Losses.SampleLoss(LossKind.SquaredError, r.Row(i), rows.Row(i));
        Assert.Equal(h.Epochs[h.BestEpoch - 1].ValidationLoss!.Value, loss / rows.Rows, 4);
    }
}
