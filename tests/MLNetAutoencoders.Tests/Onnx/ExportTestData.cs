using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Onnx.Proto;
using MLNetAutoencoders.Pca;
using Xunit.Abstractions;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>One exported featurizer: the ONNX model, 1 000 evaluation rows and what the library itself computes for them.</summary>
/// <param name="Name">The case's name (also the file name).</param>
/// <param name="Onnx">The exported model.</param>
/// <param name="Source">The fitted model or transformer exported.</param>
/// <param name="Input">Evaluation rows.</param>
/// <param name="Expected">The library's own Encode / Transform of <paramref name="Input"/>.</param>
/// <param name="InputName">Expected graph input name.</param>
/// <param name="OutputName">Expected graph output name.</param>
/// <param name="Kind">Expected <see cref="OnnxExport.MetadataModelKind"/>.</param>
internal sealed record ExportCase(string Name, ModelProto Onnx, object Source, Matrix Input, Matrix Expected, string InputName, string OutputName, string Kind);

/// <summary>
/// Every featurizer kind the exporter supports, trained briefly on small synthetic data, as named cases; the test classes
/// run them in ONNX Runtime and <see cref="ExportCheckerTests"/> runs onnx's checker on all of them in one call.
/// </summary>
internal static class ExportCases
{
    public const int Features = 24;
    public const int EvalRows = 1000;

    /// <summary>Autoencoder variants (all <see cref="AutoencoderModel"/>), the stacked autoencoder and the VAE.</summary>
    public static readonly string[] AutoencoderCases =
    [
        "ae-plain", "ae-tied", "ae-dropout", "ae-deep-tied-dropout", "ae-no-hidden", "ae-selu", "ae-sigmoid", "ae-tanh", "ae-leaky-relu",
        "ae-sparse-l1", "ae-sparse-kl", "ae-contractive", "ae-denoising", "ae-adversarial", "ae-squared-error", "stacked", "vae",
    ];

    /// <summary>PCA variants and the normalisers.</summary>
    public static readonly string[] LinearCases =
    [
        "pca", "pca-whiten", "pca-randomized-whiten", "pca-uncentred",
    ];

    public static IEnumerable<string> All => AutoencoderCases.Concat(LinearCases);

    public static TheoryData<string> TheoryOf(string[] names) => new(names);

    /// <summary>
    /// Rows in (0, 1) near a 3-dimensional manifold: sigmoid(U·s) with a fixed basis U and s ~ N(0, I), so that small
    /// autoencoders learn something in a few epochs; <paramref name="scale"/> and <paramref name="shift"/> move them
    /// off [0, 1] (for the normalisers and PCA).
    /// </summary>
    public static Matrix Rows(int rows, ulong seed, float scale = 1f, float shift = 0f)
    {
        var u = new float[Features * 3];
        new Rng(4242).FillGaussian(u);
        var rng = new Rng(seed);
        var m = new Matrix(rows, Features);
        var s = new float[3];
        for (int i = 0; i < rows; i++)
        {
            rng.FillGaussian(s);
            for (int j = 0; j < Features; j++)
            {
                float a = u[j * 3] * s[0] + u[j * 3 + 1] * s[1] + u[j * 3 + 2] * s[2];
                m[i, j] = shift + scale * (0.02f + 0.96f / (1f + MathF.Exp(-a)));
            }
        }
        return m;
    }

    /// <summary>The 1 000 evaluation rows (another seed than the training rows), transformed like <see cref="Rows"/>.</summary>
    public static Matrix Eval(float scale = 1f, float shift = 0f) => Rows(EvalRows, 77, scale, shift);

    public static AutoencoderOptions SmallAe() => new()
    {
        HiddenSizes = [16], CodeSize = 5, Epochs = 3, BatchSize = 64, LearningRate = 3e-3f, Seed = 3, Threads = 1,
    };

