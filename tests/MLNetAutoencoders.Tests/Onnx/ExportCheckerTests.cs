using MLNetAutoencoders.Onnx;
using static MLNetAutoencoders.Tests.Onnx.ExportCases;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>Every exported featurizer kind passes onnx.checker.check_model(full_check=True) (one checker process for all).</summary>
public sealed class ExportCheckerTests
{
    [Fact]
    public void EveryKind_PassesTheOnnxChecker()
    {
        using var tmp = new OnnxTestModels.TempDir();
        var paths = new List<string>();
        foreach (var name in All)
        {
            var path = tmp.File(name + ".onnx");
            OnnxModelFile.Save(Build(name).Onnx, path);
            paths.Add(path);
        }
        Assert.Equal(AutoencoderCases.Length + LinearCases.Length, paths.Count);
        OnnxRuntimeHarness.Check([.. paths]);
    }
}
