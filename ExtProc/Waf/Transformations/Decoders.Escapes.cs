using System.Text;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The escape-sequence decoders: JavaScript, CSS and C (<c>jsDecode</c>, <c>cssDecode</c>, <c>escapeSeqDecode</c>).</summary>
internal static partial class Decoders
{
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

        return TransformBuilder.Return(output, input);
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

        return TransformBuilder.Return(output, input);
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

        return TransformBuilder.Return(output, input);
    }
}
