using System.Globalization;

namespace EnvoyGovern.ExtProc.Waf.Transformations;

/// <summary>The decoders of binary encodings: UTF-8 to <c>%uHHHH</c>, Base64, hex and SQL hex.</summary>
internal static partial class Decoders
{
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

        var output = TransformBuilder.Rent(input.Length + 16);
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

        return TransformBuilder.Return(output, input);
    }

    /// <summary>Decodes up to the first character outside the Base64 alphabet (APR semantics).</summary>
    public static string Base64Decode(string input) => Base64(input, skipInvalid: false);

    /// <summary>Decodes, skipping characters outside the alphabet.</summary>
    public static string Base64DecodeExt(string input) => Base64(input, skipInvalid: true);

    private static string Base64(string input, bool skipInvalid)
    {
        var output = TransformBuilder.Rent(input.Length * 3 / 4);
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

        return TransformBuilder.Return(output, input);
    }

    public static string HexDecode(string input)
    {
        var output = TransformBuilder.Rent(input.Length / 2);
        for (var i = 0; i + 1 < input.Length; i += 2)
        {
            if (!IsHex(input[i]) || !IsHex(input[i + 1]))
            {
                break;
            }

            output.Append((char)((HexValue(input[i]) << 4) | HexValue(input[i + 1])));
        }

        return TransformBuilder.Return(output, input);
    }

    public static string SqlHexDecode(string input)
    {
        var at = input.IndexOf("0x", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return input;
        }

        var output = TransformBuilder.Rent(input.Length);
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

        return TransformBuilder.Return(output, input);
    }
}
