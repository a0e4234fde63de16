using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The char gate may only reject a value in which none of its strings can occur: by hand-made cases, against a
/// brute-force search on random strings, and for every CRS @rx and @pm gate against its rule's regression payloads.
/// The CRS regression suite checks the same through the engine with every transformation
/// (<see cref="Crs.CrsRegressionTests"/>).
/// </summary>
public sealed class CharGateTests
{
    [Theory]
    [InlineData("lorem ipsum dolor", false)]
    [InlineData("see http/1.1", true)]
    [InlineData("HTTP/1.1", false)] // compared by case: the literal's lower-case letters are missing
    [InlineData("/ptth", true)] // the chars are there, not the string: the search decides
    [InlineData("ftp: x", true)]
    public void MayMatch_CaseSensitive_NeedsEveryCharOfSomeString(string value, bool expected)
    {
        var gate = CharGate.For(["http/", "ftp:"], ignoreCase: false);

        Assert.NotNull(gate);
        Assert.Equal(expected, gate.MayMatch(CharMask.Of(value)));
    }

    [Theory]
    [InlineData("HTTP/1.1", true)]
    [InlineData("Http/", true)]
    [InlineData("HTTP 1.1", false)]
    [InlineData("\u212Attp/", true)] // any non-ASCII char: every char counts as present (.NET equates K and the Kelvin sign)
    public void MayMatch_IgnoreCase_FoldsAsciiLetters(string value, bool expected)
    {
        var gate = CharGate.For(["http/"], ignoreCase: true);

        Assert.NotNull(gate);
        Assert.Equal(expected, gate.MayMatch(CharMask.Of(value)));
    }

    [Theory]
    [InlineData("é", true)]
    [InlineData("", false)]
    [InlineData("", true)]
    public void For_StringWithoutAsciiChars_NoGate(string literal, bool ignoreCase) =>
        Assert.Null(CharGate.For(["abc", literal], ignoreCase));

    [Theory]
    [InlineData("lorem ipsum", false)]
    [InlineData("x abc y", true)]
    [InlineData("lorem \u00bc ipsum", true)] // any non-ASCII char makes the mask All
    [InlineData("lorem \u00e9 ipsum", true)] // the gate sees chars, not strings: the search decides
    public void MayMatch_CaseSensitiveNonAsciiString_NeedsANonAsciiChar(string value, bool expected)
    {
        var gate = CharGate.For(["abc", "\u00bc"], ignoreCase: false);

        Assert.NotNull(gate);
        Assert.Equal(expected, gate.MayMatch(CharMask.Of(value)));
    }

    [Fact]
    public void For_ManyStrings_AtMostMaxSetsOfSeveralChars()
    {
        var strings = Enumerable.Range(0, 200).Select(i => $"w{i}x{(char)('a' + (i % 26))}").ToList();

        var gate = CharGate.For(strings, ignoreCase: true);

        Assert.NotNull(gate);
        Assert.True(gate.Sets.Count <= CharGate.MaxSets);
        Assert.False(gate.MayMatch(CharMask.Of("lorem ipsum")));
        Assert.True(gate.MayMatch(CharMask.Of("a w12xm b")));
    }

    [Fact]
    public void MayMatch_RandomStringsAndValues_RejectsOnlyWhenNoStringOccurs()
    {
        var random = new Random(11);
        const string alphabet = "abcAB/(<: é";
        string Text(int max) => new([.. Enumerable.Range(0, random.Next(1, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var rejected = 0;
        for (var round = 0; round < 400; round++)
        {
            var ignoreCase = round % 2 == 0;
            var strings = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Text(5)).ToList();
            var gate = CharGate.For(strings, ignoreCase);
            if (gate is null)
            {
                continue;
            }

            var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            for (var i = 0; i < 50; i++)
            {
                var value = Text(12);
                if (!gate.MayMatch(CharMask.Of(value)))
                {
                    rejected++;
                    Assert.DoesNotContain(strings, s => value.Contains(s, comparison));
                }
            }
        }

        Assert.True(rejected > 1_000, $"only {rejected} values rejected: the test checks too little");
    }

    [Fact]
    public void MayMatch_CrsGatesOnTheirRegressionPayloads_NeverRejectsAMatch()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var misses = new List<string>();
        var (gates, pmGates, rejected) = (0, 0, 0);
        foreach (var (id, op) in CrsRulePayloads.Operators(rules))
        {
            if (op.Gate is not { } gate)
            {
                continue;
            }

            gates++;
            pmGates += op is PmOperator ? 1 : 0;
            foreach (var value in CrsRulePayloads.Payloads(tests, id))
            {
                if (gate.MayMatch(CharMask.Of(value)))
                {
                    continue;
                }

                rejected++;
                if (op.MatchesUnfiltered(value))
                {
                    misses.Add($"rule {id}: gate {gate} rejected a value its operator matches: {value}");
                }

                // The part of an @rx gate made of the prefilter's literals rejects only what the prefilter rejects; the
                // pattern's other necessary sets (RxNecessarySetsTests) may reject more, and the check above covers them.
                if (op is RxOperator { Prefilter: { } prefilter } && prefilter.Gate is { } own && !own.MayMatch(CharMask.Of(value)) && prefilter.MayMatch(value))
                {
                    misses.Add($"rule {id}: gate {own} rejected a value its prefilter lets through: {value}");
                }
            }
        }

        Assert.True(gates > 150 && pmGates > 10, $"only {gates} CRS operators ({pmGates} @pm) have a gate");
        Assert.True(rejected > 1_000, $"only {rejected} payloads rejected: the test checks too little");
        Assert.Empty(misses);
    }
}
