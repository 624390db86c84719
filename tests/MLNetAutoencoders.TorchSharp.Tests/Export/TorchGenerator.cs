namespace MLNetAutoencoders.TorchSharp.Tests.Export;

/// <summary>
/// The test classes that seed or draw from TorchSharp's process-wide random generator (module initialisation, torch.rand)
/// share this collection, so that xUnit runs them one after another and each test's draws are its own.
/// </summary>
internal static class TorchGenerator
{
    public const string Collection = "TorchSharp's process-wide random generator";
}
