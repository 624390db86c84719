namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The one source of the family's defaults: the reference architecture and training settings, and the strength of each
/// named kind's term. The ML.NET estimators, the trainers' option classes and the <c>mlae</c> command line all read
/// them from here. The kinds' values were chosen on Fashion-MNIST (docs/family/RESULTS.md).
/// </summary>
public static class AutoencoderDefaults
{
    /// <summary>Code width: 20.</summary>
    public const int CodeSize = 20;

    /// <summary>Epochs: 20.</summary>
    public const int Epochs = 20;

    /// <summary>Minibatch size: 512.</summary>
    public const int BatchSize = 512;

    /// <summary>Adam's learning rate: 1e-3.</summary>
    public const float LearningRate = 1e-3f;

    /// <summary>Encoder hidden widths 256, 128 (a new array each call).</summary>
    public static int[] HiddenSizes => [256, 128];

    /// <summary>The VAE's encoder hidden widths: 128 (a new array each call).</summary>
    public static int[] VaeHiddenSizes => [128];

    /// <summary>The VAE's minibatch size: 128.</summary>
    public const int VaeBatchSize = 128;

    /// <summary>The VAE's epochs when trained on its own (the reference configuration): 10.</summary>
    public const int VaeEpochs = 10;

    /// <summary>The anomaly detector's code width (autoencoder code or VAE latent): 8.</summary>
    public const int AnomalyCodeSize = 8;

    /// <summary><c>sparse-l1</c>: λ of the L1 activity penalty on a ReLU code: 1.</summary>
    public const float SparseL1 = 1f;

    /// <summary><c>sparse-kl</c>: target mean activation ρ of the sigmoid code: 0.1.</summary>
    public const float KlSparsityTarget = 0.1f;

    /// <summary><c>sparse-kl</c>: weight of the KL sparsity penalty: 30.</summary>
    public const float KlSparsityWeight = 30f;

    /// <summary><c>contractive</c>: λ of ‖∂f/∂x‖²_F: 0.3.</summary>
    public const float Contractive = 0.3f;

    /// <summary><c>denoising</c>: standard deviation η of the Gaussian input noise: 0.2.</summary>
    public const float DenoisingNoise = 0.2f;

    /// <summary><c>dropout</c>: the dropout rate after hidden layers: 0.2.</summary>
    public const float DropoutRate = 0.2f;

    /// <summary><c>adversarial</c>: λ of the encoder's term that fools the discriminator: 0.3.</summary>
    public const float Adversarial = 0.3f;

    /// <summary><c>adversarial</c>: the discriminator's hidden widths 128, 128 (a new array each call).</summary>
    public static int[] DiscriminatorHiddenSizes => [128, 128];

    /// <summary><c>stacked</c>: end-to-end fine-tuning epochs after the greedy layer-wise phase: 10.</summary>
    public const int StackedFineTuneEpochs = 10;

    /// <summary>Streaming training: rows of the shuffle buffer, 8 192 (24.5 MB for 784 values a row).</summary>
    public const int ShuffleBufferRows = 8192;

    /// <summary>The ML.NET stages train from memory when the input column holds at most this many megabytes (rows × width × 4 bytes), and stream above it: 512.</summary>
    public const int InMemoryLimitMegabytes = 512;

    /// <summary>
    /// The ML.NET encoder classifier's dropout rate after the encoder's hidden layers (and the head's) while training:
    /// 0.5. With the other classifier defaults below it was chosen on Fashion-MNIST selection images for the few-label
    /// use (an autoencoder fitted on unlabelled images, then 100 or 600 labelled ones): there it beat ML.NET's
    /// logistic regression on the pixels, where the core options' defaults (no dropout, early stopping on a fifth of
    /// the labelled rows) did not (docs/semi-supervised.md, seventh round).
    /// </summary>
    public const float ClassifierDropoutRate = 0.5f;

    /// <summary>
    /// The ML.NET encoder classifier's share of the labelled rows held out for validation: 0, so every labelled row trains
    /// (with few labels, holding a fifth of them out for early stopping cost more than early stopping gave; see
    /// <see cref="ClassifierDropoutRate"/>).
    /// </summary>
    public const double ClassifierValidationFraction = 0;

    /// <summary>The ML.NET encoder classifier's early-stopping patience: 0 (off; it needs a validation share, see <see cref="ClassifierValidationFraction"/>).</summary>
    public const int ClassifierEarlyStoppingPatience = 0;

    /// <summary>The ML.NET encoder classifier's passes over the labelled rows: 100.</summary>
    public const int ClassifierEpochs = 100;
}
