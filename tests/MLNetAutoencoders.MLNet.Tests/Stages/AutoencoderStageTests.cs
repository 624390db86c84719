using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>The autoencoder stages used through ML.NET's own API: schemas, laziness, blocks, mappers, seeds, progress.</summary>
public class AutoencoderStageTests
{
    [Fact]
    public void Transform_adds_code_reconstruction_and_error_equal_to_the_model_and_passes_inputs_through()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(600, 1); // more than two blocks of 256, and a partial last block
        var data = ml.Data.LoadFromEnumerable(rows);
        var o = SmallAe();
        o.ReconstructionColumnName = "Reconstruction";
        o.ErrorColumnName = "Error";
        var model = ml.Transforms.EncodeWithAutoencoder(o).Fit(data);
        var scored = model.Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), scored.Schema["Code"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, PixelRow.Width), scored.Schema["Reconstruction"].Type);
        Assert.Equal(NumberDataViewType.Single, scored.Schema["Error"].Type);
        Assert.Equal(rows.Select(r => r.Label), scored.GetColumn<uint>("Label"));

        var x = Matrix(rows);
        var codes = model.Model.Encode(x);
        var reconstruction = model.Model.Reconstruct(x);
        AssertClose(Rows(codes), Column(scored, "Code"), 1e-6f, "code");
        AssertClose(Rows(reconstruction), Column(scored, "Reconstruction"), 1e-6f, "reconstruction");
        var errors = Scalars(scored, "Error");
        for (int i = 0; i < rows.Length; i++)
        {
            double e = 0;
            for (int j = 0; j < PixelRow.Width; j++) e += Math.Pow(x[i, j] - reconstruction[i, j], 2);
            Assert.Equal(e / PixelRow.Width, errors[i], 5);
        }
    }

    [Fact]
    public void Transform_is_lazy_and_a_bad_row_fails_only_when_read_naming_the_column_and_row()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(View(ml));
        var rows = Rows(300, 2);
        rows[123].Features[4] = float.NaN;
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows)); // no work yet: does not throw
        Assert.Equal(300, scored.GetColumn<uint>("Label").Count()); // input columns alone never touch the model
        var e = Assert.ThrowsAny<Exception>(() => Column(scored, "Code"));
        var inner = e is ArgumentException ? e : e.InnerException!;
        Assert.Contains("'Features'", inner.Message);
        Assert.Contains("row 123", inner.Message);
        Assert.Contains("NaN", inner.Message);
    }

    [Fact]
    public void Shuffled_cursors_and_single_rows_give_the_same_codes_as_blocks()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 400);
        var model = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data);
        var scored = model.Transform(data);
        var inOrder = Column(scored, "Code");
        var byFeatures = new Dictionary<string, float[]>();
        var features = Column(data, "Features");
        for (int i = 0; i < features.Length; i++) byFeatures[string.Join(",", features[i])] = inOrder[i];

        int n = 0;
        using (var cursor = scored.GetRowCursor(scored.Schema, new Random(5)))
        {
            var f = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
            var c = cursor.GetGetter<VBuffer<float>>(scored.Schema["Code"]);
            VBuffer<float> fv = default, cv = default;
            while (cursor.MoveNext())
            {
                f(ref fv);
                c(ref cv);
                AssertClose([byFeatures[string.Join(",", fv.DenseValues())]], [cv.DenseValues().ToArray()], 1e-6f, "shuffled cursor");
                n++;
            }
        }
        Assert.Equal(400, n);

        var engine = ml.Model.CreatePredictionEngine<PixelRow, ClassPrediction>(model, ignoreMissingColumns: true);
        var some = Rows(400, 1);
        for (int i = 0; i < 20; i++) AssertClose([inOrder[i]], [engine.Predict(some[i]).Code], 1e-6f, "prediction engine");
    }

    [Fact]
    public void Transform_is_safe_from_several_threads_at_once()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 800);
        var model = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(data);
        var expected = Column(model.Transform(data), "Code");
        var results = new float[8][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = Column(model.Transform(data), "Code"));
        foreach (var r in results) AssertClose(expected, r, 0f, "concurrent codes");
    }

    [Fact]
    public void A_null_seed_takes_the_MLContext_seed()
    {
        float[][] Codes(int contextSeed, int? seed)
        {
            var ml = new MLContext(contextSeed);
            var data = View(ml);
            return Column(ml.Transforms.EncodeWithAutoencoder(SmallAe(seed: seed)).Fit(data).Transform(data), "Code");
        }
        AssertClose(Codes(5, null), Codes(5, null), 0f, "same context seed");
        Assert.NotEqual(Codes(5, null)[0], Codes(6, null)[0]);
        AssertClose(Codes(5, 11), Codes(6, 11), 0f, "explicit seed wins");
    }

    [Fact]
    public void Progress_reaches_the_options_and_the_MLContext_log()
    {
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("EncodeWithAutoencoder")) lock (log) log.Add(e.Message); };
        var epochs = new List<EpochReport>();
        var o = SmallAe();
        o.Progress = new SyncProgress<EpochReport>(epochs.Add);
        ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml));
        Assert.Equal([1, 2, 3, 4, 5], epochs.Select(e => e.Epoch));
        Assert.Equal(5, log.Count(m => m.Contains("epoch")));
    }

    [Fact]
    public void Cancellation_stops_fit()
    {
        var ml = new MLContext(seed: 1);
        using var cts = new CancellationTokenSource();
        var o = SmallAe();
        o.Autoencoder.Epochs = 1000;
        o.CancellationToken = cts.Token;
        o.Progress = new SyncProgress<EpochReport>(e => { if (e.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => ml.Transforms.EncodeWithAutoencoder(o).Fit(View(ml)));
    }

    [Theory]
    [InlineData(AutoencoderKind.Contractive)]
    [InlineData(AutoencoderKind.Denoising)]
    [InlineData(AutoencoderKind.Dropout)]
    [InlineData(AutoencoderKind.Tied)]
    [InlineData(AutoencoderKind.Stacked)]
    [InlineData(AutoencoderKind.Adversarial)]
    public void Every_kind_of_the_family_fits_through_the_options_and_reconstructs_better_than_the_mean(AutoencoderKind kind)
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 600);
        var o = SmallAe(kind);
        o.Autoencoder.Epochs = 30;
        o.ErrorColumnName = "Error";
        var model = ml.Transforms.EncodeWithAutoencoder(o).Fit(data);
        Assert.Equal(kind == AutoencoderKind.Tied, model.Model is AutoencoderModel { Options.TiedWeights: true });
        Assert.Equal(kind == AutoencoderKind.Adversarial, model.Model is AutoencoderModel { Options.Adversarial: > 0 });
        double mse = Scalars(model.Transform(data), "Error").Average();
        // The mean image's error (the variance per pixel): a model that learnt nothing gets this.
        var x = Matrix(Rows(600, 1));
        double variance = 0;
        for (int j = 0; j < x.Cols; j++)
        {
            double mean = 0;
            for (int i = 0; i < x.Rows; i++) mean += x[i, j];
            mean /= x.Rows;
            for (int i = 0; i < x.Rows; i++) variance += Math.Pow(x[i, j] - mean, 2);
        }
        variance /= x.Rows * x.Cols;
        Assert.True(mse < 0.7 * variance, $"{kind}: reconstruction MSE {mse:G4} vs the mean image's {variance:G4}");
    }

    [Fact]
    public void The_adversarial_kind_saves_into_a_model_zip_and_scores_the_same_through_ONNX_Runtime()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 300);
        var o = SmallAe(AutoencoderKind.Adversarial);
        o.ErrorColumnName = "Error";
        var model = ml.Transforms.EncodeWithAutoencoder(o).Fit(data);
        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "aae.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out _);
        Assert.Equal("OnnxTransformer", loaded.GetType().Name);
        var test = View(ml, 100, 5);
        AssertClose(Column(model.Transform(test), "Code"), Column(loaded.Transform(test), "Code"), 1e-5f, "codes through ONNX Runtime");
        // The decoder runs too: each row's reconstruction error (a one-element vector after the ONNX round trip).
        var error = Scalars(model.Transform(test), "Error");
        var onnxError = Column(loaded.Transform(test), "Error");
        for (int i = 0; i < error.Length; i++) Assert.Equal(error[i], onnxError[i][0], 5);
    }

    [Fact]
    public void The_conv_kind_on_the_managed_engine_saves_into_a_model_zip_that_plain_MLNet_scores_the_same()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 300);
        var o = SmallAe();
        o.Autoencoder.Conv = new ConvAutoencoderOptions { ImageShape = [3, 2, 2], Channels = [4] };   // the 12 values as 3 × 2 × 2
        o.ReconstructionColumnName = "Reconstruction";
        var model = ml.Transforms.EncodeWithAutoencoder(o).Fit(data);
        Assert.Contains(((AutoencoderModel)model.Model).Encoder.Layers, l => l is Conv2dLayer);
        var test = View(ml, 100, 5);
        var expected = model.Transform(test);
        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "conv.zip");
        ml.Model.Save(model, data.Schema, zip);
        var (plain, stdout) = PlainMLNet.Score(ml, zip, test, dir.Path);
        Assert.Contains("OnnxTransformer", stdout);
        Assert.Equal(expected.Schema["Code"].Type, plain.Schema["Code"].Type);
        AssertClose(Column(expected, "Code"), Column(plain, "Code"), 1e-5f, "conv codes in plain ML.NET");
        AssertClose(Column(expected, "Reconstruction"), Column(plain, "Reconstruction"), 1e-5f, "conv reconstructions in plain ML.NET");
    }

    [Fact]
    public void The_sparse_kinds_presets_make_sparse_codes()
    {
        var ml = new MLContext(seed: 1);
        var data = View(ml, 600);
        float[][] Codes(AutoencoderKind kind)
        {
            var o = SmallAe(kind);
            o.Autoencoder.Epochs = 30;
            o.Autoencoder.CodeSize = 6;
            return Column(ml.Transforms.EncodeWithAutoencoder(o).Fit(data).Transform(data), "Code");
        }
        // sparse-l1: λ‖z‖₁ on a ReLU code zeroes more code entries than the same ReLU code without the penalty.
        var plainRelu = SmallAe();
        plainRelu.Autoencoder.Epochs = 30;
        plainRelu.Autoencoder.CodeSize = 6;
        plainRelu.Autoencoder.CodeActivation = ActivationKind.Relu;
        double Zeros(float[][] c) => c.SelectMany(r => r).Count(v => v == 0) / (double)c.Sum(r => r.Length);
        double l1Zeros = Zeros(Codes(AutoencoderKind.SparseL1));
        double reluZeros = Zeros(Column(ml.Transforms.EncodeWithAutoencoder(plainRelu).Fit(data).Transform(data), "Code"));
        Assert.True(l1Zeros > reluZeros + 0.1, $"sparse-l1 zeros {l1Zeros:P0} vs plain ReLU code {reluZeros:P0}");
        // sparse-kl: the sigmoid code's mean activation is pulled to ρ = 0.1.
        double mean = Codes(AutoencoderKind.SparseKl).SelectMany(r => r).Average();
        Assert.InRange(mean, AutoencoderDefaults.KlSparsityTarget - 0.05, AutoencoderDefaults.KlSparsityTarget + 0.05);
    }

    [Fact]
    public void The_VAE_stage_writes_mu()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(300, 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var o = SmallVae();
        o.ErrorColumnName = "Error";
        var model = ml.Transforms.EncodeWithVariationalAutoencoder(o).Fit(data);
        Assert.IsType<VaeModel>(model.Model);
        AssertClose(Rows(model.Model.Encode(Matrix(rows))), Column(model.Transform(data), "Code"), 1e-6f, "μ");
        Assert.All(Scalars(model.Transform(data), "Error"), e => Assert.True(e >= 0 && float.IsFinite(e)));
    }

    [Fact]
    public void The_simple_overloads_use_the_defaults()
    {
        var ml = new MLContext(seed: 1);
        var ae = ml.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 2, hiddenSizes: [6], epochs: 1).Fit(View(ml));
        Assert.Equal(2, ae.Model.CodeSize);
        var m = Assert.IsType<AutoencoderModel>(ae.Model);
        Assert.Equal(AutoencoderDefaults.BatchSize, m.Options.BatchSize);
        Assert.Equal(LossKind.CrossEntropy, m.Options.Loss);
        var vae = ml.Transforms.EncodeWithVariationalAutoencoder("Code", "Features", codeSize: 2, epochs: 1).Fit(View(ml));
        Assert.Equal(AutoencoderDefaults.VaeHiddenSizes, ((VaeModel)vae.Model).Options.HiddenSizes);
    }
}
