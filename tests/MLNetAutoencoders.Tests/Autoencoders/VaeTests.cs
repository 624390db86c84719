using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class VaeTests
{
    private static readonly NnContext Ctx = NnContext.Create(GemmKind.Managed, 1, 3);

    private static VaeOptions Small() => new()
    {
        HiddenSizes = new[] { 16 }, LatentSize = 3, Epochs = 25, BatchSize = 32, LearningRate = 3e-3f, Seed = 4, Gemm = GemmKind.Managed,
    };

    [Fact]
    public void AnalyticKl_MatchesMonteCarlo()
    {
        var mu = new[] { 0.5f, -1.2f, 0.1f };
        var lv = new[] { -0.7f, 0.4f, -2f };
        double analytic = VaeNetwork.GaussianKl(mu, lv);
        // KL = E_q[log q(z) − log p(z)], z ~ q = N(μ, σ²).
        var rng = new Rng(8);
        const int n = 200_000;
        double sum = 0, sumSq = 0;
        for (int s = 0; s < n; s++)
        {
            double v = 0;
            for (int j = 0; j < 3; j++)
            {
                double sigma = Math.Exp(0.5 * lv[j]), e = rng.NextGaussian(), z = mu[j] + sigma * e;
                v += -0.5 * e * e - 0.5 * lv[j] + 0.5 * z * z; // log q − log p (the 2π terms cancel)
            }
            sum += v; sumSq += v * v;
        }
        double mean = sum / n, se = Math.Sqrt((sumSq / n - mean * mean) / n);
        Assert.True(Math.Abs(mean - analytic) < 4 * se, $"analytic {analytic}, Monte Carlo {mean} ± {se}");
        Assert.True(analytic > 0.5, "the test distribution should be far from the prior");
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli, 1f)]
    [InlineData(VaeLikelihood.Gaussian, 0.5f)]
    [InlineData(VaeLikelihood.Bernoulli, 3f)]
    public void Loss_GradientsMatchFiniteDifferences_ThroughTheReparameterisation(VaeLikelihood likelihood, float beta)
    {
        var o = Small();
        o.Likelihood = likelihood; o.GaussianSigma = 0.7f; o.HiddenActivation = ActivationKind.Tanh; o.HiddenSizes = new[] { 6 };
        var net = VaeNetwork.Build(o, 5, new Rng(2));
        var x = RegularizerTests.Random(4, 5, 9, 0, 1);
        var eps = RegularizerTests.Random(4, 3, 10);
        new Rng(11).FillGaussian(eps.Span);
        double Loss(bool backward)
        {
            var (rec, kl) = net.Loss(x, eps, beta, backward, Ctx);
            return (rec + beta * kl) / x.Rows;
        }
        foreach (var p in net.Parameters) p.Grad.Clear();
        Loss(true);
        var analytic = net.Parameters.Select(p => p.Grad.Span.ToArray()).ToList();
        int k = 0;
        foreach (var p in net.Parameters) GradientCheck.Check(p.Name, p.Value.Data, analytic[k++], () => Loss(false));
        // The log-variance head gets gradient from both the KL and the sampled reconstruction (σ ⊙ ε).
        Assert.Contains(analytic[net.Parameters.ToList().FindIndex(p => p.Name == "logvar.weight")], v => Math.Abs(v) > 1e-4);
    }

    [Fact]
    public void Fit_LowersTheNegativeElbo_AndEncodeIsDeterministicMean()
    {
        var x = TestData.LowRankData(1500);
        var test = TestData.LowRankData(300, seed: 2);
        var o = Small(); o.Epochs = 1;
        var early = new VaeTrainer(o).Fit(x);
        o.Epochs = 25;
        var model = new VaeTrainer(o).Fit(x);
        var e0 = early.Evaluate(test); var e = model.Evaluate(test);
        Assert.True(e.NegativeElbo < e0.NegativeElbo - 0.5, $"−ELBO after 25 epochs {e.NegativeElbo} should be below 1 epoch's {e0.NegativeElbo}");
        Assert.Equal(e.Reconstruction + e.Kl, e.NegativeElbo, 9);
        Assert.True(e.Kl > 0);
        Assert.Equal(e, model.Evaluate(test));
        // Encode is μ(x) = the mean head on the encoder's output (no sampling, no log σ² head).
        var mu = model.MeanHead.Forward(model.Encoder.Forward(test, false, Ctx), false, Ctx);
        var code = model.Encode(test);
        for (int i = 0; i < code.Length; i++) Assert.Equal(mu.Span[i], code.Span[i], 5);
        // Encode is μ: decoding it is the reconstruction, and reconstructions beat the mean image.
        Assert.Equal(model.Decode(model.Encode(test)).Span.ToArray(), model.Reconstruct(test).Span.ToArray());
        Assert.True(model.EncodeLogVariance(test).Span.ToArray().Average() < -0.5, "posterior variances should shrink below the prior's");
    }

    private static VaeModel TinyModel(VaeLikelihood likelihood)
    {
        var o = Small(); o.Epochs = 2; o.HiddenSizes = new[] { 4 }; o.LatentSize = 2; o.HiddenActivation = ActivationKind.Tanh;
        o.Likelihood = likelihood; o.GaussianSigma = 0.7f;
        return new VaeTrainer(o).Fit(TestData.LowRankData(40, 6));
    }

    /// <summary>
    /// −ELBO = −log p(x | z) + KL(N(μ, σ²) ‖ N(0, I)) of each row of <paramref name="x"/> under <see cref="TinyModel"/>, in double
    /// precision from its weights: the sums over rows of the reconstruction term at z = μ + σ ε (ε from <paramref name="eps"/>,
    /// two values a row) and of the KL, and each row's −ELBO at the mean z = μ.
    /// </summary>
    private static (double Rec, double Kl, double[] AtMean) IndependentElbo(VaeModel model, Matrix x, float[] eps)
    {
        static double[] Dense(DenseLayer d, double[] input, bool tanh)
        {
            var w = d.Weight.Value; var b = d.Bias.Value.Span;
            var y = new double[w.Rows];
            for (int o = 0; o < w.Rows; o++)
            {
                double s = b[o];
                for (int i = 0; i < w.Cols; i++) s += (double)w[o, i] * input[i];
                y[o] = tanh ? Math.Tanh(s) : s;
            }
            return y;
        }
        var encoder = model.Encoder.DenseLayers.ToList();
        var decoder = model.Decoder.DenseLayers.ToList();
        Assert.Single(encoder); Assert.Equal(2, decoder.Count);
        double sigma = model.Options.GaussianSigma;
        bool bernoulli = model.Options.Likelihood == VaeLikelihood.Bernoulli;
        double Reconstruction(double[] xr, double[] z)
        {
            var outp = Dense(decoder[1], Dense(decoder[0], z, true), false);
            double rec = 0;
            for (int i = 0; i < xr.Length; i++)
            {
                double a = outp[i];
                rec += bernoulli
                    ? -(xr[i] * Math.Log(1 / (1 + Math.Exp(-a))) + (1 - xr[i]) * Math.Log(1 - 1 / (1 + Math.Exp(-a))))
                    : (xr[i] - a) * (xr[i] - a) / (2 * sigma * sigma) + 0.5 * Math.Log(2 * Math.PI * sigma * sigma);
            }
            return rec;
        }
        double recSum = 0, klSum = 0;
        var atMean = new double[x.Rows];
        for (int r = 0; r < x.Rows; r++)
        {
            var xr = x.Row(r).ToArray().Select(v => (double)v).ToArray();
            var h = Dense(encoder[0], xr, true);
            var mu = Dense(model.MeanHead, h, false);
            var lv = Dense(model.LogVarianceHead, h, false);
            var z = new double[2];
            double kl = 0;
            for (int j = 0; j < 2; j++)
            {
                z[j] = mu[j] + Math.Exp(0.5 * lv[j]) * eps[r * 2 + j];
                kl += 0.5 * (mu[j] * mu[j] + Math.Exp(lv[j]) - 1 - lv[j]);
            }
            recSum += Reconstruction(xr, z);
            klSum += kl;
            atMean[r] = Reconstruction(xr, mu) + kl;
        }
        return (recSum, klSum, atMean);
    }

    /// <summary>The ε Evaluate draws with <paramref name="seed"/>: one N(0, 1) value per latent value, row after row.</summary>
    private static float[] EvaluateEps(int rows, ulong seed)
    {
        var eps = new float[rows * 2];
        new Rng(seed).FillGaussian(eps);
        return eps;
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void NegativeElbo_EqualsAnIndependentComputationOnATinyModel(VaeLikelihood likelihood)
    {
        var model = TinyModel(likelihood);
        var x = TestData.LowRankData(40, 6);
        var e = model.Evaluate(x, seed: 5);
        var (rec, kl, _) = IndependentElbo(model, x, EvaluateEps(x.Rows, 5));
        rec /= x.Rows; kl /= x.Rows;
        Assert.Equal(kl, e.Kl, 1e-5 * Math.Max(1, kl));
        Assert.Equal(rec, e.Reconstruction, 1e-5 * Math.Abs(rec));
        Assert.Equal(rec + kl, e.NegativeElbo, 1e-5 * Math.Abs(rec + kl));
    }

    [Theory]
    [InlineData(VaeLikelihood.Bernoulli)]
    [InlineData(VaeLikelihood.Gaussian)]
    public void Evaluate_InChunksOf1024Rows_AndTheNegativeElboAtTheMean_MatchAnIndependentComputation(VaeLikelihood likelihood)
    {
        var model = TinyModel(likelihood);
        var x = TestData.LowRankData(1030, 6, seed: 3);
        var e = model.Evaluate(x, seed: 5);
        var (rec, kl, atMean) = IndependentElbo(model, x, EvaluateEps(x.Rows, 5));
        Assert.Equal((rec + kl) / x.Rows, e.NegativeElbo, 1e-5 * Math.Abs(rec + kl) / x.Rows);
        var exact = new Matrix(1024, 6, x.Data[..(1024 * 6)]); // exactly one chunk
        var (rec1024, kl1024, _) = IndependentElbo(model, exact, EvaluateEps(1024, 5));
        Assert.Equal((rec1024 + kl1024) / 1024, model.Evaluate(exact, seed: 5).NegativeElbo, 1e-5 * Math.Abs(rec1024 + kl1024) / 1024);
        Assert.Equal(kl / x.Rows, e.Kl, 1e-5 * Math.Max(1, kl / x.Rows));
        var ours = model.NegativeElboAtMean(x);
        for (int r = 0; r < x.Rows; r++)
            Assert.True(Math.Abs(atMean[r] - ours[r]) <= 1e-4 * Math.Max(1, Math.Abs(atMean[r])), $"row {r}: −ELBO at the mean {ours[r]}, expected {atMean[r]}");
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => model.Evaluate(new Matrix(0, 6))).Message);
    }

    [Fact]
    public void Cancellation_InTheMiddleOfAFit_StopsBeforeTheNextEpoch()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<int>();
        var o = Small(); o.Epochs = 10;
        var progress = new SyncProgress<EpochReport>(r => { reports.Add(r.Epoch); if (r.Epoch == 2) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => new VaeTrainer(o).Fit(TestData.LowRankData(200), progress, cts.Token));
        Assert.Equal(new[] { 1, 2 }, reports);
    }

    [Fact]
    public void SampleAndInterpolate_DecodeTheRightPoints()
    {
        var o = Small(); o.Epochs = 2;
        var model = new VaeTrainer(o).Fit(TestData.LowRankData(200));
        var s = model.Sample(7, seed: 3);
        Assert.Equal((7, 24), (s.Rows, s.Cols));
        Assert.All(s.Span.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(s.Span.ToArray(), model.Sample(7, seed: 3).Span.ToArray());
        Assert.NotEqual(s.Span.ToArray(), model.Sample(7, seed: 4).Span.ToArray());
        var a = new[] { 1f, -1f, 0.5f }; var b = new[] { -2f, 0f, 1f };
        var path = model.Interpolate(a, b, 5);
        Assert.Equal(5, path.Rows);
        // A single row is multiplied by the vector path of Gemm.Multiply, a batch by the blocked kernel: equal to float rounding.
        var first = model.Decode(new Matrix(1, 3, a));
        var last = model.Decode(new Matrix(1, 3, b));
        for (int i = 0; i < 24; i++)
        {
            Assert.True(Math.Abs(first[0, i] - path[0, i]) <= 1e-6f, $"first point, value {i}: {path[0, i]} vs {first[0, i]}");
            Assert.True(Math.Abs(last[0, i] - path[4, i]) <= 1e-6f, $"last point, value {i}: {path[4, i]} vs {last[0, i]}");
        }
        var mid = model.Decode(new Matrix(1, 3, new[] { -0.5f, -0.5f, 0.75f }));
        for (int i = 0; i < 24; i++) Assert.Equal(mid[0, i], path[2, i], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Interpolate(a, b, 1));
        Assert.Throws<ArgumentException>(() => model.Interpolate(a, new[] { 1f }, 3));
    }

    [Fact]
    public void Interpolate_OfTwoStepsIsItsEnds_AndBadArgumentsSaySo()
    {
        var o = Small();
        var model = new VaeModel(o, VaeNetwork.Build(o, 5, new Rng(2)), new TrainingHistory());
        float[] a = [1f, -1f, 0.5f], b = [-2f, 0f, 1f];
        Assert.Equal(model.Decode(new Matrix(2, 3, [.. a, .. b])).Span.ToArray(), model.Interpolate(a, b, 2).Span.ToArray());
        Assert.Contains("steps must be ≥ 2", Assert.Throws<ArgumentOutOfRangeException>(() => model.Interpolate(a, b, 1)).Message);
        Assert.Contains("Codes have 2 and 3 values; the model's latent width is 3", Assert.Throws<ArgumentException>(() => model.Interpolate([1f, 2f], b, 3)).Message);
        Assert.Contains("Codes have 3 and 4 values", Assert.Throws<ArgumentException>(() => model.Interpolate(a, [.. b, 0f], 3)).Message);
        var other = AutoencoderMetricsTests.Untrained().ToArchive();
        Assert.Contains("holds a 'autoencoder' model; expected 'vae'", Assert.Throws<InvalidDataException>(() => VaeModel.FromArchive(other)).Message);
    }

    [Fact]
    public void Fit_ChecksTheDataForTheLikelihood_AndNeedsData()
    {
        var o = Small(); o.Epochs = 1;
        var x = TestData.LowRankData(40);
        x[2, 3] = 1.5f;
        Assert.Contains("row 2, column 3 is 1.5, outside [0, 1]", Assert.Throws<ArgumentException>(() => new VaeTrainer(o).Fit(x)).Message);
        o.Likelihood = VaeLikelihood.Gaussian;
        Assert.Equal(24, new VaeTrainer(o).Fit(x).InputSize); // any finite value
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => new VaeTrainer(o).Fit((Matrix)null!)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => new VaeTrainer(o).Fit((IRowStream)null!)).ParamName);
    }

    [Theory]
    [InlineData("Encode")]
    [InlineData("EncodeLogVariance")]
    [InlineData("Decode")]
    [InlineData("Evaluate")]
    [InlineData("NegativeElboAtMean")]
    public void Inputs_OfTheWrongWidth_AreRefusedSayingWhatIsExpected(string method)
    {
        var o = Small();
        var model = new VaeModel(o, VaeNetwork.Build(o, 5, new Rng(2)), new TrainingHistory());
        var x = new Matrix(2, 4);
        Action call = method switch
        {
            "Encode" => () => model.Encode(x),
            "EncodeLogVariance" => () => model.EncodeLogVariance(x),
            "Decode" => () => model.Decode(new Matrix(2, 2)),
            "Evaluate" => () => model.Evaluate(x),
            _ => () => model.NegativeElboAtMean(x),
        };
        var expected = method == "Decode" ? "The codes have 2 values per row; the model expects 3" : "The input have 4 values per row; the model expects 5";
        Assert.Contains(expected, Assert.Throws<ArgumentException>(call).Message);
        // 5·16+16 (encoder) + 2·(16·3+3) (heads) + 3·16+16 + 16·5+5 (decoder)
        Assert.Equal(5 * 16 + 16 + 2 * (16 * 3 + 3) + 3 * 16 + 16 + 16 * 5 + 5, model.ParameterCount);
    }

    [Fact]
    public void AModelFileWhoseHeadIsNotDense_IsRefusedNamingTheHead()
    {
        var o = Small();
        var a = new VaeModel(o, VaeNetwork.Build(o, 5, new Rng(2)), new TrainingHistory()).ToArchive();
        a.Set("mean", new LayerSpec("dropout", 16, 16, Rate: 0.1f));
        Assert.Contains("The model file's 'mean' is not a dense layer", Assert.Throws<InvalidDataException>(() => VaeModel.FromArchive(a)).Message);
    }

    [Fact]
    public void ValidationLoss_IsTheNegativeElboWithBeta()
    {
        // Every row is the same x: the validation loss is the mean over held-out rows of −log p(x|z) + β·KL, one ε a row
        // (a tiny learning rate keeps the KL of the initial weights: with identical rows it would collapse to 0).
        var row = TestData.LowRankData(1).Span.ToArray();
        var x = new Matrix(2000, row.Length);
        for (int i = 0; i < x.Rows; i++) row.CopyTo(x.Row(i));
        var o = Small(); o.Epochs = 1; o.Beta = 10; o.ValidationFraction = 0.5; o.LearningRate = 1e-6f;
        var model = new VaeTrainer(o).Fit(x);
        var e = model.Evaluate(new Matrix(1000, row.Length, x.Data[..(1000 * row.Length)]), seed: 1);
        double expected = e.Reconstruction + 10 * e.Kl;
        Assert.True(10 * e.Kl > 1, $"KL {e.Kl} too small for the test to tell β·KL apart");
        Assert.Equal(expected, model.History.Epochs[0].ValidationLoss!.Value, 0.2);
    }

    [Fact]
    public void Validation_DoesNotTrain()
    {
        // With identical rows, 1000 training rows plus 1000 held out train exactly like the 1000 rows alone (the same
        // batches and the same ε draws): the validation pass must leave the weights alone.
        var row = TestData.LowRankData(1).Span.ToArray();
        Matrix Copies(int n) { var x = new Matrix(n, row.Length); for (int i = 0; i < n; i++) row.CopyTo(x.Row(i)); return x; }
        var o = Small(); o.Epochs = 1;
        var alone = new VaeTrainer(o).Fit(Copies(1000));
        o.ValidationFraction = 0.5;
        var withValidation = new VaeTrainer(o).Fit(Copies(2000));
        Assert.NotNull(withValidation.History.Epochs[0].ValidationLoss);
        Assert.Equal(alone.Encode(Copies(1)).Span.ToArray(), withValidation.Encode(Copies(1)).Span.ToArray());
    }

    [Fact]
    public void SaveLoad_RoundTrip_AndWrongKindIsAClearError()
    {
        var x = TestData.LowRankData(200);
        var o = Small(); o.Epochs = 2; o.Likelihood = VaeLikelihood.Gaussian; o.GaussianSigma = 0.3f; o.Beta = 2f; o.HiddenSizes = new[] { 12, 8 };
        var model = new VaeTrainer(o).Fit(x);
        var path = Path.Combine(Path.GetTempPath(), $"vae-{Guid.NewGuid():N}.mlae");
        var aePath = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.mlae");
        try
        {
            model.Save(path);
            var back = VaeModel.Load(path);
            Assert.Equal(model.Encode(x).Span.ToArray(), back.Encode(x).Span.ToArray());
            Assert.Equal(model.EncodeLogVariance(x).Span.ToArray(), back.EncodeLogVariance(x).Span.ToArray());
            Assert.Equal(model.Sample(5, 1).Span.ToArray(), back.Sample(5, 1).Span.ToArray());
            Assert.Equal(model.Evaluate(x), back.Evaluate(x));
            Assert.Equal(VaeLikelihood.Gaussian, back.Options.Likelihood);
            Assert.Equal(2f, back.Options.Beta);
            Assert.Equal(model.ParameterCount, back.ParameterCount);
            Assert.IsType<VaeModel>(AutoencoderFile.Load(path));

            var e = Assert.Throws<InvalidDataException>(() => AutoencoderModel.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("'vae'", e.Message);
            new AutoencoderTrainer(new AutoencoderOptions { HiddenSizes = new[] { 4 }, CodeSize = 2, Epochs = 1, BatchSize = 8 }).Fit(x).Save(aePath);
            var e2 = Assert.Throws<InvalidDataException>(() => VaeModel.Load(aePath));
            Assert.Contains("'autoencoder'", e2.Message);
            Assert.IsType<AutoencoderModel>(AutoencoderFile.Load(aePath));
        }
        finally { File.Delete(path); File.Delete(aePath); }
    }

    [Theory]
    [InlineData("LatentSize")]
    [InlineData("Beta")]
    [InlineData("GaussianSigma")]
    [InlineData("HiddenSizes")]
    [InlineData("BatchSize")]
    public void OptionsOutOfRange_NameTheOption(string option)
    {
        var o = new VaeOptions();
        switch (option)
        {
            case "LatentSize": o.LatentSize = 0; break;
            case "Beta": o.Beta = -1; break;
            case "GaussianSigma": o.GaussianSigma = 0; break;
            case "HiddenSizes": o.HiddenSizes = Array.Empty<int>(); break;
            case "BatchSize": o.BatchSize = 0; break;
        }
        Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(() => new VaeTrainer(o)).ParamName);
    }

    [Fact]
    public void ReferenceDefaults_AreMethodsMd()
    {
        var o = new VaeOptions();
        Assert.Equal(new[] { 128 }, o.HiddenSizes);
        Assert.Equal(20, o.LatentSize);
        Assert.Equal(128, o.BatchSize);
        Assert.Equal(1e-3f, o.LearningRate);
        Assert.Equal(VaeLikelihood.Bernoulli, o.Likelihood);
        Assert.Equal(1f, o.Beta);
    }

    [Fact]
    public void Build_MirrorsTheEncoder_AndMismatchedPartsAreRejected()
    {
        var o = Small();
        o.HiddenSizes = new[] { 4, 3 }; o.HiddenActivation = ActivationKind.Tanh;
        var net = VaeNetwork.Build(o, 5, new Rng(2));
        string Widths(Network n) => string.Join(",", n.DenseLayers.Select(d => $"{d.InputSize}>{d.OutputSize}:{d.Activation}"));
        Assert.Equal("5>4:Tanh,4>3:Tanh", Widths(net.Encoder));
        Assert.Equal((3, o.LatentSize, 3, o.LatentSize), (net.Mean.InputSize, net.Mean.OutputSize, net.LogVariance.InputSize, net.LogVariance.OutputSize));
        Assert.Equal($"{o.LatentSize}>3:Tanh,3>4:Tanh,4>5:Identity", Widths(net.Decoder));
        Assert.Equal(["mean.weight", "mean.bias", "logvar.weight", "logvar.bias"], net.Mean.Parameters.Concat(net.LogVariance.Parameters).Select(p => p.Name)); // unique names in the model file
        var dense = (int a, int b) => new DenseLayer("d", a, b, ActivationKind.Identity);
        var enc = new Network([dense(5, 3)]);
        var dec = new Network([dense(2, 5)]);
        Assert.Contains("must both take the encoder's 3 outputs", Assert.Throws<ArgumentException>(() => new VaeNetwork(enc, dense(4, 2), dense(3, 2), dec, VaeLikelihood.Bernoulli, 1f)).Message); // μ head input
        Assert.Throws<ArgumentException>(() => new VaeNetwork(enc, dense(3, 2), dense(4, 2), dec, VaeLikelihood.Bernoulli, 1f)); // log σ² head input
        Assert.Throws<ArgumentException>(() => new VaeNetwork(enc, dense(3, 2), dense(3, 1), dec, VaeLikelihood.Bernoulli, 1f)); // head widths
        Assert.Contains("does not map the 2-wide latent back to the 5 inputs", Assert.Throws<ArgumentException>(() => new VaeNetwork(enc, dense(3, 2), dense(3, 2), new Network([dense(1, 5)]), VaeLikelihood.Bernoulli, 1f)).Message);
        Assert.Throws<ArgumentException>(() => new VaeNetwork(enc, dense(3, 2), dense(3, 2), new Network([dense(2, 4)]), VaeLikelihood.Bernoulli, 1f));
        var ok = new VaeNetwork(enc, dense(3, 2), dense(3, 2), dec, VaeLikelihood.Gaussian, 0.5f);
        Assert.Equal((2, VaeLikelihood.Gaussian, 0.5f), (ok.LatentSize, ok.Likelihood, ok.Sigma));
        Assert.Contains("eps is 3×2; expected 2×2", Assert.Throws<ArgumentException>(() => ok.Loss(new Matrix(2, 5), new Matrix(3, 2), 1f, false, Ctx)).Message);
        Assert.Throws<ArgumentException>(() => ok.Loss(new Matrix(2, 5), new Matrix(2, 3), 1f, false, Ctx));
    }
}
