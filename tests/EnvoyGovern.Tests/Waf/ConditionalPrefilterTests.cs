using System.Text;
using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf;
using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// The conditional prefilter (the whole command words of the CRS's word-list rules, in a value without the chars of
/// their evasion group) may only reject a value the regex cannot match: hand-made patterns in the CRS's shape, random
/// values against them, and every CRS pattern that gets one against its rule's regression payloads with and without
/// the chars that switch the condition off. The CRS regression suite checks the same through the engine
/// (<see cref="Crs.CrsRegressionTests"/>, whose audit hook gives every rejected value to the regex).
/// </summary>
public sealed class ConditionalPrefilterTests
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Singleline;

    // The group the CRS puts between the letters of its command words (REQUEST-932-APPLICATION-ATTACK-RCE.conf).
    private const string Evasion = @"[\""'\)\[\x5c]*(?:(?:(?:\|\||&&)[\s\x0b]*)?\$[!#\(\*\-0-9\?@_a-\{]*)?\x5c?";

    private static readonly string WordList =
        "(?i)(?:^|[;`]|\\|\\|?)[\\s\\x0b]*" + Spread("(?:cat|l(?:s|ess)|wget)") + "[\\s\\x0b&\\),<>\\|]";

    [Fact]
    public void For_EvasionGroupBetweenLetters_JoinsTheWords()
    {
        var conditional = ConditionalPrefilter.For(WordList, RxPrefilter.For(WordList));

        Assert.NotNull(conditional);
        Assert.True(conditional.IgnoreCase);
        Assert.All(["cat ", "ls\t", "less,", "wget "], literal => Assert.Contains(literal, conditional.Literals));
        Assert.All("\"'$)[\\", c => Assert.True(conditional.Absent.Overlaps(CharMask.Single(c)), $"{c} not absent"));
        Assert.All("-./:@_", c => Assert.False(conditional.Absent.Overlaps(CharMask.Single(c)), $"{c} absent"));
    }

    [Theory]
    [InlineData("lorem ipsum, dolor sit amet", false)]
    [InlineData("catalogue lessons", false)] // the words, but not followed by a separator
    [InlineData("cat /etc/passwd", true)]
    [InlineData("WGET http://x", true)]
    [InlineData("c'a't /etc/passwd", true)] // holds a quote: the condition does not apply, the regex decides
    [InlineData("l\\s -la", true)]
    [InlineData("caf\u00e9 ls", true)] // non-ASCII: every char counts as present
    public void MayMatch_Value_RejectsOnlyWithoutTheWords(string value, bool expected)
    {
        var conditional = ConditionalPrefilter.For(WordList, RxPrefilter.For(WordList));

        Assert.NotNull(conditional);
        Assert.Equal(expected, conditional.MayMatch(CharMask.Of(value), value));
        if (!expected)
        {
            Assert.DoesNotMatch(new Regex(WordList, Options), value);
        }
    }

    [Theory]
    [InlineData(@"ab", "ab")]
    [InlineData(@"a[""']*b", "ab")]
    [InlineData(@"(?:x|\$)yz", "xyz")]
    [InlineData(@"q(?:\$[a-z]+)?r", "qr")]
    [InlineData(@"[""']x|y", "y")]
    [InlineData(@"\$abc", "")] // matches nothing without a $: the empty set
    [InlineData(@"d(?:n)?f\b", "df|dnf")]
    [InlineData(@"g(?:cc.*|db[\s$])", "gcc|gdb\t|gdb\n|gdb\v|gdb\f|gdb\r|gdb ")]
    public void Necessary_AbsentChars_RemovedFromLiteralsAndClasses(string pattern, string expected)
    {
        var literals = RxLiteralAnalysis.Necessary(pattern, Mask("$\"'"), 64, out _);

        Assert.NotNull(literals);
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), literals.Set.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MayMatch_RandomValues_RejectsOnlyWhatTheRegexCannotMatch()
    {
        var conditional = ConditionalPrefilter.For(WordList, RxPrefilter.For(WordList));
        Assert.NotNull(conditional);
        var regex = new Regex(WordList, Options);
        var random = new Random(7);
        string[] tokens = ["cat", "ls", "LeSs", "wget", "c", "a", "t", "l", "s", "e", " ", "\t", ";", "|", "&", "$", "'", "\"", "\\", ",", ")", "x"];
        var (rejected, matched) = (0, 0);
        for (var i = 0; i < 40_000; i++)
        {
            var value = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => tokens[random.Next(tokens.Length)]));
            var isMatch = regex.IsMatch(value);
            matched += isMatch ? 1 : 0;
            if (!conditional.MayMatch(CharMask.Of(value), value))
            {
                rejected++;
                Assert.False(isMatch, $"rejected a match: {value}");
            }
        }

        Assert.True(rejected > 5_000 && matched > 500, $"{rejected} rejected, {matched} matched: the test checks too little");
    }

    [Fact]
    public void MayMatch_CrsPatternsOnTheirRegressionPayloads_NeverRejectsAMatch()
    {
        var rules = WafRuleLoader.Load(new WafRuleSources { CrsDirectory = RepoPaths.Crs });
        var tests = Path.Combine(RepoPaths.Crs, "tests", "regression", "tests");
        var misses = new List<string>();
        var covered = new HashSet<int>();
        var rejected = 0;
        foreach (var (id, rx) in CrsRulePayloads.RxOperators(rules))
        {
            var translated = PcreTranslator.Translate(rx.Pattern);
            if (ConditionalPrefilter.For(translated, rx.Prefilter) is not { } conditional)
            {
                continue;
            }

            covered.Add(id);
            var regex = new Regex(translated, Options | RegexOptions.NonBacktracking);
            foreach (var payload in CrsRulePayloads.Payloads(tests, id))
            {
                // As written (the condition rarely holds on an attack), and with the absent chars dropped or spaced.
                foreach (var value in new[] { payload, Without(payload, conditional.Absent, null), Without(payload, conditional.Absent, ' ') })
                {
                    if (conditional.MayMatch(CharMask.Of(value), value))
                    {
                        continue;
                    }

                    rejected++;
                    if (regex.IsMatch(value))
                    {
                        misses.Add($"rule {id}: {conditional} rejected a match: {value}");
                    }
                }
            }
        }

        Assert.Superset(new HashSet<int> { 932230, 932235, 932250, 932340 }, covered);
        Assert.True(rejected > 500, $"only {rejected} payloads rejected: the test checks too little");
        Assert.Empty(misses);
    }

    private static string Spread(string words)
    {
        var text = new StringBuilder();
        for (var i = 0; i < words.Length; i++)
        {
            text.Append(words[i]);
            if (char.IsAsciiLetter(words[i]) && i + 1 < words.Length && char.IsAsciiLetter(words[i + 1]))
            {
                text.Append(Evasion);
            }
        }

        return text.ToString();
    }

    private static CharMask Mask(string chars) => chars.Aggregate(default(CharMask), (mask, c) => mask.Union(CharMask.Single(c)));

    private static string Without(string value, CharMask absent, char? replacement)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c < 128 && absent.Overlaps(CharMask.Single(c)))
            {
                if (replacement is { } r)
                {
                    text.Append(r);
                }
            }
            else if (c < 128)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }
}
