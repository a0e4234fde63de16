using System.Globalization;
using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// The decoding transformations, byte-exact with ModSecurity v2 on Latin-1 text (one char per byte):
/// invalid encodings stay as they are, code points above a byte keep their low byte (full-width ASCII
/// U+FF01..U+FF5E maps to ASCII).
/// </summary>
internal static class Decoders
{
    public static string UrlDecode(string input) => UrlDecodeCore(input, unicode: false);

    public static string UrlDecodeUni(string input) => UrlDecodeCore(input, unicode: true);

    private static string UrlDecodeCore(string input, bool unicode)
    {
        var first = input.AsSpan().IndexOfAny('%', '+');
        if (first < 0)
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        output.Append(input, 0, first);
        var i = first;
        while (i < input.Length)
        {
            var c = input[i];
            if (c == '%')
            {
                if (unicode && i + 1 < input.Length && (input[i + 1] == 'u' || input[i + 1] == 'U'))
                {
                    if (i + 5 < input.Length && IsHex(input[i + 2]) && IsHex(input[i + 3]) && IsHex(input[i + 4]) && IsHex(input[i + 5]))
                    {
                        output.Append(WideToByte(input[i + 2], input[i + 3], input[i + 4], input[i + 5]));
                        i += 6;
                    }
                    else
                    {
                        output.Append(c);
                        i++;
                    }
                }
                else if (i + 2 < input.Length && IsHex(input[i + 1]) && IsHex(input[i + 2]))
                {
                    output.Append((char)((HexValue(input[i + 1]) << 4) | HexValue(input[i + 2])));
                    i += 3;
                }
                else
                {
                    output.Append(c);
                    i++;
                }
            }
            else
            {
                output.Append(c == '+' ? ' ' : c);
                i++;
            }
        }

        return output.ToString();
    }

    // %uHHHH and \uHHHH: the low byte, with full-width ASCII folded to ASCII.
    private static char WideToByte(char h1, char h2, char h3, char h4)
    {
        var low = (HexValue(h3) << 4) | HexValue(h4);
        if ((h1 == 'f' || h1 == 'F') && (h2 == 'f' || h2 == 'F') && low > 0x00 && low < 0x5f)
        {
            low += 0x20;
        }

        return (char)low;
    }

    public static string HtmlEntityDecode(string input)
    {
        if (!Begin(input, '&', out var output, out var i))
        {
            return input;
        }

        while (i < input.Length)
        {
            if (input[i] == '&' && i + 1 < input.Length && TryEntity(input, i + 1, out var decoded, out var next))
            {
                output.Append(decoded);
                i = next;
                continue;
            }

            output.Append(input[i]);
            i++;
        }

        return output.ToString();
    }

    private static bool TryEntity(string input, int j, out char decoded, out int next)
    {
        decoded = '\0';
        next = j;
        if (input[j] == '#')
        {
            j++;
            var hex = j < input.Length && (input[j] == 'x' || input[j] == 'X');
            if (hex)
            {
                j++;
            }

            var start = j;
            long value = 0;
            while (j < input.Length && (hex ? IsHex(input[j]) : char.IsAsciiDigit(input[j])))
            {
                value = Math.Min(hex ? (value << 4) | (long)HexValue(input[j]) : (value * 10) + (input[j] - '0'), int.MaxValue);
                j++;
            }

            if (j == start)
            {
                return false;
            }

            decoded = (char)(value & 0xff);
        }
        else
        {
            var start = j;
            while (j < input.Length && char.IsAsciiLetterOrDigit(input[j]))
            {
                j++;
            }

            if (j == start)
            {
                return false;
            }

            var name = input.AsSpan(start, j - start);
            if (name.Equals("quot", StringComparison.OrdinalIgnoreCase))
            {
                decoded = '"';
            }
            else if (name.Equals("amp", StringComparison.OrdinalIgnoreCase))
            {
                decoded = '&';
            }
            else if (name.Equals("lt", StringComparison.OrdinalIgnoreCase))
            {
                decoded = '<';
            }
            else if (name.Equals("gt", StringComparison.OrdinalIgnoreCase))
            {
                decoded = '>';
            }
            else if (name.Equals("nbsp", StringComparison.OrdinalIgnoreCase))
            {
                decoded = '\u00a0';
            }
            else
            {
                return false;
            }
        }

        if (j < input.Length && input[j] == ';')
        {
            j++;
        }

        next = j;
        return true;
    }

