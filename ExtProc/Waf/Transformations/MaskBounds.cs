using EnvoyGovern.ExtProc.Waf.Operators;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// The transformations' bounds, each registered with its transformation in <see cref="Transforms"/>. Per
/// transformation, a bound on the chars of its result from the chars of its input alone: for every value
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

    /// <summary>The result's chars are within the input's: the step only deletes or keeps (trim, removeNulls ...).</summary>
    public static readonly MaskBound Identity = new();

    /// <summary>Bounds nothing: the result's chars do not follow from the input's (base64, hex, digests, URL encoding).</summary>
    public static readonly MaskBound Unbounded = new() { Constant = CharMask.All };

    public static readonly MaskBound Lowercase = new() { Lower = true };

    /// <summary>'+' becomes a space; any %-escape may become any char.</summary>
    public static readonly MaskBound UrlDecode = new() { Trigger = Of("%"), AddIf = Of("+"), Add = Space };

    public static readonly MaskBound HtmlEntityDecode = new() { Trigger = Of("&") };

    /// <summary>jsDecode, cssDecode, escapeSeqDecode: only a backslash starts an escape.</summary>
    public static readonly MaskBound BackslashDecode = new() { Trigger = Of("\\") };

    /// <summary>Only a "0x" changes the value.</summary>
    public static readonly MaskBound SqlHexDecode = new() { Trigger = Of("0") };

    /// <summary>Lower-cased; quotes, backslash and caret deleted; spaces, commas, semicolons and line breaks become single spaces.</summary>
    public static readonly MaskBound CmdLine = new() { Lower = true, Remove = Of("\"'\\^,;\t\r\n"), AddIf = Of(" ,;\t\r\n"), Add = Space };

    public static readonly MaskBound CompressWhitespace = new() { AddIf = Whitespace, Add = Space };

    public static readonly MaskBound RemoveWhitespace = new() { Remove = Whitespace };

    /// <summary>Every mask holds NUL, so a NUL may always have been replaced by a space.</summary>
    public static readonly MaskBound ReplaceNulls = new() { AddIf = Nul, Add = Space };

    /// <summary>A comment needs a '*'; it becomes one space.</summary>
    public static readonly MaskBound ReplaceComments = new() { AddIf = Of("*"), Add = Space };

    /// <summary>Resolving a path deletes chars and may leave a slash ("." and ".." become "../" or the root).</summary>
    public static readonly MaskBound NormalizePath = new() { AddIf = Of("/\\."), Add = Slash };

    public static readonly MaskBound Length = new() { Constant = Of("0123456789").Union(Nul) };

    public static readonly MaskBound HexEncode = new() { Constant = Of("0123456789abcdef").Union(Nul) };

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

        if (input == CharMask.All || input.Overlaps(Trigger))
        {
            return CharMask.All;
        }

        var result = Lower ? input.LowerCase() : input;
        result = new CharMask(result.Lo & ~(Remove.Lo & ~1UL), result.Hi & ~Remove.Hi);
        return input.Overlaps(AddIf) ? result.Union(Add) : result;
    }
}
