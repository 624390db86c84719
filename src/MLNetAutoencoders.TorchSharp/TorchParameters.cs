using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;
using TorchSharp;
using static TorchSharp.torch;
using TorchParameter = TorchSharp.Modules.Parameter;

namespace MLNetAutoencoders.TorchSharp;

/// <summary>
/// LibTorch copies of a set of the library's parameters (one tensor per distinct <see cref="Parameter"/>, so tied weights
/// stay one tensor), the optimiser over them, and the copies between the two sides.
/// </summary>
internal sealed class TorchParameters : IDisposable
{
    private readonly Dictionary<Parameter, TorchParameter> _map = new();
    private readonly List<Parameter> _order = new();
    private optim.Optimizer? _optimizer;

    public TorchParameters(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters.Distinct())
        {
            if (p.LearningRateScale != 1f)
                throw new NotSupportedException($"Parameter '{p.Name}' has a learning-rate scale of {p.LearningRateScale}; the TorchSharp engine trains every parameter at the base rate.");
            var t = new TorchParameter(ToTensor(p.Value), requires_grad: !p.Frozen);
            _map[p] = t;
            _order.Add(p);
        }
    }

    /// <summary>The library's parameters, in order.</summary>
    public IReadOnlyList<Parameter> Parameters => _order;

    public TorchParameter this[Parameter p] => _map[p];

    /// <summary>Creates the optimiser the options ask for (PyTorch's Adam with β = 0.9, 0.999, ε = 1e-8, or SGD with momentum).</summary>
    public void CreateOptimizer(OptimizerKind kind, float learningRate, float momentum)
    {
        var trainable = _order.Where(p => !p.Frozen).Select(p => _map[p]).ToList();
        _optimizer = kind == OptimizerKind.Adam
            ? optim.Adam(trainable, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8)
            : optim.SGD(trainable, learningRate, momentum: momentum);
    }

    /// <summary>One update from the gradients, then zeroes them.</summary>
    public void Step()
    {
        _optimizer!.step();
        _optimizer.zero_grad();
    }

    /// <summary>Copies the trained values back into the library's parameters.</summary>
    public void Store()
    {
        foreach (var p in _order) CopyTo(_map[p], p.Value);
    }

    /// <summary>Adds the LibTorch gradients into the library's <see cref="Parameter.Grad"/> (for comparisons with the managed engine).</summary>
    public void AddGradientsTo()
    {
        foreach (var p in _order)
        {
            var g = _map[p].grad;
            if (g is null) continue;
            var values = g.data<float>().ToArray();
            System.Numerics.Tensors.TensorPrimitives.Add(p.Grad.Span, values, p.Grad.Span);
        }
    }

    public void ZeroGrad()
    {
        foreach (var t in _map.Values) t.grad?.zero_();
    }

    /// <summary>A new float32 tensor holding a copy of <paramref name="m"/> (rows × cols), copied straight from its buffer when that holds exactly its values.</summary>
    public static Tensor ToTensor(Matrix m) =>
        torch.tensor(m.Data.Length == m.Length ? m.Data : m.Span.ToArray(), new long[] { m.Rows, m.Cols });

    /// <summary>Copies a rows × cols tensor into <paramref name="m"/>.</summary>
    public static void CopyTo(Tensor t, Matrix m)
    {
        using var c = t.detach().contiguous();
        c.data<float>().CopyTo(m.Span);
    }

    public void Dispose()
    {
        _optimizer?.Dispose();
        foreach (var t in _map.Values) t.Dispose();
    }
}
