using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class StackedAutoencoderTests
{
    private static AutoencoderOptions Small() => new()
    {
        HiddenSizes = [12, 8], CodeSize = 3, Epochs = 2, BatchSize = 32, LearningRate = 3e-3f, Seed = 5, Gemm = GemmKind.Managed,
        HiddenActivation = ActivationKind.Tanh, CodeActivation = ActivationKind.Sigmoid, OutputActivation = ActivationKind.Relu, Loss = LossKind.SquaredError,
    };

    /// <summary>An untrained autoencoder inputs → code (its weights drawn from <paramref name="seed"/>).</summary>
    private static AutoencoderModel Part(int inputs, int code, bool tied = false, ulong seed = 1)
    {
        var o = new AutoencoderOptions { HiddenSizes = [], CodeSize = code, TiedWeights = tied, Loss = LossKind.SquaredError };
        var (encoder, decoder) = AutoencoderTrainer.Build(o, inputs, new Rng(seed));
        return new AutoencoderModel(o, encoder, decoder, new TrainingHistory { Epochs = [new EpochReport(1, 1, 0.5, null, 0)], Engine = $"engine{seed}" });
    }

    private static string Layers(Network n) => string.Join(",", n.Layers.Select(l => l is DenseLayer d ? $"{d.InputSize}>{d.OutputSize}" : "dropout"));

    [Fact]
    public void LayerOptions_ChainTheWidths_InnerCodesUseTheHiddenActivation_AndEachLayerHasItsOwnSeed()
    {
        var trainer = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { Autoencoder = Small() });
        var layers = Enumerable.Range(0, trainer.LayerCount).Select(trainer.LayerOptions).ToList();
        Assert.Equal(3, layers.Count);
        Assert.All(layers, l => Assert.Empty(l.HiddenSizes));
        Assert.Equal([12, 8, 3], layers.Select(l => l.CodeSize));
        Assert.Equal([ActivationKind.Tanh, ActivationKind.Tanh, ActivationKind.Sigmoid], layers.Select(l => l.CodeActivation));
        Assert.Equal([ActivationKind.Relu, ActivationKind.Tanh, ActivationKind.Tanh], layers.Select(l => l.OutputActivation));
        Assert.Equal([LossKind.SquaredError, LossKind.SquaredError, LossKind.SquaredError], layers.Select(l => l.Loss));
        Assert.Equal([5, 6, 7], layers.Select(l => l.Seed));
        Assert.Equal([12, 8], trainer.Options.Autoencoder.HiddenSizes); // the layers' options are copies
        foreach (int bad in new[] { -1, 3 })
            Assert.Contains("layer must be in 0–2", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.LayerOptions(bad)).Message);
    }

    [Fact]
    public void Options_OutOfRange_AndAConvolutionalAutoencoder_AreRefused()
    {
        string Refused(StackedAutoencoderOptions s) => Assert.Throws<ArgumentOutOfRangeException>(() => new StackedAutoencoderTrainer(s)).ParamName!;
        Assert.Equal("Autoencoder", Refused(new StackedAutoencoderOptions { Autoencoder = null! }));
        Assert.Contains("Autoencoder options are required", Assert.Throws<ArgumentOutOfRangeException>(() => new StackedAutoencoderTrainer(new() { Autoencoder = null! })).Message);
        Assert.Equal("FineTuneEpochs", Refused(new StackedAutoencoderOptions { FineTuneEpochs = 10001 }));
        Assert.Contains("FineTuneEpochs must be in 0–10000", Assert.Throws<ArgumentOutOfRangeException>(() => new StackedAutoencoderTrainer(new() { FineTuneEpochs = -1 })).Message);
        Assert.Equal("HiddenSizes", Refused(new StackedAutoencoderOptions { Autoencoder = new AutoencoderOptions { HiddenSizes = [4, 0] } })); // the template's own check
        // KL sparsity needs a sigmoid code in every layer: the inner layers' codes use the hidden activation.
        var kl = new AutoencoderOptions { HiddenSizes = [4], CodeActivation = ActivationKind.Sigmoid, HiddenActivation = ActivationKind.Relu, KlSparsityWeight = 0.1f };
        Assert.Equal("CodeActivation", Refused(new StackedAutoencoderOptions { Autoencoder = kl }));
        Assert.Equal("FineTuneLearningRate", Refused(new StackedAutoencoderOptions { FineTuneLearningRate = -1e-3f }));
        _ = new StackedAutoencoderTrainer(new StackedAutoencoderOptions { FineTuneEpochs = 10000, FineTuneLearningRate = 0 });
        var conv = new StackedAutoencoderOptions { Autoencoder = new AutoencoderOptions { Conv = new ConvAutoencoderOptions() } };
        Assert.Contains("cannot train the convolutional autoencoder", Assert.Throws<ArgumentOutOfRangeException>(() => new StackedAutoencoderTrainer(conv)).Message);
        var copy = new StackedAutoencoderOptions { FineTuneEpochs = 3, FineTuneLearningRate = 0.5f }.Clone();
        Assert.Equal((3, 0.5f), (copy.FineTuneEpochs, copy.FineTuneLearningRate));
    }

    [Fact]
    public void Stack_PutsTheEncodersInOrderAndTheDecodersInReverse_WithDropoutBetweenLayersWhenAsked()
    {
        var parts = new[] { Part(6, 4, seed: 1), Part(4, 2, tied: true, seed: 2) };
        var plain = StackedAutoencoderTrainer.Stack(parts, new AutoencoderOptions { OutputActivation = ActivationKind.Sigmoid });
        Assert.Equal("6>4,4>2", Layers(plain.Encoder));
        Assert.Equal("2>4,4>6", Layers(plain.Decoder));
        Assert.Equal(["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias"], plain.Encoder.Parameters.Select(p => p.Name));
        Assert.Equal(["encoder.1.weight", "decoder.0.bias", "decoder.1.weight", "decoder.1.bias"], plain.Decoder.Parameters.Select(p => p.Name));
        Assert.Same(plain.Encoder.DenseLayers.Last().Weight, plain.Decoder.DenseLayers.First().Weight); // the tied pair stays tied
        Assert.NotSame(parts[0].Encoder.DenseLayers.First().Weight, plain.Encoder.DenseLayers.First().Weight); // copies, not the parts' parameters
        Assert.Equal(parts[0].Encoder.DenseLayers.First().Weight.Value.Span.ToArray(), plain.Encoder.DenseLayers.First().Weight.Value.Span.ToArray());
        Assert.Equal([4], plain.Options.HiddenSizes);
        Assert.Equal((2, LossKind.SquaredError, ActivationKind.Identity), (plain.Options.CodeSize, plain.Options.Loss, plain.Options.OutputActivation)); // the first part's loss and output
        Assert.Equal((2, 2, "engine1"), (plain.History.Epochs.Count, plain.History.BestEpoch, plain.History.Engine));

        var dropout = StackedAutoencoderTrainer.Stack(parts, new AutoencoderOptions { DropoutRate = 0.2f });
        Assert.Equal("6>4,dropout,4>2", Layers(dropout.Encoder));
        Assert.Equal("2>4,dropout,4>6", Layers(dropout.Decoder));
        Assert.Equal(4, Assert.IsType<DropoutLayer>(dropout.Encoder.Layers[1]).InputSize);
    }

    [Fact]
    public void Stack_RefusesNoPartsAndPartsWhoseWidthsDoNotChain()
    {
        Assert.Throws<ArgumentNullException>(() => StackedAutoencoderTrainer.Stack(null!, new AutoencoderOptions()));
        Assert.Throws<ArgumentNullException>(() => StackedAutoencoderTrainer.Stack([Part(6, 4)], null!));
        var trainer = new StackedAutoencoderTrainer();
        Assert.Equal("data", Assert.Throws<ArgumentNullException>(() => trainer.FitLayers(null!)).ParamName);
        Assert.Equal("rows", Assert.Throws<ArgumentNullException>(() => trainer.Fit((IRowStream)null!)).ParamName);
        Assert.Contains("no autoencoders to stack", Assert.Throws<ArgumentException>(() => StackedAutoencoderTrainer.Stack([], new AutoencoderOptions())).Message);
        var e = Assert.Throws<ArgumentException>(() => StackedAutoencoderTrainer.Stack([Part(6, 4), Part(4, 3), Part(2, 1)], new AutoencoderOptions()));
        Assert.Contains("Part 2 takes 2 inputs but part 1 gives 3-wide codes", e.Message);
    }

    [Fact]
    public void FineTuning_ContinuesTheHistory_AtItsOwnLearningRate()
    {
        var x = TestData.LowRankData(200);
        var o = Small(); o.HiddenSizes = [8]; o.Epochs = 1;
        StackedAutoencoderOptions Options(float rate) => new() { Autoencoder = o, FineTuneEpochs = 2, FineTuneLearningRate = rate };
        var greedy = new StackedAutoencoderTrainer(Options(0)).Fit(x);
        Assert.Equal(2 + 2, greedy.History.Epochs.Count);
        Assert.Equal(4, greedy.History.BestEpoch);
        var faster = new StackedAutoencoderTrainer(Options(0.05f)).Fit(x);
        Assert.NotEqual(greedy.History.Epochs[^1].TrainLoss, faster.History.Epochs[^1].TrainLoss);
        Assert.Equal(greedy.History.Epochs[1].TrainLoss, faster.History.Epochs[1].TrainLoss); // the greedy phase is the same

        // Fine-tuning trains the stack of the greedy parts with the seed after the layers' seeds (Seed + LayerCount).
        var trainer = new StackedAutoencoderTrainer(Options(0));
        var stack = StackedAutoencoderTrainer.Stack(trainer.FitLayers(x), o);
        var fine = stack.Options.Clone(); fine.Epochs = 2; fine.Seed = o.Seed + 2;
        AutoencoderTrainer.Train(fine, stack.Encoder, stack.Decoder, MinibatchSource.InMemory(x, fine.Minibatch), x.Cols, new Rng(fine.Seed), null, default);
        Assert.Equal(stack.Encode(x).Span.ToArray(), greedy.Encode(x).Span.ToArray());
    }
}
