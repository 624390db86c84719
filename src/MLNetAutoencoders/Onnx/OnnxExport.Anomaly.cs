using MLNetAutoencoders.Anomaly;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Onnx.Proto;

namespace MLNetAutoencoders.Onnx;

public static partial class OnnxExport
{
    /// <summary>
    /// A code-space anomaly scorer (<see cref="CodeAnomalyScorer"/>) as a model: output <paramref name="scoreName"/> is
    /// each row's score ([N, 1]) and, if <paramref name="predictedLabelName"/> is given, score &gt; <paramref name="threshold"/>.
    /// The neighbour distance uses ‖z − c‖² = ‖z‖² − 2 z·c + ‖c‖² over the training codes c (kept as an initializer),
    /// clipped at 0, then TopK; the Gaussian score (z − μ)ᵀ Σ⁻¹ (z − μ) as a MatMul and a row sum.
    /// </summary>
    public static ModelProto CodeAnomalyScorer(CodeAnomalyScorer scorer, string inputName, string scoreName, string? predictedLabelName, float threshold)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var stage = EncoderStage(scorer.Model);
        var b = new OnnxGraphBuilder(inputName, scorer.Model.InputSize, graphName: stage.Kind + " code anomaly score");
        return ScorerOutputs(b, stage, inputName, AppendScore(b, scorer), scoreName, predictedLabelName, threshold);
    }

    /// <summary>
    /// Any fitted anomaly scorer as a model (output <paramref name="scoreName"/> [N, 1] and, if
    /// <paramref name="predictedLabelName"/> is given, score &gt; <paramref name="threshold"/>): the reconstruction error
    /// or negative ELBO, the code-space scores (<see cref="CodeAnomalyScorer(Anomaly.CodeAnomalyScorer, string, string, string?, float)"/>),
    /// Deep SVDD's ‖φ(x) − c‖², restoration (each transformation a <c>Gather</c> of the input's columns, each erased view
    /// a <c>Mul</c> by its mask, then the network, the error against the input, the mean over the views), transformation
    /// prediction (each transformation a <c>Gather</c>, then the classifier, <c>LogSoftmax</c> and the right class's column,
    /// summed and negated), and ensembles (each member's graph, and the
    /// neighbour distance in the input space if it is a member, standardised, averaged).
    /// </summary>
    /// <exception cref="NotSupportedException">A scorer type this library did not make.</exception>
    public static ModelProto AnomalyScorer(IAnomalyScorer scorer, string inputName, string scoreName, string? predictedLabelName, float threshold)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        var stage = ScorerStage(scorer);
        var b = new OnnxGraphBuilder(inputName, stage.InputSize, graphName: stage.Kind + " anomaly score");
        return ScorerOutputs(b, stage, inputName, AppendScore(b, scorer), scoreName, predictedLabelName, threshold);
    }

    /// <summary>
    /// The stage that describes <paramref name="scorer"/> in the model's metadata: its autoencoder's encoder, or, for a
    /// score without an autoencoder (transformation prediction, alone or an ensemble of such), its classifier.
    /// </summary>
    private static OnnxExportStage ScorerStage(IAnomalyScorer scorer)
    {
        if (scorer.Model is { } model) return EncoderStage(model);
        var geo = scorer as TransformationPredictionScorer
            ?? (scorer as EnsembleScorer)?.Members.OfType<TransformationPredictionScorer>().FirstOrDefault()
            ?? throw new NotSupportedException($"No ONNX graph for an anomaly scorer of type {scorer.GetType().Name} without an autoencoder.");
        var layers = CodeLayers(geo.Network, TransformationKind);
        var options = new System.Text.Json.Nodes.JsonObject
        {
            ["height"] = geo.Height, ["width"] = geo.Width, ["transformations"] = geo.Transforms.Count,
            ["hiddenSizes"] = new System.Text.Json.Nodes.JsonArray(geo.Options.HiddenSizes.Select(h => (System.Text.Json.Nodes.JsonNode)h).ToArray()),
            ["epochs"] = geo.Options.Epochs, ["shift"] = geo.Options.Shift, ["batchSize"] = geo.Options.BatchSize, ["learningRate"] = geo.Options.LearningRate, ["seed"] = geo.Seed,
        };
        return new OnnxExportStage(TransformationKind, geo.Network.InputSize, geo.Network.OutputSize, options,
            (b, x) => AppendLayers(b, x, layers, "transformation"));
    }

    /// <summary>The metadata kind of the transformation-prediction classifier.</summary>
    private const string TransformationKind = "transformation-prediction";

    /// <summary>The score of <paramref name="scorer"/> for the graph's input rows: [N, 1].</summary>
    private static string AppendScore(OnnxGraphBuilder b, IAnomalyScorer scorer)
    {
        string Code(IAutoencoder model, string x) => b.Append(x, EncoderStage(model));
        switch (scorer)
        {
            case ReconstructionScorer r:
                return r.NegativeElbo ? AppendNegativeElbo(b, (VaeModel)r.Model, Code(r.Model, b.Input)) : AppendRowError(b, AppendReconstruction(b, r.Model, Code(r.Model, b.Input)));
            case CodeAnomalyScorer c:
            {
                var code = Code(c.Model, b.Input);
                string score = c.Knn is { } knn ? AppendKnn(b, code, knn) : AppendGaussian(b, code, c.Gaussian!);
                if (c.ReconstructionStandardization is not { } rs) return score;
                var r = AppendRowError(b, AppendReconstruction(b, c.Model, code));
                return b.Add(Standardized(b, r, rs, "reconstruction"), Standardized(b, score, c.DensityStandardization, "density"), "combined_score");
            }
            case DeepSvddScorer d:
            {
                var centred = b.Sub(Code(d.Model, b.Input), d.Centre.ToArray(), "svdd_centred");
                return b.RowSum(b.Mul(centred, centred, "svdd_squares"), "svdd_distance");
            }
            case RestorationScorer r:
            {
                string? sum = null;
                void AddView(string view)
                {
                    var error = AppendRowError(b, AppendReconstruction(b, r.Model, Code(r.Model, view)));
                    sum = sum is null ? error : b.Add(sum, error, "restoration_sum");
                }
                foreach (var t in r.Transforms) AddView(b.GatherColumns(b.Input, t, "transformed"));
                foreach (var m in r.ErasureMasks) AddView(b.Mul(b.Input, m, "erased"));
                return b.Mul(sum!, b.Constant(1f / (r.Transforms.Count + r.ErasureMasks.Count), "one_over_views"), "restoration_error");
            }
            case TransformationPredictionScorer g:
            {
                var layers = CodeLayers(g.Network, TransformationKind);
                string? sum = null;
                for (int t = 0; t < g.Transforms.Count; t++)
                {
                    var logits = AppendLayers(b, b.GatherColumns(b.Input, g.Transforms[t], "transformed"), layers, "transformation");
                    var right = b.GatherColumns(b.Activation(logits, OnnxActivation.LogSoftmax, hint: "log_probabilities"), [t], "right_transformation");
                    sum = sum is null ? right : b.Add(sum, right, "log_probability_sum");
                }
                return b.Neg(sum!, "transformation_surprise");
            }
            case EnsembleScorer e:
            {
                string? sum = null;
                for (int k = 0; k < e.Members.Count; k++)
                {
                    var z = Standardized(b, AppendScore(b, e.Members[k]), e.Standardizations[k], "member");
                    sum = sum is null ? z : b.Add(sum, z, "ensemble_sum");
                }
                int count = e.Members.Count;
                if (e.InputNeighbours is { } knn)
                {
                    sum = b.Add(sum!, Standardized(b, AppendKnn(b, b.Input, knn), e.InputNeighboursStandardization!.Value, "input_neighbours"), "ensemble_sum");
                    count++;
                }
                return b.Mul(sum!, b.Constant(1f / count, "one_over_members"), "ensemble_score");
            }
            default:
                throw new NotSupportedException($"No ONNX graph for an anomaly scorer of type {scorer.GetType().Name}.");
        }
    }

    /// <summary>(score − mean) / scale.</summary>
    private static string Standardized(OnnxGraphBuilder b, string score, ScoreStandardization s, string hint)
        => b.Mul(b.Sub(score, [s.Mean], hint + "_centre"), [1 / s.Scale], hint + "_z");

    private static string AppendKnn(OnnxGraphBuilder b, string code, KnnDistance knn)
    {
        var reference = knn.Reference;
        var transposed = new Numerics.Matrix(reference.Cols, reference.Rows);
        var norms = new float[reference.Rows];
        for (int r = 0; r < reference.Rows; r++)
        {
            double s = 0;
            for (int j = 0; j < reference.Cols; j++) { float v = reference[r, j]; transposed[j, r] = v; s += (double)v * v; }
            norms[r] = (float)s;
        }
        var cross = b.MatMul(code, transposed, "training_codes");
        var zz = b.RowSum(b.Mul(code, code, "code_sq"), "code_norm");
        var d2 = b.Add(b.Add(b.Mul(cross, b.Constant(-2f, "minus_two"), "cross2"), zz, "d2_partial"), norms, "d2");
        var nearest = b.SmallestPerRow(b.Clip(d2, 0f, null, "d2_nonnegative"), knn.K, "nearest");
        return b.RowMean(b.Sqrt(nearest, "distances"), "knn_distance");
    }

    private static string AppendGaussian(OnnxGraphBuilder b, string code, GaussianDensity gaussian)
    {
        var centred = b.Sub(code, gaussian.Mean, "code_centred");
        var t = b.MatMul(centred, gaussian.Precision, "precision");
        return b.RowSum(b.Mul(centred, t, "mahalanobis_terms"), "mahalanobis");
    }
}
