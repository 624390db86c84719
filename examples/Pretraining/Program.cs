// Pretraining: learn an encoder from unlabelled Fashion-MNIST images, then classify with only N labelled images,
// and compare with the same network trained from random initialisation.
// Run: dotnet run -c Release --project examples/Pretraining [labels=600] [pretrainEpochs=15]
// The full experiment (several N, kinds and seeds) is `mlae pretrain`; see docs/pretraining/RESULTS.md.
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Onnx;

int labelled = args.Length > 0 ? int.Parse(args[0]) : 600;
int pretrainEpochs = args.Length > 1 ? int.Parse(args[1]) : 15;
int threads = Environment.ProcessorCount;
var (train, test) = FashionMnist.Load();                    // 60 000 / 10 000 images, pixels in [0, 1]

// 1. Pretrain a denoising autoencoder on all 60 000 training images, without their labels.
var aeOptions = new AutoencoderOptions                      // 784 → 512 → 256 → 20, mirrored decoder
{
    HiddenSizes = [512, 256], CodeSize = 20, Epochs = pretrainEpochs, BatchSize = 128,
    Corruption = CorruptionKind.Masking, CorruptionLevel = 0.5f,   // half the pixels zeroed in training
    Seed = 0, Threads = threads,
};
var ae = new AutoencoderTrainer(aeOptions).Fit(train.Images,
    new Progress<MLNetAutoencoders.Nn.EpochReport>(e => Console.WriteLine($"pretraining epoch {e.Epoch}: loss {e.TrainLoss:F1}")));

// 2. Draw N labelled images, the same number of each class.
var rows = PretrainingExperiment.BalancedSample(train.RequireLabels(), labelled, seed: 1);
var x = train.Images.SelectRows(rows);
var y = rows.Select(r => train.Labels![r]).ToArray();

// 3. The same encoder + softmax network: from scratch, as a linear probe, and fine-tuned (dropout 0.5 while training).
EncoderClassifier Fit(EncoderTrainingMode mode, EncoderInitialization init) => EncoderClassifierTrainer.Fit(ae, x, y, new EncoderClassifierOptions
{
    Mode = mode, Initialization = init, DropoutRate = mode == EncoderTrainingMode.Probe ? 0 : 0.5f,
    Epochs = 500, BatchSize = 32, LearningRate = 1e-3f, ValidationFraction = 0.2, EarlyStoppingPatience = 30,
    Seed = 2, Threads = threads,
}, classCount: 10);
double Accuracy(EncoderClassifier m)
{
    var truth = test.RequireLabels();
    var predicted = m.Predict(test.Images);
    return (double)truth.Where((t, i) => t == predicted[i]).Count() / truth.Length;
}

var scratch = Fit(EncoderTrainingMode.FineTune, EncoderInitialization.Random);
var probe = Fit(EncoderTrainingMode.Probe, EncoderInitialization.Pretrained);
var fineTuned = Fit(EncoderTrainingMode.FineTune, EncoderInitialization.Pretrained);
Console.WriteLine($"N = {labelled}: scratch {Accuracy(scratch):P2}, probe {Accuracy(probe):P2}, fine-tuned {Accuracy(fineTuned):P2}");

// 4. The classifier is a model file, and exports to ONNX (input "Features" [N, 784] → class probabilities "Score" [N, 10]).
fineTuned.Save("pretrained-classifier.mlae");
OnnxModelFile.Save(OnnxExportClassifier.Classifier(fineTuned), "pretrained-classifier.onnx");

