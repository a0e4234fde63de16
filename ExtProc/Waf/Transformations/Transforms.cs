namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The SecLang transformations by name (<c>t:name</c>).</summary>
internal static class Transforms
{
    private static readonly Dictionary<string, Func<string, string>> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lowercase"] = TextTransforms.Lowercase,
        ["uppercase"] = TextTransforms.Uppercase,
        ["urlDecode"] = Decoders.UrlDecode,
        ["urlDecodeUni"] = Decoders.UrlDecodeUni,
        ["htmlEntityDecode"] = Decoders.HtmlEntityDecode,
        ["jsDecode"] = Decoders.JsDecode,
        ["cssDecode"] = Decoders.CssDecode,
        ["escapeSeqDecode"] = Decoders.EscapeSeqDecode,
        ["utf8toUnicode"] = Decoders.Utf8ToUnicode,
        ["base64Decode"] = Decoders.Base64Decode,
        ["base64DecodeExt"] = Decoders.Base64DecodeExt,
        ["hexDecode"] = Decoders.HexDecode,
        ["sqlHexDecode"] = Decoders.SqlHexDecode,
        ["cmdLine"] = TextTransforms.CmdLine,
        ["compressWhitespace"] = TextTransforms.CompressWhitespace,
        ["removeWhitespace"] = TextTransforms.RemoveWhitespace,
        ["removeNulls"] = TextTransforms.RemoveNulls,
        ["replaceNulls"] = TextTransforms.ReplaceNulls,
        ["replaceComments"] = TextTransforms.ReplaceComments,
        ["removeCommentsChar"] = TextTransforms.RemoveCommentsChar,
        ["removeComments"] = TextTransforms.RemoveComments,
        ["normalizePath"] = TextTransforms.NormalizePath,
        ["normalisePath"] = TextTransforms.NormalizePath,
        ["normalizePathWin"] = TextTransforms.NormalizePathWin,
        ["normalisePathWin"] = TextTransforms.NormalizePathWin,
        ["trim"] = TextTransforms.Trim,
        ["trimLeft"] = TextTransforms.TrimLeft,
        ["trimRight"] = TextTransforms.TrimRight,
        ["length"] = TextTransforms.Length,
        ["hexEncode"] = TextTransforms.HexEncode,
        ["urlEncode"] = TextTransforms.UrlEncode,
        ["sha1"] = TextTransforms.Sha1,
        ["md5"] = TextTransforms.Md5,
    };

    public static bool TryGet(string name, out Func<string, string> transform) => ByName.TryGetValue(name, out transform!);
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
        _bounds = [.. names.Select(MaskBounds.For)];
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
