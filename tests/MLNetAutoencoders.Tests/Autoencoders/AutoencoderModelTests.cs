using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Autoencoders;

public class AutoencoderModelTests
{
    private static Network Dense(int from, int to) => new([new DenseLayer("d", from, to, ActivationKind.Identity)]);

    [Fact]
    public void Networks_ThatDoNotFitTogether_AreRefused()
    {
        var o = new AutoencoderOptions();
        Assert.Contains("Encoder 5→3 and decoder 2→5 do not fit together",
            Assert.Throws<ArgumentException>(() => new AutoencoderModel(o, Dense(5, 3), Dense(2, 5), new TrainingHistory())).Message);
        Assert.Throws<ArgumentException>(() => new AutoencoderModel(o, Dense(5, 3), Dense(3, 4), new TrainingHistory()));
        var ok = new AutoencoderModel(o, Dense(5, 3), Dense(3, 5), new TrainingHistory());
        Assert.Equal((5, 3), (ok.InputSize, ok.CodeSize));
    }

    [Fact]
    public void MeanSquaredError_IsTheMeanOverAllValues_OfMatricesOfOneShape()
    {
        var a = new Matrix(2, 2, [1, 2, 3, 4]);
        Assert.Equal(7.5, AutoencoderModel.MeanSquaredError(a, new Matrix(2, 2)), 5);
        Assert.Equal(0.25, AutoencoderModel.MeanSquaredError(a, new Matrix(2, 2, [1, 2, 3, 5])), 5);
        Assert.Contains("differ in shape", Assert.Throws<ArgumentException>(() => AutoencoderModel.MeanSquaredError(a, new Matrix(1, 2))).Message);
        Assert.Contains("differ in shape", Assert.Throws<ArgumentException>(() => AutoencoderModel.MeanSquaredError(a, new Matrix(2, 1))).Message);
    }

    [Theory]
    [InlineData(LossKind.CrossEntropy)]
    [InlineData(LossKind.SquaredError)]
    public void Decode_AppliesTheSigmoid_OnlyForTheCrossEntropyLoss(LossKind loss)
    {
        var model = AutoencoderMetricsTests.Untrained(loss);
        var codes = new Matrix(3, 2, [5, -5, 0, 0, -3, 4]);
        var logits = model.Decoder.Forward(codes, false, NnContext.Create(GemmKind.Managed, 1, 0));
        var decoded = model.Decode(codes);
        for (int i = 0; i < logits.Length; i++)
            Assert.Equal(loss == LossKind.CrossEntropy ? 1 / (1 + MathF.Exp(-logits.Span[i])) : logits.Span[i], decoded.Span[i], 5);
    }

    [Fact]
    public void Inputs_AreChecked_ForNullWidthAndFiniteValues()
    {
        var model = AutoencoderMetricsTests.Untrained();
        Assert.Throws<ArgumentNullException>(() => model.Encode(null!));
        Assert.Contains("The codes have 3 values per row; the model expects 2", Assert.Throws<ArgumentException>(() => model.Decode(new Matrix(1, 3))).Message);
        var x = new Matrix(2, 6);
        x[1, 4] = float.PositiveInfinity;
        Assert.Contains("The input: row 1, column 4", Assert.Throws<ArgumentException>(() => model.Encode(x)).Message);
    }
}
