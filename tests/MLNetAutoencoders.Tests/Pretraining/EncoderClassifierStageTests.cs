using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;
using MLNetAutoencoders.Pipeline;
using MLNetAutoencoders.Tests.Onnx;
using static MLNetAutoencoders.Tests.Onnx.OnnxTestModels;
using static MLNetAutoencoders.Tests.Pretraining.PretrainingTestData;

namespace MLNetAutoencoders.Tests.Pretraining;

/// <summary>The encoder classifier as a pipeline estimator, in pipeline files, and exported to ONNX.</summary>
public class EncoderClassifierStageTests
{
    [Fact]
    public void PretrainedAutoencoderStage_FeedsTheClassifierEstimator_AndThePipelineFileRoundTrips()
    {
        var (x, y) = Manifold(150, 1);
        var ctx = new MLAEContext(seed: 4, threads: 1, gemm: GemmKind.Managed);
        // Pretrain without labels in the pipeline, then start the classifier from the fitted stage's autoencoder.
        var unlabelled = DataTable.FromMatrix(x);
        var ae = ctx.Transforms.Autoencoder("Code", DataTable.DefaultFeatures, SmallAe()).Fit(unlabelled);
        var estimator = ctx.Classification.Trainers.EncoderClassifier(ae.Model, options: Options(EncoderTrainingMode.DiscriminativeFineTune, epochs: 15));
        var progress = new List<PipelineProgress>();
        var table = DataTable.FromMatrix(x, y);
        var model = estimator.Fit(table, new Relay<PipelineProgress>(progress.Add));
        Assert.Equal(16, progress.Count); // 15 epochs, then "finished"
        var scored = model.Transform(table);
        var report = ctx.Classification.Evaluate(scored);
        Assert.True(report.Accuracy > 0.8, $"training accuracy {report.Accuracy}");

        using var dir = new TempDir();
        var file = dir.File("pipeline.mlae");
        ctx.Model.Save(model, table.Schema, file);
        var loaded = Assert.IsType<EncoderClassifierTransformer>(ctx.Model.Load(file));
        Assert.Equal(scored.GetVector("Score").Span.ToArray(), loaded.Transform(table).GetVector("Score").Span.ToArray());
        Assert.Equal(scored.GetLabels("PredictedLabel"), loaded.Transform(table).GetLabels("PredictedLabel"));
    }

    [Fact]
    public void FeatureWidthMismatch_IsASchemaError()
    {
        var (x, y) = Manifold(30, 1);
        var estimator = new EncoderClassifierEstimator(Autoencoder(x), options: Options(EncoderTrainingMode.Probe, epochs: 1));
        var e = Assert.Throws<SchemaMismatchException>(() => estimator.Fit(DataTable.FromMatrix(new Matrix(30, 7), y)));
        Assert.Equal("Features", e.ColumnName);
        Assert.Contains("takes 24", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnnxExport_GivesTheClassProbabilities(bool hiddenHead)
    {
        var (x, y) = Manifold(120, 1);
        var vae = new VaeTrainer(new VaeOptions { HiddenSizes = new[] { 12 }, LatentSize = 4, Epochs = 2, Gemm = GemmKind.Managed }).Fit(x);
        var o = Options(EncoderTrainingMode.FineTune, epochs: 5);
        if (hiddenHead) { o.HeadHiddenSizes = new[] { 7 }; o.HeadActivation = ActivationKind.Tanh; o.DropoutRate = 0.25f; }
        var model = EncoderClassifier.Fit(vae, x, y, o, Classes);
        using var dir = new TempDir();
        var path = dir.File("classifier.onnx");
        OnnxModelFile.Save(OnnxExportClassifier.Classifier(model), path);
        var expected = model.PredictProbabilities(x);
        OnnxRuntimeHarness.AssertMatches(path, x, expected, 1e-5f, "Score");

        // The same graph from the pipeline stage, named after its columns.
        var stage = new EncoderClassifierTransformer(model, new ClassifierColumns { Features = "Pixels", Score = "Probabilities" });
        var proto = OnnxExportClassifier.Classifier(stage);
        Assert.Equal("Pixels", proto.Graph.Input[0].Name);
        Assert.Equal("Probabilities", proto.Graph.Output[0].Name);
        Assert.Equal(EncoderClassifier.Kind, proto.MetadataProps.Single(p => p.Key == OnnxExport.MetadataModelKind).Value);
    }

    [Fact]
    public void OnnxExport_OfTheMlpClassifier_MatchesToo()
    {
        var (x, y) = Manifold(90, 2);
        var mlp = MlpClassifier.Fit(x, y, new MlpClassifierOptions { HiddenSizes = new[] { 8, 5 }, HiddenActivation = ActivationKind.LeakyRelu, Epochs = 3, Gemm = GemmKind.Managed });
        using var dir = new TempDir();
        var path = dir.File("mlp.onnx");
        OnnxModelFile.Save(OnnxExportClassifier.Classifier(mlp), path);
        OnnxRuntimeHarness.AssertMatches(path, x, mlp.PredictProbabilities(x));
    }
}
