namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// A word of a folded text and where it starts. <see cref="Text"/> is the word when the phrase rules know
/// it, else empty: no rule reads a word it does not know, and most words of a prompt are such words.
/// </summary>
internal readonly record struct Word(string Text, int Offset);

/// <summary>Splits folded text into words: runs of letters, digits and apostrophes.</summary>
internal static class Words
{
    // One list per thread, reused: a 4 KB prompt has some 700 words, and the list is read only until the
    // rules return (see PromptInjectionDetector.Phrases), never kept.
    [ThreadStatic]
    private static List<Word>? t_words;

    /// <summary>
    /// The words of <paramref name="text"/>; those not in <paramref name="known"/> have empty text (no string
    /// made for them). The list is the calling thread's, valid until its next call.
    /// </summary>
    public static List<Word> Split(string text, System.Collections.Frozen.FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> known)
    {
        // A list grown by a huge text is not kept for ever: the next call starts a fresh one.
        var words = t_words is { Capacity: <= 4096 } cached ? cached : t_words = [];
        words.Clear();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(new Word(known.TryGetValue(text.AsSpan(start, i - start), out var word) ? word : string.Empty, start));
                start = -1;
            }
        }

        return words;
    }
}
