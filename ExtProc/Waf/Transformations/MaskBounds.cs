using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// Per transformation, a bound on the chars of its result from the chars of its input alone: for every value
/// <c>v</c>, <c>CharMask.Of(t(v))</c> is a subset of <c>Bound(CharMask.Of(v))</c>, and a larger input mask never
/// gives a smaller bound. A gate (which asks for chars, so passes no value that a larger mask fails) that rejects
/// the bound rejects the transformed value too: the engine can rule a rule out without running its pipeline.
/// A value with a non-ASCII char has the mask <see cref="CharMask.All"/>, and every bound keeps <c>All</c> as it is;
/// a step that may produce a non-ASCII char from ASCII input (the decoders, once their escape char is present)
/// bounds to <c>All</c>.
/// </summary>
internal static class MaskBounds
{
    private static readonly CharMask Whitespace = Of(" \t\n\v\f\r");
    private static readonly CharMask Space = CharMask.Single(' ');
    private static readonly CharMask CmdLineDeleted = Of("\"'\\^,;\t\r\n");
    private static readonly CharMask CmdLineSpaces = Of(" ,;\t\r\n");
    private static readonly CharMask Digits = Of("0123456789");
    private static readonly CharMask HexDigits = Of("0123456789abcdef");

    private static readonly Dictionary<string, Func<CharMask, CharMask>> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lowercase"] = static m => m.LowerCase(),
        ["uppercase"] = static m => m.Union(new CharMask(0, (m.Hi >> 32) & 0x07FF_FFFEUL)),
        ["urlDecode"] = UrlDecode,
        ["urlDecodeUni"] = UrlDecode,
        ["htmlEntityDecode"] = static m => Escaped(m, '&'),
        ["jsDecode"] = static m => Escaped(m, '\\'),
        ["cssDecode"] = static m => Escaped(m, '\\'),
        ["escapeSeqDecode"] = static m => Escaped(m, '\\'),

        // Only non-ASCII input changes, and its mask is All already.
        ["utf8toUnicode"] = static m => m,
        ["sqlHexDecode"] = static m => Has(m, '0') && (Has(m, 'x') || Has(m, 'X')) ? CharMask.All : m,
        ["cmdLine"] = CmdLine,
        ["compressWhitespace"] = static m => m.Overlaps(Whitespace) ? m.Union(Space) : m,
        ["removeWhitespace"] = static m => Without(m, Whitespace),

        // The mask always holds NUL: removing it changes no bound.
        ["removeNulls"] = static m => m,
        ["replaceNulls"] = static m => m.Union(Space),
        ["replaceComments"] = static m => Has(m, '/') && Has(m, '*') ? m.Union(Space) : m,

        // These only delete chars; resolving a path may also leave a slash ("." and ".." become the root).
        ["removeCommentsChar"] = static m => m,
        ["removeComments"] = static m => m,
        ["normalizePath"] = Path,
        ["normalisePath"] = Path,
        ["normalizePathWin"] = Path,
        ["normalisePathWin"] = Path,
        ["trim"] = static m => m,
        ["trimLeft"] = static m => m,
        ["trimRight"] = static m => m,
        ["length"] = static _ => Digits,
        ["hexEncode"] = static _ => HexDigits,
    };

    /// <summary>
    /// The bound of transformation <paramref name="name"/>, or one that bounds nothing (<see cref="CharMask.All"/>)
    /// for a transformation whose result chars do not follow from its input's (base64, hex, digests, URL encoding).
    /// </summary>
    public static Func<CharMask, CharMask> For(string name) => ByName.TryGetValue(name, out var bound) ? Keep(bound) : static _ => CharMask.All;

    // All stays All: a non-ASCII char may survive any step, and the gates pass All.
    private static Func<CharMask, CharMask> Keep(Func<CharMask, CharMask> bound) => m => m == CharMask.All ? CharMask.All : bound(m);

    // '+' becomes a space; any %-escape may become any char.
    private static CharMask UrlDecode(CharMask m) => Has(m, '%') ? CharMask.All : Has(m, '+') ? m.Union(Space) : m;

    // A value without a slash, backslash or dot is returned as it is.
    private static CharMask Path(CharMask m) => Has(m, '/') || Has(m, '\\') || Has(m, '.') ? m.Union(CharMask.Single('/')) : m;

    private static CharMask Escaped(CharMask m, char escape) => Has(m, escape) ? CharMask.All : m;

    // Lower-cased; quotes, backslash and caret deleted; spaces, commas, semicolons and line breaks become single spaces.
    private static CharMask CmdLine(CharMask m)
    {
        var bound = Without(m.LowerCase(), CmdLineDeleted);
        return m.Overlaps(CmdLineSpaces) ? bound.Union(Space) : bound;
    }

    private static bool Has(CharMask m, char c) => m.Overlaps(CharMask.Single(c));

    // Without the chars of drop, keeping NUL (every computed mask holds it).
    private static CharMask Without(CharMask m, CharMask drop) => new(m.Lo & ~(drop.Lo & ~1UL), m.Hi & ~drop.Hi);

    // With NUL, as every computed mask.
    private static CharMask Of(string chars)
    {
        var mask = new CharMask(1, 0);
        foreach (var c in chars)
        {
            mask = mask.Union(CharMask.Single(c));
        }

        return mask;
    }
}
