using System.Numerics.Tensors;
using MLNetAutoencoders.Nn;
using MLNetAutoencoders.Numerics;

namespace MLNetAutoencoders.Autoencoders;

/// <summary>
/// The squared Frobenius norm of a dense encoder's Jacobian, ‖∂f(x)/∂x‖²_F, per sample, exactly or as an unbiased
/// estimate, with its gradient with respect to the layers' weights and biases. The encoder is the chain of dense layers
/// h_l = s_l(W_l h_{l−1} + b_l) (dropout is the identity here, as at inference), so J = D_L W_L ⋯ D_1 W_1 with
/// D_l = diag s_l'(a_l).
/// <list type="bullet">
/// <item>One layer: the closed form Σ_j s'(a_j)² ‖W_j‖².</item>
/// <item>Exact, two or more layers: the m rows of J are carried down the chain as one batched reverse-mode pass
/// (B·m rows per GEMM, about m backward passes of cost per sample); the last product uses the Gram matrix
/// W_1 W_1ᵀ when the first layer is narrower than the input. Its gradient differentiates that pass again (the
/// activations' second derivatives enter through D_l).</item>
/// <item>Estimate: ‖Jv‖², v ~ N(0, I), one forward-mode tangent per probe (about 3 encoder passes per probe);
/// E‖Jv‖² = ‖J‖²_F and Var ‖Jv‖² = 2‖JᵀJ‖²_F per probe.</item>
/// </list>
/// Instances hold work buffers: not thread-safe.
/// </summary>
internal sealed class EncoderJacobian
{
    private const long MaxBufferFloats = 1L << 22;
    /// <summary>Rows per chunk; the probe estimator draws its probes per chunk (the TorchSharp engine chunks alike).</summary>
    internal const int MaxChunkRows = 512;

    private readonly DenseLayer[] _layers;
    private readonly int _lastWidth;
    private readonly Matrix?[] _h, _d, _s2, _dBar, _rs, _us, _rBar;
    private Matrix? _chunk, _gram, _gramAcc, _q, _u0, _aBar, _aPrev, _t0, _tBarA, _tBarB;
    private float[]? _rowNorms;

