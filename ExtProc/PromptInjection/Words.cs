namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>A word of a folded text and where it starts.</summary>
internal readonly record struct Word(string Text, int Offset);

/// <summary>Splits folded text into words: runs of letters, digits and apostrophes.</summary>
internal static class Words
{
    public static List<Word> Split(string text)
    {
        var words = new List<Word>();
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
                words.Add(new Word(text[start..i], start));
                start = -1;
            }
        }

        return words;
    }
}
