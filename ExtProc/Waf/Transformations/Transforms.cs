namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The SecLang transformations by name (<c>t:name</c>).</summary>
internal static class Transforms
{
    // Each transformation with its bound on the chars of its result (see MaskBounds).
    private static readonly Dictionary<string, (Func<string, string> Apply, MaskBound Bound)> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lowercase"] = (TextTransforms.Lowercase, MaskBounds.Lowercase),
        ["uppercase"] = (TextTransforms.Uppercase, MaskBounds.Unbounded),
        ["urlDecode"] = (Decoders.UrlDecode, MaskBounds.UrlDecode),
        ["urlDecodeUni"] = (Decoders.UrlDecodeUni, MaskBounds.UrlDecode),
        ["htmlEntityDecode"] = (Decoders.HtmlEntityDecode, MaskBounds.HtmlEntityDecode),
        ["jsDecode"] = (Decoders.JsDecode, MaskBounds.BackslashDecode),
        ["cssDecode"] = (Decoders.CssDecode, MaskBounds.BackslashDecode),
        ["escapeSeqDecode"] = (Decoders.EscapeSeqDecode, MaskBounds.BackslashDecode),

        // Only non-ASCII input changes, and its mask is All already.
        ["utf8toUnicode"] = (Decoders.Utf8ToUnicode, MaskBounds.Identity),
        ["base64Decode"] = (Decoders.Base64Decode, MaskBounds.Unbounded),
        ["base64DecodeExt"] = (Decoders.Base64DecodeExt, MaskBounds.Unbounded),
        ["hexDecode"] = (Decoders.HexDecode, MaskBounds.Unbounded),
        ["sqlHexDecode"] = (Decoders.SqlHexDecode, MaskBounds.SqlHexDecode),
        ["cmdLine"] = (TextTransforms.CmdLine, MaskBounds.CmdLine),
        ["compressWhitespace"] = (TextTransforms.CompressWhitespace, MaskBounds.CompressWhitespace),
        ["removeWhitespace"] = (TextTransforms.RemoveWhitespace, MaskBounds.RemoveWhitespace),

        // Every mask holds NUL: removing it changes no bound.
        ["removeNulls"] = (TextTransforms.RemoveNulls, MaskBounds.Identity),
        ["replaceNulls"] = (TextTransforms.ReplaceNulls, MaskBounds.ReplaceNulls),
        ["replaceComments"] = (TextTransforms.ReplaceComments, MaskBounds.ReplaceComments),
        ["removeCommentsChar"] = (TextTransforms.RemoveCommentsChar, MaskBounds.Identity),
        ["removeComments"] = (TextTransforms.RemoveComments, MaskBounds.Identity),
        ["normalizePath"] = (TextTransforms.NormalizePath, MaskBounds.NormalizePath),
        ["normalisePath"] = (TextTransforms.NormalizePath, MaskBounds.NormalizePath),
        ["normalizePathWin"] = (TextTransforms.NormalizePathWin, MaskBounds.NormalizePath),
        ["normalisePathWin"] = (TextTransforms.NormalizePathWin, MaskBounds.NormalizePath),
        ["trim"] = (TextTransforms.Trim, MaskBounds.Identity),
        ["trimLeft"] = (TextTransforms.TrimLeft, MaskBounds.Identity),
        ["trimRight"] = (TextTransforms.TrimRight, MaskBounds.Identity),
        ["length"] = (TextTransforms.Length, MaskBounds.Length),
        ["hexEncode"] = (TextTransforms.HexEncode, MaskBounds.HexEncode),
        ["urlEncode"] = (TextTransforms.UrlEncode, MaskBounds.Unbounded),
        ["sha1"] = (TextTransforms.Sha1, MaskBounds.Unbounded),
        ["md5"] = (TextTransforms.Md5, MaskBounds.Unbounded),
    };

    public static bool TryGet(string name, out Func<string, string> transform)
    {
        var known = ByName.TryGetValue(name, out var entry);
        transform = entry.Apply;
        return known;
    }

    /// <summary>The bound of transformation <paramref name="name"/> (see <see cref="MaskBounds"/>); unbounded when unknown.</summary>
    public static MaskBound BoundOf(string name) => ByName.TryGetValue(name, out var entry) ? entry.Bound : MaskBounds.Unbounded;
}

/// <summary>
/// A rule's transformation pipeline. Equal pipelines share one <see cref="Id"/> (assigned at load), so
/// a transaction caches each value's result per pipeline and rules with the same <c>t:</c> list reuse it.
/// A pipeline is its <see cref="Prefix"/> (all steps but the last, itself interned) plus the last step, so
/// pipelines that start alike (the CRS's XSS rules add one step to a shared six-step decoding) reuse the
/// cached result of the common part.
/// </summary>
internal sealed class TransformChain
{
    public static readonly TransformChain None = new(0, [], [], null);

    private readonly MaskBound[] _bounds;

    public TransformChain(int id, string[] names, Func<string, string>[] steps, TransformChain? prefix)
    {
        Id = id;
        Names = names;
        Steps = steps;
        Prefix = prefix ?? this;
        Stages = prefix is null ? [] : [.. prefix.Stages, this];
        _bounds = [.. names.Select(Transforms.BoundOf)];
    }

    public int Id { get; }

    /// <summary>The pipeline of all steps but the last (<see cref="None"/> for one step; itself for None).</summary>
    public TransformChain Prefix { get; }

    /// <summary>
    /// The pipelines of the first one, two ... all steps, in order (empty for None): the values a
    /// <c>multiMatch</c> rule is evaluated on, each cached like any pipeline's result.
    /// </summary>
    public TransformChain[] Stages { get; }

    public string[] Names { get; }

    public Func<string, string>[] Steps { get; }

    public string Key => string.Join(',', Names);

    /// <summary>The bound of the last step (see <see cref="MaskBounds"/>); null for <see cref="None"/>.</summary>
    public MaskBound? LastBound => _bounds.Length == 0 ? null : _bounds[^1];

    /// <summary>
    /// A superset of the chars of this pipeline's result on any value whose chars are <paramref name="input"/>
    /// (see <see cref="MaskBounds"/>): what a gate can test before the pipeline runs.
    /// </summary>
    public Operators.CharMask Bound(Operators.CharMask input)
    {
        foreach (var bound in _bounds)
        {
            input = bound.Apply(input);
        }

        return input;
    }
}
