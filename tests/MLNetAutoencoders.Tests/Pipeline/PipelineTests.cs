using System.Text.Json.Nodes;
using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pipeline;

namespace MLNetAutoencoders.Tests.Pipeline;

public class PipelineTests
{
    private static readonly MLAEContext Ctx = new(seed: 3, threads: 1, gemm: GemmKind.Managed);

    private static AutoencoderOptions SmallAe() => new()
    {
        HiddenSizes = new[] { 8 }, CodeSize = 3, Epochs = 15, BatchSize = 16, LearningRate = 3e-3f, Seed = 2, Gemm = GemmKind.Managed,
    };

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"pipeline-{Guid.NewGuid():N}.mlae");

    [Fact]
    public void Chain_FitsEachStageOnThePreviousOutput_AndLeavesInputsUntouched()
    {
        var data = PipelineTestData.Blobs();
        var before = data.GetVector("Features").Clone();
        var pipeline = Ctx.Transforms.NormalizeMeanVariance("Features")
            .Append(Ctx.Transforms.Pca("Code", "Features", components: 4))
            .Append(Ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"));
        var model = pipeline.Fit(data);
        Assert.Equal(3, model.Count);
        // The PCA was fitted on standardised features: its mean is ~0, not the raw mean (~5..10).
        var pca = Assert.IsType<PcaTransformer>(model[1]);
        Assert.All(pca.Model.Mean, m => Assert.True(Math.Abs(m) < 1e-4, $"PCA mean {m} should be ~0 after standardisation"));
        var scored = model.Transform(data);
        Assert.Equal(new[] { "Features", "Label", "Code", "Score", "PredictedLabel" }, scored.Schema.Names);
        Assert.Equal(4, scored.Schema["Code"].Size);
        Assert.Equal(3, scored.Schema["Score"].Size);
        Assert.Equal(before.Span.ToArray(), data.GetVector("Features").Span.ToArray()); // input table untouched
        Assert.Equal(model.GetOutputSchema(data.Schema).Names, scored.Schema.Names);
        var metrics = Ctx.Classification.Evaluate(scored);
        Assert.True(metrics.Accuracy > 0.95, $"accuracy {metrics.Accuracy}");
        Assert.Equal(3, metrics.ConfusionMatrix.GetLength(0));
    }

    [Fact]
    public void Chain_FailsOnSchemaBeforeTrainingAnything()
    {
        var data = PipelineTestData.Blobs();
        var o = SmallAe(); o.Epochs = 1000;
        var reports = new List<PipelineProgress>();
        var pipeline = Ctx.Transforms.NormalizeMinMax("Features")
            .Append(Ctx.Transforms.Autoencoder("Code", "Features", o))
            .Append(Ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Missing"));
        var e = Assert.Throws<SchemaMismatchException>(() => pipeline.Fit(data, new SyncProgress(reports.Add)));
        Assert.Contains("'Missing'", e.Message);
        Assert.Contains("Code: Vector<3>", e.Message); // the list shows the columns at that stage
        Assert.Empty(reports);
    }

    [Fact]
    public void Chain_ReportsEpochsAndStages()
    {
        var data = PipelineTestData.Blobs(perClass: 20);
        var reports = new List<PipelineProgress>();
        Ctx.Transforms.NormalizeMinMax("Features").Append(Ctx.Transforms.Autoencoder("Code", "Features", SmallAe()))
            .Fit(data, new SyncProgress(reports.Add));
        Assert.Equal(15, reports.Count(r => r.StageIndex == 1 && r.Epoch != null));
        Assert.Equal(2, reports.Count(r => r.Epoch == null));
        Assert.All(reports, r => Assert.Equal(2, r.StageCount));
    }

    [Fact]
    public void SaveLoad_NormalizerPcaLogisticRegression_GivesIdenticalOutput()
    {
        var data = PipelineTestData.Blobs();
        var model = Ctx.Transforms.NormalizeMeanVariance("Features")
            .Append(Ctx.Transforms.Pca("Code", "Features", components: 3))
            .Append(Ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"))
            .Fit(data);
        var path = TempFile();
        try
        {
            Ctx.Model.Save(model, data.Schema, path);
            var loaded = Ctx.Model.Load(path, out var schema);
            Assert.Equal(data.Schema.ToArray(), schema!.ToArray());
            AssertSameOutput(model.Transform(data), loaded.Transform(data), "Features", "Code", "Score");
            Assert.Equal(model.Transform(data).GetLabels("PredictedLabel"), loaded.Transform(data).GetLabels("PredictedLabel"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SaveLoad_MinMaxAutoencoder_AndMlp_GiveIdenticalOutput()
    {
        var data = PipelineTestData.Blobs(perClass: 30);
        var model = Ctx.Transforms.NormalizeMinMax("Scaled", "Features")
            .Append(Ctx.Transforms.Autoencoder("Code", "Scaled", SmallAe()))
            .Append(Ctx.Classification.Trainers.MlpClassifier(featureColumnName: "Code", hiddenSizes: new[] { 6 }, epochs: 5, batchSize: 16))
            .Fit(data);
        var path = TempFile();
        try
        {
            Ctx.Model.Save(model, path);
            var loaded = Ctx.Model.Load(path);
            var chain = Assert.IsType<TransformerChain<ITransformer>>(loaded);
            Assert.IsType<AutoencoderTransformer>(chain[1]);
            AssertSameOutput(model.Transform(data), loaded.Transform(data), "Scaled", "Code", "Score");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void SaveLoad_VaeAndStackedStages_GiveIdenticalOutput()
    {
        var data = PipelineTestData.Blobs(perClass: 20);
        var vae = new VaeOptions { HiddenSizes = new[] { 8 }, LatentSize = 2, Epochs = 3, BatchSize = 16, Seed = 1, Gemm = GemmKind.Managed };
        var stacked = new StackedAutoencoderOptions { Autoencoder = SmallAe() };
        stacked.Autoencoder.Epochs = 2;
        var model = Ctx.Transforms.NormalizeMinMax("Features")
            .Append(Ctx.Transforms.Vae("Mu", "Features", vae))
            .Append(Ctx.Transforms.StackedAutoencoder("Code", "Features", stacked))
            .Fit(data);
        Assert.IsType<VaeModel>(Assert.IsType<AutoencoderTransformer>(model[1]).Model);
        var path = TempFile();
        try
        {
            Ctx.Model.Save(model, path);
            AssertSameOutput(model.Transform(data), Ctx.Model.Load(path).Transform(data), "Features", "Mu", "Code");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Presets_AndMinMaxClipping_DoWhatTheySay()
    {
        Assert.Equal(CorruptionKind.Gaussian, Assert.IsType<AutoencoderOptions>(Ctx.Transforms.Autoencoder("C", kind: AutoencoderKind.Denoising).Options).Corruption);
        Assert.Equal(0.01f, Assert.IsType<AutoencoderOptions>(Ctx.Transforms.Autoencoder("C", kind: AutoencoderKind.Sparse).Options).L1Activity);
        Assert.True(Assert.IsType<AutoencoderOptions>(Ctx.Transforms.Autoencoder("C", kind: AutoencoderKind.Tied).Options).TiedWeights);
        Assert.Equal(3, Ctx.Transforms.Autoencoder("C", "Features", codeSize: 3).GetOutputSchema(PipelineTestData.Blobs(perClass: 1).Schema)["C"].Size);

        var train = PipelineTestData.Blobs(perClass: 20);
        var test = PipelineTestData.Blobs(perClass: 20, seed: 9, separation: 8f); // wider range than training
        var clipped = Ctx.Transforms.NormalizeMinMax("Features").Fit(train);
        Assert.All(clipped.Transform(test).GetVector("Features").Span.ToArray(), v => Assert.InRange(v, 0f, 1f));
        var raw = Ctx.Transforms.NormalizeMinMax("Features", clip: false).Fit(train).Transform(test).GetVector("Features");
        Assert.Contains(raw.Span.ToArray(), v => v > 1f);
    }

    [Fact]
    public void Load_ChecksVersionKindAndIntegrity()
    {
        var data = PipelineTestData.Blobs(perClass: 10);
        var model = Ctx.Transforms.NormalizeMinMax("Features").Fit(data);
        var path = TempFile();
        try
        {
            var archive = ModelOperationsCatalog.ToArchive(model);
            archive.Metadata["pipelineFormat"] = JsonValue.Create(ModelOperationsCatalog.FormatVersion + 1);
            archive.Save(path);
            var e = Assert.Throws<InvalidDataException>(() => Ctx.Model.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("pipeline format version 2", e.Message);
            Assert.Contains("newer", e.Message);

            new ModelArchive("autoencoder").Save(path);
            var e2 = Assert.Throws<InvalidDataException>(() => Ctx.Model.Load(path));
            Assert.Contains("expected 'pipeline'", e2.Message);

            Ctx.Model.Save(model, path);
            var bytes = File.ReadAllBytes(path);
            bytes[^10] ^= 0x55;
            File.WriteAllBytes(path, bytes);
            Assert.Contains("corrupt", Assert.Throws<InvalidDataException>(() => Ctx.Model.Load(path)).Message);

            var unknown = new ModelArchive(ModelOperationsCatalog.Kind);
            unknown.Set("pipelineFormat", ModelOperationsCatalog.FormatVersion);
            unknown.Metadata["root"] = new JsonObject { ["kind"] = "teleporter", ["metadata"] = new JsonObject() };
            unknown.Save(path);
            Assert.Contains("unknown kind 'teleporter'", Assert.Throws<InvalidDataException>(() => Ctx.Model.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void CrossValidate_IsStratifiedAndDeterministic()
    {
        var data = PipelineTestData.Blobs(perClass: 40, separation: 1.5f);
        var pipeline = Ctx.Transforms.NormalizeMeanVariance("Features")
            .Append(Ctx.Transforms.Pca("Code", "Features", components: 2))
            .Append(Ctx.Classification.Trainers.LogisticRegression(featureColumnName: "Code"));
        var a = Ctx.Classification.CrossValidate(data, pipeline, numberOfFolds: 4, seed: 11);
        var b = Ctx.Classification.CrossValidate(data, pipeline, numberOfFolds: 4, seed: 11);
        var c = Ctx.Classification.CrossValidate(data, pipeline, numberOfFolds: 4, seed: 12);
        Assert.Equal(4, a.Count);
        Assert.Equal(data.RowCount, a.Sum(r => r.ScoredHoldOut.RowCount));
        foreach (var r in a)
        {
            var counts = r.ScoredHoldOut.GetLabels("Label").GroupBy(l => l).Select(g => g.Count()).ToArray();
            Assert.All(counts, n => Assert.Equal(10, n)); // 40 per class / 4 folds
        }
        Assert.Equal(a.Select(r => r.Metrics.Accuracy), b.Select(r => r.Metrics.Accuracy));
        Assert.Equal(a.Select(r => r.Metrics.LogLoss), b.Select(r => r.Metrics.LogLoss));
        Assert.NotEqual(a.Select(r => r.Metrics.LogLoss), c.Select(r => r.Metrics.LogLoss));
        Assert.Throws<SchemaMismatchException>(() => Ctx.Classification.CrossValidate(data, Ctx.Transforms.NormalizeMinMax("Features"), 4));
    }

    [Fact]
    public void Evaluate_BinaryBooleanLabels_GivesAuc()
    {
        var blobs = PipelineTestData.Blobs(perClass: 40, classes: 2, separation: 2f);
        var data = blobs.AddColumn("IsFace", blobs.GetLabels("Label").Select(l => l == 1).ToArray());
        var model = Ctx.Classification.Trainers.LogisticRegression(labelColumnName: "IsFace").Fit(data);
        var m = Ctx.Classification.Evaluate(model.Transform(data), labelColumnName: "IsFace");
        Assert.Equal(2, m.ClassCount);
        Assert.InRange(m.RocAuc, 0.9, 1.0);
        Assert.True(m.MacroF1 > 0.8);
        Assert.True(m.LogLoss > 0 && m.LogLoss < 0.5);
    }

    private static void AssertSameOutput(DataTable expected, DataTable actual, params string[] columns)
    {
        Assert.Equal(expected.Schema.ToArray(), actual.Schema.ToArray());
        foreach (var c in columns)
            Assert.True(expected.GetVector(c).Span.SequenceEqual(actual.GetVector(c).Span), $"column {c} differs after loading");
    }

    private sealed class SyncProgress(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }
}
