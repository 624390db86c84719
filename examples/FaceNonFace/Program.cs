// FaceNonFace: the eigenface experiment through the pipeline API (no CLI).
// For each featurizer and code size k: featurizer (fitted on the training folds only) → mean-variance normalisation →
// logistic regression, scored by 5-fold stratified cross-validation on the 200 face / non-face images.
// Run: dotnet run -c Release --project examples/FaceNonFace [epochs]   (epochs of the autoencoders, default 300)
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Pipeline;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 300;
var faces = DataTable.FromDataset(Faces.Load());          // "Features": 625 pixels in [0, 1]; "Label": 1 = face, 0 = not
var ctx = new MLAEContext(seed: 0, threads: 1);

// Small-data autoencoder: 625 → 64 → k → 64 → 625, ReLU, cross-entropy, Adam 1e-3, batch 16.
AutoencoderOptions Ae(int k) => new() { HiddenSizes = [64], CodeSize = k, Epochs = epochs, BatchSize = 16, Seed = 0 };

var featurizers = new (string Name, Func<int, IEstimator<ITransformer>> Make)[]
{
    ("pca", k => ctx.Transforms.Pca("Code", "Features", components: k)),
    ("ae", k => ctx.Transforms.Autoencoder("Code", "Features", Ae(k))),
    ("denoising", k => ctx.Transforms.Autoencoder("Code", "Features", AutoencoderEstimator.Preset(AutoencoderKind.Denoising, Ae(k)))),
    ("vae", k => ctx.Transforms.Vae("Code", "Features", new VaeOptions { HiddenSizes = [64], LatentSize = k, Epochs = epochs, BatchSize = 16, Seed = 0 })),
};
int[] codes = [1, 2, 3, 5, 10, 20];

Console.WriteLine("code" + string.Concat(featurizers.Select(f => $"{f.Name,16}")));
foreach (int k in codes)
{
    Console.Write($"{k,4}");
    foreach (var (_, make) in featurizers)
    {
        var pipeline = make(k)
            .Append(ctx.Transforms.NormalizeMeanVariance("Code"))
            .Append(ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"));
        var folds = ctx.Classification.CrossValidate(faces, pipeline, numberOfFolds: 5, seed: 0);
        double mean = folds.Average(f => f.Metrics.Accuracy);
        double std = Math.Sqrt(folds.Average(f => Math.Pow(f.Metrics.Accuracy - mean, 2)));
        Console.Write($"{$"{mean:P1} ± {100 * std:F1}",16}");
    }
    Console.WriteLine();
}

// One pipeline fitted on all images, saved as one file, loaded back: the same predictions.
var eigenfaces3 = ctx.Transforms.Pca("Code", "Features", new PcaOptions { Components = 3 })
    .Append(ctx.Transforms.NormalizeMeanVariance("Code"))
    .Append(ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"))
    .Fit(faces);
ctx.Model.Save(eigenfaces3, faces.Schema, "eigenfaces3.mlae");
var loaded = ctx.Model.Load("eigenfaces3.mlae");
var metrics = ctx.Classification.Evaluate(loaded.Transform(faces));
Console.WriteLine($"PCA-3 pipeline on all 200 images (training fit): accuracy {metrics.Accuracy:P1}, AUC {metrics.RocAuc:F3}; saved to eigenfaces3.mlae");
