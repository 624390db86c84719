using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Tests.Support;
using TorchSharp;

namespace MLNetAutoencoders.TorchSharp.Tests;

/// <summary>
/// A dropout draw exactly equal to the rate keeps the unit on both engines (a unit is dropped when its draw is below
/// the rate): with the rate set to the generator's first draw, the encoders' outputs agree, the first unit kept.
/// </summary>
public class DropoutDrawAtTheRateTests
{
    [Fact]
    public void A_draw_equal_to_the_rate_keeps_the_unit_on_both_engines()
    {
        TorchSharpAvailable.Require();
        float rate = new Rng(11).NextFloat();
        var o = new AutoencoderOptions { HiddenSizes = [16], CodeSize = 6, Seed = 3, DropoutRate = rate, HiddenActivation = ActivationKind.Tanh };
        var x = TestData.LowRankData(8, 30, seed: 5);
        var (encoder, _) = AutoencoderTrainer.Build(o, 30, new Rng(o.Seed));
        Assert.Contains(encoder.Layers, l => l is DropoutLayer);

        var managed = encoder.Forward(x, true, o.CreateContext(new Rng(11)));
        using var p = new TorchParameters(encoder.Parameters);
        using var scope = torch.NewDisposeScope();
        var y = TorchLayers.Forward(encoder, p, TorchLayers.Input(x), new Rng(11)).contiguous();
        var torchCodes = new Matrix(managed.Rows, managed.Cols, y.data<float>().ToArray());
        EngineParityTests.AssertClose(managed, torchCodes, "codes with dropout");
    }
}
