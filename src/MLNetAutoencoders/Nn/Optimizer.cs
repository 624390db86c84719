using System.Numerics.Tensors;

namespace MLNetAutoencoders.Nn;

/// <summary>Optimiser kinds.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma &amp; Ba), PyTorch's formulation.</summary>
    Adam,
    /// <summary>Stochastic gradient descent with (heavy-ball) momentum.</summary>
    Sgd,
}

/// <summary>Updates parameters from their gradients, then clears the gradients.</summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimiser over the given parameters.</summary>
    protected Optimizer(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        if (!(learningRate > 0 && float.IsFinite(learningRate))) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a positive finite number.");
        Parameters = parameters.Distinct().ToList();
        LearningRate = learningRate;
    }

    /// <summary>Parses <c>adam</c> or <c>sgd</c> (any case, surrounding spaces ignored).</summary>
    public static OptimizerKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "adam" => OptimizerKind.Adam,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; expected adam or sgd."),
    };

    /// <summary>The parameters updated.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The base learning rate (each parameter scales it by <see cref="Parameter.LearningRateScale"/>).</summary>
    public float LearningRate { get; set; }

    /// <summary>Applies one update and zeroes the gradients.</summary>
    public abstract void Step();

    /// <summary>Applies one update, splitting large parameters across the context's threads.</summary>
    public virtual void Step(NnContext? ctx) => Step();

    /// <summary>Zeroes all gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad.Clear();
    }

    /// <summary>Creates an optimiser of the given kind.</summary>
    public static Optimizer Create(OptimizerKind kind, IReadOnlyList<Parameter> parameters, float learningRate, float momentum = 0.9f)
        => kind == OptimizerKind.Adam ? new Adam(parameters, learningRate) : new Sgd(parameters, learningRate, momentum);
}

/// <summary>Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·m̂/(√v̂ + ε).</summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m, _v;
    private int _t;

    /// <summary>Creates Adam with the usual defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.</summary>
    public Adam(IReadOnlyList<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(parameters, learningRate)
    {
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
        _m = Parameters.Select(p => new float[p.Count]).ToArray();
        _v = Parameters.Select(p => new float[p.Count]).ToArray();
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc />
    public override void Step() => Step(null);

    /// <inheritdoc />
    public override void Step(NnContext? ctx)
    {
        _t++;
        double bc1 = 1 - Math.Pow(Beta1, _t), bc2 = 1 - Math.Pow(Beta2, _t);
        float invSqrtBc2 = (float)(1 / Math.Sqrt(bc2));
        for (int k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            if (!p.Frozen)
            {
                float step = (float)(LearningRate * p.LearningRateScale / bc1);
                var state = (w: p.Value.Data, g: p.Grad.Data, m: _m[k], v: _v[k], b1: Beta1, b2: Beta2, step, inv: invSqrtBc2, eps: Epsilon);
                static void Range((float[] w, float[] g, float[] m, float[] v, float b1, float b2, float step, float inv, float eps) s, int i0, int i1)
                    => FastMath.AdamUpdate(s.w.AsSpan(i0, i1 - i0), s.g.AsSpan(i0, i1 - i0), s.m.AsSpan(i0, i1 - i0), s.v.AsSpan(i0, i1 - i0), s.b1, s.b2, s.step, s.inv, s.eps);
                if (ctx is null) Range(state, 0, p.Count); else ctx.For(p.Count, 1 << 15, state, Range);
            }
            else p.Grad.Clear();
        }
    }
}

/// <summary>SGD with momentum: u ← μu + g, p ← p − lr·u.</summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][] _u;

    /// <summary>Creates SGD with the given momentum μ ∈ [0, 1).</summary>
    public Sgd(IReadOnlyList<Parameter> parameters, float learningRate, float momentum = 0.9f) : base(parameters, learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        Momentum = momentum;
        _u = Parameters.Select(p => new float[p.Count]).ToArray();
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <inheritdoc />
    public override void Step()
    {
        for (int k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            var g = p.Grad.Span;
            if (!p.Frozen)
            {
                var u = _u[k].AsSpan();
                TensorPrimitives.MultiplyAdd(u, Momentum, g, u);
                TensorPrimitives.MultiplyAdd(u, -LearningRate * p.LearningRateScale, p.Value.Span, p.Value.Span);
            }
            g.Clear();
        }
    }
}
