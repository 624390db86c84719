using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Classifiers;

/// <summary>How a <see cref="LogisticRegression"/> fit ended.</summary>
/// <param name="Iterations">L-BFGS iterations run.</param>
/// <param name="Evaluations">Objective and gradient evaluations (each is two GEMMs over the data).</param>
/// <param name="Converged">True when a tolerance was met (false: iteration limit, or the rounding limit of the line search).</param>
/// <param name="Loss">Final value of the mean objective <c>(1/N)·Σ CE + ‖W‖²/(2CN)</c>.</param>
/// <param name="GradientMax">Largest absolute gradient entry of the mean objective at the end.</param>
/// <param name="StopReason">Why the optimiser stopped, in words.</param>
public sealed record LogisticRegressionTraining(int Iterations, int Evaluations, bool Converged, double Loss, double GradientMax, string StopReason);

/// <summary>
/// Multinomial (softmax) logistic regression with an L2 penalty on the weights — scikit-learn's
/// <c>LogisticRegression(C, solver="lbfgs", multi_class="multinomial")</c>: minimises
/// <c>C·Σ_i −log softmax(W x_i + b)_{y_i} + ½‖W‖²_F</c> (intercepts unpenalised), with one weight row per class
/// (also for two classes, which is how scikit-learn's multinomial solver treats binary problems; its single
/// reported row is row 1 here). Labels are 0 … K−1.
/// </summary>
public sealed class LogisticRegression
{
    /// <summary>Creates a model from its parameters (for loading; <see cref="Fit"/> is the usual way).</summary>
    /// <param name="coefficients">K×d weights, one row per class (K ≥ 2).</param>
    /// <param name="intercepts">K intercepts.</param>
    public LogisticRegression(Matrix coefficients, float[] intercepts)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(intercepts);
        if (coefficients.Rows < 2) throw new ArgumentException($"A classifier needs at least 2 classes; the coefficients have {coefficients.Rows} rows.", nameof(coefficients));
        if (intercepts.Length != coefficients.Rows)
            throw new ArgumentException($"There are {intercepts.Length} intercepts for {coefficients.Rows} classes.", nameof(intercepts));
        Coefficients = coefficients;
        Intercepts = intercepts;
    }

    /// <summary>Number of classes K.</summary>
    public int ClassCount => Coefficients.Rows;

    /// <summary>Number of input features d.</summary>
    public int FeatureCount => Coefficients.Cols;

    /// <summary>Weights, K×d (row k scores class k).</summary>
    public Matrix Coefficients { get; }

    /// <summary>Intercepts, one per class.</summary>
    public float[] Intercepts { get; }

    /// <summary>How the fit ended (null for a model built from parameters).</summary>
    public LogisticRegressionTraining? Training { get; private init; }

    /// <summary>
    /// Fits the model with L-BFGS from zero weights.
    /// </summary>
    /// <param name="x">N×d features (finite).</param>
    /// <param name="labels">N class indices in 0 … K−1; every class must occur.</param>
    /// <param name="options">Settings (validated); null for defaults.</param>
    /// <param name="classCount">K; null means max(label) + 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">Bad shapes, non-finite features, labels out of range or a class without samples.</exception>
    public static LogisticRegression Fit(Matrix x, int[] labels, LogisticRegressionOptions? options = null, int? classCount = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        var o = options ?? new LogisticRegressionOptions();
        o.Validate();
        if (labels.Length != x.Rows)
            throw new ArgumentException($"There are {labels.Length} labels for {x.Rows} rows.", nameof(labels));
        if (x.Rows == 0) throw new ArgumentException("The training matrix has no rows.", nameof(x));
        x.ThrowIfNotFinite("Logistic regression features");
        int k = classCount ?? labels.Max() + 1;
        if (k < 2) throw new ArgumentException($"Logistic regression needs at least 2 classes; got {k}.", nameof(classCount));
        var counts = new int[k];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)k)
                throw new ArgumentException($"Label {labels[i]} at row {i} is outside 0..{k - 1}.", nameof(labels));
            counts[labels[i]]++;
        }
        int missing = Array.IndexOf(counts, 0);
        if (missing >= 0)
            throw new ArgumentException($"Class {missing} has no training samples; every class 0..{k - 1} must occur.", nameof(labels));

        var gemm = o.Gemm ?? Gemm.Create(GemmKind.Auto, o.Threads);
        var objective = new SoftmaxObjective(x, labels, k, o.C, o.FitIntercept, gemm, o.Threads);
        var theta = new double[k * x.Cols + k];
        var result = Lbfgs.Minimize(objective.Evaluate, theta, o.MaxIterations, o.GradientTolerance, o.LossTolerance, o.History);
        var w = new Matrix(k, x.Cols);
        for (int i = 0; i < w.Length; i++) w.Data[i] = (float)theta[i];
        var b = new float[k];
        for (int c = 0; c < k; c++) b[c] = (float)theta[w.Length + c];
        return new LogisticRegression(w, b)
        {
            Training = new(result.Iterations, result.Evaluations, result.Converged, result.Loss, result.GradientMax, result.StopReason),
        };
    }

    /// <summary>Class scores <c>x·Wᵀ + b</c> (N×K logits).</summary>
    public Matrix DecisionFunction(Matrix x, IGemm? gemm = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != FeatureCount)
            throw new ArgumentException($"The input has {x.Cols} columns; the classifier was fitted on {FeatureCount}.", nameof(x));
        var z = new Matrix(x.Rows, ClassCount);
        for (int i = 0; i < z.Rows; i++) Intercepts.CopyTo(z.Row(i));
        (gemm ?? Gemm.Create(GemmKind.Auto, Environment.ProcessorCount)).Multiply(x, false, Coefficients, true, z, 1f, 1f);
        return z;
    }

    /// <summary>Class probabilities (softmax of the scores), N×K; rows sum to 1.</summary>
    public Matrix PredictProbabilities(Matrix x, IGemm? gemm = null)
    {
        var z = DecisionFunction(x, gemm);
        var e = new double[ClassCount];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            double lse = LogSumExp(row, e);
            for (int c = 0; c < row.Length; c++) row[c] = (float)Math.Exp(row[c] - lse);
        }
        return z;
    }

    /// <summary>The most probable class of each row (the lowest index on ties).</summary>
    public int[] Predict(Matrix x, IGemm? gemm = null)
    {
        var z = DecisionFunction(x, gemm);
        var result = new int[z.Rows];
        for (int i = 0; i < z.Rows; i++)
        {
            var row = z.Row(i);
            int best = 0;
            for (int c = 1; c < row.Length; c++)
                if (row[c] > row[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary><c>log Σ exp(z)</c> in double; <paramref name="scratch"/> receives <c>exp(z − max)</c>.</summary>
    internal static double LogSumExp(ReadOnlySpan<float> z, Span<double> scratch)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < z.Length; c++) max = Math.Max(max, z[c]);
        double sum = 0;
        for (int c = 0; c < z.Length; c++) sum += scratch[c] = Math.Exp(z[c] - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// The mean objective and its gradient. Parameters: W row-major (K×d) then b (K). Logits and the weight gradient
    /// are float GEMMs; the softmax, the loss and all sums are double.
    /// </summary>
    private sealed class SoftmaxObjective(Matrix x, int[] labels, int k, double c, bool fitIntercept, IGemm gemm, int threads)
    {
        private readonly int _n = x.Rows, _d = x.Cols;
        private readonly float[] _w = new float[k * x.Cols];
        private readonly float[] _b = new float[k];
        private readonly float[] _logits = new float[(long)x.Rows * k];
        private readonly float[] _gradW = new float[k * x.Cols];
        private readonly int _parts = Math.Clamp(x.Rows / 4096, 1, threads);

        public double Evaluate(ReadOnlySpan<double> theta, Span<double> grad)
        {
            int wLen = k * _d;
            for (int i = 0; i < wLen; i++) _w[i] = (float)theta[i];
            for (int cl = 0; cl < k; cl++) _b[cl] = fitIntercept ? (float)theta[wLen + cl] : 0f;
            gemm.Sgemm(false, true, _n, k, _d, 1f, x.Data, _d, _w, _d, 0f, _logits, k);

            // Softmax rows in parallel: loss, and the residual P − Y written over the logits.
            var loss = new double[_parts];
            var gb = new double[_parts][];
            Parallel.For(0, _parts, new ParallelOptions { MaxDegreeOfParallelism = _parts }, p =>
            {
                int r0 = (int)((long)_n * p / _parts), r1 = (int)((long)_n * (p + 1) / _parts);
                var e = new double[k];
                var gbp = new double[k];
                double lp = 0;
                for (int i = r0; i < r1; i++)
                {
                    var row = _logits.AsSpan(i * k, k);
                    for (int cl = 0; cl < k; cl++) row[cl] += _b[cl];
                    double lse = LogSumExp(row, e);
                    int y = labels[i];
                    lp += lse - row[y];
                    double sum = 0;
                    for (int cl = 0; cl < k; cl++) sum += e[cl];
                    double inv = 1 / sum;
                    for (int cl = 0; cl < k; cl++)
                    {
                        double r = e[cl] * inv - (cl == y ? 1 : 0);
                        row[cl] = (float)r;
                        gbp[cl] += r;
                    }
                }
                loss[p] = lp;
                gb[p] = gbp;
            });
            gemm.Sgemm(true, false, k, _d, _n, 1f, _logits, k, x.Data, _d, 0f, _gradW, _d);

            double invN = 1.0 / _n, lambda = double.IsPositiveInfinity(c) ? 0 : 1 / (c * _n);
            double total = 0, penalty = 0;
            foreach (var l in loss) total += l;
            for (int i = 0; i < wLen; i++)
            {
                penalty += theta[i] * theta[i];
                grad[i] = _gradW[i] * invN + lambda * theta[i];
            }
            for (int cl = 0; cl < k; cl++)
            {
                double s = 0;
                for (int p = 0; p < _parts; p++) s += gb[p][cl];
                grad[wLen + cl] = fitIntercept ? s * invN : 0;
            }
            return total * invN + 0.5 * lambda * penalty;
        }
    }
}
