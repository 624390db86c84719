using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;

namespace MLNetAutoencoders.MLNet.Hosting;

/// <summary>
/// ML.NET's own prediction transformers, built around values the library computed, so that a saved model zip has the
/// column types ML.NET's evaluators expect (a scalar <c>Score</c> and a <c>Boolean</c> <c>PredictedLabel</c>), which
/// an <c>OnnxTransformer</c> alone cannot produce. Their constructors are internal to ML.NET, so they are reached through
/// <see cref="MLNetInternals"/>.
/// </summary>
internal static class NativePredictors
{
    /// <summary>
    /// A <c>BinaryPredictionTransformer</c> over a linear model with weight 1 and bias 0 on the one-value vector column
    /// <paramref name="featureColumn"/>: <c>Score</c> = that value, <c>PredictedLabel</c> = Score &gt; <paramref name="threshold"/>.
    /// </summary>
    public static ITransformer Threshold(IHostEnvironment environment, DataViewSchema inputSchema, string featureColumn, float threshold)
    {
        var weights = new VBuffer<float>(1, [1f]);
        var model = MLNetInternals.Construct(typeof(LinearBinaryModelParameters),
            [typeof(IHostEnvironment), typeof(VBuffer<float>).MakeByRefType(), typeof(float), typeof(ModelStatisticsBase)],
            [environment, weights, 0f, null]);
        return (ITransformer)MLNetInternals.Construct(typeof(BinaryPredictionTransformer<>).MakeGenericType(typeof(LinearBinaryModelParameters)),
            [typeof(IHostEnvironment), typeof(LinearBinaryModelParameters), typeof(DataViewSchema), typeof(string), typeof(float), typeof(string)],
            [environment, model, inputSchema, featureColumn, threshold, "Score"]);
    }

    /// <summary>
    /// A <c>MulticlassPredictionTransformer</c> over a maximum-entropy model with identity weights on the K-value vector
    /// column <paramref name="logitsColumn"/>: <c>Score</c> = softmax(logits), <c>PredictedLabel</c> = the key of the
    /// largest, with the class names of <paramref name="labelColumn"/> in <paramref name="inputSchema"/>.
    /// </summary>
    public static ITransformer Softmax(IHostEnvironment environment, DataViewSchema inputSchema, string logitsColumn, string labelColumn, string[] classNames)
    {
        int k = classNames.Length;
        var weights = new VBuffer<float>[k];
        for (int c = 0; c < k; c++) weights[c] = new VBuffer<float>(k, 1, [1f], [c]);
        var model = MLNetInternals.Construct(typeof(MaximumEntropyModelParameters),
            [typeof(IHostEnvironment), typeof(VBuffer<float>[]), typeof(float[]), typeof(int), typeof(int), typeof(string[]), typeof(ModelStatisticsBase)],
            [environment, weights, new float[k], k, k, classNames, null]);
        return (ITransformer)MLNetInternals.Construct(typeof(MulticlassPredictionTransformer<>).MakeGenericType(typeof(MaximumEntropyModelParameters)),
            [typeof(IHostEnvironment), typeof(MaximumEntropyModelParameters), typeof(DataViewSchema), typeof(string), typeof(string), typeof(string), typeof(string)],
            [environment, model, inputSchema, logitsColumn, labelColumn, "Score", "PredictedLabel"]);
    }
}
