using System.Collections.Frozen;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>What the phrase rules may read a word as; a word can be several (e.g. "your" qualifies and is asked about).</summary>
[Flags]
internal enum WordKinds : ushort
{
    None = 0,
    OverrideVerb = 1,
    StrongObject = 2,
    WeakObject = 4,
    AnyQualifier = 8,
    BackQualifier = 16,
    LeakVerb = 32,
    LeakTarget = 64,
    JailbreakStart = 128,
    PersonaStart = 256,
}

/// <summary>
/// A word of a folded text and where it starts. <see cref="Text"/> is the word when the phrase rules know
/// it, else empty: no rule reads a word it does not know, and most words of a prompt are such words.
/// <see cref="Kinds"/> says which of the rules' word sets hold it, so the rules test a flag instead of
/// hashing the word again for every set they ask about.
/// </summary>
internal readonly record struct Word(string Text, int Offset, WordKinds Kinds);

/// <summary>A word of the phrase rules' vocabulary and the sets that hold it.</summary>
internal readonly record struct KnownWord(string Text, WordKinds Kinds);

/// <summary>Splits folded text into words: runs of letters, digits and apostrophes.</summary>
internal static class Words
{
    // One list per thread, reused: a 4 KB prompt has some 700 words, and the list is read only until the
    // rules return (see PromptInjectionDetector.Phrases), never kept.
    [ThreadStatic]
    private static List<Word>? t_words;

    /// <summary>
    /// The words of <paramref name="text"/>; those not in <paramref name="known"/> have empty text and no kinds
    /// (no string made for them). The list is the calling thread's, valid until its next call.
    /// </summary>
    public static List<Word> Split(string text, FrozenDictionary<string, KnownWord>.AlternateLookup<ReadOnlySpan<char>> known)
    {
        // A list grown by a huge text is not kept for ever: the next call starts a fresh one.
        var words = t_words is { Capacity: <= 4096 } cached ? cached : t_words = [];
        words.Clear();
        var span = text.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            if (!IsWordCharacter(span[i]))
            {
                continue;
            }

            var start = i;
            while (i + 1 < span.Length && IsWordCharacter(span[i + 1]))
            {
                i++;
            }

            var word = span[start..(i + 1)];
            words.Add(known.TryGetValue(word, out var entry) ? new Word(entry.Text, start, entry.Kinds) : new Word(string.Empty, start, WordKinds.None));
        }

        return words;
    }

    // Words are short: a test per character is cheaper here than a vectorized search per word. ASCII letters
    // and digits are decided without a call; the rest as char.IsLetterOrDigit decides.
    private static bool IsWordCharacter(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || (uint)(c - '0') <= 9 || c == '\'' || (c >= 0x80 && char.IsLetterOrDigit(c));
}