    public EncoderJacobian(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("The encoder has no dense layers.", nameof(layers));
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i].Transposed) throw new ArgumentException($"Encoder layer {i} uses a transposed (tied) weight; encoders own their weights.", nameof(layers));
            if (i > 0 && layers[i].InputSize != layers[i - 1].OutputSize)
                throw new ArgumentException($"Encoder layer {i} takes {layers[i].InputSize} inputs but layer {i - 1} gives {layers[i - 1].OutputSize}.", nameof(layers));
        }
        _layers = layers.ToArray();
        _lastWidth = _layers[^1].OutputSize;
        int n = _layers.Length;
        _h = new Matrix?[n]; _d = new Matrix?[n]; _s2 = new Matrix?[n]; _dBar = new Matrix?[n];
        _rs = new Matrix?[n]; _us = new Matrix?[n]; _rBar = new Matrix?[n];
    }

    /// <summary>The dense layers, input side first.</summary>
    public IReadOnlyList<DenseLayer> Layers => _layers;

    /// <summary>Input width.</summary>
    public int InputSize => _layers[0].InputSize;

    private int L => _layers.Length;

    private bool UseGram => _layers[0].OutputSize <= _layers[0].InputSize;

    /// <summary>
    /// Σ over rows of the exact ‖J‖²_F (each row's value into <paramref name="perSample"/> when it is not empty). When
    /// <paramref name="scale"/> ≠ 0, adds scale·∂(Σ ‖J‖²)/∂θ into the layers' (unfrozen) parameter gradients.
    /// </summary>
    public double Exact(Matrix x, IGemm gemm, float scale, Span<double> perSample = default)
    {
        bool grad = scale != 0;
        var w0 = _layers[0].Weight.Value;
        if (L == 1)
        {
            _rowNorms ??= new float[w0.Rows];
            for (int j = 0; j < w0.Rows; j++) _rowNorms[j] = TensorPrimitives.SumOfSquares(w0.Row(j));
        }
        else if (UseGram)
        {
            gemm.Multiply(w0, false, w0, true, Matrix.Ensure(ref _gram, w0.Rows, w0.Rows), 1f, 0f);
            if (grad) Matrix.Ensure(ref _gramAcc, w0.Rows, w0.Rows).Clear();
        }
        double total = 0;
        int maxWidth = L == 1 ? 1 : Enumerable.Range(0, L - 1).Max(l => _layers[l].OutputSize);
        if (L > 1 && !UseGram) maxWidth = Math.Max(maxWidth, InputSize);
        int chunkRows = (int)Math.Clamp(MaxBufferFloats / ((long)_lastWidth * maxWidth), 1, MaxChunkRows);
        for (int r0 = 0; r0 < x.Rows; r0 += chunkRows)
        {
            int rows = Math.Min(chunkRows, x.Rows - r0);
            var xc = Chunk(x, r0, rows);
            Primal(xc, gemm, grad);
            var p = perSample.IsEmpty ? default : perSample.Slice(r0, rows);
            total += L == 1 ? ExactShallow(rows, scale, p) : ExactDeep(rows, gemm, scale, p);
            if (grad) PrimalBackward(xc, gemm);
        }
        if (grad && L > 1 && UseGram && !_layers[0].Weight.Frozen)
            gemm.Multiply(_gramAcc!, false, w0, false, _layers[0].Weight.Grad, 2 * scale, 1f);
        return total;
    }

    /// <summary>
    /// Σ over rows of the unbiased estimate mean_k ‖J v_k‖², v_k ~ N(0, I) drawn from <paramref name="rng"/>, over
    /// <paramref name="probes"/> probes; with <paramref name="scale"/> ≠ 0 adds scale·∂(that sum)/∂θ to the gradients.
    /// </summary>
    public double Estimate(Matrix x, IGemm gemm, Rng rng, int probes, float scale, Span<double> perSample = default)
    {
        if (probes < 1) throw new ArgumentOutOfRangeException(nameof(probes), probes, "probes must be ≥ 1.");
        bool grad = scale != 0;
        double total = 0;
        perSample.Clear();
        var t = new Matrix?[L];
        for (int r0 = 0; r0 < x.Rows; r0 += MaxChunkRows)
        {
            int rows = Math.Min(MaxChunkRows, x.Rows - r0);
            var xc = Chunk(x, r0, rows);
            Primal(xc, gemm, grad);
            for (int k = 0; k < probes; k++)
            {
                // Forward-mode tangent: t_l = D_l ⊙ (W_l t_{l−1}), t_0 = v; _us[l] keeps W_l t_{l−1}.
                var v = Matrix.Ensure(ref _t0, rows, InputSize);
                rng.FillGaussian(v.Span);
                Matrix prev = v;
                for (int l = 0; l < L; l++)
                {
                    var u = Matrix.Ensure(ref _us[l], rows, _layers[l].OutputSize);
                    gemm.Multiply(prev, false, _layers[l].Weight.Value, true, u, 1f, 0f);
                    var tl = Matrix.Ensure(ref _rs[l], rows, u.Cols);
                    TensorPrimitives.Multiply(u.Span, _d[l]!.Span, tl.Span);
                    t[l] = prev = tl;
                }
                for (int b = 0; b < rows; b++)
                {
                    double s = TensorPrimitives.SumOfSquares(prev.Row(b)) / probes;
                    total += s;
                    if (!perSample.IsEmpty) perSample[r0 + b] += s;
                }
                if (!grad) continue;
                var tBar = Matrix.Ensure(ref _tBarA, rows, _lastWidth);
                TensorPrimitives.Multiply(prev.Span, 2 * scale / probes, tBar.Span);
                for (int l = L - 1; l >= 0; l--)
                {
                    // D̄_l += t̄_l ⊙ u_l ; ū_l = t̄_l ⊙ D_l ; W̄_l += ū_lᵀ t_{l−1} ; t̄_{l−1} = ū_l W_l.
                    TensorPrimitives.MultiplyAdd(tBar.Span, _us[l]!.Span, _dBar[l]!.Span, _dBar[l]!.Span);
                    TensorPrimitives.Multiply(tBar.Span, _d[l]!.Span, tBar.Span);
                    var input = l == 0 ? v : t[l - 1]!;
                    if (!_layers[l].Weight.Frozen) gemm.Multiply(tBar, true, input, false, _layers[l].Weight.Grad, 1f, 1f);
                    if (l == 0) break;
                    ref var next = ref (ReferenceEquals(tBar, _tBarA) ? ref _tBarB : ref _tBarA);
                    var nb = Matrix.Ensure(ref next, rows, _layers[l].InputSize);
                    gemm.Multiply(tBar, false, _layers[l].Weight.Value, false, nb, 1f, 0f);
                    tBar = nb;
                }
            }
            if (grad) PrimalBackward(xc, gemm);
        }
        return total;
    }

    private Matrix Chunk(Matrix x, int r0, int rows)
    {
        if (r0 == 0 && rows == x.Rows) return x;
        var c = Matrix.Ensure(ref _chunk, rows, x.Cols);
        x.Data.AsSpan(r0 * x.Cols, rows * x.Cols).CopyTo(c.Span);
        return c;
    }

    /// <summary>Runs the dense chain (no dropout), keeping outputs, s' and (for gradients) s'' per layer; clears D̄.</summary>
    private void Primal(Matrix x, IGemm gemm, bool grad)
    {
        Matrix input = x;
        for (int l = 0; l < L; l++)
        {
            var layer = _layers[l];
            var h = Matrix.Ensure(ref _h[l], x.Rows, layer.OutputSize);
            var bias = layer.Bias.Value.Span;
            for (int i = 0; i < h.Rows; i++) bias.CopyTo(h.Row(i));
            gemm.Multiply(input, false, layer.Weight.Value, true, h, 1f, 1f);
            Activations.Forward(layer.Activation, h.Span, layer.Slope);
            var hs = h.Span;
            var d = Matrix.Ensure(ref _d[l], h.Rows, h.Cols).Span;
            for (int i = 0; i < hs.Length; i++) d[i] = Activations.DerivativeFromOutput(layer.Activation, hs[i], layer.Slope);
            if (grad)
            {
                var s2 = Matrix.Ensure(ref _s2[l], h.Rows, h.Cols).Span;
                for (int i = 0; i < hs.Length; i++) s2[i] = Activations.SecondDerivativeFromOutput(layer.Activation, hs[i]);
                Matrix.Ensure(ref _dBar[l], h.Rows, h.Cols).Clear();
            }
            input = h;
        }
    }

    /// <summary>Σ_j s'(a_j)² ‖W_j‖² per row, and its gradient (direct weight term + D̄).</summary>
    private double ExactShallow(int rows, float scale, Span<double> perSample)
    {
        var d = _d[0]!;
        var g = _rowNorms!;
        int m = d.Cols;
        double total = 0;
        for (int b = 0; b < rows; b++)
        {
            var db = d.Row(b);
            double s = 0;
            for (int j = 0; j < m; j++) s += (double)db[j] * db[j] * g[j];
            total += s;
            if (!perSample.IsEmpty) perSample[b] = s;
        }
        if (scale == 0) return total;
        var layer = _layers[0];
        var dBar = _dBar[0]!;
        for (int b = 0; b < rows; b++)
        {
            var db = d.Row(b); var bb = dBar.Row(b);
            for (int j = 0; j < m; j++) bb[j] += 2 * scale * db[j] * g[j];
        }
        if (!layer.Weight.Frozen)
        {
            var w = layer.Weight.Value; var wg = layer.Weight.Grad;
            for (int j = 0; j < m; j++)
            {
                double sq = 0;
                for (int b = 0; b < rows; b++) sq += (double)d[b, j] * d[b, j];
                TensorPrimitives.MultiplyAdd(w.Row(j), (float)(2 * scale * sq), wg.Row(j), wg.Row(j));
            }
        }
        return total;
    }

    /// <summary>The exact ‖J‖² of a chain of two or more layers by batched reverse-mode rows, and its gradient.</summary>
    private double ExactDeep(int rows, IGemm gemm, float scale, Span<double> perSample)
    {
        int m = _lastWidth, last = L - 1;
        // Us[last]: row (b·m + j) = D_last[b, j] · W_last[j, :].
        var wLast = _layers[last].Weight.Value;
        var us = Matrix.Ensure(ref _us[last], rows * m, wLast.Cols);
        for (int b = 0; b < rows; b++)
            for (int j = 0; j < m; j++)
                TensorPrimitives.Multiply(wLast.Row(j), _d[last]![b, j], us.Row(b * m + j));
        // Rs[l] = Us[l+1] ⊙ D_l (per sample); Us[l] = Rs[l] · W_l.
        for (int l = last - 1; l >= 0; l--)
        {
            var rs = Matrix.Ensure(ref _rs[l], rows * m, _layers[l].OutputSize);
            ScaleRows(_us[l + 1]!, _d[l]!, m, rs);
            if (l > 0) gemm.Multiply(rs, false, _layers[l].Weight.Value, false, Matrix.Ensure(ref _us[l], rows * m, _layers[l].InputSize), 1f, 0f);
        }
        var r0 = _rs[0]!;
        var w0 = _layers[0].Weight.Value;
        bool grad = scale != 0;
        double total = 0;
        var rBar0 = grad ? Matrix.Ensure(ref _rBar[0], r0.Rows, r0.Cols) : null;
        if (UseGram)
        {
            // ‖R W₀‖² = Σ_rows r·(G r), G = W₀W₀ᵀ; R̄ = 2·scale·R G; W̄₀ += 2·scale·(Σ RᵀR) W₀ (after all chunks).
            var q = Matrix.Ensure(ref _q, r0.Rows, r0.Cols);
            gemm.Multiply(r0, false, _gram!, false, q, 1f, 0f);
            total = RowDots(r0, q, m, perSample);
            if (grad)
            {
                TensorPrimitives.Multiply(q.Span, 2 * scale, rBar0!.Span);
                gemm.Multiply(r0, true, r0, false, _gramAcc!, 1f, 1f);
            }
        }
        else
        {
            var u0 = Matrix.Ensure(ref _u0, r0.Rows, w0.Cols);
            gemm.Multiply(r0, false, w0, false, u0, 1f, 0f);
            total = RowDots(u0, u0, m, perSample);
            if (grad)
            {
                TensorPrimitives.Multiply(u0.Span, 2 * scale, u0.Span);
                gemm.Multiply(u0, false, w0, true, rBar0!, 1f, 0f);
                if (!_layers[0].Weight.Frozen) gemm.Multiply(r0, true, u0, false, _layers[0].Weight.Grad, 1f, 1f);
            }
        }
        if (!grad) return total;
        for (int l = 0; l < last; l++)
        {
            // Rs[l] = Us[l+1] ⊙ D_l  ⇒  D̄_l += Σ_j R̄s[l] ⊙ Us[l+1] ; Ūs[l+1] = R̄s[l] ⊙ D_l (in place).
            var rBar = _rBar[l]!;
            var uNext = _us[l + 1]!;
            AccumulateRowProducts(rBar, uNext, m, _dBar[l]!);
            ScaleRows(rBar, _d[l]!, m, rBar);
            var layer = _layers[l + 1];
            if (l + 1 < last)
            {
                // Us[l+1] = Rs[l+1] · W_{l+1}  ⇒  R̄s[l+1] = Ūs[l+1] · W_{l+1}ᵀ ; W̄_{l+1} += Rs[l+1]ᵀ · Ūs[l+1].
                gemm.Multiply(rBar, false, layer.Weight.Value, true, Matrix.Ensure(ref _rBar[l + 1], rBar.Rows, layer.OutputSize), 1f, 0f);
                if (!layer.Weight.Frozen) gemm.Multiply(_rs[l + 1]!, true, rBar, false, layer.Weight.Grad, 1f, 1f);
            }
            else
            {
                // Us[last] row (b·m+j) = D_last[b,j] · W_last[j,:].
                var dBar = _dBar[last]!; var d = _d[last]!;
                var wv = layer.Weight.Value; var wg = layer.Weight.Grad;
                for (int b = 0; b < rows; b++)
                    for (int j = 0; j < m; j++)
                    {
                        var ub = rBar.Row(b * m + j);
                        dBar[b, j] += TensorPrimitives.Dot(ub, wv.Row(j));
                        if (!layer.Weight.Frozen) TensorPrimitives.MultiplyAdd(ub, d[b, j], wg.Row(j), wg.Row(j));
                    }
            }
        }
        return total;
    }

    /// <summary>Back-propagates the direct adjoints ā_l = D̄_l ⊙ s''(a_l) through the dense chain into W and b.</summary>
    private void PrimalBackward(Matrix x, IGemm gemm)
    {
        if (_layers.All(l => l.Activation is ActivationKind.Identity or ActivationKind.Relu or ActivationKind.LeakyRelu)) return;
        var aBar = Matrix.Ensure(ref _aBar, x.Rows, _lastWidth);
        TensorPrimitives.Multiply(_dBar[L - 1]!.Span, _s2[L - 1]!.Span, aBar.Span);
        for (int l = L - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var input = l == 0 ? x : _h[l - 1]!;
            if (!layer.Weight.Frozen) gemm.Multiply(aBar, true, input, false, layer.Weight.Grad, 1f, 1f);
            if (!layer.Bias.Frozen)
            {
                var bg = layer.Bias.Grad.Span;
                for (int b = 0; b < aBar.Rows; b++) TensorPrimitives.Add(bg, aBar.Row(b), bg);
            }
            if (l == 0) break;
            ref var other = ref (ReferenceEquals(aBar, _aBar) ? ref _aPrev : ref _aBar);
            var prev = Matrix.Ensure(ref other, x.Rows, layer.InputSize);
            gemm.Multiply(aBar, false, layer.Weight.Value, false, prev, 1f, 0f);
            TensorPrimitives.Multiply(prev.Span, _d[l - 1]!.Span, prev.Span);
            TensorPrimitives.MultiplyAdd(_dBar[l - 1]!.Span, _s2[l - 1]!.Span, prev.Span, prev.Span);
            aBar = prev;
        }
    }

    /// <summary>dest row (b·m + j) = src row (b·m + j) ⊙ scale row b.</summary>
    private static void ScaleRows(Matrix src, Matrix scale, int m, Matrix dest)
    {
        for (int r = 0; r < src.Rows; r++) TensorPrimitives.Multiply(src.Row(r), scale.Row(r / m), dest.Row(r));
    }

    /// <summary>acc row b += Σ_j a row (b·m + j) ⊙ c row (b·m + j).</summary>
    private static void AccumulateRowProducts(Matrix a, Matrix c, int m, Matrix acc)
    {
        for (int r = 0; r < a.Rows; r++)
        {
            var dst = acc.Row(r / m);
            TensorPrimitives.MultiplyAdd(a.Row(r), c.Row(r), dst, dst);
        }
    }

    /// <summary>Per sample b: Σ_j a row (b·m + j) · c row (b·m + j); returns the sum over samples.</summary>
    private static double RowDots(Matrix a, Matrix c, int m, Span<double> perSample)
    {
        double total = 0;
        for (int b = 0; b < a.Rows / m; b++)
        {
            double s = 0;
            for (int j = 0; j < m; j++) s += TensorPrimitives.Dot(a.Row(b * m + j), c.Row(b * m + j));
            total += s;
            if (!perSample.IsEmpty) perSample[b] = s;
        }
        return total;
    }
}
