using System.Numerics.Tensors;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>
/// A classifier built on a fitted encoder: the encoder's code path (<see cref="IAutoencoder.CodePath"/>: any autoencoder
/// kind, the stacked one included; μ(x) for a VAE), an optional fixed standardisation of the codes, and a softmax head,
/// trained by <see cref="EncoderClassifierTrainer"/>. Inference is deterministic and thread-safe.
/// </summary>
public sealed class EncoderClassifier
{
    /// <summary>Model kind stored in model files.</summary>
    public const string Kind = "encoder-classifier";

    private readonly object _lock = new();
    private NnContext? _inference;

    /// <summary>Wraps a trained network whose first <paramref name="encoderLayers"/> layers (dense, and dropout between them; or convolutions and a dense code layer) are the encoder.</summary>
    public EncoderClassifier(EncoderClassifierOptions options, Network network, int encoderLayers, TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(network);
        if (network.OutputSize < 2) throw new ArgumentException($"A classifier needs at least 2 classes; the network has {network.OutputSize} outputs.", nameof(network));
        if (encoderLayers < 1 || encoderLayers >= network.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(encoderLayers), encoderLayers, $"The encoder must be 1–{network.Layers.Count - 1} of the network's {network.Layers.Count} layers.");
        Options = options;
        Network = network;
        EncoderLayerCount = encoderLayers;
        History = history ?? new TrainingHistory();
    }

    /// <summary>The options it was trained with.</summary>
    public EncoderClassifierOptions Options { get; }

    /// <summary>The whole network: encoder layers, the code scaler (when standardising), head; its output is the K logits.</summary>
    public Network Network { get; }

    /// <summary>Number of leading layers of <see cref="Network"/> that form the encoder (dropout layers included).</summary>
    public int EncoderLayerCount { get; }

    /// <summary>Per-epoch losses (head warm-up epochs first, when used).</summary>
    public TrainingHistory History { get; }

    /// <summary>The encoder's dense layers, input side first (of a convolutional encoder, its code layer).</summary>
    public IReadOnlyList<DenseLayer> EncoderLayers => Network.Layers.Take(EncoderLayerCount).OfType<DenseLayer>().ToList();

    /// <summary>Code width (the encoder's output).</summary>
    public int CodeSize => Network.Layers[EncoderLayerCount - 1].OutputSize;

    /// <summary>Number of classes K.</summary>
    public int ClassCount => Network.OutputSize;

    /// <summary>Number of input features.</summary>
    public int FeatureCount => Network.InputSize;

    private NnContext Inference => _inference ??= new NnContext(Gemm.Create(Options.Gemm, Options.Threads), new Rng(Options.Seed));

    /// <summary>The K logits of each row (a new N×K matrix).</summary>
    public Matrix DecisionFunction(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != FeatureCount) throw new ArgumentException($"The input has {x.Cols} columns; the classifier was fitted on {FeatureCount}.", nameof(x));
        x.ThrowIfNotFinite("The encoder classifier's input");
        lock (_lock) return Network.Predict(x, Inference);
    }

    /// <summary>Class probabilities (softmax of the logits), N×K; rows sum to 1.</summary>
    public Matrix PredictProbabilities(Matrix x) => Softmax.SoftmaxRows(DecisionFunction(x));

    /// <summary>The most probable class of each row (the lowest index on ties).</summary>
    public int[] Predict(Matrix x) => Softmax.ArgMaxRows(DecisionFunction(x));

    /// <summary>The codes the (trained) encoder gives the rows of <paramref name="x"/>, before the code scaler.</summary>
    public Matrix Encode(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != FeatureCount) throw new ArgumentException($"The input has {x.Cols} columns; the classifier was fitted on {FeatureCount}.", nameof(x));
        lock (_lock) return new Network(Network.Layers.Take(EncoderLayerCount)).Predict(x, Inference);
    }

    /// <summary>The model as an archive (options, layer specs, encoder size, history, parameters).</summary>
    public ModelArchive ToArchive()
    {
        var a = new ModelArchive(Kind);
        a.Set("options", Options);
        a.Set("network", Network.ToSpecs());
        a.Set("encoderLayers", EncoderLayerCount);
        a.Set("history", History);
        foreach (var p in Network.Parameters) a.Add(p.Name, p.Value);
        return a;
    }

    /// <summary>Saves to a versioned model file (written atomically).</summary>
    public void Save(string path) => ToArchive().Save(path);

    /// <summary>Loads a model saved with <see cref="Save"/>; another kind of model file, or a damaged one, is an error naming the file.</summary>
    public static EncoderClassifier Load(string path) => ModelArchive.Load(path, Kind, FromArchive);

    /// <summary>Rebuilds a model from <see cref="ToArchive"/>'s output.</summary>
    public static EncoderClassifier FromArchive(ModelArchive a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Kind != Kind) throw new InvalidDataException($"The archive holds a '{a.Kind}' model; expected '{Kind}'.");
        var net = Network.FromSpecs(a.GetValue<List<LayerSpec>>("network"), AutoencoderModel.ParameterLookup(a));
        int encoderLayers = a.GetValue<int>("encoderLayers");
        if (encoderLayers < 1 || encoderLayers >= net.Layers.Count || net.Layers[encoderLayers - 1] is not DenseLayer)
            throw new InvalidDataException($"The model file's encoder size {encoderLayers} does not fit its {net.Layers.Count} layers.");
        return new EncoderClassifier(a.GetValue<EncoderClassifierOptions>("options"), net, encoderLayers, a.GetValue<TrainingHistory>("history"));
    }
}
