using Microsoft.ML;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.MLNet.Tests.Stages;
using MLNetAutoencoders.MLNet.Trainers;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Trainers;

/// <summary>The encoder classifier's semi-supervised VAE mode (M1+M2) through ML.NET: training on unlabelled rows, model zips, bad input.</summary>
public class SemiSupervisedVaeTrainerTests
{
    private static (MLContext Ml, IDataView Train, EncoderClassifierEstimator.Options Options) Setup()
    {
        var ml = new MLContext(seed: 1);
        var unlabelled = View(ml, 400, 1);
        var o = new EncoderClassifierEstimator.Options
        {
            Encoder = ml.Transforms.EncodeWithVariationalAutoencoder(SmallVae()).Fit(unlabelled),
            UnlabelledData = unlabelled,
            Seed = 4,
            Classifier = new EncoderClassifierOptions
            {
                Mode = EncoderTrainingMode.SemiSupervisedVae, Epochs = 30, BatchSize = 32, LearningRate = 3e-3f, UnlabelledBatchSize = 16,
                M2HiddenSize = 16, M2LatentSize = 4,
            },
        };
        return (ml, View(ml, 120, 2), o);
    }

    [Fact]
    public void Trains_evaluates_and_the_zip_predicts_the_same_labels_in_plain_MLNet()
    {
        var (ml, train, o) = Setup();
        SemiSupervisedZipCheck.TrainsAndTheZipPredictsTheSame(ml, train, o, EncoderTrainingMode.SemiSupervisedVae, "M1+M2");
    }

    [Fact]
    public void Without_an_encoder_M1_is_a_VAE_with_its_defaults_fitted_on_the_unlabelled_rows()
    {
        var (ml, train, o) = Setup();
        o.Encoder = null;
        o.Classifier.Epochs = 2;
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.EncoderClassifier(o)).Fit(train).LastTransformer.Model;
        Assert.Equal([.. AutoencoderDefaults.VaeHiddenSizes, AutoencoderDefaults.CodeSize], model.EncoderLayers.Select(l => l.OutputSize));
    }

    [Fact]
    public void Bad_input_gets_named_errors()
    {
        var (ml, train, o) = Setup();
        var trainers = ml.MulticlassClassification.Trainers;
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train).Transform(train);

        var none = Setup().Options;
        none.UnlabelledData = null;
        Assert.Contains("(M1+M2) needs UnlabelledData", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(none)).Message);

        var plain = Setup().Options;
        plain.Encoder = ml.Transforms.EncodeWithAutoencoder(SmallAe()).Fit(View(ml, 100, 1));
        Assert.Contains("needs a VAE stage", Assert.Throws<ArgumentException>(() => trainers.EncoderClassifier(plain)).Message);

        o.UnlabelledData = ml.Data.LoadFromEnumerable(Array.Empty<PixelRow>());
        Assert.Contains("no rows", Assert.ThrowsAny<ArgumentException>(() => trainers.EncoderClassifier(o).Fit(keyed)).Message);
    }
}
