using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

/// <summary>The kind registry: every kind has one name, one preset and one trainer.</summary>
public class AutoencoderKindsTests
{
    public static TheoryData<AutoencoderKind> Kinds => new(AutoencoderKinds.All);

    [Fact]
    public void Every_value_of_the_enum_is_registered_once_with_a_name_that_parses_back()
    {
        Assert.Equal(Enum.GetValues<AutoencoderKind>(), AutoencoderKinds.All);
        var names = AutoencoderKinds.All.Select(AutoencoderKinds.Name).ToArray();
        Assert.Equal(["ae", "sparse-l1", "sparse-kl", "contractive", "denoising", "dropout", "tied", "stacked", "adversarial", "vae", "conv"], names);
        foreach (var k in AutoencoderKinds.All)
            Assert.Equal(k, AutoencoderKinds.Parse($" {AutoencoderKinds.Name(k).ToUpperInvariant()} "));
        Assert.Equal(AutoencoderKinds.All.Except([AutoencoderKind.Variational, AutoencoderKind.Convolutional]), AutoencoderKinds.Dense);
        Assert.False(AutoencoderKinds.TryParse("sparse", out _));
        Assert.False(AutoencoderKinds.TryParse(null, out _));
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => AutoencoderKinds.Name((AutoencoderKind)99));
        Assert.Equal("kind", outside.ParamName);
        Assert.StartsWith("Not an autoencoder kind.", outside.Message);
    }

    [Fact]
    public void The_vae_kind_has_its_own_options_class_and_no_autoencoder_preset()
    {
        Assert.IsType<VaeOptions>(AutoencoderKinds.CreateOptions(AutoencoderKind.Variational));
        var e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Apply(AutoencoderKind.Variational, new AutoencoderOptions()));
        Assert.Contains("VaeOptions", e.Message);
        var conv = new ConvAutoencoderOptions { ImageShape = [1, 8, 8] };
        Assert.Same(conv, AutoencoderKinds.Apply(AutoencoderKind.Convolutional, new AutoencoderOptions { Conv = conv }).Conv);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void CreateOptions_is_the_default_options_with_the_kinds_preset(AutoencoderKind kind)
    {
        var o = AutoencoderKinds.CreateOptions(kind);
        if (o is AutoencoderOptions ae)
            Assert.Equal(Describe(AutoencoderKinds.Apply(kind, new AutoencoderOptions())), Describe(ae));
        else
            Assert.Equal(AutoencoderKind.Variational, kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Fit_trains_each_kind_with_its_own_trainer(AutoencoderKind kind)
    {
        var data = TestData.LowRankData(64, 16, seed: 3);
        var o = AutoencoderKinds.CreateOptions(kind);
        (o.HiddenSizes, o.Epochs, o.BatchSize, o.Seed, o.Threads, o.Gemm) = ([8], 2, 16, 5, 1, GemmKind.Managed);
        if (o is AutoencoderOptions { Conv: { } conv } a) (conv.ImageShape, conv.Channels, a.CodeSize) = ([1, 4, 4], [2], 3);
        var model = AutoencoderKinds.Fit(kind, o, data, fineTuneEpochs: 1);
        IAutoencoder expected = kind switch
        {
            AutoencoderKind.Variational => new VaeTrainer((VaeOptions)o).Fit(data),
            AutoencoderKind.Stacked => new StackedAutoencoderTrainer(new() { Autoencoder = (AutoencoderOptions)o, FineTuneEpochs = 1 }).Fit(data),
            _ => new AutoencoderTrainer((AutoencoderOptions)o).Fit(data),
        };
        Assert.Equal(expected.GetType(), model.GetType());
        Assert.Equal(expected.Encode(data).Span.ToArray(), model.Encode(data).Span.ToArray());
        Assert.Equal(AutoencoderKinds.TotalEpochs(kind, o, 1), model.History.Epochs.Count);
    }

    [Fact]
    public void Fit_refuses_options_of_the_wrong_class_naming_both()
    {
        var data = TestData.LowRankData(8, 4);
        var e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Fit(AutoencoderKind.Variational, new AutoencoderOptions(), data));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("The vae kind trains with VaeOptions; got AutoencoderOptions.", e.Message);
        e = Assert.Throws<ArgumentException>(() => AutoencoderKinds.Fit(AutoencoderKind.Stacked, new VaeOptions(), data));
        Assert.Contains("The stacked kind trains with AutoencoderOptions; got VaeOptions.", e.Message);
        foreach (var kind in new[] { AutoencoderKind.Variational, AutoencoderKind.Stacked, AutoencoderKind.Plain })
            Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => AutoencoderKinds.Fit(kind, null!, data)).ParamName);
    }

    [Fact]
    public void TotalEpochs_counts_one_phase_per_layer_and_the_fine_tuning_for_the_stacked_kind()
    {
        var o = new AutoencoderOptions { HiddenSizes = [8, 4], Epochs = 3 };
        Assert.Equal(3 * 3 + 2, AutoencoderKinds.TotalEpochs(AutoencoderKind.Stacked, o, 2));
        Assert.Equal(3, AutoencoderKinds.TotalEpochs(AutoencoderKind.Denoising, o, 2));
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => AutoencoderKinds.TotalEpochs(AutoencoderKind.Denoising, null!)).ParamName);
    }

    private static string Describe(AutoencoderOptions o) => System.Text.Json.JsonSerializer.Serialize(new
    {
        o.L1Activity, o.KlSparsityTarget, o.KlSparsityWeight, o.Contractive, o.Corruption, o.CorruptionLevel, o.DropoutRate, o.TiedWeights,
        o.Adversarial, o.CodeActivation, Conv = o.Conv?.ImageShape, o.CodeSize, o.Epochs, o.BatchSize, o.HiddenSizes,
    });
}
