using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Classifiers;

/// <summary>
/// The fitted encoder classifier's own checks, each with its message: a network it cannot be (one output, an encoder of
/// no layer or of every layer), rows it cannot score (null, the wrong width, NaN), and archives it cannot rebuild
/// (another kind, an encoder size outside the network or ending on a dropout layer); and the code width it reports.
/// </summary>
public class EncoderClassifierModelChecksTests
{
    private static EncoderClassifierOptions Options() => new() { Gemm = GemmKind.Managed, Threads = 1 };

    /// <summary>4 → 3 (ReLU) → 3 (ReLU), dropout, → 2 logits: an encoder of one or two dense layers.</summary>
    private static Network Net() => new(
    [
        new DenseLayer("e0", 4, 3, ActivationKind.Relu), new DenseLayer("e1", 3, 3, ActivationKind.Relu),
        new DropoutLayer(3, 0.5f), new DenseLayer("head", 3, 2, ActivationKind.Identity),
    ]);

    private static EncoderClassifier Model(int encoderLayers = 2) => new(Options(), Net(), encoderLayers, new TrainingHistory());

    [Fact]
    public void A_network_with_one_output_or_an_encoder_of_no_or_every_layer_is_refused()
    {
        var one = new Network([new DenseLayer("e", 4, 3, ActivationKind.Relu), new DenseLayer("head", 3, 1, ActivationKind.Identity)]);
        var e = Assert.Throws<ArgumentException>(() => new EncoderClassifier(Options(), one, 1, new TrainingHistory()));
        Assert.Equal("network", e.ParamName);
        Assert.StartsWith("A classifier needs at least 2 classes; the network has 1 outputs.", e.Message);
        foreach (int bad in new[] { 0, 4 })
        {
            var r = Assert.Throws<ArgumentOutOfRangeException>(() => new EncoderClassifier(Options(), Net(), bad, new TrainingHistory()));
            Assert.Equal("encoderLayers", r.ParamName);
            Assert.StartsWith("The encoder must be 1–3 of the network's 4 layers.", r.Message);
        }
    }

    [Fact]
    public void The_code_width_is_the_last_encoder_layers_output()
    {
        Assert.Equal(3, Model(2).CodeSize);
        Assert.Equal(2, Model(2).ClassCount);
        Assert.Equal(4, Model(2).FeatureCount);
        Assert.Equal(2, Model(2).EncoderLayers.Count);
    }

    [Fact]
    public void Rows_it_cannot_score_are_refused_by_every_scoring_method()
    {
        var m = Model();
        foreach (Func<Matrix, object> score in new Func<Matrix, object>[] { m.DecisionFunction, m.Predict, m.PredictProbabilities, m.Encode })
        {
            Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => score(null!)).ParamName);
            var wide = Assert.Throws<ArgumentException>(() => score(new Matrix(2, 5)));
            Assert.Equal("x", wide.ParamName);
            Assert.StartsWith("The input has 5 columns; the classifier was fitted on 4.", wide.Message);
        }
        var nan = new Matrix(2, 4);
        nan[1, 2] = float.NaN;
        Assert.StartsWith("The encoder classifier's input", Assert.Throws<ArgumentException>(() => m.DecisionFunction(nan)).Message);
        Assert.Equal((2, 2), (m.DecisionFunction(new Matrix(2, 4)).Rows, m.DecisionFunction(new Matrix(2, 4)).Cols));
    }

    [Fact]
    public void Archives_of_another_kind_or_with_an_encoder_size_that_does_not_fit_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => EncoderClassifier.FromArchive(null!));
        Assert.Equal("The archive holds a 'autoencoder' model; expected 'encoder-classifier'.",
            Assert.Throws<InvalidDataException>(() => EncoderClassifier.FromArchive(new ModelArchive("autoencoder"))).Message);
        foreach (int encoderLayers in new[] { 1, 2 })
            Assert.Equal(encoderLayers, EncoderClassifier.FromArchive(Model(encoderLayers).ToArchive()).EncoderLayerCount);
        foreach (int bad in new[] { 0, 3, 4, 5 }) // 3 ends the encoder on the dropout layer; 4 is every layer
        {
            var a = Model().ToArchive();
            a.Set("encoderLayers", bad);
            Assert.Equal($"The model file's encoder size {bad} does not fit its 4 layers.",
                Assert.Throws<InvalidDataException>(() => EncoderClassifier.FromArchive(a)).Message);
        }
    }
}
