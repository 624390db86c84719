using MLNetAutoencoders.Numerics;
using MLNetAutoencoders.Pipeline;

namespace MLNetAutoencoders.Tests.Pipeline;

/// <summary>Small synthetic labelled tables for the pipeline tests.</summary>
internal static class PipelineTestData
{
    /// <summary>
    /// <paramref name="classes"/> Gaussian blobs in <paramref name="dim"/> dimensions (class c centred at
    /// <paramref name="separation"/>·e_c plus a shared offset, unit noise), <paramref name="perClass"/> rows each,
    /// rows interleaved by class; features shifted to be positive (not in [0, 1]).
    /// </summary>
    public static DataTable Blobs(int perClass = 60, int classes = 3, int dim = 12, float separation = 4f, ulong seed = 1)
    {
        var rng = new Rng(seed);
        int n = perClass * classes;
        var x = new Matrix(n, dim);
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            y[i] = c;
            var row = x.Row(i);
            rng.FillGaussian(row);
            for (int j = 0; j < dim; j++) row[j] += 5f + 0.5f * j;
            row[c % dim] += separation;
        }
        return DataTable.FromMatrix(x, y);
    }
}
