using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// Restoration of images (the idea of ARNet and GeoTrans): an autoencoder is trained to undo transformations of the
/// normal images — each training image enters the encoder turned by one of the right-angle rotations or flips, drawn at
/// random every batch, and the target is the image itself — so it must learn which way up a normal image stands. A
/// row's score is the mean over all the transformations of the restoration error mean((f(T(x)) − x)²): an image of
/// another kind is put back the wrong way, or not at all. Square images use the eight rotations and flips of the
/// square, other rectangles the four that keep their shape (identity, the two flips, the half turn).
/// </summary>
public sealed class RestorationScorer : IAnomalyScorer
{
    private RestorationScorer(AutoencoderModel model, int height, int width, int[][] transforms, float[] trainingScores)
    {
        Network = model;
        Height = height;
        Width = width;
        Transforms = transforms;
        TrainingScores = trainingScores;
    }

    /// <summary>The restoring autoencoder.</summary>
    public AutoencoderModel Network { get; }

    /// <inheritdoc />
    public IAutoencoder Model => Network;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Each transformation as the source index of every value of a transformed row (<see cref="ImageTransforms"/>).</summary>
    public IReadOnlyList<int[]> Transforms { get; }

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>Trains the network <paramref name="network"/> describes to restore the transformed <paramref name="trainingRows"/> (images of <paramref name="height"/> × <paramref name="width"/> pixels, channels one after another); the options' own corruption is replaced by the transformations.</summary>
    /// <exception cref="ArgumentException">A row width that is not a whole number of height × width images, fewer than two rows, values that are not finite (or outside [0, 1] for the cross-entropy loss), or options naming modules of the user's own or another engine.</exception>
    public static RestorationScorer Fit(Matrix trainingRows, AutoencoderOptions network, int height, int width,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingRows);
        var transforms = ImageTransforms.RightAngles(height, width, trainingRows.Cols);
        var (o, rng, encoder, decoder) = OwnNetwork.Build(trainingRows, network, "Restoration");
        var history = AutoencoderTrainer.TrainManaged(o, encoder, decoder, MinibatchSource.InMemory(trainingRows, o.Minibatch), trainingRows.Cols, rng,
            progress, cancellationToken, new RandomTransform(transforms));
        var model = new AutoencoderModel(o, encoder, decoder, history);
        return new RestorationScorer(model, height, width, transforms, Score(model, transforms, trainingRows));
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Score(Network, Transforms, x);
    }

    private static float[] Score(AutoencoderModel model, IReadOnlyList<int[]> transforms, Matrix x)
    {
        var scores = new float[x.Rows];
        foreach (var t in transforms)
        {
            var errors = AutoencoderMetrics.RowErrors(x, model.Reconstruct(ImageTransforms.Apply(x, t)));
            for (int i = 0; i < scores.Length; i++) scores[i] += errors[i, 0] / transforms.Count;
        }
        return scores;
    }

    /// <summary>Puts each training row through one of the transformations, drawn from the context's generator.</summary>
    private sealed class RandomTransform(int[][] transforms) : ICorruption
    {
        private Matrix? _buffer;

        public Matrix Apply(Matrix clean, NnContext ctx)
        {
            var y = Matrix.Ensure(ref _buffer, clean.Rows, clean.Cols);
            for (int i = 0; i < clean.Rows; i++)
            {
                var t = transforms[ctx.Rng.NextInt(transforms.Length)];
                var from = clean.Row(i);
                var to = y.Row(i);
                for (int j = 0; j < t.Length; j++) to[j] = from[t[j]];
            }
            return y;
        }
    }
}

/// <summary>The right-angle rotations and flips of images stored row by row, as index maps.</summary>
public static class ImageTransforms
{
    /// <summary>
    /// The transformations of rows holding images of <paramref name="height"/> × <paramref name="width"/> pixels
    /// (<paramref name="rowWidth"/> / (height × width) channels, one after another), identity first: for a square the
    /// eight symmetries of the square (four rotations, each with and without a left-right flip), else the four that
    /// keep the shape. Entry j of a map is the index of the value that lands at j.
    /// </summary>
    /// <exception cref="ArgumentException">Height or width below 1, or a row width that is not a whole number of images.</exception>
    public static int[][] RightAngles(int height, int width, int rowWidth)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"The image height and width must be ≥ 1; got {height} × {width}.");
        int pixels = height * width;
        if (rowWidth % pixels != 0)
            throw new ArgumentException($"Rows of {rowWidth} values are not images of {height} × {width} = {pixels} pixels (nor several channels of them); set the image height and width.");
        // (r, c) of the output reads (sr, sc) of the input.
        var maps = new List<Func<int, int, (int, int)>> { (r, c) => (r, c), (r, c) => (r, width - 1 - c), (r, c) => (height - 1 - r, c), (r, c) => (height - 1 - r, width - 1 - c) };
        if (height == width)
        {
            int n = height;
            maps.Add((r, c) => (c, n - 1 - r));          // a quarter turn
            maps.Add((r, c) => (n - 1 - c, r));          // three quarters
            maps.Add((r, c) => (c, r));                  // the transpose
            maps.Add((r, c) => (n - 1 - c, n - 1 - r));  // the anti-transpose
        }
        return maps.Select(m =>
        {
            var index = new int[rowWidth];
            for (int ch = 0; ch < rowWidth / pixels; ch++)
                for (int r = 0; r < height; r++)
                    for (int c = 0; c < width; c++)
                    {
                        var (sr, sc) = m(r, c);
                        index[ch * pixels + r * width + c] = ch * pixels + sr * width + sc;
                    }
            return index;
        }).ToArray();
    }

    /// <summary>Row i of the result is row i of <paramref name="x"/> with value <paramref name="map"/>[j] at j.</summary>
    public static Matrix Apply(Matrix x, IReadOnlyList<int> map)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(map);
        if (map.Count != x.Cols) throw new ArgumentException($"A map of {map.Count} values for rows of {x.Cols}.", nameof(map));
        var y = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            var from = x.Row(i);
            var to = y.Row(i);
            for (int j = 0; j < to.Length; j++) to[j] = from[map[j]];
        }
        return y;
    }
}
