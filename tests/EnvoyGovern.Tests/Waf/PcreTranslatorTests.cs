using System.Text.RegularExpressions;
using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.Tests.Waf;

public sealed class PcreTranslatorTests
{
    private static bool Matches(string pcre, string input) =>
        new Regex(PcreTranslator.Translate(pcre), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1)).IsMatch(input);

    [Theory]
    [InlineData(@"^a++b$", "aaab", true)]
    [InlineData(@"^a++a$", "aaaa", false)] // possessive: gives nothing back, as in PCRE
    [InlineData(@"^abc$", "abc\n", false)] // DOLLAR_ENDONLY
    [InlineData(@"(?m)^abc$", "abc\nx", true)]
    [InlineData(@"^[[:alpha:]]+$", "abcXYZ", true)]
    [InlineData(@"^[[:digit:]]+$", "12a", false)]
    [InlineData(@"\Qa.b\E", "axb", false)]
    [InlineData(@"\Qa.b\E", "a.b", true)]
    [InlineData(@"\x{41}\x42", "AB", true)]
    [InlineData(@"^\s$", "\u00a0", false)] // PCRE \s is ASCII whitespace; a Latin-1 byte 0xA0 is not
    [InlineData(@"^\w+$", "caf\u00e9", false)]
    [InlineData(@"^\h$", "\t", true)]
    [InlineData(@"^\v$", "\r", true)]
    [InlineData(@"a.c", "a\nc", true)] // DOTALL
    [InlineData(@"(?i)select", "SeLeCt", true)]
    [InlineData(@"x{,3}", "x{,3}", true)] // not a quantifier in PCRE: literal
    [InlineData(@"(?P<n>a)(?P=n)", "aa", true)]
    public void Translate_Pattern_MatchesAsPcre(string pcre, string input, bool expected)
    {
        Assert.Equal(expected, Matches(pcre, input));
    }

    [Theory]
    [InlineData(@"(*LIMIT_MATCH=10)a")]
    [InlineData(@"a(?R)?b")]
    [InlineData(@"a\Kb")]
    [InlineData(@"(a")]
    public void Translate_UnsupportedConstruct_Throws(string pcre)
    {
        Assert.Throws<PcreTranslationException>(() => PcreTranslator.Translate(pcre));
    }
}
