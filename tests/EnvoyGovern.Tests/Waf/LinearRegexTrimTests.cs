using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Dropping the construction cache of a non-backtracking regex saves memory only: every match stays the same.
/// The CRS's long patterns (those that run on the linear engine) meet their own rules' regression payloads
/// and random strings of their own characters, trimmed against untrimmed.
/// </summary>
public sealed class LinearRegexTrimTests
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    [Fact]
    public void DropConstructionCache_NonBacktrackingRegex_FindsTheCacheOnThisRuntime()
    {
        // Fails when a runtime update moves the cache: the CRS then holds ~100 MB more (bench/README.md).
        var regex = new Regex(@"(?i)\b(?:alpha|beta|gamma)\b", Options | RegexOptions.NonBacktracking);

        Assert.True(LinearRegexTrim.DropConstructionCache(regex));
        Assert.Equal("Beta", regex.Match("x Beta y").Value);
    }

    [Fact]
    public void DropConstructionCache_BacktrackingRegex_LeavesItAlone()
    {
        var regex = new Regex("abc", Options);

        Assert.False(LinearRegexTrim.DropConstructionCache(regex));
        Assert.Matches(regex, "xabcx");
    }

    [Fact]
    public void DropConstructionCache_CrsLinearPatterns_MatchExactlyAsUntrimmed()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var random = new Random(20261127);
        var differences = new List<string>();
        var patterns = 0;
        var matched = 0;
        foreach (var (id, rx) in CrsRulePayloads.RxOperators(rules).DistinctBy(r => r.Rx.Pattern))
        {
            var translated = PcreTranslator.Translate(rx.Pattern);
            if (translated.Length < RxOperator.LinearFromLength)
            {
                continue;
            }

            patterns++;
            var trimmed = new Regex(translated, Options | RegexOptions.NonBacktracking);
            Assert.True(LinearRegexTrim.DropConstructionCache(trimmed));
            var untrimmed = new Regex(translated, Options | RegexOptions.NonBacktracking);
            var values = CrsRulePayloads.Payloads(tests, id).Concat(RandomValues(random, translated, 100));
            foreach (var value in values)
            {
                var (a, b) = (trimmed.Match(value), untrimmed.Match(value));
                matched += a.Success ? 1 : 0;
                if (Describe(a) != Describe(b))
                {
                    differences.Add($"rule {id}: {Describe(a)} against {Describe(b)} for {value}");
                }
            }
        }

        Assert.True(patterns >= 20, $"only {patterns} CRS patterns run on the linear engine");
        Assert.True(matched > 100, $"only {matched} values matched: the comparison says little");
        Assert.Empty(differences);
    }

    private static string Describe(Match match) =>
        string.Join(' ', match.Groups.Values.Select(g => g.Success ? $"{g.Index}+{g.Length}" : "-"));

    // Strings drawn from the pattern's own characters, so that they often come close to a match.
    private static IEnumerable<string> RandomValues(Random random, string pattern, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var chars = new char[random.Next(1, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(4) == 0 ? ' ' : pattern[random.Next(pattern.Length)];
            }

            yield return new string(chars);
        }
    }
}
