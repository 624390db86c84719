using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Onnx;

namespace MLNetAutoencoders.Tests.Onnx;

/// <summary>Random weights and a plain (double-accumulating) C# reference for the operators the ONNX tests use.</summary>
internal static class OnnxTestModels
{
    public static Matrix Gaussian(Rng rng, int rows, int cols, float std = 1f)
    {
        var m = new Matrix(rows, cols);
        rng.FillGaussian(m.Span, 0, std);
        return m;
    }

    public static float[] Gaussian(Rng rng, int length, float std = 1f)
    {
        var v = new float[length];
        rng.FillGaussian(v, 0, std);
        return v;
    }

    /// <summary>y = x·Wᵀ + b for W [out, in], or x·W + b when <paramref name="transposed"/> (W [in, out]).</summary>
    public static Matrix Dense(Matrix x, Matrix w, float[]? b, bool transposed = false)
    {
        int outW = transposed ? w.Cols : w.Rows, inW = transposed ? w.Rows : w.Cols;
        var y = new Matrix(x.Rows, outW);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int o = 0; o < outW; o++)
            {
                double s = b is null ? 0 : b[o];
                for (int k = 0; k < inW; k++) s += (double)x[i, k] * (transposed ? w[k, o] : w[o, k]);
                y[i, o] = (float)s;
            }
        }
        return y;
    }

    /// <summary>Applies <paramref name="f"/> to every element of a copy of <paramref name="x"/>.</summary>
    public static Matrix Map(Matrix x, Func<double, double> f)
    {
        var y = x.Clone();
        var s = y.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)f(s[i]);
        return y;
    }

    /// <summary>y[i, j] = f(x[i, j], v[j]).</summary>
    public static Matrix PerColumn(Matrix x, float[] v, Func<double, double, double> f)
    {
        var y = x.Clone();
        for (int i = 0; i < y.Rows; i++)
            for (int j = 0; j < y.Cols; j++) y[i, j] = (float)f(y[i, j], v[j]);
        return y;
    }

    public static Matrix Activate(Matrix x, OnnxActivation kind, float alpha, float gamma) => kind switch
    {
        OnnxActivation.Identity => x.Clone(),
        OnnxActivation.Relu => Map(x, a => Math.Max(a, 0)),
        OnnxActivation.LeakyRelu => Map(x, a => a >= 0 ? a : alpha * a),
        OnnxActivation.Elu => Map(x, a => a > 0 ? a : alpha * (Math.Exp(a) - 1)),
        OnnxActivation.Selu => Map(x, a => a > 0 ? gamma * a : gamma * alpha * (Math.Exp(a) - 1)),
        OnnxActivation.Sigmoid => Map(x, a => 1 / (1 + Math.Exp(-a))),
        OnnxActivation.Tanh => Map(x, Math.Tanh),
        OnnxActivation.Softplus => Map(x, a => Math.Log(1 + Math.Exp(a))),
        OnnxActivation.Softmax => Softmax(x),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static Matrix Softmax(Matrix x)
    {
        var y = new Matrix(x.Rows, x.Cols);
        for (int i = 0; i < x.Rows; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < x.Cols; j++) max = Math.Max(max, x[i, j]);
            for (int j = 0; j < x.Cols; j++) sum += Math.Exp(x[i, j] - max);
            for (int j = 0; j < x.Cols; j++) y[i, j] = (float)(Math.Exp(x[i, j] - max) / sum);
        }
        return y;
    }

    /// <summary>Per-row reduction to an N×1 matrix.</summary>
    public static Matrix RowReduce(Matrix x, Func<Matrix, int, double> f)
    {
        var y = new Matrix(x.Rows, 1);
        for (int i = 0; i < x.Rows; i++) y[i, 0] = (float)f(x, i);
        return y;
    }

    /// <summary>A temporary folder deleted on dispose.</summary>
    public sealed class TempDir : IDisposable
    {
        public DirectoryInfo Dir { get; } = Directory.CreateTempSubdirectory("mlae-onnx-");

        public string File(string name) => Path.Combine(Dir.FullName, name);

        public void Dispose() => Dir.Delete(recursive: true);
    }
}
