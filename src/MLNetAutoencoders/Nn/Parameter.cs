using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Nn;

/// <summary>A trainable tensor (stored as a matrix; a bias is 1×n) with its gradient.</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero parameter of the given shape.</summary>
    public Parameter(string name, int rows, int cols)
    {
        Name = name;
        Value = new Matrix(rows, cols);
        Grad = new Matrix(rows, cols);
    }

    /// <summary>Unique name within a model, e.g. <c>encoder.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public Matrix Value { get; }

    /// <summary>The accumulated gradient (layers add to it; optimisers clear it).</summary>
    public Matrix Grad { get; }

    /// <summary>When true, optimisers leave the value unchanged.</summary>
    public bool Frozen { get; set; }

    /// <summary>Learning-rate multiplier for this parameter (1 by default).</summary>
    public float LearningRateScale { get; set; } = 1f;

    /// <summary>Number of scalars.</summary>
    public int Count => Value.Length;
}
