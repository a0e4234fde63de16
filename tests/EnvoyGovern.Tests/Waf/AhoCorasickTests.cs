using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The @pm phrase search: the first occurrence of any phrase, ASCII case-insensitive.</summary>
public sealed class AhoCorasickTests
{
    [Theory]
    [InlineData("read /ETC/passwd now", 5, 11)]
    [InlineData("boot.ini", 0, 8)]
    [InlineData("xx/proc/self/environ", 2, 11)]
    [InlineData("/etc/shado /etc/shadow", 11, 11)]
    [InlineData("nothing to see here", -1, 0)]
    [InlineData("", -1, 0)]
    public void Find_Text_FirstPhraseOccurrence(string text, int at, int length)
    {
        var search = new AhoCorasick(["/etc/passwd", "/etc/shadow", "/proc/self/", "boot.ini", "win.ini"]);

        Assert.Equal((at, length), (search.Find(text, out var found), found));
    }

    [Fact]
    public void Find_PhrasesSharingPrefixesAndSuffixes_FollowsFailureLinks()
    {
        var search = new AhoCorasick(["abcd", "bce", "cé"]);

        Assert.Equal((1, 3), (search.Find("abce", out var length), length));
        Assert.Equal((3, 2), (search.Find("abccé", out length), length));
    }

    [Fact]
    public void Find_RandomTexts_SameAsSearchingEachPhrase()
    {
        string[] phrases = ["ab", "bab", "Ca", "aac", "cbc", "ä"];
        var search = new AhoCorasick(phrases);
        var random = new Random(9);
        const string alphabet = "abcABCä ";
        for (var i = 0; i < 2_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

            // The earliest end wins (the search stops at the first node with an output): compare end positions.
            var expectedEnd = phrases.Select(p => text.IndexOf(p, StringComparison.OrdinalIgnoreCase) is var at and >= 0 ? at + p.Length : int.MaxValue).Min();
            var foundAt = search.Find(text, out var length);
            Assert.Equal(expectedEnd == int.MaxValue ? -1 : expectedEnd, foundAt < 0 ? -1 : foundAt + length);
        }
    }

    [Fact]
    public void Find_ManyPhrases_DeepNodesOutsideTheTableSameAsSearchingEachPhrase()
    {
        // Enough phrases that most nodes are deeper than the transition table's rows, plus a char above 0xFF.
        var random = new Random(17);
        const string alphabet = "abcAB\u0101";
        var phrases = Enumerable.Range(0, 600)
            .Select(_ => new string([.. Enumerable.Range(0, random.Next(3, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
            .ToArray();
        var search = new AhoCorasick(phrases);
        for (var i = 0; i < 2_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

            var expectedEnd = phrases.Select(p => text.IndexOf(p, StringComparison.OrdinalIgnoreCase) is var at and >= 0 ? at + p.Length : int.MaxValue).Min();
            var foundAt = search.Find(text, out var length);
            Assert.Equal(expectedEnd == int.MaxValue ? -1 : expectedEnd, foundAt < 0 ? -1 : foundAt + length);
        }
    }
}
