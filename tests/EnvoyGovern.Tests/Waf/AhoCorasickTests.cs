using EnvoyGovern.ExtProc.Waf.Operators;
using EnvoyGovern.TestSupport;

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
        foreach (var scan in new[] { ScanMode.Automaton, ScanMode.Grams })
        {
            var search = new AhoCorasick(["/etc/passwd", "/etc/shadow", "/proc/self/", "boot.ini", "win.ini"], scan);

            Assert.Equal(scan, search.Scan);
            Assert.Equal((at, length), (search.Find(text, out var found), found));
        }
    }

    [Theory]
    [InlineData("java-classes.data", true)]
    [InlineData("php-function-names-933150.data", true)]
    [InlineData("unix-shell.data", true)]
    [InlineData("php-variables.data", false)]
    [InlineData("ssrf.data", false)]
    public void Scan_CrsPhraseFile_GramsWhereProseStartsPhrases(string file, bool grams)
    {
        // php-variables all start with '$', ssrf.data with g, h or j (URL schemes): few chars of prose start one, and
        // the automaton skips to those. The others start with e, s, o, p ...
        var phrases = File.ReadLines(Path.Combine(RepoPaths.Crs, "rules", file), System.Text.Encoding.Latin1).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#');

        Assert.Equal(grams ? ScanMode.Grams : ScanMode.Automaton, new AhoCorasick(phrases).Scan);
    }

    [Fact]
    public void Find_PhrasesShorterThanAGram_AutomatonSearches()
    {
        var search = new AhoCorasick(["abcdef", "xyz"], ScanMode.Grams);

        Assert.Equal(ScanMode.Automaton, search.Scan);
        Assert.Equal((2, 3), (search.Find("__XYZabcdef", out var length), length));
    }

    [Fact]
    public void Find_RandomPhrasesAndTextsByGrams_SameStartAndLengthAsTheAutomaton()
    {
        // Phrases of 4 to 8 chars over an alphabet with both ASCII cases, '@' and '`' (equal after OR 0x20, as the
        // grams fold), a char above 0xFF; texts that hold pieces of them, overlapping and nested occurrences.
        var random = new Random(31);
        const string alphabet = "abAB@`\u0101";
        for (var round = 0; round < 200; round++)
        {
            var phrases = Enumerable.Range(0, random.Next(1, 30))
                .Select(_ => new string([.. Enumerable.Range(0, random.Next(4, 9)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
                .ToArray();
            var grams = new AhoCorasick(phrases, ScanMode.Grams);
            var automaton = new AhoCorasick(phrases, ScanMode.Automaton);
            Assert.Equal(ScanMode.Grams, grams.Scan);
            for (var i = 0; i < 50; i++)
            {
                var text = new string([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
                if (random.Next(2) == 0)
                {
                    text = text.Insert(random.Next(text.Length + 1), Piece(phrases[random.Next(phrases.Length)], random));
                }

                var expected = automaton.Find(text, out var expectedLength);
                var expectedEnd = phrases.Select(p => FoldAscii(text).IndexOf(FoldAscii(p), StringComparison.Ordinal) is var at and >= 0 ? at + p.Length : int.MaxValue).Min();
                Assert.Equal(expectedEnd == int.MaxValue ? -1 : expectedEnd, expected < 0 ? -1 : expected + expectedLength);
                Assert.True((expected, expectedLength) == (grams.Find(text, out var length), length), $"'{text}' in {string.Join(", ", phrases)}");
            }
        }
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

    [Fact]
    public void Find_MoreNodesThanTheTableCanName_SameAsSearchingEachPhrase()
    {
        // Every 16-letter word of 'a' and 'b': 131,071 nodes, more than the table's 16-bit cells can name, so the
        // rows of the 15th level point past them and the search takes those steps the slow way.
        var phrases = Enumerable.Range(0, 1 << 16).Select(bits => new string([.. Enumerable.Range(0, 16).Select(i => (bits >> i & 1) == 0 ? 'a' : 'B')])).ToArray();
        var search = new AhoCorasick(phrases);
        var random = new Random(29);
        for (var i = 0; i < 500; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(10, 60)).Select(_ => "abAB"[random.Next(4)] is var c && random.Next(12) == 0 ? 'c' : c)]);

            // The first phrase ends where a run of 16 letters other than 'c' does.
            var run = 0;
            var expectedEnd = -1;
            for (var at = 0; at < text.Length && expectedEnd < 0; at++)
            {
                run = text[at] == 'c' ? 0 : run + 1;
                expectedEnd = run == 16 ? at + 1 : -1;
            }

            var foundAt = search.Find(text, out var length);
            Assert.Equal(expectedEnd, foundAt < 0 ? -1 : foundAt + length);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Find_CrsPhraseFiles_SameAsSearchingEachPhrase(bool grams)
    {
        var scan = grams ? ScanMode.Grams : ScanMode.Automaton;
        // The CRS's own lists (up to 2,000 phrases, 45,000 trie nodes, Latin-1) against texts spliced from
        // pieces of their phrases, so that the search walks deep into the trie and falls back along failure links.
        var random = new Random(23);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Crs, "rules"), "*.data"))
        {
            var phrases = File.ReadLines(file, System.Text.Encoding.Latin1).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').ToArray();
            var search = new AhoCorasick(phrases, scan);
            var automaton = new AhoCorasick(phrases, ScanMode.Automaton);
            var foldedPhrases = phrases.Select(FoldAscii).ToArray();
            for (var i = 0; i < 200; i++)
            {
                var text = string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => Piece(phrases[random.Next(phrases.Length)], random)));
                var folded = FoldAscii(text);

                var expectedEnd = foldedPhrases.Select(p => folded.IndexOf(p, StringComparison.Ordinal) is var at and >= 0 ? at + p.Length : int.MaxValue).Min();
                var foundAt = search.Find(text, out var length);
                Assert.True(
                    (expectedEnd == int.MaxValue ? -1 : expectedEnd) == (foundAt < 0 ? -1 : foundAt + length),
                    $"{Path.GetFileName(file)}: '{text}'");
                Assert.True((automaton.Find(text, out var expectedLength), expectedLength) == (foundAt, length), $"{Path.GetFileName(file)}: '{text}'");
            }
        }
    }

    // A phrase whole, or a random part of it, in a random ASCII case.
    private static string Piece(string phrase, Random random)
    {
        var start = random.Next(2) == 0 ? 0 : random.Next(phrase.Length);
        var end = random.Next(2) == 0 ? phrase.Length : random.Next(start, phrase.Length + 1);
        return new string([.. phrase[start..end].Select(c => char.IsAsciiLetterLower(c) && random.Next(2) == 0 ? (char)(c & ~0x20) : c)]);
    }

    private static string FoldAscii(string text) => new([.. text.Select(c => char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c)]);
}
