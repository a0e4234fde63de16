using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>
/// The decoding transformations, byte-exact with ModSecurity v2 on Latin-1 text (one char per byte):
/// invalid encodings stay as they are, code points above a byte keep their low byte (full-width ASCII
/// U+FF01..U+FF5E maps to ASCII).
/// </summary>
internal static partial class Decoders
{
    public static string UrlDecode(string input) => UrlDecodeCore(input, unicode: false);

    public static string UrlDecodeUni(string input) => UrlDecodeCore(input, unicode: true);

    private static string UrlDecodeCore(string input, bool unicode)
    {
        var first = input.AsSpan().IndexOfAny('%', '+');
        return first < 0 ? input : UrlDecodeCore(input, unicode, first, stackalloc char[CharWriter.StackChars]);
    }

    // The stack buffer from the caller: the JIT optimizes a method with a loop and a stackalloc once, without PGO.
    private static string UrlDecodeCore(string input, bool unicode, int first, Span<char> stack)
    {
        var output = new CharWriter(stack, input.Length);
        output.Append(input.AsSpan(0, first));
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

        return output.ToStringAndDispose(input);
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
        // From the first '&' that starts an entity: a form body has an '&' between every two fields and no entity, and
        // is then the same string, not a copy of it.
        var i = input.AsSpan().IndexOf('&');
        while (i >= 0 && !(i + 1 < input.Length && TryEntity(input, i + 1, out _, out _)))
        {
            var next = input.AsSpan(i + 1).IndexOf('&');
            i = next < 0 ? -1 : i + 1 + next;
        }

        if (i < 0)
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
        output.Append(input, 0, i);
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

        return TransformBuilder.Return(output, input);
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


    // Most values hold no escape: they are returned as they are; otherwise decoding starts at the first one.
    private static bool Begin(string input, char escape, out StringBuilder output, out int first)
    {
        first = input.AsSpan().IndexOf(escape);
        if (first < 0)
        {
            output = null!;
            return false;
        }

        output = TransformBuilder.Rent(input.Length);
        output.Append(input, 0, first);
        return true;
    }

    public static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    public static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    public static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
