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
    // Every computed mask holds NUL (see CharMask), so a constant bound holds it too and a test for it always passes.
    private static readonly CharMask Nul = new(1, 0);
    private static readonly CharMask Whitespace = Of(" \t\n\v\f\r");
    private static readonly CharMask Space = Of(" ");
    private static readonly CharMask Slash = Of("/");

    private static readonly MaskBound Identity = new();

    private static readonly Dictionary<string, MaskBound> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lowercase"] = new() { Lower = true },

        // '+' becomes a space; any %-escape may become any char.
        ["urlDecode"] = new() { Trigger = Of("%"), AddIf = Of("+"), Add = Space },
        ["urlDecodeUni"] = new() { Trigger = Of("%"), AddIf = Of("+"), Add = Space },
        ["htmlEntityDecode"] = new() { Trigger = Of("&") },
        ["jsDecode"] = new() { Trigger = Of("\\") },
        ["cssDecode"] = new() { Trigger = Of("\\") },
        ["escapeSeqDecode"] = new() { Trigger = Of("\\") },

        // Only non-ASCII input changes, and its mask is All already.
        ["utf8toUnicode"] = Identity,

        // Only a "0x" changes the value.
        ["sqlHexDecode"] = new() { Trigger = Of("0") },

        // Lower-cased; quotes, backslash and caret deleted; spaces, commas, semicolons and line breaks become single spaces.
        ["cmdLine"] = new() { Lower = true, Remove = Of("\"'\\^,;\t\r\n"), AddIf = Of(" ,;\t\r\n"), Add = Space },
        ["compressWhitespace"] = new() { AddIf = Whitespace, Add = Space },
        ["removeWhitespace"] = new() { Remove = Whitespace },

        // Every mask holds NUL: removing it changes no bound, replacing it may add a space.
        ["removeNulls"] = Identity,
        ["replaceNulls"] = new() { AddIf = Nul, Add = Space },

        // A comment needs a '*'; it becomes one space.
        ["replaceComments"] = new() { AddIf = Of("*"), Add = Space },

        // These only delete chars; resolving a path may also leave a slash ("." and ".." become "../" or the root).
        ["removeCommentsChar"] = Identity,
        ["removeComments"] = Identity,
        ["normalizePath"] = new() { AddIf = Of("/\\."), Add = Slash },
        ["normalisePath"] = new() { AddIf = Of("/\\."), Add = Slash },
        ["normalizePathWin"] = new() { AddIf = Of("/\\."), Add = Slash },
        ["normalisePathWin"] = new() { AddIf = Of("/\\."), Add = Slash },
        ["trim"] = Identity,
        ["trimLeft"] = Identity,
        ["trimRight"] = Identity,
        ["length"] = new() { Constant = Of("0123456789").Union(Nul) },
        ["hexEncode"] = new() { Constant = Of("0123456789abcdef").Union(Nul) },
    };

    /// <summary>
    /// The bound of transformation <paramref name="name"/>; one that bounds nothing (always <see cref="CharMask.All"/>)
    /// for a transformation whose result chars do not follow from its input's (base64, hex, digests, URL encoding).
    /// </summary>
    public static MaskBound For(string name) => ByName.TryGetValue(name, out var bound) ? bound : new MaskBound { Constant = CharMask.All };

    private static CharMask Of(string chars)
    {
        var mask = default(CharMask);
        foreach (var c in chars)
        {
            mask = mask.Union(CharMask.Single(c));
        }

        return mask;
    }
}

/// <summary>
/// One transformation's bound (see <see cref="MaskBounds"/>) in a form that costs a few bit operations: a constant,
/// or All when the input holds a <see cref="Trigger"/> char, else the input lower-cased if <see cref="Lower"/>, without
/// <see cref="Remove"/>, plus <see cref="Add"/> when it holds an <see cref="AddIf"/> char. NUL is never removed (every
/// computed mask holds it), and <see cref="CharMask.All"/> (a non-ASCII char) always stays All.
/// </summary>
internal sealed class MaskBound
{
    /// <summary>When not none, the bound whatever the input (All included).</summary>
    public CharMask Constant { get; init; }

    public CharMask Trigger { get; init; }

    public bool Lower { get; init; }

    public CharMask Remove { get; init; }

    public CharMask AddIf { get; init; }

    public CharMask Add { get; init; }

    public CharMask Apply(CharMask input)
    {
        if (!Constant.IsNone)
        {
            return Constant;
        }

        if ((input.Lo & input.Hi) == ulong.MaxValue || input.Overlaps(Trigger))
        {
            return CharMask.All;
        }

        var result = Lower ? input.LowerCase() : input;
        result = new CharMask(result.Lo & ~(Remove.Lo & ~1UL), result.Hi & ~Remove.Hi);
        return input.Overlaps(AddIf) ? result.Union(Add) : result;
    }
}
