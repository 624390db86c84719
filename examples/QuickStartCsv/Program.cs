using Microsoft.ML;
using Microsoft.ML.Data;

var mlContext = new MLContext(seed: 0);
int width = File.ReadLines("data.csv").First().Split(',').Length;   // a header: Label, then any number of features
IDataView data = mlContext.Data.LoadFromTextFile("data.csv",
    [new TextLoader.Column("Label", DataKind.Boolean, 0), new TextLoader.Column("Features", DataKind.Single, 1, width - 1)],
    separatorChar: ',', hasHeader: true, allowQuoting: true);
var split = mlContext.Data.TrainTestSplit(data, testFraction: 0.2, seed: 0);

var pipeline = mlContext.Transforms.NormalizeMinMax("Features", fixZero: false)
    .Append(mlContext.Transforms.EncodeWithAutoencoder("Code", "Features", codeSize: 8, hiddenSizes: [32], epochs: 50))
    .Append(mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: "Code"));
ITransformer model = pipeline.Fit(split.TrainSet);

var metrics = mlContext.BinaryClassification.Evaluate(model.Transform(split.TestSet));
Console.WriteLine($"Accuracy {metrics.Accuracy:P1}, AUC {metrics.AreaUnderRocCurve:F3} on {split.TestSet.GetColumn<bool>("Label").Count()} test rows");
mlContext.Model.Save(model, data.Schema, "model.zip");
