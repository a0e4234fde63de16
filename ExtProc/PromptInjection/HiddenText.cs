using System.Text;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>Invisible characters found in a text: how many, whether a bidi override is among them, the first's offset.</summary>
internal readonly record struct InvisibleCharacters(int Count, bool BidiOverride, int Offset);

/// <summary>Text hidden in Unicode tag characters (U+E0000 to U+E007F), decoded to ASCII, and where it starts.</summary>
internal readonly record struct HiddenPart(string Text, int Offset)
{
    public int Length => Text.Length;
}

/// <summary>
/// Separates what a reader sees from what a model may still read: tag characters carry ASCII text no
/// one sees ("ASCII smuggling"), zero-width and bidi controls hide or reorder words.
/// </summary>
internal static class HiddenText
{
    public static (string Visible, HiddenPart Hidden, InvisibleCharacters Invisible) Split(string text)
    {
        StringBuilder? visible = null;
        StringBuilder? hidden = null;
        var hiddenAt = -1;
        var invisible = 0;
        var invisibleAt = -1;
        var bidiOverride = false;

        // Every invisible character and every surrogate lies at U+00AD or above: text below it (ASCII,
        // Latin-1) is visible as it is, found by one vectorized search.
        var first = text.AsSpan().IndexOfAnyExceptInRange('\0', '\u00AC');
        if (first < 0)
        {
            return (text, new HiddenPart(string.Empty, -1), new InvisibleCharacters(0, false, -1));
        }

        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var code = char.ConvertToUtf32(c, text[i + 1]);
                if (code is >= 0xE0000 and <= 0xE007F)
                {
                    visible ??= new StringBuilder(text, 0, i, text.Length);
                    (hidden ??= new StringBuilder()).Append(code is >= 0xE0020 and <= 0xE007E ? (char)(code - 0xE0000) : ' ');
                    hiddenAt = hiddenAt < 0 ? i : hiddenAt;
                    i++;
                    continue;
                }
            }

            if (IsInvisible(c))
            {
                visible ??= new StringBuilder(text, 0, i, text.Length);
                invisible++;
                invisibleAt = invisibleAt < 0 ? i : invisibleAt;
                bidiOverride |= c is '\u202D' or '\u202E';
                continue;
            }

            visible?.Append(c);
        }

        return (visible?.ToString() ?? text, new HiddenPart(hidden?.ToString() ?? string.Empty, hiddenAt), new InvisibleCharacters(invisible, bidiOverride, invisibleAt));
    }

    // Zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi embeddings, overrides and isolates.
    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' or '\u180E'
        or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\u200E' or '\u200F';
}
