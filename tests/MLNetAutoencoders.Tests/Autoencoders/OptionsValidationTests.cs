using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Tests.Autoencoders;

/// <summary>
/// The option classes on their own (no training): every out-of-range option is refused naming it and the allowed
/// range, the values at the edges of each range are accepted, the kinds set what their docs say, and Clone copies deeply.
/// </summary>
public class OptionsValidationTests
{
    private static readonly Dictionary<string, (Action<AutoencoderOptions> Set, string Param, string Says)> BadAutoencoder = new()
    {
        ["CodeSize 0"] = (o => o.CodeSize = 0, "CodeSize", "≥ 1"),
        ["DropoutRate 1"] = (o => o.DropoutRate = 1, "DropoutRate", "[0, 1)"),
        ["L1Activity -1"] = (o => o.L1Activity = -1, "L1Activity", "L1Activity must be a finite number ≥ 0"),
        ["DiscriminatorHiddenSizes 0"] = (o => o.DiscriminatorHiddenSizes = [8, 0], "DiscriminatorHiddenSizes", "≥ 1"),
        ["KlSparsityTarget 0"] = (o => o.KlSparsityTarget = 0, "KlSparsityTarget", "(0, 1)"),
        ["ContractiveProbes -1"] = (o => o.ContractiveProbes = -1, "ContractiveProbes", "0–64"),
        ["ContractiveProbes 65"] = (o => o.ContractiveProbes = 65, "ContractiveProbes", "0–64"),
        ["Conv with dropout"] = (o => { o.Conv = new(); o.DropoutRate = 0.1f; }, "DropoutRate", "dense networks"),
        ["Conv with tied weights"] = (o => { o.Conv = new(); o.TiedWeights = true; }, "TiedWeights", "dense networks"),
        ["Conv with contractive"] = (o => { o.Conv = new(); o.Contractive = 0.1f; }, "Contractive", "dense encoder"),
        ["Conv invalid"] = (o => o.Conv = new() { Channels = [] }, "Channels", "at least one"),
        ["Corruption unknown"] = (o => o.Corruption = (CorruptionKind)99, "Corruption", "Unknown corruption kind"),
        ["level without kind"] = (o => o.CorruptionLevel = 0.3f, "CorruptionLevel", "needs a Corruption kind"),
        ["Gaussian -0.1"] = (o => { o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = -0.1f; }, "CorruptionLevel", "[0, 10]"),
        ["Gaussian 10.5"] = (o => { o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 10.5f; }, "CorruptionLevel", "[0, 10]"),
        ["Masking -0.1"] = (o => { o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = -0.1f; }, "CorruptionLevel", "[0, 1)"),
        ["SaltAndPepper 1"] = (o => { o.Corruption = CorruptionKind.SaltAndPepper; o.CorruptionLevel = 1; }, "CorruptionLevel", "[0, 1)"),
        // The options every trainer shares (NetworkOptions).
        ["Engine null"] = (o => o.Engine = null!, "Engine", "Engine must be set"),
        ["HiddenSizes null"] = (o => o.HiddenSizes = null!, "HiddenSizes", "≥ 1"),
        ["HiddenSizes 0"] = (o => o.HiddenSizes = [4, 0], "HiddenSizes", "≥ 1"),
        ["LeakyReluSlope -0.1"] = (o => o.LeakyReluSlope = -0.1f, "LeakyReluSlope", "[0, 1)"),
        ["LeakyReluSlope 1"] = (o => o.LeakyReluSlope = 1, "LeakyReluSlope", "[0, 1)"),
        ["LearningRate 0"] = (o => o.LearningRate = 0, "LearningRate", "positive"),
        ["Momentum -0.1"] = (o => o.Momentum = -0.1f, "Momentum", "[0, 1)"),
        ["Momentum 1"] = (o => o.Momentum = 1, "Momentum", "[0, 1)"),
        ["Threads 0"] = (o => o.Threads = 0, "Threads", "≥ 1"),
        ["ShuffleBufferRows 0"] = (o => o.ShuffleBufferRows = 0, "ShuffleBufferRows", "≥ 1"),
        ["patience without validation"] = (o => o.EarlyStoppingPatience = 2, "EarlyStoppingPatience", "ValidationFraction > 0"),
    };

    public static TheoryData<string> BadCases => new(BadAutoencoder.Keys.Concat(BadVae.Keys));

    [Theory]
    [MemberData(nameof(BadCases))]
    public void OptionOutOfRange_IsRefusedNamingItAndItsRange(string name)
    {
        if (BadVae.TryGetValue(name, out var vae))
        {
            var v = new VaeOptions();
            vae.Set(v);
            AssertRefused(v.Validate, vae.Param, vae.Says);
            return;
        }
        var (set, param, says) = BadAutoencoder[name];
        var o = new AutoencoderOptions();
        set(o);
        AssertRefused(o.Validate, param, says);
    }

