using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Anomaly;

/// <summary>
/// Restoration of images (the idea of ARNet and GeoTrans): an autoencoder is trained to undo transformations of the
/// normal images — each training image enters the encoder turned by one of the right-angle rotations or flips, drawn at
/// random every batch, and the target is the image itself — so it must learn which way up a normal image stands. With
/// erasure (ARNet's erased attribute) a square patch of the turned image is also set to 0, with probability 1/2, at a
/// random place, and the network must fill it in. A row's score is the mean restoration error mean((f(V(x)) − x)²) over
/// the views V: every transformation, and with erasure also the untransformed image with the patch at the fixed places
/// of <see cref="ImageTransforms.ErasurePlaces"/>. An image of another kind is put back the wrong way, or not at all.
/// Square images use the eight rotations and flips of the square, other rectangles the four that keep their shape
/// (identity, the two flips, the half turn). The network is the dense or the convolutional one the options describe.
/// </summary>
public sealed class RestorationScorer : IAnomalyScorer
{
    private RestorationScorer(AutoencoderModel model, int height, int width, int[][] transforms, int erasureSize, float[][] erasureMasks, float[] trainingScores)
    {
        Network = model;
        Height = height;
        Width = width;
        Transforms = transforms;
        ErasureSize = erasureSize;
        ErasureMasks = erasureMasks;
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

    /// <summary>Side in pixels of the erased square patch; 0 = no erasure.</summary>
    public int ErasureSize { get; }

    /// <summary>The erased views scored besides <see cref="Transforms"/>: per fixed place, a row-wide mask of 1 with 0 on the patch (every channel); empty without erasure.</summary>
    public IReadOnlyList<float[]> ErasureMasks { get; }

    /// <inheritdoc />
    public IReadOnlyList<float> TrainingScores { get; }

    /// <summary>
    /// Trains the network <paramref name="network"/> describes (dense, or convolutional when its <c>Conv</c> is set) to
    /// restore the transformed <paramref name="trainingRows"/> (images of <paramref name="height"/> × <paramref name="width"/>
    /// pixels, channels one after another), with a square of <paramref name="erasureSize"/> pixels erased at random when
    /// it is above 0; the options' own corruption is replaced by the transformations. The draws come from the options'
    /// seed: the same seed on one thread gives the same scorer, bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">A row width that is not a whole number of height × width images, an erasure size outside 0 to the smaller side, fewer than two rows, values that are not finite (or outside [0, 1] for the cross-entropy loss), or options naming modules of the user's own or another engine.</exception>
    public static RestorationScorer Fit(Matrix trainingRows, AutoencoderOptions network, int height, int width, int erasureSize = 0,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainingRows);
        var transforms = ImageTransforms.RightAngles(height, width, trainingRows.Cols);
        var masks = ImageTransforms.ErasurePlaces(height, width, erasureSize)
            .Select(p => ImageTransforms.ErasureMask(height, width, trainingRows.Cols, p.Top, p.Left, erasureSize)).ToArray();
        var (o, rng, encoder, decoder) = OwnNetwork.Build(trainingRows, network, "Restoration");
        var history = AutoencoderTrainer.TrainManaged(o, encoder, decoder, MinibatchSource.InMemory(trainingRows, o.Minibatch), trainingRows.Cols, rng,
            progress, cancellationToken, new RandomTransform(transforms, height, width, erasureSize));
        var model = new AutoencoderModel(o, encoder, decoder, history);
        return new RestorationScorer(model, height, width, transforms, erasureSize, masks, Score(model, transforms, masks, trainingRows));
    }

    /// <inheritdoc />
    public float[] Score(Matrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Score(Network, Transforms, ErasureMasks, x);
    }

    private static float[] Score(AutoencoderModel model, IReadOnlyList<int[]> transforms, IReadOnlyList<float[]> masks, Matrix x)
    {
        var scores = new float[x.Rows];
        int views = transforms.Count + masks.Count;
        void Add(Matrix view)
        {
            var errors = AutoencoderMetrics.RowErrors(x, model.Reconstruct(view));
            for (int i = 0; i < scores.Length; i++) scores[i] += errors[i, 0] / views;
        }
        foreach (var t in transforms) Add(ImageTransforms.Apply(x, t));
        foreach (var m in masks) Add(ImageTransforms.Mask(x, m));
        return scores;
    }

    /// <summary>
    /// Puts each training row through one of the transformations and, with erasure, sets a square of it to 0 with
    /// probability 1/2 at a uniformly drawn place; every draw comes from the context's generator.
    /// </summary>
    private sealed class RandomTransform(int[][] transforms, int height, int width, int erasureSize) : ICorruption
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
                if (erasureSize > 0 && ctx.Rng.NextInt(2) == 0)
                {
                    int top = ctx.Rng.NextInt(height - erasureSize + 1), left = ctx.Rng.NextInt(width - erasureSize + 1);
                    ImageTransforms.Erase(to, height, width, top, left, erasureSize);
                }
            }
            return y;
        }
    }
}

