using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Engine;
using EnvoyGovern.ExtProc.Waf.Rules;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Which keys a target's key pattern selects (<c>TX:/^header_name_920450_/</c>, <c>!REQUEST_COOKIES:/__utm/</c>): a
/// pattern that is a plain name is compared as text, and must select exactly what the regex selects.
/// </summary>
public sealed class RuleTargetTests
{
    private const RegexOptions KeyOptions = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    [Theory]
    [InlineData("^header_name_920450_", "header_name_920450_host", true)]
    [InlineData("^header_name_920450_", "HEADER_NAME_920450_Host", true)]
    [InlineData("^header_name_920450_", "x_header_name_920450_host", false)]
    [InlineData("__utm", "x__utmz", true)]
    [InlineData("__utm", "__UTMa", true)]
    [InlineData("__utm", "_utm", false)]
    [InlineData("^pbjs-\\w+$", "pbjs-abc", true)]
    [InlineData("^pbjs-\\w+$", "pbjs-", false)]
    [InlineData("^k", "\u212Aey", true)]
    public void Selects_KeyPattern_AsTheRegex(string pattern, string key, bool selected)
    {
        var target = new RuleTarget(Variable.Tx, null, new Regex(pattern, KeyOptions), Count: false, Exclusion: false);

        Assert.Equal(selected, target.Selects(key));
    }

    [Fact]
    public void Selects_KeyPatternReplacedByWith_UsesTheNewPattern()
    {
        var original = new RuleTarget(Variable.Tx, null, new Regex("^ab", KeyOptions), Count: false, Exclusion: false);
        var target = original with { KeyRegex = new Regex("^cd", KeyOptions) };

        Assert.True(target.Selects("cdx"));
        Assert.False(target.Selects("abx"));
    }

    [Fact]
    public void Selects_RandomKeys_SameAsTheRegex()
    {
        var random = new Random(7);
        const string alphabet = "abkAK_-1.\u212A";
        string[] patterns = ["^ab", "ab", "^a_b-1", "b-", "^A", "a.b", "^ab$", "k_", "^K"];
        foreach (var pattern in patterns)
        {
            var regex = new Regex(pattern, KeyOptions);
            var target = new RuleTarget(Variable.Tx, null, regex, Count: false, Exclusion: false);
            for (var i = 0; i < 2_000; i++)
            {
                var key = new string([.. Enumerable.Range(0, random.Next(0, 8)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
                Assert.True(regex.IsMatch(key) == target.Selects(key), $"/{pattern}/ on \"{key}\"");
            }
        }
    }
}
