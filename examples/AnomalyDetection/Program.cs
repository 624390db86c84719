// AnomalyDetection: an autoencoder as an ML.NET anomaly detector, by reconstruction error.
//
// Trains mlContext.AnomalyDetection.Trainers.Autoencoder on the Fashion-MNIST training images of one class (the
// "normal" class, default 7 = Sneaker), scores all 10 000 test images, and evaluates with ML.NET's
// AnomalyDetection.Evaluate: the test images of the normal class are normal (label 0), the other nine classes anomalies
// (label 1). ML.NET's own RandomizedPca anomaly detector of the same rank runs beside it. The model is saved to
// anomaly.zip and loaded back; the five highest-scoring test images are listed.
//
// Run:   dotnet run -c Release --project examples/AnomalyDetection [-- <normal class 0-9, default 7> [<epochs, default 20>]]
// The full table over all ten classes is `mlae anomaly --dataset fashion-mnist`.

using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetAutoencoders.Data;

int normal = args.Length > 0 ? int.Parse(args[0]) : 7;
int epochs = args.Length > 1 ? int.Parse(args[1]) : 20;
var mlContext = new MLContext(seed: 0);
var (train, test) = FashionMnist.Load();
ImageRow Row(ImageDataset d, int i) => new() { Features = d.Images.Row(i).ToArray(), Label = d.Labels![i] == normal ? 0f : 1f };
IDataView trainData = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, train.Count).Where(i => train.Labels![i] == normal).Select(i => Row(train, i)).ToList());
IDataView testData = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, test.Count).Select(i => Row(test, i)).ToList());
Console.WriteLine($"Normal class: {FashionMnist.ClassNames[normal]} ({trainData.GetRowCount()} training images); scoring {test.Count} test images.");

var autoencoder = mlContext.AnomalyDetection.Trainers.Autoencoder(featureColumnName: "Features", codeSize: 8, epochs: epochs).Fit(trainData);
var pca = mlContext.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: "Features", rank: 8).Fit(trainData);
foreach (var (name, model) in new (string, ITransformer)[] { ("autoencoder", autoencoder), ("ML.NET RandomizedPca", pca) })
{
    var m = mlContext.AnomalyDetection.Evaluate(model.Transform(testData), falsePositiveCount: 100);
    Console.WriteLine($"{name,-22} AUROC {m.AreaUnderRocCurve:F3}, detection rate at 100 false positives {m.DetectionRateAtFalsePositiveCount:P1}");
}

mlContext.Model.Save(autoencoder, trainData.Schema, "anomaly.zip");
var loaded = mlContext.Model.Load("anomaly.zip", out _);
var scores = loaded.Transform(testData).GetColumn<float>("Score").ToArray();
Console.WriteLine("Highest scores after loading anomaly.zip (the most unusual test images):");
foreach (int i in Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(5))
    Console.WriteLine($"  test image {i,5}: {FashionMnist.ClassNames[test.Labels![i]],-12} score {scores[i]:F4}");

/// <summary>One image: 784 pixel values in [0, 1], and 1 for an anomaly (another class than the normal one), 0 otherwise.</summary>
public sealed class ImageRow
{
    [VectorType(784)] public float[] Features { get; set; } = [];
    public float Label { get; set; }
}
