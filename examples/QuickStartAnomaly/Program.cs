using Microsoft.ML;
using Microsoft.ML.Data;

var mlContext = new MLContext(seed: 0);
int width = File.ReadLines("data.csv").First().Split(',').Length;   // a header: Label (1 = anomaly, 0 = normal), then the features
IDataView data = mlContext.Data.LoadFromTextFile("data.csv",
    [new TextLoader.Column("Label", DataKind.Single, 0), new TextLoader.Column("Features", DataKind.Single, 1, width - 1)],
    separatorChar: ',', hasHeader: true, allowQuoting: true);
IDataView normalRows = mlContext.Data.FilterRowsByColumn(data, "Label", upperBound: 0.5);   // learn what normal looks like

var detector = mlContext.Transforms.NormalizeMinMax("Features", fixZero: false)
    .Append(mlContext.AnomalyDetection.Trainers.Autoencoder("Features", codeSize: 4, hiddenSizes: [32], epochs: 50))
    .Fit(normalRows);
IDataView scored = detector.Transform(data);   // Score = reconstruction error, PredictedLabel = above the threshold

Console.WriteLine($"AUC {mlContext.AnomalyDetection.Evaluate(scored).AreaUnderRocCurve:F3}");
float[] scores = scored.GetColumn<float>("Score").ToArray();
foreach (int row in Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(5))
    Console.WriteLine($"data row {row}: score {scores[row]:F4}");
mlContext.Model.Save(detector, data.Schema, "anomaly-model.zip");
