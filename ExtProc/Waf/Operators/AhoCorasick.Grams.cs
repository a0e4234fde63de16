namespace EnvoyGovern.ExtProc.Waf.Operators;

/// <summary>How <see cref="AhoCorasick.Find"/> searches a value.</summary>
internal enum ScanMode
{
    /// <summary>
    /// <see cref="Grams"/> where every phrase has at least four chars and the phrases start with chars that prose is
    /// full of (most CRS lists), else <see cref="Automaton"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// The automaton, char by char; at its root it skips to the next char that starts a phrase (vectorized), which
    /// pays where few chars of a value start one.
    /// </summary>
    Automaton,

    /// <summary>
    /// Every four chars of the value hashed and looked up in a bit table of the phrases' first four chars; only a hit
    /// walks the trie from there. Phrases shorter than four chars leave the automaton in use.
    /// </summary>
    Grams,
}

/// <summary>The four-char prefix filter (<see cref="ScanMode.Grams"/>).</summary>
internal sealed partial class AhoCorasick
{
    private const int GramLength = 4;
    private const int GramBits = 16;
    private const ulong GramMultiplier = 0x9E37_79B9_7F4A_7C15;

    // Where the automaton's root skip pays: the share (per thousand chars) of prose that starts a phrase, summed over
    // the phrases' distinct first chars. At the root, the automaton's vectorized skip costs a call per starting char
    // and a few steps after it, the grams ~1 ns per char whatever the text: past ~10% of chars, the grams win.
    private const int GramsFromStartShare = 100;

    // Letter frequencies of English text per thousand letters (a-z); a space starts ~150 of every thousand chars of
    // prose, a digit or punctuation mark a few.
    private static ReadOnlySpan<byte> LetterShare => [82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24, 67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1];

    // A bit per node: a phrase ends there (its own, not one reached through a failure link).
    private readonly ulong[] _ends;

    // A bit per hash of a phrase's first four chars (GramBits bits), or null where the automaton searches.
    private readonly ulong[]? _grams;
    private readonly int _minLength;

    /// <summary>How <see cref="Find"/> searches: <see cref="ScanMode.Grams"/> or <see cref="ScanMode.Automaton"/>.</summary>
    public ScanMode Scan => _grams is null ? ScanMode.Automaton : ScanMode.Grams;

    private static ulong[] PhraseEnds(int[] output)
    {
        var ends = new ulong[(output.Length + 63) / 64];
        for (var node = 0; node < output.Length; node++)
        {
            if (output[node] > 0)
            {
                ends[node >> 6] |= 1UL << node;
            }
        }

        return ends;
    }

    private static (ulong[]? Grams, int MinLength) BuildGrams(string[] phrases, List<char> starts, ScanMode scan)
    {
        var minLength = phrases.Length == 0 ? 0 : phrases.Min(p => p.Length);
        if (minLength < GramLength || scan == ScanMode.Automaton || (scan == ScanMode.Auto && StartShare(starts) < GramsFromStartShare))
        {
            return (null, minLength);
        }

        var grams = new ulong[(1 << GramBits) / 64];
        foreach (var phrase in phrases)
        {
            var window = 0UL;
            for (var i = 0; i < GramLength; i++)
            {
                window = Shift(window, phrase[i]);
            }

            var hash = Hash(window);
            grams[hash >> 6] |= 1UL << hash;
        }

        return (grams, minLength);
    }

    private static int StartShare(List<char> starts)
    {
        var share = 0;
        foreach (var c in starts.Select(Fold).Distinct())
        {
            share += c switch
            {
                >= 'a' and <= 'z' => LetterShare[c - 'a'],
                ' ' => 150,
                < '\x80' => 5,
                _ => 0,
            };
        }

        return share;
    }

    // The last four chars in 64 bits. OR 0x20 folds ASCII upper case as Fold does (and merges a few other pairs of
    // chars): chars equal after Fold are equal after it, so a phrase occurrence always hits its gram.
    private static ulong Shift(ulong window, char c) => (window << 16) | (uint)(c | 0x20);

    private static int Hash(ulong window) => (int)((window * GramMultiplier) >> (64 - GramBits));

    // The same answer as the automaton: of the occurrences, the one that ends first, and of those the longest (the
    // earliest start). Starts are tried in order, each for its shortest phrase; a start after the best end less the
    // shortest phrase cannot end sooner.
    private int FindByGrams(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        var last = text.Length - _minLength;
        if (last < 0)
        {
            return -1;
        }

        var grams = _grams!;
        var window = 0UL;
        for (var i = 0; i < GramLength - 1; i++)
        {
            window = Shift(window, text[i]);
        }

        var bestStart = -1;
        var bestEnd = int.MaxValue;
        for (var i = GramLength - 1; i < text.Length; i++)
        {
            var start = i - (GramLength - 1);
            if (start > last)
            {
                break;
            }

            window = Shift(window, text[i]);
            var hash = Hash(window);
            if ((grams[hash >> 6] & (1UL << hash)) == 0)
            {
                continue;
            }

            var end = ShortestEnd(text, start, bestEnd);
            if (end > 0)
            {
                bestStart = start;
                bestEnd = end;
                last = end - _minLength - 1;
            }
        }

        if (bestStart >= 0)
        {
            length = bestEnd - bestStart;
        }

        return bestStart;
    }

    // The end (exclusive) of the shortest phrase at start if it ends before limit, else -1: the trie's own edges
    // from the root, no failure link.
    private int ShortestEnd(ReadOnlySpan<char> text, int start, int limit)
    {
        var node = 0;
        for (var k = start; k < text.Length && k + 1 < limit; k++)
        {
            node = Child(node, Fold(text[k]));
            if (node == 0)
            {
                return -1;
            }

            if ((_ends[node >> 6] & (1UL << node)) != 0)
            {
                return k + 1;
            }
        }

        return -1;
    }
}
