using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Numerics;

/// <summary>
/// <see cref="Matrix.ThrowIfNotFinite"/> tests all values in one vector pass first: a non-finite value anywhere (vector
/// part or tail) must still be found and named by row and column, and extreme finite values must pass.
/// </summary>
public class MatrixFiniteCheckTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_value_in_any_position_is_named_by_row_and_column(float bad)
    {
        // 3×11 = 33 values: four full vectors of 8 and one value in the tail.
        for (int at = 0; at < 33; at++)
        {
            var m = new Matrix(3, 11);
            for (int i = 0; i < 33; i++) m.Data[i] = i - 16;
            m.Data[at] = bad;
            var e = Assert.Throws<ArgumentException>(() => m.ThrowIfNotFinite("Input"));
            Assert.Equal($"Input: row {at / 11}, column {at % 11} is {bad}; all values must be finite.", e.Message);
        }
    }

    [Fact]
    public void Extreme_finite_values_pass()
    {
        var m = new Matrix(3, 11, [float.MaxValue, float.MinValue, float.Epsilon, -float.Epsilon, -0f, 0f, 1e-38f, -3e38f,
            3e38f, 1f, -1f, 2f, 5f, 7f, 9f, 11f, float.MaxValue, float.MaxValue, float.MaxValue, float.MaxValue, 0f, 0f, 0f, 0f,
            0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, float.MinValue]);
        m.ThrowIfNotFinite("Input");
        // Only the first Rows×Cols values belong to the matrix: a NaN beyond them in a longer array is not its.
        var data = new float[40];
        data[39] = float.NaN;
        new Matrix(3, 11, data).ThrowIfNotFinite("Input");
    }
}