/// <summary>The right-angle rotations and flips of images stored row by row, as index maps, and the erasure of a square patch.</summary>
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

    /// <summary>
    /// <see cref="RightAngles"/> combined with shifts of 0 and ±<paramref name="shift"/> pixels along each axis (the image
    /// mirrored at its border, so every value comes from the image): each shift (0, 0) first, then (dy, dx) for dy, dx
    /// in −shift, 0, +shift, is followed by every right-angle transformation, so the first maps are those of
    /// <see cref="RightAngles"/> and there are nine times as many. A shift of 0 gives <see cref="RightAngles"/> alone.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="RightAngles"/>, or a shift below 0 or not smaller than the height and the width.</exception>
    public static int[][] RightAnglesAndShifts(int height, int width, int rowWidth, int shift)
    {
        var turns = RightAngles(height, width, rowWidth);
        if (shift == 0) return turns;
        if (shift < 0 || shift >= height || shift >= width)
            throw new ArgumentException($"A shift of {shift} pixels does not fit {height} × {width} images; it must be ≥ 0 and smaller than the height and the width.");
        static int Mirror(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        int pixels = height * width;
        var shifts = new List<(int Dy, int Dx)> { (0, 0) };
        foreach (int dy in new[] { -shift, 0, shift })
            foreach (int dx in new[] { -shift, 0, shift })
                if ((dy, dx) != (0, 0)) shifts.Add((dy, dx));
        var maps = new List<int[]>();
        foreach (var (dy, dx) in shifts)
        {
            // Output (r, c) of the shifted image reads (r − dy, c − dx) of the input, mirrored at the border.
            var moved = new int[rowWidth];
            for (int j = 0; j < rowWidth; j++)
            {
                int ch = j / pixels, r = j % pixels / width, c = j % width;
                moved[j] = ch * pixels + Mirror(r - dy, height) * width + Mirror(c - dx, width);
            }
            // The right-angle transformation of the shifted image: value j reads moved[turn[j]].
            foreach (var turn in turns) maps.Add(turn.Select(i => moved[i]).ToArray());
        }
        return [.. maps];
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

    /// <summary>
    /// The fixed places (top-left corners) of the erased square scored by restoration: a square of side
    /// <paramref name="size"/> centred on the image's centre and on the centres of its four quadrants, moved inside the
    /// image where it would cross the border (five places; none when <paramref name="size"/> is 0).
    /// </summary>
    /// <exception cref="ArgumentException">Height or width below 1, or a size below 0 or above the smaller side.</exception>
    public static (int Top, int Left)[] ErasurePlaces(int height, int width, int size)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"The image height and width must be ≥ 1; got {height} × {width}.");
        if (size < 0 || size > Math.Min(height, width))
            throw new ArgumentException($"The erased square's side must be in 0–{Math.Min(height, width)} (the images are {height} × {width}); got {size}.", nameof(size));
        if (size == 0) return [];
        int Corner(int centre, int side) => Math.Clamp(centre - size / 2, 0, side - size);
        (int, int)[] centres = [(height / 2, width / 2), (height / 4, width / 4), (height / 4, 3 * width / 4), (3 * height / 4, width / 4), (3 * height / 4, 3 * width / 4)];
        return centres.Select(c => (Corner(c.Item1, height), Corner(c.Item2, width))).ToArray();
    }

    /// <summary>A mask for rows of <paramref name="rowWidth"/> values: 1 everywhere but 0 on the square of side <paramref name="size"/> at (<paramref name="top"/>, <paramref name="left"/>) of every channel.</summary>
    /// <exception cref="ArgumentException">A row width that is not a whole number of images, or a square that does not fit.</exception>
    public static float[] ErasureMask(int height, int width, int rowWidth, int top, int left, int size)
    {
        RightAngles(height, width, rowWidth);
        if (size < 0 || top < 0 || left < 0 || top + size > height || left + size > width)
            throw new ArgumentException($"A square of side {size} at ({top}, {left}) does not fit in {height} × {width} images.");
        var mask = new float[rowWidth];
        Array.Fill(mask, 1f);
        Erase(mask, height, width, top, left, size);
        return mask;
    }

    /// <summary>Row i of the result is row i of <paramref name="x"/> times <paramref name="mask"/>, value by value.</summary>
    public static Matrix Mask(Matrix x, IReadOnlyList<float> mask)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count != x.Cols) throw new ArgumentException($"A mask of {mask.Count} values for rows of {x.Cols}.", nameof(mask));
        var y = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            var from = x.Row(i);
            var to = y.Row(i);
            for (int j = 0; j < to.Length; j++) to[j] = from[j] * mask[j];
        }
        return y;
    }

    /// <summary>Sets the square of side <paramref name="size"/> at (<paramref name="top"/>, <paramref name="left"/>) of every channel of <paramref name="row"/> to 0.</summary>
    internal static void Erase(Span<float> row, int height, int width, int top, int left, int size)
    {
        int pixels = height * width;
        for (int ch = 0; ch < row.Length / pixels; ch++)
            for (int r = top; r < top + size; r++)
                row.Slice(ch * pixels + r * width + left, size).Clear();
    }
}