    public static string JsDecode(string input)
    {
        if (!Begin(input, '\\', out var output, out var i))
        {
            return input;
        }

        while (i < input.Length)
        {
            if (input[i] != '\\')
            {
                output.Append(input[i++]);
                continue;
            }

            if (i + 5 < input.Length && input[i + 1] == 'u' && IsHex(input[i + 2]) && IsHex(input[i + 3]) && IsHex(input[i + 4]) && IsHex(input[i + 5]))
            {
                output.Append(WideToByte(input[i + 2], input[i + 3], input[i + 4], input[i + 5]));
                i += 6;
            }
            else if (i + 3 < input.Length && input[i + 1] == 'x' && IsHex(input[i + 2]) && IsHex(input[i + 3]))
            {
                output.Append((char)((HexValue(input[i + 2]) << 4) | HexValue(input[i + 3])));
                i += 4;
            }
            else if (i + 1 < input.Length && IsOctal(input[i + 1]))
            {
                i = AppendOctal(input, i + 1, output);
            }
            else if (i + 1 < input.Length)
            {
                output.Append(input[i + 1] switch
                {
                    'a' => '\a',
                    'b' => '\b',
                    'f' => '\f',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\v',
                    var other => other,
                });
                i += 2;
            }
            else
            {
                output.Append('\\');
                i++;
            }
        }

        return output.ToString();
    }

    // Up to three octal digits, at most \377.
    private static int AppendOctal(string input, int start, StringBuilder output)
    {
        var j = start;
        var value = 0;
        var max = input[start] <= '3' ? 3 : 2;
        while (j < input.Length && j - start < max && IsOctal(input[j]))
        {
            value = (value * 8) + (input[j] - '0');
            j++;
        }

        output.Append((char)value);
        return j;
    }

    public static string CssDecode(string input)
    {
        if (!Begin(input, '\\', out var output, out var i))
        {
            return input;
        }

        while (i < input.Length)
        {
            if (input[i] != '\\')
            {
                output.Append(input[i++]);
                continue;
            }

            if (i + 1 >= input.Length)
            {
                i++;
                continue;
            }

            i++;
            var j = 0;
            while (j < 6 && i + j < input.Length && IsHex(input[i + j]))
            {
                j++;
            }

            if (j > 0)
            {
                output.Append(CssHex(input, i, j));
                i += j;
                if (i < input.Length && IsCSpace(input[i]))
                {
                    i++;
                }
            }
            else if (input[i] == '\n')
            {
                i++;
            }
            else
            {
                output.Append(input[i++]);
            }
        }

        return output.ToString();
    }

    private static char CssHex(string s, int i, int digits)
    {
        switch (digits)
        {
            case 1:
                return (char)HexValue(s[i]);
            case 2:
            case 3:
                return Byte(s, i + digits - 2);
            case 4:
                return FullWidth(Byte(s, i + 2), IsF(s[i]) && IsF(s[i + 1]));
            case 5:
                return FullWidth(Byte(s, i + 3), s[i] == '0' && IsF(s[i + 1]) && IsF(s[i + 2]));
            default:
                return FullWidth(Byte(s, i + 4), s[i] == '0' && s[i + 1] == '0' && IsF(s[i + 2]) && IsF(s[i + 3]));
        }

        static char Byte(string s, int at) => (char)((HexValue(s[at]) << 4) | HexValue(s[at + 1]));
        static bool IsF(char c) => c == 'f' || c == 'F';
        static char FullWidth(char c, bool fullWidth) => fullWidth && c > 0 && c < 0x5f ? (char)(c + 0x20) : c;
    }

    public static string EscapeSeqDecode(string input)
    {
        if (!Begin(input, '\\', out var output, out var i))
        {
            return input;
        }

        while (i < input.Length)
        {
            if (input[i] != '\\' || i + 1 >= input.Length)
            {
                output.Append(input[i++]);
                continue;
            }

            var next = input[i + 1];
            int c = next switch
            {
                'a' => '\a',
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\v',
                '\\' => '\\',
                '?' => '?',
                '\'' => '\'',
                '"' => '"',
                _ => -1,
            };
            if (c >= 0)
            {
                output.Append((char)c);
                i += 2;
            }
            else if ((next == 'x' || next == 'X') && i + 3 < input.Length && IsHex(input[i + 2]) && IsHex(input[i + 3]))
            {
                output.Append((char)((HexValue(input[i + 2]) << 4) | HexValue(input[i + 3])));
                i += 4;
            }
            else if (IsOctal(next))
            {
                i = AppendOctal(input, i + 1, output);
            }
            else
            {
                output.Append(next);
                i += 2;
            }
        }

        return output.ToString();
    }

