using System.Globalization;
using System.Text;

namespace EnvoyGovern.Tests.Waf.Crs;

/// <summary>
/// What go-ftw puts on the wire for a test's fields (its <c>BuildRequest</c>): with autocompletion and
/// data, a form Content-Type when none is given and the form data URL-encoded when it is not already;
/// multipart data with CRLF line ends; <c>Connection: close</c>; a Content-Length for data or body methods.
/// </summary>
internal static class GoFtw
{
    private const string Form = "application/x-www-form-urlencoded";

    public static byte[] Complete(CrsTestCase test, List<KeyValuePair<string, byte[]>> headers)
    {
        var data = test.Data;
        if (data.Length > 0 && test.AutocompleteHeaders)
        {
            if (Get(headers, "content-type") is null)
            {
                headers.Add(new("Content-Type", Encoding.ASCII.GetBytes(Form)));
            }

            if (Get(headers, "content-type") == Form)
            {
                data = EncodeForm(data);
            }
        }

        if (Get(headers, "content-type") is { } type && type.StartsWith("multipart/form-data;", StringComparison.Ordinal))
        {
            data = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(data).Replace("\n", "\r\n", StringComparison.Ordinal));
        }

        if (test.AutocompleteHeaders)
        {
            if (Get(headers, "connection") is null)
            {
                headers.Add(new("Connection", "close"u8.ToArray()));
            }

            var method = test.Method;
            var bodyMethod = method.StartsWith("POST", StringComparison.Ordinal) || method.Contains("PUT", StringComparison.Ordinal)
                || method.Contains("PATCH", StringComparison.Ordinal) || method.EndsWith("DELETE", StringComparison.Ordinal);
            if ((data.Length > 0 || bodyMethod) && Get(headers, "content-length") is null)
            {
                headers.Add(new("Content-Length", Encoding.ASCII.GetBytes(data.Length.ToString(CultureInfo.InvariantCulture))));
            }
        }

        return data;
    }

    private static string? Get(List<KeyValuePair<string, byte[]>> headers, string name)
    {
        foreach (var (key, value) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return Encoding.Latin1.GetString(value);
            }
        }

        return null;
    }

    // Only when unescaping changes nothing (the data is not encoded yet): each key and value QueryEscape'd.
    private static byte[] EncodeForm(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        if (!TryQueryUnescape(text, out var unescaped) || unescaped != text)
        {
            return data;
        }

        var parts = new List<string>();
        foreach (var token in text.Split('&'))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            parts.Add(equals < 0 ? QueryEscape(token) : QueryEscape(token[..equals]) + "=" + QueryEscape(token[(equals + 1)..]));
        }

        return Encoding.ASCII.GetBytes(string.Join('&', parts));
    }

    private static bool TryQueryUnescape(string text, out string result)
    {
        var bytes = new List<byte>();
        var raw = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%')
            {
                if (i + 2 >= raw.Length || !Uri.IsHexDigit((char)raw[i + 1]) || !Uri.IsHexDigit((char)raw[i + 2]))
                {
                    result = string.Empty;
                    return false;
                }

                bytes.Add(Convert.ToByte(Encoding.ASCII.GetString(raw, i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add(raw[i] == '+' ? (byte)' ' : raw[i]);
            }
        }

        result = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }

    private static string QueryEscape(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else if (b == ' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
