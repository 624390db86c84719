using MLNetAutoencoders.Nn;

namespace MLNetAutoencoders.Tests.Nn;

/// <summary>The activations: names, values, and first and second derivatives against double-precision definitions.</summary>
public class ActivationTests
{
    private const float Slope = 0.2f;
    private const double Lambda = 1.0507009873554805, Alpha = 1.6732632423543772;

    /// <summary>Inputs on both sides of 0 and 0 itself; 19 of them, so the vectorised paths (8 at a time) and their tails both run.</summary>
    private static readonly float[] Inputs = [-4f, -2.5f, -1.25f, -0.75f, -0.5f, -0.25f, -0.1f, -0.01f, 0f, 0.01f, 0.1f, 0.25f, 0.5f, 0.75f, 1.25f, 2f, 3f, 4.5f, -3.5f];

    public static TheoryData<ActivationKind> Kinds => new(Enum.GetValues<ActivationKind>());

    private static double F(ActivationKind kind, double a) => kind switch
    {
        ActivationKind.Identity => a,
        ActivationKind.Relu => Math.Max(a, 0),
        ActivationKind.LeakyRelu => a > 0 ? a : Slope * a,
        ActivationKind.Selu => a > 0 ? Lambda * a : Lambda * Alpha * (Math.Exp(a) - 1),
        ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-a)),
        ActivationKind.Tanh => Math.Tanh(a),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>f'(a) and f''(a); at a = 0 the piecewise kinds take their left-hand (a ≤ 0) branch, as a 0 output does.</summary>
    private static (double D1, double D2) Derivatives(ActivationKind kind, double a)
    {
        double s = 1 / (1 + Math.Exp(-a)), t = Math.Tanh(a);
        return kind switch
        {
            ActivationKind.Identity => (1, 0),
            ActivationKind.Relu => (a > 0 ? 1 : 0, 0),
            ActivationKind.LeakyRelu => (a > 0 ? 1 : Slope, 0),
            ActivationKind.Selu => a > 0 ? (Lambda, 0) : (Lambda * Alpha * Math.Exp(a), Lambda * Alpha * Math.Exp(a)),
            ActivationKind.Sigmoid => (s * (1 - s), s * (1 - s) * (1 - 2 * s)),
            ActivationKind.Tanh => (1 - t * t, -2 * t * (1 - t * t)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Theory]
    [InlineData("identity", ActivationKind.Identity)]
    [InlineData("linear", ActivationKind.Identity)]
    [InlineData("none", ActivationKind.Identity)]
    [InlineData(" ReLU ", ActivationKind.Relu)]
    [InlineData("leaky-relu", ActivationKind.LeakyRelu)]
    [InlineData("LeakyRelu", ActivationKind.LeakyRelu)]
    [InlineData("leaky_relu", ActivationKind.LeakyRelu)]
    [InlineData("SELU", ActivationKind.Selu)]
    [InlineData("sigmoid", ActivationKind.Sigmoid)]
    [InlineData("Tanh", ActivationKind.Tanh)]
    public void Names_ParseWithAliasesAnyCaseAndSpaces(string name, ActivationKind kind) => Assert.Equal(kind, Activations.Parse(name));

    [Fact]
    public void UnknownName_IsRejectedListingTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Parse("gelu"));
        Assert.Contains("Unknown activation 'gelu'", e.Message);
        Assert.Contains("identity, relu, leaky-relu, selu, sigmoid or tanh", e.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Name_IsLowerCase_AndParsesBack(ActivationKind kind)
    {
        string name = Activations.Name(kind);
        Assert.Equal(kind == ActivationKind.LeakyRelu ? "leaky-relu" : kind.ToString().ToLowerInvariant(), name);
        Assert.Equal(kind, Activations.Parse(name));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ValuesAndDerivatives_MatchTheDefinitions(ActivationKind kind)
    {
        var y = (float[])Inputs.Clone();
        Activations.Forward(kind, y, Slope);
        var grad = Enumerable.Repeat(3f, Inputs.Length).ToArray();
        Activations.BackwardFromOutput(kind, y, grad, Slope);
        for (int i = 0; i < Inputs.Length; i++)
        {
            double a = Inputs[i];
            var (d1, d2) = Derivatives(kind, a);
            string at = $"{kind} at a = {a}";
            Assert.True(Math.Abs(y[i] - F(kind, a)) <= 1e-6, $"{at}: f = {y[i]}, expected {F(kind, a)}");
            Assert.True(Math.Abs(grad[i] - 3 * d1) <= 1e-5, $"{at}: backward 3·f' = {grad[i]}, expected {3 * d1}");
            float one = Activations.DerivativeFromOutput(kind, y[i], Slope);
            Assert.True(Math.Abs(one - d1) <= 1e-5, $"{at}: f' = {one}, expected {d1}");
            float two = Activations.SecondDerivativeFromOutput(kind, y[i]);
            Assert.True(Math.Abs(two - d2) <= 1e-5, $"{at}: f'' = {two}, expected {d2}");
        }
    }

    [Fact]
    public void TheDefaultLeakyReluSlope_IsOneHundredth()
    {
        float[] x = [-2f, 3f];
        Activations.Forward(ActivationKind.LeakyRelu, x);
        Assert.Equal([-0.02f, 3f], x);
        float[] g = [1f, 1f];
        Activations.BackwardFromOutput(ActivationKind.LeakyRelu, x, g);
        Assert.Equal([0.01f, 1f], g);
        Assert.Equal(0.01f, Activations.DerivativeFromOutput(ActivationKind.LeakyRelu, -0.02f));
    }

    [Fact]
    public void AnUndefinedKind_IsRejected()
    {
        var bad = (ActivationKind)99;
        float[] v = [1f];
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Forward(bad, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.BackwardFromOutput(bad, v, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.DerivativeFromOutput(bad, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.SecondDerivativeFromOutput(bad, 1f));
    }
}
