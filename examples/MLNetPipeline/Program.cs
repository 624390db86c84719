// MLNetPipeline: an autoencoder as a featurizer in an ordinary ML.NET pipeline.
//
// Loads Fashion-MNIST (60 000 training and 10 000 test images of 28×28 pixels in [0, 1]) into IDataViews, learns a
// 20-number code per image with EncodeWithAutoencoder, standardises the code and trains ML.NET's L-BFGS maximum-entropy
// classifier on it. Then it evaluates on the test set, saves the model to fashion-ae.zip, loads it back and predicts
// the class of one test image.
//
// Run:   dotnet run -c Release --project examples/MLNetPipeline [-- <autoencoder epochs, default 5>]
// Data:  /usr/share/datasets/fashion-mnist (or the directory in $MLAE_FASHION_MNIST).

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 5;
string[] classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

var mlContext = new MLContext(seed: 0);
var (train, test) = FashionMnist.Load();
ImageRow[] testRows = ToRows(test);
IDataView trainData = mlContext.Data.LoadFromEnumerable(ToRows(train));
IDataView testData = mlContext.Data.LoadFromEnumerable(testRows);

var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 20, epochs: epochs))
    .Append(mlContext.Transforms.NormalizeMeanVariance("Code", fixZero: false))
    .AppendCacheCheckpoint(mlContext) // the classifier reads the codes many times: compute them once
    .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(featureColumnName: "Code"))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

Console.WriteLine($"Training on {train.Count} images ({epochs} autoencoder epochs) …");
ITransformer model = pipeline.Fit(trainData);

var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData));
Console.WriteLine($"Test set: micro accuracy {metrics.MicroAccuracy:P2}, macro accuracy {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");

mlContext.Model.Save(model, trainData.Schema, "fashion-ae.zip");
ITransformer loaded = mlContext.Model.Load("fashion-ae.zip", out _);

var engine = mlContext.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded);
Prediction prediction = engine.Predict(testRows[0]);
Console.WriteLine($"Test image 0: predicted {classNames[prediction.PredictedLabel]} (true class {classNames[testRows[0].Label]})");

static ImageRow[] ToRows(ImageDataset data) =>
    [.. Enumerable.Range(0, data.Count).Select(i => new ImageRow { Features = data.Images.Row(i).ToArray(), Label = (uint)data.Labels![i] })];

/// <summary>One image: 784 pixel values in [0, 1] and its class, 0–9.</summary>
public sealed class ImageRow
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public uint Label { get; set; }
}

/// <summary>The pipeline's answer: the predicted class and the ten class scores.</summary>
public sealed class Prediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; } = [];
}
