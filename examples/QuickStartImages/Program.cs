using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.MLNet.Stages;

var mlContext = new MLContext(seed: 0);
var files = Directory.GetFiles("images").Where(f => f.EndsWith(".png") || f.EndsWith(".jpg") || f.EndsWith(".jpeg"));
IDataView images = mlContext.Data.LoadFromEnumerable(files.Select(f => new ImageFile { Path = Path.GetFullPath(f) }));

var pipeline = mlContext.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "Path")
    .Append(mlContext.Transforms.ResizeImages("Image", imageWidth: 32, imageHeight: 32))   // any size in, 32 × 32 out
    .Append(mlContext.Transforms.ConvertToGrayscale("Image"))                               // colour or grey in, grey out
    .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image", ImagePixelExtractingEstimator.ColorBits.Red, scaleImage: 1 / 255f))
    .Append(mlContext.Transforms.EncodeWithAutoencoder(new AutoencoderEstimator.Options
    {
        InputColumnName = "Pixels", OutputColumnName = "Code", ErrorColumnName = "Error",
        Autoencoder = new AutoencoderOptions { Conv = new ConvAutoencoderOptions { ImageShape = [1, 32, 32], Channels = [16, 32] }, CodeSize = 16, Epochs = 10 },
    }));
ITransformer model = pipeline.Fit(images);

float[] errors = model.Transform(images).GetColumn<float>("Error").ToArray();
Console.WriteLine($"{errors.Length} images; mean reconstruction error {errors.Average():F4}, highest {errors.Max():F4}");
mlContext.Model.Save(model, images.Schema, "images-model.zip");

public sealed class ImageFile { public string Path { get; set; } = ""; }
