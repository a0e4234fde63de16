using System.Globalization;
using System.Net;
using System.Text;

namespace EnvoyGovern.Tests.Waf.Detection;

/// <summary>
/// Just enough of the SecLang transformations the detection rules apply (urlDecodeUni,
/// htmlEntityDecode, jsDecode, removeNulls) to feed the detectors what the engine would; the engine's
/// own transformations are tested with the engine.
/// </summary>
internal static class CrsTransforms
{
    /// <summary>How the request body parser decodes a form field: '+' is a space, then %XX.</summary>
    public static string FormDecode(string value) => UrlDecodeUni(value.Replace('+', ' '));

    /// <summary>t:urlDecodeUni,t:removeNulls (the SQLi rules).</summary>
    public static string ForSqli(string value) => UrlDecodeUni(value).Replace("\0", string.Empty, StringComparison.Ordinal);

    /// <summary>t:urlDecodeUni,t:htmlEntityDecode,t:jsDecode,t:removeNulls (the XSS rules).</summary>
    public static string ForXss(string value) =>
        JsDecode(WebUtility.HtmlDecode(UrlDecodeUni(value))).Replace("\0", string.Empty, StringComparison.Ordinal);

    private static string UrlDecodeUni(string value)
    {
        var output = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 5 < value.Length + 0 && (value[i + 1] is 'u' or 'U') && IsHex(value.AsSpan(i + 2, 4)))
            {
                output.Append((char)int.Parse(value.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else if (value[i] == '%' && i + 2 < value.Length && IsHex(value.AsSpan(i + 1, 2)))
            {
                output.Append((char)int.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                output.Append(value[i]);
            }
        }

        return output.ToString();
    }

    private static string JsDecode(string value)
    {
        var output = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                output.Append(value[i + 1]);
                i++;
            }
            else
            {
                output.Append(value[i]);
            }
        }

        return output.ToString();
    }

    private static bool IsHex(ReadOnlySpan<char> digits)
    {
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
