// FaceNonFace: the eigenface experiment as plain ML.NET pipelines.
// For each featurizer and code size k, inside each of 5 stratified folds of the 200 face / non-face images:
//   NormalizeMinMax → featurizer (fitted on the training folds only) → NormalizeMeanVariance → LbfgsLogisticRegression,
// scored with ML.NET's BinaryClassification.Evaluate on the held-out fold. Raw pixels: NormalizeMeanVariance → the same trainer.
// Run: dotnet run -c Release --project examples/FaceNonFace [epochs]   (epochs of the autoencoders, default 300)
using Microsoft.ML;
using Microsoft.ML.Trainers;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.MLNet.Data;
using MLNetAutoencoders.MLNet.Stages;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 300;
const int seed = 0;
var faces = Faces.Load();                                   // 200 images of 25×25 in [0, 1]; label 1 = face, 0 = not
var ml = new MLContext(seed);

// ML.NET has no stratified cross-validation: take the project's stratified folds and build a train and a test view per fold.
var folds = StratifiedKFold.Split(faces.RequireLabels(), 5, seed)
    .Select(f => (Train: ImageDataViews.Load(ml, faces, rows: f.Train), Test: ImageDataViews.Load(ml, faces, rows: f.Test)))
    .ToArray();

// Small-data autoencoders: 625 → 64 → k, 300 epochs of batch 16, one thread (the kind's own term comes from ForKind's preset).
AutoencoderEstimator.Options Ae(AutoencoderKind kind, int k)
{
    var o = AutoencoderEstimator.Options.ForKind(kind);
    (o.InputColumnName, o.OutputColumnName, o.Seed) = ("Scaled", "Code", seed);
    (o.Autoencoder.HiddenSizes, o.Autoencoder.CodeSize, o.Autoencoder.Epochs, o.Autoencoder.BatchSize, o.Autoencoder.Threads) = ([64], k, epochs, 16, 1);
    return o;
}

var featurizers = new (string Name, Func<int, IEstimator<ITransformer>> Make)[]
{
    ("pca", k => ml.Transforms.ProjectToExactPrincipalComponents("Code", "Scaled", rank: k, seed: seed)),
    ("mlnet-pca", k => ml.Transforms.ProjectToPrincipalComponents("Code", "Scaled", rank: k, seed: seed)),
    ("ae", k => ml.Transforms.EncodeWithAutoencoder(Ae(AutoencoderKind.Plain, k))),
    ("vae", k => ml.Transforms.EncodeWithVariationalAutoencoder(new VariationalAutoencoderEstimator.Options
    {
        InputColumnName = "Scaled", OutputColumnName = "Code", Seed = seed,
        Vae = new VaeOptions { HiddenSizes = [64], LatentSize = k, Epochs = epochs, BatchSize = 16, Threads = 1 },
    })),
};

// scikit-learn's LogisticRegression(C=1): ML.NET minimises mean loss + (L2/2)‖w‖², so L2 = 1/N and no L1 (ML.NET's defaults are 1 and 1).
IEstimator<ITransformer> Classifier(long trainRows) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
    new LbfgsLogisticRegressionBinaryTrainer.Options
    {
        FeatureColumnName = "Code", L1Regularization = 0, L2Regularization = 1f / trainRows, MaximumNumberOfIterations = 100, NumberOfThreads = 1,
    });

// Mean and population standard deviation of the accuracy over the folds.
(double Mean, double Std) CrossValidate(Func<IEstimator<ITransformer>> pipeline)
{
    var accuracy = folds.Select(f =>
    {
        var model = pipeline().Append(Classifier(f.Train.GetRowCount()!.Value)).Fit(f.Train);
        return ml.BinaryClassification.Evaluate(model.Transform(f.Test)).Accuracy;
    }).ToArray();
    double mean = accuracy.Average();
    return (mean, Math.Sqrt(accuracy.Average(a => (a - mean) * (a - mean))));
}

string Cell((double Mean, double Std) r) => $"{$"{r.Mean:P1} ± {100 * r.Std:F1}",16}";

Console.WriteLine("code" + string.Concat(featurizers.Select(f => $"{f.Name,16}")));
foreach (int k in new[] { 1, 2, 3, 5, 10, 20 })
{
    Console.Write($"{k,4}");
    foreach (var (_, make) in featurizers)
        Console.Write(Cell(CrossValidate(() => ml.Transforms.NormalizeMinMax("Scaled", "Features", fixZero: false)
            .Append(make(k))
            .Append(ml.Transforms.NormalizeMeanVariance("Code", fixZero: false))
            .AppendCacheCheckpoint(ml))));
    Console.WriteLine();
}
Console.WriteLine($"raw pixels (all {faces.Dimension}, standardised): " +
    Cell(CrossValidate(() => ml.Transforms.NormalizeMeanVariance("Code", "Features", fixZero: false).AppendCacheCheckpoint(ml))).Trim());
