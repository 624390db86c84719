using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>The stages inside ML.NET chains with ML.NET's own transforms and trainers: evaluation, cross-validation, prediction engines, model zips.</summary>
public class ChainTests
{
    private static IEstimator<ITransformer> Pipeline(MLContext ml, IEstimator<ITransformer> featurizer) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.NormalizeMinMax("Features", fixZero: false))
            .Append(featurizer)
            .Append(ml.Transforms.NormalizeMeanVariance("Code", fixZero: false))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Code"));

    [Fact]
    public void Chain_with_MLNet_normalisers_and_trainer_evaluates_and_cross_validates()
    {
        var ml = new MLContext(seed: 1);
        var train = View(ml, 600, 1);
        var test = View(ml, 300, 2);
        var pipeline = Pipeline(ml, ml.Transforms.EncodeWithAutoencoder(SmallAe()));
        var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(train).Transform(test));
        Assert.True(metrics.MicroAccuracy > 0.6, $"accuracy {metrics.MicroAccuracy:P1} on 3 classes (chance 33 %)");

        var folds = ml.MulticlassClassification.CrossValidate(train, pipeline, numberOfFolds: 3);
        Assert.Equal(3, folds.Count);
        Assert.All(folds, f => Assert.True(f.Metrics.MicroAccuracy > 0.5, $"fold accuracy {f.Metrics.MicroAccuracy:P1}"));
    }

    [Fact]
    public void Prediction_engine_on_the_chain_matches_the_batch_transform()
    {
        var ml = new MLContext(seed: 1);
        var train = View(ml, 600, 1);
        var model = Pipeline(ml, ml.Transforms.EncodeWithAutoencoder(SmallAe())).Fit(train);
        var rows = Rows(50, 3);
        var batch = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var predicted = batch.GetColumn<uint>("PredictedLabel").ToArray();
        var scores = Column(batch, "Score");
        var engine = ml.Model.CreatePredictionEngine<PixelRow, ClassPrediction>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(predicted[i], p.PredictedLabel);
            AssertClose([scores[i]], [p.Score], 1e-6f, $"score of row {i}");
        }
    }

    [Theory]
    [InlineData("ae")]
    [InlineData("vae")]
    [InlineData("exact-pca")]
    public void Model_zip_loads_in_plain_MLNet_in_another_process_with_the_same_codes_and_predictions(string featurizer)
    {
        var ml = new MLContext(seed: 1);
        var train = View(ml, 600, 1);
        IEstimator<ITransformer> stage = featurizer switch
        {
            "ae" => ml.Transforms.EncodeWithAutoencoder(WithError(SmallAe())),
            "vae" => ml.Transforms.EncodeWithVariationalAutoencoder(SmallVae()),
            _ => ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 3, seed: 1),
        };
        var model = Pipeline(ml, stage).Fit(train);
        var test = View(ml, 200, 4);
        var expected = model.Transform(test);

        using var dir = new TempFolder();
        var zip = Path.Combine(dir.Path, "model.zip");
        ml.Model.Save(model, train.Schema, zip);

        // In this process: ML.NET loads it; the stage comes back as an OnnxTransformer.
        var loaded = ml.Model.Load(zip, out _);
        Assert.Contains(((IEnumerable<ITransformer>)loaded), t => t.GetType().Name == "OnnxTransformer");
        var again = loaded.Transform(test);
        AssertClose(Column(expected, "Code"), Column(again, "Code"), 1e-5f, "codes after Load");
        Assert.Equal(expected.GetColumn<uint>("PredictedLabel"), again.GetColumn<uint>("PredictedLabel"));

        // In a process that has only Microsoft.ML and Microsoft.ML.OnnxTransformer.
        var (plain, stdout) = PlainMLNet.Score(ml, zip, test, dir.Path);
        Assert.Contains("OnnxTransformer", stdout);
        Assert.Equal(expected.Schema["Code"].Type, plain.Schema["Code"].Type);
        AssertClose(Column(expected, "Code"), Column(plain, "Code"), 1e-5f, "codes in plain ML.NET");
        AssertClose(Column(expected, "Score"), Column(plain, "Score"), 1e-4f, "class scores in plain ML.NET");
        Assert.Equal(expected.GetColumn<uint>("PredictedLabel"), plain.GetColumn<uint>("PredictedLabel"));
        if (featurizer == "ae")
        {
            // ML.NET's OnnxTransformer makes no scalar columns: the error comes back as a one-element vector.
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1), plain.Schema["Error"].Type);
            var e = Scalars(expected, "Error");
            var p = Column(plain, "Error");
            for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], p[i][0], 5);
        }
    }

    private static MLNetAutoencoders.MLNet.Stages.AutoencoderEstimator.Options WithError(MLNetAutoencoders.MLNet.Stages.AutoencoderEstimator.Options o)
    {
        o.ErrorColumnName = "Error";
        return o;
    }
}
