using System.Text;

namespace EnvoyGovern.ExtProc.PromptInjection;

/// <summary>
/// Folds the look-alike letters used to slip phrases past filters into lower-case ASCII: full-width
/// forms, mathematical alphanumerics (bold, italic, script ...), circled letters, and the Cyrillic and
/// Greek letters that look Latin. Written out because the service runs with invariant globalization,
/// where <c>string.Normalize</c> does not apply compatibility mappings.
/// </summary>
internal static class Confusables
{
    // Cyrillic and Greek letters drawn like Latin ones.
    private const string LookAlikes = "аa еe оo рp сc уy хx іi ѕs јj ԁd һh ԛq ԝw ѵv οo αa εe ιi κk νv ρp τt υu χx";

    private static readonly Dictionary<char, char> Letters = LookAlikes.Split(' ').ToDictionary(p => p[0], p => p[1]);

    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // ASCII has no look-alike to fold (every mapping starts above U+007F): lower case is all there is.
        // Most prompts are ASCII, and this is one vectorized pass instead of a lookup per character.
        var firstNonAscii = text.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        if (firstNonAscii < 0)
        {
            return text.ToLowerInvariant();
        }

        var folded = new StringBuilder(text.Length);
        folded.Append(text, 0, firstNonAscii);
        for (var i = firstNonAscii; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var code = char.ConvertToUtf32(c, text[i + 1]);
                if (Mathematical(code) is { } ascii)
                {
                    folded.Append(ascii);
                    i++;
                    continue;
                }
            }

            folded.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFF01 + 0x21),
                '\u3000' => ' ',
                >= '\u24B6' and <= '\u24CF' => (char)('a' + (c - 0x24B6)),
                >= '\u24D0' and <= '\u24E9' => (char)('a' + (c - 0x24D0)),
                _ => Letters.TryGetValue(char.ToLowerInvariant(c), out var latin) ? latin : char.ToLowerInvariant(c),
            });
        }

        return folded.ToString().ToLowerInvariant();
    }

    // U+1D400..U+1D6A3: thirteen styles of A-Z a-z; U+1D7CE..U+1D7FF: five styles of 0-9.
    private static char? Mathematical(int code) => code switch
    {
        >= 0x1D400 and <= 0x1D6A3 => (code - 0x1D400) % 52 is var k && k < 26 ? (char)('a' + k) : (char)('a' + k - 26),
        >= 0x1D7CE and <= 0x1D7FF => (char)('0' + ((code - 0x1D7CE) % 10)),
        _ => null,
    };
}
