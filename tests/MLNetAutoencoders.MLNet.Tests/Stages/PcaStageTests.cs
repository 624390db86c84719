using Microsoft.ML;
using MLNetAutoencoders.Classifiers;
using MLNetAutoencoders.Data;
using MLNetAutoencoders.Pca;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.MLNet.Tests.Stages.StageTestData;

namespace MLNetAutoencoders.MLNet.Tests.Stages;

/// <summary>The project's exact PCA as an ML.NET stage, beside ML.NET's own PCA, and the face experiment through ML.NET.</summary>
public class PcaStageTests
{
    private sealed class FaceRow
    {
        [Microsoft.ML.Data.VectorType(625)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    [Fact]
    public void Exact_PCA_stage_equals_the_model_and_spans_the_subspace_MLNet_PCA_finds()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(500, 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var exact = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 2).Fit(data);
        AssertClose(Rows(exact.Model.Transform(Matrix(rows))), Column(exact.Transform(data), "Code"), 1e-6f, "exact PCA codes");

        // The same 2-D subspace: ML.NET's codes are a rotation/reflection of ours, so a least-squares map between them fits exactly.
        var theirs = Column(ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: 2, seed: 1).Fit(data).Transform(data), "Code");
        var ours = Column(exact.Transform(data), "Code");
        double residual = 0, total = 0;
        for (int c = 0; c < 2; c++)
        {
            // Regress ML.NET's component c on our two components.
            double s00 = 0, s01 = 0, s11 = 0, t0 = 0, t1 = 0;
            for (int i = 0; i < ours.Length; i++)
            {
                s00 += ours[i][0] * ours[i][0]; s01 += ours[i][0] * ours[i][1]; s11 += ours[i][1] * ours[i][1];
                t0 += ours[i][0] * theirs[i][c]; t1 += ours[i][1] * theirs[i][c];
            }
            double det = s00 * s11 - s01 * s01, a = (t0 * s11 - t1 * s01) / det, b = (t1 * s00 - t0 * s01) / det;
            for (int i = 0; i < ours.Length; i++)
            {
                residual += Math.Pow(theirs[i][c] - a * ours[i][0] - b * ours[i][1], 2);
                total += Math.Pow(theirs[i][c], 2);
            }
        }
        Assert.True(residual / total < 1e-3, $"ML.NET's PCA leaves {residual / total:P3} of its codes outside our subspace");
    }

    [Fact]
    public void Faces_PCA3_through_MLNet_logistic_regression_matches_scikit_learn()
    {
        TestEnv.RequireFile(Faces.ResolvePath(), "Face data (lfw_subset.npy)");
        var faces = Faces.Load();
        var labels = faces.RequireLabels();
        var reference = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "faces_reference.json")));
        double expected = reference.RootElement.GetProperty("multinomial").GetProperty("3").GetDouble();

        var ml = new MLContext(seed: 0);
        var means = new List<double>();
        for (int seed = 0; seed < 3; seed++)
        {
            var accuracies = new List<double>();
            foreach (var (train, test) in StratifiedKFold.Split(labels, 5, seed))
            {
                IDataView View(int[] rows) => ml.Data.LoadFromEnumerable(rows.Select(i => new FaceRow { Features = faces.Images.Row(i).ToArray(), Label = labels[i] == 1 }));
                var pipeline = ml.Transforms.ProjectToExactPrincipalComponents("Code", "Features", rank: 3)
                    .Append(ml.Transforms.NormalizeMeanVariance("Code", fixZero: false))
                    .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: "Code", l1Regularization: 0, l2Regularization: 1f / train.Length));
                var model = pipeline.Fit(View(train));
                accuracies.Add(ml.BinaryClassification.Evaluate(model.Transform(View(test))).Accuracy);
            }
            means.Add(accuracies.Average());
        }
        Assert.True(Math.Abs(means.Average() - expected) <= 0.03, $"mean 5-fold accuracy {means.Average():P1}; scikit-learn {expected:P1}");
    }
}
