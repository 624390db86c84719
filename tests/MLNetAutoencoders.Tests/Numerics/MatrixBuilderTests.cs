using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Tests.Numerics;

/// <summary>Rows collected in native blocks and handed over as one matrix, in order, across block boundaries.</summary>
public class MatrixBuilderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(10)]
    public void Rows_come_out_in_order_across_blocks(int rows)
    {
        using var b = new MatrixBuilder(width: 2, blockRows: 3);
        for (int i = 0; i < rows; i++)
        {
            if (i % 2 == 0) b.Add([i, -i]);
            else { var r = b.AddRow(); r[0] = i; r[1] = -i; }
        }
        Assert.Equal(rows, b.Rows);
        var m = b.ToMatrix();
        Assert.Equal((rows, 2), (m.Rows, m.Cols));
        Assert.Equal(Enumerable.Range(0, rows).SelectMany(i => new float[] { i, -i }).ToArray(), m.Span.ToArray());
        Assert.Equal(rows * 2, m.Data.Length);
    }

    [Fact]
    public void A_row_of_another_width_is_named()
    {
        using var b = new MatrixBuilder(width: 3);
        var e = Assert.Throws<ArgumentException>(() => b.Add([1f, 2f]));
        Assert.StartsWith("The row has 2 values; this builder's rows have 3.", e.Message);
        Assert.Equal(0, b.Rows);
    }

    [Fact]
    public void Sizes_below_one_are_refused()
    {
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new MatrixBuilder(0)).ParamName);
        Assert.Equal("blockRows", Assert.Throws<ArgumentOutOfRangeException>(() => new MatrixBuilder(2, 0)).ParamName);
    }

    [Fact]
    public void After_the_matrix_or_dispose_the_builder_is_spent()
    {
        var b = new MatrixBuilder(width: 1, blockRows: 2);
        b.Add([1f]);
        b.ToMatrix();
        Assert.Throws<ObjectDisposedException>(() => b.AddRow());
        Assert.Throws<ObjectDisposedException>(() => b.ToMatrix());
        b.Dispose();
        var c = new MatrixBuilder(width: 1);
        c.Add([1f]);
        c.Dispose();
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => c.Add([2f]));
    }
}
