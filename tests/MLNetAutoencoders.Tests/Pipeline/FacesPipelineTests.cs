using MLNetAutoencoders.Data;
using MLNetAutoencoders.Pipeline;
using MLNetAutoencoders.Tests.Support;
using static MLNetAutoencoders.Tests.Pca.ReferenceFixture;

namespace MLNetAutoencoders.Tests.Pipeline;

/// <summary>The eigenface experiment run as `mlae compare` runs it: through the pipeline API and CrossValidate.</summary>
public class FacesPipelineTests
{
    [Fact]
    public void Pca3Pipeline_CrossValidation_IsWithinThreePointsOfScikitLearn()
    {
        TestEnv.RequireFile(Faces.ResolvePath(), "Face data (lfw_subset.npy)");
        var faces = DataTable.FromDataset(Faces.Load());
        double expected = Load("faces_reference.json").GetProperty("multinomial").GetProperty("3").GetDouble();
        var ctx = new MLAEContext(seed: 0, threads: 1);
        var pipeline = ctx.Transforms.Pca("Code", "Features", components: 3)
            .Append(ctx.Transforms.NormalizeMeanVariance("Code"))
            .Append(ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"));
        // The reference averages ten scikit-learn shuffles; average five fold seeds here.
        double ours = Enumerable.Range(0, 5)
            .Select(seed => ctx.Classification.CrossValidate(faces, pipeline, 5, (ulong)seed).Average(f => f.Metrics.Accuracy))
            .Average();
        Assert.True(Math.Abs(ours - expected) <= 0.03, $"pipeline PCA-3 accuracy {ours:P1}; scikit-learn {expected:P1}");
    }
}
