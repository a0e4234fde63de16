using System.Net;
using System.Security.Cryptography;
using System.Text;
using EnvoyGovern.ExtProc.Waf.Transformations;
using EnvoyGovern.TestSupport;

namespace EnvoyGovern.Tests.Waf;

/// <summary>
/// Inputs for comparing transformations with a reference: every line of the CRS regression YAML as written,
/// URL-decoded once and twice, its UTF-8 bytes as Latin-1 chars (the engine's one char per byte), plus edge cases.
/// </summary>
internal static class TransformationCorpus
{
    /// <summary>Every transformation the engine knows, by its SecLang name.</summary>
    public static readonly string[] Names =
    [
        "lowercase", "uppercase", "urlDecode", "urlDecodeUni", "htmlEntityDecode", "jsDecode", "cssDecode", "escapeSeqDecode",
        "utf8toUnicode", "base64Decode", "base64DecodeExt", "hexDecode", "sqlHexDecode", "cmdLine", "compressWhitespace",
        "removeWhitespace", "removeNulls", "replaceNulls", "replaceComments", "removeCommentsChar", "removeComments",
        "normalizePath", "normalizePathWin", "trim", "trimLeft", "trimRight", "length", "hexEncode", "urlEncode", "sha1", "md5",
    ];

    private static readonly string[] EdgeCases =
    [
        string.Empty, " ", "\t\n\v\f\r \u00a0", "%", "%2", "%zz", "%%41", "%u", "%u12", "%u004", "%u0041", "%uff1c", "%UFF01", "%uFFFF",
        "+", "a+b%20c", "&", "&;", "&#", "&#x", "&#x41", "&#65", "&lt", "&LT;", "&nbsp", "&amp;amp;", "&#99999999999;", "&#x1F600;",
        "\u00e9\u00c9\u00ff\u0100\uffff", "\u00c3\u00a9\u00e2\u0082\u00ac\u00f0\u009f\u0098\u0080", "\0a\0", "/* x */", "/*", "*/", "<!-- x -->",
        "--", "-->", "#", "a  b", "a \t b", " a ", "a\u00a0\u00a0b", "C^at /ETC/\"pass\"wd ; ls", "a /b (c", " /", "  (", ",;\t\r\n",
        "\\x41\\u0041\\101\\n\\", "\\6a avascript\\:", "\\", "0x414243", "x'4142'", "YWRtaW4=", "YW Rt aW4", "-_+/", "../..", "/./", "//",
        "c:\\a\\..\\win.ini", "..", ".", "/", "a/", "a/.", "a/..", "ABCxyz0189", "\u00c3", "\u00c3(", "\u00e0\u0080",
    ];

    private static List<string>? s_inputs;

    public static IReadOnlyList<string> Inputs => s_inputs ??= Load();

    /// <summary>A digest of the transformation's result over every input, in order.</summary>
    public static string Digest(string name)
    {
        Assert.True(Transforms.TryGet(name, out var transform), name);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var input in Inputs)
        {
            var output = transform(input);
            hash.AppendData(Utf16(output));
            hash.AppendData([0xff, 0xfe, 0xfd]);
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16];
    }

    private static byte[] Utf16(string value) => Encoding.Unicode.GetBytes(value);

    private static List<string> Load()
    {
        var values = new HashSet<string>(EdgeCases, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(Path.Combine(RepoPaths.Crs, "tests"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var line in File.ReadLines(file))
            {
                var trimmed = line.Trim();
                var once = WebUtility.UrlDecode(trimmed);
                foreach (var value in new[] { trimmed, once, WebUtility.UrlDecode(once) })
                {
                    values.Add(value);
                    values.Add(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(value)));
                }
            }
        }

        // A set's order is not defined: the digest needs a fixed one.
        return [.. values.Order(StringComparer.Ordinal)];
    }
}
