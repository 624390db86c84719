using MLNetAutoencoders.Autoencoders;
using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetAutoencoders.TorchSharp.Tests.Modules;

/// <summary>The rows, modules and options the tests of a user's own TorchSharp modules share.</summary>
internal static class TorchModulesTestData
{
    /// <summary>Values per row of <see cref="Manifold"/> (unless asked otherwise).</summary>
    public const int Features = 12;

    /// <summary>sigmoid(U·s), s ~ N(0, I₃): values in (0, 1) near a 3-dimensional manifold, which a small autoencoder learns in a few epochs.</summary>
    public static Matrix Manifold(int rows, int seed, int features = Features)
    {
        var rng = new Random(seed);
        var u = new double[features, 3];
        var fixedRng = new Random(1);
        for (int i = 0; i < features; i++) for (int k = 0; k < 3; k++) u[i, k] = fixedRng.NextDouble() * 4 - 2;
        var x = new Matrix(rows, features);
        for (int r = 0; r < rows; r++)
        {
            double[] s = [Gaussian(rng), Gaussian(rng), Gaussian(rng)];
            for (int i = 0; i < features; i++)
                x.Row(r)[i] = (float)(1 / (1 + Math.Exp(-(u[i, 0] * s[0] + u[i, 1] * s[1] + u[i, 2] * s[2]))));
        }
        return x;
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    /// <summary>12 → 16 → 3 and back, ReLU between (a sigmoid on the code if asked); either factory can be replaced.</summary>
    public static TorchModules Dense(Func<nn.Module<Tensor, Tensor>>? encoder = null, Func<nn.Module<Tensor, Tensor>>? decoder = null, bool sigmoidCode = false) => new(
        encoder ?? (() => sigmoidCode
            ? nn.Sequential(nn.Linear(Features, 16), nn.ReLU(), nn.Linear(16, 3), nn.Sigmoid())
            : nn.Sequential(nn.Linear(Features, 16), nn.ReLU(), nn.Linear(16, 3))),
        decoder ?? (() => nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, Features))));

    /// <summary>The options the tests fit <paramref name="modules"/> with: batch 32, learning rate 0.01, seed 5.</summary>
    public static AutoencoderOptions Options(TorchModules modules, int epochs) => new()
    {
        Modules = modules, Epochs = epochs, BatchSize = 32, LearningRate = 1e-2f, Seed = 5,
    };
}