    /// <summary>UTF-8 sequences become <c>%uHHHH</c> (lowercase hex); other bytes stay.</summary>
    public static string Utf8ToUnicode(string input)
    {
        var first = -1;
        for (var k = 0; k < input.Length; k++)
        {
            if (input[k] >= 0x80)
            {
                first = k;
                break;
            }
        }

        if (first < 0)
        {
            return input;
        }

        var output = new StringBuilder(input.Length + 16);
        output.Append(input, 0, first);
        var i = first;
        while (i < input.Length)
        {
            var c = input[i];
            int length;
            int codePoint;
            if (c < 0x80)
            {
                output.Append(c);
                i++;
                continue;
            }
            else if ((c & 0xe0) == 0xc0)
            {
                length = 2;
                codePoint = c & 0x1f;
            }
            else if ((c & 0xf0) == 0xe0)
            {
                length = 3;
                codePoint = c & 0x0f;
            }
            else if ((c & 0xf8) == 0xf0)
            {
                length = 4;
                codePoint = c & 0x07;
            }
            else
            {
                output.Append(c);
                i++;
                continue;
            }

            var valid = i + length <= input.Length;
            for (var k = 1; valid && k < length; k++)
            {
                var continuation = input[i + k];
                valid = (continuation & 0xc0) == 0x80;
                codePoint = (codePoint << 6) | (continuation & 0x3f);
            }

            if (!valid)
            {
                output.Append(c);
                i++;
                continue;
            }

            output.Append("%u");
            var hex = codePoint.ToString("x", CultureInfo.InvariantCulture);
            output.Append('0', Math.Max(0, 4 - hex.Length)).Append(hex);
            i += length;
        }

        return output.ToString();
    }

    /// <summary>Decodes up to the first character outside the Base64 alphabet (APR semantics).</summary>
    public static string Base64Decode(string input) => Base64(input, skipInvalid: false);

    /// <summary>Decodes, skipping characters outside the alphabet.</summary>
    public static string Base64DecodeExt(string input) => Base64(input, skipInvalid: true);

    private static string Base64(string input, bool skipInvalid)
    {
        var output = new StringBuilder(input.Length * 3 / 4);
        var buffer = 0;
        var bits = 0;
        foreach (var c in input)
        {
            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' or '-' => 62,
                '/' or '_' => 63,
                _ => -1,
            };
            if (value < 0)
            {
                if (skipInvalid)
                {
                    continue;
                }

                break;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output.Append((char)((buffer >> bits) & 0xff));
            }
        }

        return output.ToString();
    }

    public static string HexDecode(string input)
    {
        var output = new StringBuilder(input.Length / 2);
        for (var i = 0; i + 1 < input.Length; i += 2)
        {
            if (!IsHex(input[i]) || !IsHex(input[i + 1]))
            {
                break;
            }

            output.Append((char)((HexValue(input[i]) << 4) | HexValue(input[i + 1])));
        }

        return output.ToString();
    }

    public static string SqlHexDecode(string input)
    {
        var at = input.IndexOf("0x", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return input;
        }

        var output = new StringBuilder(input.Length);
        var i = 0;
        while (i < input.Length)
        {
            if (i + 3 < input.Length && input[i] == '0' && (input[i + 1] == 'x' || input[i + 1] == 'X') && IsHex(input[i + 2]) && IsHex(input[i + 3]))
            {
                i += 2;
                while (i + 1 < input.Length && IsHex(input[i]) && IsHex(input[i + 1]))
                {
                    output.Append((char)((HexValue(input[i]) << 4) | HexValue(input[i + 1])));
                    i += 2;
                }
            }
            else
            {
                output.Append(input[i++]);
            }
        }

        return output.ToString();
    }

    // Most values hold no escape: they are returned as they are; otherwise decoding starts at the first one.
    private static bool Begin(string input, char escape, out StringBuilder output, out int first)
    {
        first = input.IndexOf(escape, StringComparison.Ordinal);
        if (first < 0)
        {
            output = null!;
            return false;
        }

        output = new StringBuilder(input.Length);
        output.Append(input, 0, first);
        return true;
    }

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    public static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
