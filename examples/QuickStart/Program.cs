// QuickStart: train the reference autoencoder on Fashion-MNIST through the library API and print its test MSE.
// Run: dotnet run -c Release --project examples/QuickStart [epochs]
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Nn;

int epochs = args.Length > 0 ? int.Parse(args[0]) : 20;
var (train, test) = FashionMnist.Load();                    // 60 000 / 10 000 images, pixels in [0, 1]

var options = new AutoencoderOptions                        // 784 → 256 → 128 → 20 → 128 → 256 → 784
{
    HiddenSizes = [256, 128],
    CodeSize = 20,
    Loss = LossKind.CrossEntropy,                           // Bernoulli cross-entropy on logits
    Epochs = epochs,
    BatchSize = 512,
    LearningRate = 1e-3f,
    Seed = 0,
    Threads = Environment.ProcessorCount,
};
var progress = new Progress<EpochReport>(e => Console.WriteLine($"epoch {e.Epoch,2}: loss {e.TrainLoss:F2} ({e.Seconds:F2}s)"));
AutoencoderModel model = new AutoencoderTrainer(options).Fit(train.Images, progress);

var codes = model.Encode(test.Images);                      // 10 000 × 20
Console.WriteLine($"codes: {codes.Rows}×{codes.Cols}, parameters: {model.ParameterCount}");
Console.WriteLine($"test MSE: {model.ReconstructionMse(test.Images):F5}");
model.Save("quickstart.mlae");
