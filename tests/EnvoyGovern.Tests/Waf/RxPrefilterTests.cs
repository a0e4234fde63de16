using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The @rx prefilter may only skip a regex that cannot match. The CRS regression suite checks the same
/// through the engine with every transformation (<see cref="Crs.CrsRegressionTests"/>); here each CRS
/// pattern meets the payloads of its own rule's regression tests directly, and hand-made patterns pin the
/// analysis.
/// </summary>
public sealed class RxPrefilterTests
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    [Theory]
    [InlineData(@"(?:get|p(?:os|u)t)[\t ]+[^\t ]+[\t ]+http/[0-9]", "http/")]
    [InlineData(@"(?:bzip2|ogg|z(?:ip|lib))://", "bzip2://|ogg://|zip://|zlib://")]
    [InlineData(@"trac[ek]\(", "trace(|track(")]
    [InlineData(@"(?i)union\s+select", "(?i)select")]
    [InlineData(@"x(?:abc|de)y", "xabcy|xdey")]
    public void For_Pattern_FindsTheNecessaryLiterals(string pattern, string expected)
    {
        var prefilter = RxPrefilter.For(pattern);

        Assert.NotNull(prefilter);
        var literals = expected.Replace("(?i)", string.Empty, StringComparison.Ordinal).Split('|');
        Assert.Equal(literals.Order(StringComparer.Ordinal), prefilter.Literals.Order(StringComparer.Ordinal));
        Assert.Equal(expected.StartsWith("(?i)", StringComparison.Ordinal), prefilter.IgnoreCase);
    }

    [Theory]
    [InlineData(@"[\s\(]load_file|load_file|char", "char|load_file")]
    [InlineData(@"(?i)[\s\(]load_file|lOad_file|char", "char|lOad_file")]
    [InlineData(@"abc|xabcx|bcd", "abc|bcd")]
    [InlineData(@"Abc|xabcx", "Abc|xabcx")]
    public void Searched_LiteralsContainingOthers_LeftOut(string pattern, string searched)
    {
        var prefilter = RxPrefilter.For(pattern);

        Assert.NotNull(prefilter);
        Assert.Equal(searched.Split('|').Order(StringComparer.Ordinal), prefilter.Searched.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MayMatch_LiteralsContainingOthers_SameAsSearchingEveryLiteral()
    {
        // Sets where literals nest (one inside another, in either case), against random texts of their chars.
        var random = new Random(41);
        const string alphabet = "abAB(\t";
        for (var round = 0; round < 300; round++)
        {
            var ignoreCase = random.Next(2) == 0;
            var literals = Enumerable.Range(0, random.Next(2, 8))
                .Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
                .Distinct()
                .ToList();
            var pattern = (ignoreCase ? "(?i)" : string.Empty) + string.Join('|', literals.Select(Regex.Escape));
            var prefilter = RxPrefilter.For(pattern);
            Assert.NotNull(prefilter);
            var comparison = prefilter.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            for (var i = 0; i < 50; i++)
            {
                var text = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

                Assert.True(
                    prefilter.Literals.Any(l => text.Contains(l, comparison)) == prefilter.MayMatch(text),
                    $"{pattern} on '{text}'");
            }
        }
    }

    [Theory]
    [InlineData("a|.*")]
    [InlineData("x*")]
    [InlineData("(?:abc)?")]
    [InlineData("(?x) a b c")]
    [InlineData("(?(a)b|c)")]
    [InlineData(@"[^a]\d+")]
    [InlineData("(?=abc)")]
    public void For_NothingIsNecessaryOrPatternUnknown_ReturnsNull(string pattern) =>
        Assert.Null(RxPrefilter.For(pattern));

    [Theory]
    [InlineData(@"(?:get|post)[\t ]+[^\t ]+[\t ]+http/[0-9]", "lorem ipsum dolor sit amet", false)]
    [InlineData(@"(?:get|post)[\t ]+[^\t ]+[\t ]+http/[0-9]", "GET / HTTP/1.1", false)]
    [InlineData(@"(?:get|post)[\t ]+[^\t ]+[\t ]+http/[0-9]", "get /x http/1.1", true)]
    [InlineData(@"(?i)select", "SeLeCt", true)]
    [InlineData("(?i)k", "\u212A", true)] // the Kelvin sign equals k ignoring case in .NET regexes
    [InlineData(@"(?i:a)b", "Ab", true)]
    [InlineData(@"(?i:a)b", "ba", false)]
    public void MayMatch_Value_AgreesWithTheRegex(string pattern, string value, bool expected)
    {
        var prefilter = RxPrefilter.For(pattern);

        Assert.NotNull(prefilter);
        Assert.Equal(expected, new Regex(pattern, Options).IsMatch(value));
        Assert.Equal(expected, prefilter.MayMatch(value));
    }

    [Fact]
    public void MayMatch_MixedCaseModes_ComparesTheWholeLiteralIgnoringCase()
    {
        // "(?i:a)b" needs "ab" with any a; the prefilter compares all of it ignoring case: it may let through
        // a value the regex then rejects ("aB"), never the other way round.
        var prefilter = RxPrefilter.For("(?i:a)b");

        Assert.NotNull(prefilter);
        Assert.DoesNotMatch(new Regex("(?i:a)b", Options), "aB");
        Assert.True(prefilter.MayMatch("aB"));
    }

    [Fact]
    public void MayMatch_CrsPatternsOnTheirRegressionPayloads_NeverRejectsAMatch()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var misses = new List<string>();
        var filtered = 0;
        foreach (var (id, rx) in CrsRulePayloads.RxOperators(rules))
        {
            if (rx.Prefilter is null)
            {
                continue;
            }

            filtered++;
            var regex = new Regex(PcreTranslator.Translate(rx.Pattern), Options, TimeSpan.FromSeconds(5));
            foreach (var value in CrsRulePayloads.Payloads(tests, id))
            {
                if (!rx.Prefilter.MayMatch(value) && regex.IsMatch(value))
                {
                    misses.Add($"rule {id}: {rx.Prefilter} rejected a match: {value}");
                }
            }
        }

        Assert.True(filtered > 150, $"only {filtered} CRS patterns have a prefilter");
        Assert.Empty(misses);
    }
}