    private static void AssertRefused(Action validate, string param, string says)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(validate);
        Assert.Equal(param, e.ParamName);
        Assert.Contains(says, e.Message);
    }

    private static readonly Dictionary<string, Action<AutoencoderOptions>> EdgeAutoencoder = new()
    {
        ["CodeSize 1"] = o => o.CodeSize = 1,
        ["DiscriminatorHiddenSizes 1"] = o => o.DiscriminatorHiddenSizes = [1],
        ["ContractiveProbes 64"] = o => o.ContractiveProbes = 64,
        ["ContractiveProbes 1"] = o => o.ContractiveProbes = 1,
        ["Gaussian 0"] = o => { o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 0; },
        ["Gaussian 10"] = o => { o.Corruption = CorruptionKind.Gaussian; o.CorruptionLevel = 10; },
        ["Masking 0"] = o => { o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0; },
        ["Masking 0.5"] = o => { o.Corruption = CorruptionKind.Masking; o.CorruptionLevel = 0.5f; },
        ["valid Conv"] = o => o.Conv = new() { ImageShape = [1, 4, 4], Channels = [1] },
        ["HiddenSizes 1"] = o => o.HiddenSizes = [1],
        ["LeakyReluSlope 0"] = o => o.LeakyReluSlope = 0,
        ["Momentum 0"] = o => o.Momentum = 0,
        ["ShuffleBufferRows 1"] = o => o.ShuffleBufferRows = 1,
        ["patience with validation"] = o => { o.EarlyStoppingPatience = 2; o.ValidationFraction = 0.2; },
    };

    public static TheoryData<string> EdgeAutoencoderCases => new(EdgeAutoencoder.Keys);

    [Theory]
    [MemberData(nameof(EdgeAutoencoderCases))]
    public void AutoencoderOptionAtTheEdgeOfItsRange_IsAccepted(string name)
    {
        var o = new AutoencoderOptions();
        EdgeAutoencoder[name](o);
        o.Validate();
    }

    [Theory]
    [InlineData(new[] { 1, 28 }, new[] { 32 }, "ImageShape", "three numbers ≥ 1")]
    [InlineData(new[] { 1, 0, 28 }, new[] { 32 }, "ImageShape", "three numbers ≥ 1")]
    [InlineData(new[] { 1, 28, 28 }, new int[0], "Channels", "at least one convolution width")]
    [InlineData(new[] { 1, 28, 28 }, new[] { 32, 0 }, "Channels", "all ≥ 1")]
    [InlineData(new[] { 1, 28, 30 }, new[] { 32, 64 }, "ImageShape", "1×28×30: height and width must be divisible by 4 for 2 stride-2")]
    [InlineData(new[] { 1, 30, 28 }, new[] { 32, 64 }, "ImageShape", "divisible by 4")]
    public void ConvOptionOutOfRange_IsRefusedNamingIt(int[] image, int[] channels, string param, string says)
        => AssertRefused(new ConvAutoencoderOptions { ImageShape = image, Channels = channels }.Validate, param, says);

    [Fact]
    public void ConvShapes_AreTheImageSizeAndTheLastFeatureMap()
    {
        var c = new ConvAutoencoderOptions { ImageShape = [3, 8, 4], Channels = [1, 5] };
        c.Validate();
        Assert.Equal(96, c.InputSize);
        Assert.Equal(new[] { 5, 2, 1 }, c.FeatureShape);
    }

    private static readonly Dictionary<string, (Action<VaeOptions> Set, string Param, string Says)> BadVae = new()
    {
        ["VAE HiddenSizes empty"] = (o => o.HiddenSizes = [], "HiddenSizes", "at least one hidden layer"),
        ["VAE LatentSize 0"] = (o => o.LatentSize = 0, "LatentSize", "≥ 1"),
        ["VAE Likelihood unknown"] = (o => o.Likelihood = (VaeLikelihood)7, "Likelihood", "Unknown likelihood"),
        ["VAE GaussianSigma 0"] = (o => o.GaussianSigma = 0, "GaussianSigma", "(0, 100]"),
        ["VAE GaussianSigma 100.5"] = (o => o.GaussianSigma = 100.5f, "GaussianSigma", "(0, 100]"),
        ["VAE Beta -1"] = (o => o.Beta = -1, "Beta", "[0, 1000]"),
        ["VAE Beta 1000.5"] = (o => o.Beta = 1000.5f, "Beta", "[0, 1000]"),
        ["VAE Momentum 1"] = (o => o.Momentum = 1, "Momentum", "[0, 1)"),
    };

    [Theory]
    [InlineData(1, 100f, 0f)]
    [InlineData(2, 1f, 1000f)]
    public void VaeOptionsAtTheEdgeOfTheirRange_AreAccepted(int latent, float sigma, float beta)
        => new VaeOptions { LatentSize = latent, GaussianSigma = sigma, Beta = beta }.Validate();

    [Fact]
    public void EachKind_SetsWhatItsDocsSay_AndLeavesTheRestAlone()
    {
        AutoencoderOptions Kind(AutoencoderKind k) => AutoencoderKinds.Apply(k, new AutoencoderOptions());
        Assert.Equal(11, AutoencoderKinds.All.Count);
        var plain = Kind(AutoencoderKind.Plain);
        Assert.Equal(new { L1 = 0f, Kl = 0f, C = 0f, N = CorruptionKind.None, D = 0f, T = false, A = 0f },
            new { L1 = plain.L1Activity, Kl = plain.KlSparsityWeight, C = plain.Contractive, N = plain.Corruption, D = plain.DropoutRate, T = plain.TiedWeights, A = plain.Adversarial });
        var l1 = Kind(AutoencoderKind.SparseL1);
        Assert.Equal((1f, ActivationKind.Relu), (l1.L1Activity, l1.CodeActivation));
        var kl = Kind(AutoencoderKind.SparseKl);
        Assert.Equal((0.1f, 30f, ActivationKind.Sigmoid), (kl.KlSparsityTarget, kl.KlSparsityWeight, kl.CodeActivation));
        Assert.Equal(0.3f, Kind(AutoencoderKind.Contractive).Contractive);
        var dn = Kind(AutoencoderKind.Denoising);
        Assert.Equal((CorruptionKind.Gaussian, 0.2f), (dn.Corruption, dn.CorruptionLevel));
        Assert.Equal(0.2f, Kind(AutoencoderKind.Dropout).DropoutRate);
        Assert.True(Kind(AutoencoderKind.Tied).TiedWeights);
        Assert.Equal(0.3f, Kind(AutoencoderKind.Adversarial).Adversarial);
        Assert.Equal([1, 28, 28], Kind(AutoencoderKind.Convolutional).Conv!.ImageShape);
        Assert.Null(Kind(AutoencoderKind.Stacked).Conv);
        foreach (var k in AutoencoderKinds.Dense) Kind(k).Validate();
    }

    [Fact]
    public void UnknownKind_ListsTheKnownOnes_AndNullOptionsAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Apply((AutoencoderKind)99, new AutoencoderOptions()));
        Assert.Equal("kind", e.ParamName);
        Assert.Contains("Unknown autoencoder kind 99; expected one of ae, sparse-l1, sparse-kl", e.Message);
        e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Parse("bogus"));
        Assert.Contains("Unknown autoencoder kind 'bogus'; expected one of ae, sparse-l1, sparse-kl, contractive, denoising, dropout, tied, stacked, adversarial, vae, conv.", e.Message);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => AutoencoderKinds.Apply(AutoencoderKind.Plain, null!)).ParamName);
    }

    [Fact]
    public void Clone_CopiesEveryArrayDeeply()
    {
        var o = new AutoencoderOptions { HiddenSizes = [5, 3], DiscriminatorHiddenSizes = [7], Conv = new() { ImageShape = [1, 8, 8], Channels = [2] }, CodeSize = 4 };
        var c = o.Clone();
        o.HiddenSizes[0] = 9; o.DiscriminatorHiddenSizes[0] = 9; o.Conv.ImageShape[1] = 9; o.Conv.Channels[0] = 9; o.CodeSize = 9;
        Assert.Equal(new[] { 5, 3 }, c.HiddenSizes);
        Assert.Equal(new[] { 7 }, c.DiscriminatorHiddenSizes);
        Assert.Equal(new[] { 1, 8, 8 }, c.Conv!.ImageShape);
        Assert.Equal(new[] { 2 }, c.Conv.Channels);
        Assert.Equal(4, c.CodeSize);
        var v = new VaeOptions { HiddenSizes = [6], Beta = 2 };
        var vc = v.Clone();
        v.HiddenSizes[0] = 9;
        Assert.Equal(new[] { 6 }, vc.HiddenSizes);
        Assert.Equal(2f, vc.Beta);
    }

    [Fact]
    public void TheManagedEngine_IsCalledManaged()
    {
        Assert.Equal("managed", TrainingEngine.Managed.Name);
        Assert.Equal("managed", TrainingEngine.Managed.ToString());
        Assert.Same(TrainingEngine.Managed, new AutoencoderOptions().Engine);
    }
}
