using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;

namespace MLNetAutoencoders.Tests.Classifiers;

/// <summary>
/// <see cref="EncoderClassifierOptions.Validate"/> on each side of every range: the value just inside is accepted, the
/// value just outside is refused with an error that names the option and says the range.
/// </summary>
public class EncoderClassifierOptionsRangeTests
{
    private static EncoderClassifierOptions With(Action<EncoderClassifierOptions> change)
    {
        var o = new EncoderClassifierOptions();
        change(o);
        return o;
    }

    public static TheoryData<string, string, Action<EncoderClassifierOptions>> Refused => new()
    {
        { "Mode", "Unknown encoder training mode.", o => o.Mode = (EncoderTrainingMode)99 },
        { "Initialization", "Unknown initialisation.", o => o.Initialization = (EncoderInitialization)99 },
        { "EncoderLearningRateScale", "EncoderLearningRateScale must be in (0, 1].", o => o.EncoderLearningRateScale = 0 },
        { "EncoderLearningRateScale", "EncoderLearningRateScale must be in (0, 1].", o => o.EncoderLearningRateScale = 1.001f },
        { "EncoderLearningRateScale", "EncoderLearningRateScale must be in (0, 1].", o => o.EncoderLearningRateScale = float.NaN },
        { "HeadWarmupEpochs", "HeadWarmupEpochs must be in 0–10000.", o => o.HeadWarmupEpochs = -1 },
        { "HeadWarmupEpochs", "HeadWarmupEpochs must be in 0–10000.", o => o.HeadWarmupEpochs = 10001 },
        { "HeadHiddenSizes", "HeadHiddenSizes must all be ≥ 1 (empty for a softmax layer on the code).", o => o.HeadHiddenSizes = null! },
        { "HeadHiddenSizes", "HeadHiddenSizes must all be ≥ 1 (empty for a softmax layer on the code).", o => o.HeadHiddenSizes = [4, 0] },
        { "DropoutRate", "DropoutRate must be in [0, 1).", o => o.DropoutRate = -0.01f },
        { "DropoutRate", "DropoutRate must be in [0, 1).", o => o.DropoutRate = 1 },
        { "DropoutRate", "DropoutRate must be in [0, 1).", o => o.DropoutRate = float.NaN },
        { "L2", "L2 must be a finite number ≥ 0 (0 turns it off).", o => o.L2 = -1e-6f },
        { "EncoderAnchorL2", "EncoderAnchorL2 must be a finite number ≥ 0 (0 turns it off).", o => o.EncoderAnchorL2 = float.PositiveInfinity },
        { "InputCorruption", "Unknown corruption kind.", o => o.InputCorruption = (CorruptionKind)99 },
        { "InputCorruptionLevel", "InputCorruptionLevel must be 0 without a corruption", o => o.InputCorruptionLevel = 0.1f },
        { "InputCorruptionLevel", "InputCorruptionLevel must be 0 without a corruption", o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Gaussian, 10.01f) },
        { "InputCorruptionLevel", "InputCorruptionLevel must be 0 without a corruption", o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Gaussian, -0.01f) },
        { "InputCorruptionLevel", "InputCorruptionLevel must be 0 without a corruption", o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Masking, 1) },
        { "InputCorruptionLevel", "InputCorruptionLevel must be 0 without a corruption", o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.SaltAndPepper, -0.01f) },
        { "ReconstructionWeight", "ReconstructionWeight must be a finite number ≥ 0.", o => o.ReconstructionWeight = -0.01f },
        { "ReconstructionWeight", "ReconstructionWeight must be a finite number ≥ 0.", o => o.ReconstructionWeight = float.PositiveInfinity },
        { "VatEpsilon", "VatEpsilon must be a finite number > 0.", o => o.VatEpsilon = 0 },
        { "VatEpsilon", "VatEpsilon must be a finite number > 0.", o => o.VatEpsilon = float.PositiveInfinity },
        { "VatXi", "VatXi must be a finite number > 0.", o => o.VatXi = 0 },
        { "VatXi", "VatXi must be a finite number > 0.", o => o.VatXi = float.PositiveInfinity },
        { "VatWeight", "VatWeight must be a finite number ≥ 0.", o => o.VatWeight = -0.01f },
        { "VatWeight", "VatWeight must be a finite number ≥ 0.", o => o.VatWeight = float.PositiveInfinity },
        { "M2Weight", "M2Weight must be a finite number ≥ 0.", o => o.M2Weight = -0.01f },
        { "M2Weight", "M2Weight must be a finite number ≥ 0.", o => o.M2Weight = float.PositiveInfinity },
        { "M2HiddenSize", "M2HiddenSize must be ≥ 1.", o => o.M2HiddenSize = 0 },
        { "M2LatentSize", "M2LatentSize must be ≥ 1.", o => o.M2LatentSize = 0 },
        { "UnlabelledBatchSize", "UnlabelledBatchSize must be ≥ 1.", o => o.UnlabelledBatchSize = 0 },
        { "LearningRate", "LearningRate must be positive.", o => o.LearningRate = 0 },
        { "LearningRate", "LearningRate must be positive.", o => o.LearningRate = float.PositiveInfinity },
        { "LearningRate", "LearningRate must be positive.", o => o.LearningRate = float.NaN },
        { "Threads", "Threads must be ≥ 1.", o => o.Threads = 0 },
        { "EarlyStoppingPatience", "EarlyStoppingPatience needs ValidationFraction > 0.", o => (o.EarlyStoppingPatience, o.ValidationFraction) = (1, 0) },
        { "Epochs", "Epochs must be at least 1.", o => o.Epochs = 0 },
        { "BatchSize", "BatchSize must be at least 1.", o => o.BatchSize = 0 },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_value_outside_its_range_is_refused_naming_the_option(string option, string message, Action<EncoderClassifierOptions> change)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => With(change).Validate());
        Assert.Equal(option, e.ParamName);
        Assert.StartsWith(message, e.Message);
    }

    public static TheoryData<Action<EncoderClassifierOptions>> Accepted => new()
    {
        o => o.EncoderLearningRateScale = 1,
        o => o.EncoderLearningRateScale = 1e-6f,
        o => o.HeadWarmupEpochs = 0,
        o => o.HeadWarmupEpochs = 10000,
        o => o.HeadHiddenSizes = [],
        o => o.HeadHiddenSizes = [1, 1],
        o => o.DropoutRate = 0.99f,
        o => (o.L2, o.EncoderAnchorL2) = (0, 0),
        o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Gaussian, 10),
        o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Gaussian, 0),
        o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.Masking, 0.99f),
        o => (o.InputCorruption, o.InputCorruptionLevel) = (CorruptionKind.SaltAndPepper, 0),
        o => (o.ReconstructionWeight, o.VatWeight, o.M2Weight) = (0, 0, 0),
        o => (o.VatEpsilon, o.VatXi) = (1e-6f, 1e-6f),
        o => (o.M2HiddenSize, o.M2LatentSize, o.UnlabelledBatchSize, o.Threads) = (1, 1, 1, 1),
        o => o.LearningRate = 1e-9f,
        o => (o.EarlyStoppingPatience, o.ValidationFraction) = (0, 0),
        o => (o.EarlyStoppingPatience, o.ValidationFraction) = (5, 0.01),
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_value_at_the_edge_of_its_range_is_accepted(Action<EncoderClassifierOptions> change) => With(change).Validate();

    [Fact]
    public void The_defaults_are_valid_and_Clone_copies_the_head_widths()
    {
        var o = new EncoderClassifierOptions { HeadHiddenSizes = [16, 8] };
        o.Validate();
        var c = o.Clone();
        o.HeadHiddenSizes[0] = 99;
        Assert.Equal([16, 8], c.HeadHiddenSizes);
        Assert.NotSame(o.HeadHiddenSizes, c.HeadHiddenSizes);
    }
}
