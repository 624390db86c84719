using System.Numerics.Tensors;

namespace MLNetAutoencoders.Classifiers;

/// <summary>An objective: returns f(x) and writes ∇f(x) into <c>gradient</c>.</summary>
internal delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>How an L-BFGS run ended.</summary>
internal readonly record struct LbfgsResult(int Iterations, int Evaluations, bool Converged, double Loss, double GradientMax, string StopReason);

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4/7.5) in double precision with a backtracking line search
/// (Armijo condition, safeguarded cubic interpolation). Because the objectives here are evaluated with float GEMM,
/// a step whose function change is within rounding noise is also accepted when the directional derivative shows
/// sufficient decrease (for a convex objective, <c>φ(α) − φ(0) ≈ α(φ'(0) + φ'(α))/2</c>).
/// </summary>
internal static class Lbfgs
{
    private const double C1 = 1e-4;

    /// <summary>Relative change of the objective treated as rounding noise (float logits give about 1e-8).</summary>
    private const double NoiseLevel = 1e-7;

    /// <summary>Minimises <paramref name="f"/> from <paramref name="x"/> (updated in place).</summary>
    public static LbfgsResult Minimize(Objective f, double[] x, int maxIterations, double gradientTolerance,
        double lossTolerance, int history)
    {
        int n = x.Length;
        var g = new double[n];
        var gNew = new double[n];
        var xNew = new double[n];
        var dir = new double[n];
        var s = new double[history][];
        var y = new double[history][];
        var rho = new double[history];
        var alpha = new double[history];
        for (int i = 0; i < history; i++) { s[i] = new double[n]; y[i] = new double[n]; }
        int stored = 0, newest = -1;

        int evaluations = 1;
        double fx = f(x, g);
        if (!double.IsFinite(fx)) throw new InvalidOperationException($"The objective is {fx} at the starting point.");
        for (int iter = 0; ; iter++)
        {
            double gmax = Math.Abs(TensorPrimitives.MaxMagnitude<double>(g));
            if (gmax <= gradientTolerance) return new(iter, evaluations, true, fx, gmax, "gradient tolerance reached");
            if (iter >= maxIterations) return new(iter, evaluations, false, fx, gmax, "maximum iterations reached");

            // Two-loop recursion: dir = −H·g.
            g.CopyTo(dir, 0);
            for (int c = 0, j = newest; c < stored; c++, j = (j - 1 + history) % history)
            {
                alpha[j] = rho[j] * TensorPrimitives.Dot<double>(s[j], dir);
                TensorPrimitives.MultiplyAdd(y[j], -alpha[j], dir, dir);
            }
            if (stored > 0)
            {
                double gamma = TensorPrimitives.Dot<double>(s[newest], y[newest]) / TensorPrimitives.Dot<double>(y[newest], y[newest]);
                TensorPrimitives.Multiply(dir, gamma, dir);
            }
            for (int c = 0, j = (newest - stored + 1 + history) % history; c < stored; c++, j = (j + 1) % history)
            {
                double beta = rho[j] * TensorPrimitives.Dot<double>(y[j], dir);
                TensorPrimitives.MultiplyAdd(s[j], alpha[j] - beta, dir, dir);
            }
            TensorPrimitives.Negate(dir, dir);
            double slope = TensorPrimitives.Dot<double>(g, dir);
            if (!(slope < 0))
            {
                // Not a descent direction (rounding): restart from steepest descent.
                stored = 0;
                TensorPrimitives.Negate(g, dir);
                slope = TensorPrimitives.Dot<double>(g, dir);
            }

            double step = stored == 0 ? Math.Min(1, 1 / Math.Sqrt(TensorPrimitives.Dot<double>(g, g))) : 1;
            double fNew = double.NaN;
            bool accepted = false, armijo = false;
            for (int ls = 0; ls < 40; ls++)
            {
                TensorPrimitives.MultiplyAdd(dir, step, x, xNew);
                fNew = f(xNew, gNew);
                evaluations++;
                double slopeNew = TensorPrimitives.Dot<double>(gNew, dir);
                if (fNew == fx && slopeNew == slope) break; // the step no longer changes the evaluated objective
                if (double.IsFinite(fNew))
                {
                    armijo = fNew < fx && fNew <= fx + C1 * step * slope;
                    bool withinNoise = Math.Abs(fNew - fx) <= NoiseLevel * Math.Max(1, Math.Abs(fx)) && slopeNew <= (1 - 2 * C1) * -slope;
                    if (armijo || withinNoise) { accepted = true; break; }
                    step = Interpolate(step, fx, slope, fNew, slopeNew);
                }
                else step *= 0.5;
            }
            if (!accepted) return new(iter, evaluations, false, fx, gmax, "line search found no decrease (rounding limit)");

            // Store the correction pair when the curvature is positive.
            int next = (newest + 1) % history;
            TensorPrimitives.Subtract(xNew, x, s[next]);
            TensorPrimitives.Subtract(gNew, g, y[next]);
            double sy = TensorPrimitives.Dot<double>(s[next], y[next]);
            if (sy > 1e-12 * TensorPrimitives.Dot<double>(y[next], y[next]))
            {
                rho[next] = 1 / sy;
                newest = next;
                stored = Math.Min(stored + 1, history);
            }
            double decrease = (fx - fNew) / Math.Max(Math.Max(Math.Abs(fx), Math.Abs(fNew)), 1);
            xNew.CopyTo(x, 0);
            gNew.CopyTo(g, 0);
            fx = fNew;
            // A step accepted only within rounding noise says nothing about the loss change; keep going on the gradient.
            if (armijo && decrease <= lossTolerance)
                return new(iter + 1, evaluations, true, fx, Math.Abs(TensorPrimitives.MaxMagnitude<double>(g)), "relative loss change below tolerance");
        }
    }

    /// <summary>Minimiser of the cubic through φ(0), φ'(0), φ(a), φ'(a), kept inside [0.1a, 0.5a].</summary>
    private static double Interpolate(double a, double f0, double d0, double fa, double da)
    {
        double d1 = d0 + da - 3 * (f0 - fa) / (0 - a);
        double disc = d1 * d1 - d0 * da;
        double next = 0.5 * a;
        if (disc >= 0)
        {
            double d2 = Math.Sqrt(disc);
            double t = a - a * (da + d2 - d1) / (da - d0 + 2 * d2);
            if (double.IsFinite(t)) next = t;
        }
        return Math.Clamp(next, 0.1 * a, 0.5 * a);
    }
}
