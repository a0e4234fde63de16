using System.Text;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.ExtProc.Waf.Transformations;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// <see cref="MaskBounds"/>: every transformation's bound holds the chars of its real result (on the regression corpus
/// and on random values built from the chars the decoders react to), and a larger input never gives a smaller bound:
/// the two properties the engine relies on when a gate rejects a bound instead of the transformed value.
/// </summary>
public sealed class MaskBoundsTests
{
    // Escape and separator chars of every decoder and normalizer, letters of both cases, digits, and non-ASCII.
    private const string Alphabet = "%+&#;\\/*-<!>.:,^\"' \t\r\n\v\f\0xXuU0aAfF9zZ=()\u00a0\u00e9\u00ff\u0100";

    public static TheoryData<string> Names => [.. TransformationCorpus.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Bound_EveryCorpusValue_HoldsTheResultsChars(string name)
    {
        Assert.True(Transforms.TryGet(name, out var transform));
        var bound = Transforms.BoundOf(name).Apply;
        foreach (var input in TransformationCorpus.Inputs)
        {
            AssertHolds(name, transform, bound, input);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bound_RandomEscapeHeavyValues_HoldsTheResultsChars(string name)
    {
        Assert.True(Transforms.TryGet(name, out var transform));
        var bound = Transforms.BoundOf(name).Apply;
        var random = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 6);
        var value = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            value.Clear();
            var length = random.Next(0, 24);
            for (var k = 0; k < length; k++)
            {
                // Mostly ASCII, so the bounds below All are exercised as often as the non-ASCII case.
                var pool = random.Next(8) == 0 ? Alphabet : Alphabet[..^4];
                value.Append(pool[random.Next(pool.Length)]);
            }

            AssertHolds(name, transform, bound, value.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Bound_LargerInputMask_NeverASmallerBound(string name)
    {
        var bound = Transforms.BoundOf(name).Apply;
        var random = new Random(name.Length * 7919);
        for (var i = 0; i < 20_000; i++)
        {
            var small = new CharMask(((ulong)random.NextInt64() & (ulong)random.NextInt64()) | 1, (ulong)random.NextInt64() & (ulong)random.NextInt64());
            var large = i % 16 == 0 ? CharMask.All : small.Union(new CharMask((ulong)random.NextInt64() & (ulong)random.NextInt64(), (ulong)random.NextInt64()));
            Assert.True(bound(small).IsSubsetOf(bound(large)), $"{name}: bound({small.Describe()}) is not within bound({large.Describe()})");
        }
    }

    [Theory]
    [InlineData("lowercase")]
    [InlineData("urlDecodeUni")]
    [InlineData("cmdLine")]
    [InlineData("removeWhitespace")]
    [InlineData("normalizePath")]
    [InlineData("base64Decode")]
    public void Bound_NonAsciiInput_All(string name)
    {
        Assert.Equal(CharMask.All, Transforms.BoundOf(name).Apply(CharMask.All));
    }

    [Theory]
    [InlineData("lowercase", "Select From", "select from")]
    [InlineData("urlDecodeUni", "lorem ipsum", "lorem ipsum")]
    [InlineData("urlDecode", "a+b", "a+b ")]
    [InlineData("removeWhitespace", "a b\tc", "abc")]
    [InlineData("cmdLine", "Ca'T ,/x", "cat /x")]
    [InlineData("htmlEntityDecode", "plain text", "plain text")]
    public void Bound_PlainInputs_TheExpectedChars(string name, string input, string expectedChars)
    {
        Assert.Equal(CharMask.Of(expectedChars), Transforms.BoundOf(name).Apply(CharMask.Of(input)));
    }

    [Theory]
    [InlineData("urlDecodeUni", "%3c")]
    [InlineData("htmlEntityDecode", "&lt;")]
    [InlineData("jsDecode", "\\x3c")]
    [InlineData("base64Decode", "PHNjcmlwdD4")]
    public void Bound_EscapeOrEncodedInput_All(string name, string input)
    {
        Assert.Equal(CharMask.All, Transforms.BoundOf(name).Apply(CharMask.Of(input)));
    }

    [Fact]
    public void Bound_ChainOfSteps_AppliesEachStepsBound()
    {
        var chain = new TransformChain(1, ["lowercase", "removeWhitespace"], [TextTransforms.Lowercase, TextTransforms.RemoveWhitespace], TransformChain.None);

        Assert.Equal(CharMask.Of("ab"), chain.Bound(CharMask.Of("A b")));
        Assert.Equal(CharMask.Of("A b"), TransformChain.None.Bound(CharMask.Of("A b")));
    }

    private static void AssertHolds(string name, Func<string, string> transform, Func<CharMask, CharMask> bound, string input)
    {
        var chars = CharMask.Of(transform(input));
        var limit = bound(CharMask.Of(input));
        Assert.True(chars.IsSubsetOf(limit), $"{name}({Escape(input)}) holds [{chars.Describe()}], outside its bound [{limit.Describe()}]");
    }

    private static string Escape(string value) => string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString()));
}