    /// <summary>Trains and exports the case <paramref name="name"/>.</summary>
    public static ExportCase Build(string name)
    {
        if (name.StartsWith("ae-", StringComparison.Ordinal))
        {
            var model = new AutoencoderTrainer(AeVariant(name[3..])).Fit(Rows(400, 1));
            return Encoded(name, model, OnnxExport.Encoder(model), "Features", "Code", AutoencoderModel.Kind);
        }
        switch (name)
        {
            case "stacked":
            {
                var o = SmallAe();
                o.HiddenSizes = [12];
                o.Epochs = 2;
                var model = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = o, FineTuneEpochs = 1 }).Fit(Rows(400, 1));
                return Encoded(name, model, OnnxExport.Encoder(model, "Pixels", "Embedding"), "Pixels", "Embedding", AutoencoderModel.Kind);
            }
            case "vae":
            {
                var model = new VaeTrainer(new VaeOptions { HiddenSizes = [16], LatentSize = 4, Epochs = 3, BatchSize = 64, Seed = 2, Threads = 1 }).Fit(Rows(400, 1));
                return Encoded(name, model, OnnxExport.Encoder(model), "Features", "Code", VaeModel.Kind);
            }
            case "pca": return Pca(name, false, PcaSolver.Exact, true);
            case "pca-whiten": return Pca(name, true, PcaSolver.Exact, true);
            case "pca-randomized-whiten": return Pca(name, true, PcaSolver.Randomized, true);
            case "pca-uncentred": return Pca(name, false, PcaSolver.Exact, false);
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown export case.");
        }
    }

    private static AutoencoderOptions AeVariant(string variant)
    {
        var o = SmallAe();
        switch (variant)
        {
            case "plain": break;
            case "tied": o.TiedWeights = true; break;
            case "dropout": o.DropoutRate = 0.3f; break;
            case "deep-tied-dropout": o.HiddenSizes = [16, 8]; o.TiedWeights = true; o.DropoutRate = 0.2f; break;
            case "no-hidden": o.HiddenSizes = []; break;
            case "selu": o.HiddenActivation = ActivationKind.Selu; o.CodeActivation = ActivationKind.Selu; break;
            case "sigmoid": o.HiddenActivation = ActivationKind.Sigmoid; o.CodeActivation = ActivationKind.Sigmoid; break;
            case "tanh": o.HiddenActivation = ActivationKind.Tanh; o.CodeActivation = ActivationKind.Tanh; break;
            case "leaky-relu": o.HiddenActivation = ActivationKind.LeakyRelu; o.LeakyReluSlope = 0.2f; o.CodeActivation = ActivationKind.LeakyRelu; break;
            case "sparse-l1": o.L1Activity = 0.01f; break;
            case "sparse-kl": o.KlSparsityWeight = 0.1f; o.CodeActivation = ActivationKind.Sigmoid; break;
            case "contractive": o.Contractive = 0.1f; break;
            case "denoising": o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 0.2f; break;
            case "adversarial": o.Adversarial = AutoencoderDefaults.Adversarial; break;
            case "squared-error": o.Loss = LossKind.SquaredError; o.OutputActivation = ActivationKind.Sigmoid; break;
            default: throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown autoencoder variant.");
        }
        return o;
    }

    private static ExportCase Encoded(string name, IAutoencoder model, ModelProto onnx, string input, string output, string kind)
    {
        var x = Eval();
        return new(name, onnx, model, x, model.Encode(x), input, output, kind);
    }

    private static ExportCase Pca(string name, bool whiten, PcaSolver solver, bool center)
    {
        // Shifted data: the mean projection matters; whitening divides by √variance of very different sizes.
        var model = PcaModel.Fit(Rows(500, 1, scale: 3f, shift: 2f), new PcaOptions { Components = 6, Whiten = whiten, Solver = solver, Center = center, Seed = 1, Threads = 1 });
        var x = Eval(scale: 3f, shift: 2f);
        return new(name, OnnxExport.Pca(model), model, x, model.Transform(x), "Features", "Code", "pca");
    }



    /// <summary>
    /// Saves the case's model, reads it back, checks the invariants every export has (IR 8, opset 17, one float [N, D]
    /// input and one float [N, k] output with the expected names and a symbolic batch dimension, metadata), runs it in
    /// ONNX Runtime and asserts max |ORT − library| ≤ 1e-5 (written to <paramref name="output"/>). Returns the model read
    /// back. (onnx's checker runs on every case in <see cref="ExportCheckerTests"/>, in one call.)
    /// </summary>
    public static ModelProto AssertRunsLikeTheLibrary(ExportCase c, ITestOutputHelper output)
    {
        using var tmp = new TempDir();
        var path = tmp.File(c.Name + ".onnx");
        OnnxModelFile.Save(c.Onnx, path);
        var back = OnnxModelFile.Load(path);
        AssertShape(back, c.InputName, c.Input.Cols, c.OutputName, c.Expected.Cols, c.Kind);
        float diff = OnnxRuntimeHarness.AssertClose(c.Expected, OnnxRuntimeHarness.Run(path, c.Input), 1e-5f, $"ONNX Runtime vs the library on {c.Name}");
        output.WriteLine($"{c.Name}: {c.Input.Rows}×{c.Input.Cols} → {c.Expected.Cols}, max |ORT − library| = {diff:G3}");
        return back;
    }

    /// <summary>Asserts the model-level invariants of an export (see <see cref="AssertRunsLikeTheLibrary"/>).</summary>
    public static void AssertShape(ModelProto m, string inputName, int inputSize, string outputName, int outputSize, string kind)
    {
        Assert.Equal(8L, m.IrVersion);
        var opset = Assert.Single(m.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17L, opset.Version);
        Assert.Equal(OnnxGraphBuilder.ProducerName, m.ProducerName);
        Assert.False(string.IsNullOrEmpty(m.ProducerVersion));
        AssertValue(Assert.Single(m.Graph.Input), inputName, inputSize);
        AssertValue(Assert.Single(m.Graph.Output), outputName, outputSize);
        var meta = m.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(kind, meta[OnnxExport.MetadataModelKind]);
        Assert.Equal(inputSize.ToString(), meta[OnnxExport.MetadataInputSize]);
        Assert.Equal(outputSize.ToString(), meta[OnnxExport.MetadataCodeSize]);
        Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(meta[OnnxExport.MetadataTrainingOptions]));
        // Weights are initializers (not Constant nodes), and only default-domain operators are used.
        Assert.NotEmpty(m.Graph.Initializer);
        Assert.DoesNotContain(m.Graph.Node, n => n.OpType == "Constant" || n.Domain.Length != 0);
    }

    /// <summary>The metadata value under <paramref name="key"/>.</summary>
    public static string Meta(ModelProto m, string key) => m.MetadataProps.Single(p => p.Key == key).Value;

    private static void AssertValue(ValueInfoProto v, string name, int width)
    {
        Assert.Equal(name, v.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, v.Type.TensorType.ElemType);
        var dims = v.Type.TensorType.Shape.Dim;
        Assert.Equal(2, dims.Count);
        Assert.Equal(OnnxGraphBuilder.BatchDimension, dims[0].DimParam);
        Assert.Equal((long)width, dims[1].DimValue);
    }
}
