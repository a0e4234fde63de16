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

    // Per ASCII char its 6-bit value ('+' and '-' 62, '/' and '_' 63: both alphabets), -1 for any other.
    private static readonly sbyte[] Base64Values = BuildBase64Values();

    private static sbyte[] BuildBase64Values()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < 26; i++)
        {
            values['A' + i] = (sbyte)i;
            values['a' + i] = (sbyte)(26 + i);
        }

        for (var i = 0; i < 10; i++)
        {
            values['0' + i] = (sbyte)(52 + i);
        }

        (values['+'], values['-'], values['/'], values['_']) = (62, 62, 63, 63);
        return values;
    }

    private static string Base64(string input, bool skipInvalid) => Base64(input, skipInvalid, stackalloc char[CharWriter.StackChars]);

    // The stack buffer from the caller: the JIT optimizes a method with a loop and a stackalloc once, without PGO.
    private static string Base64(string input, bool skipInvalid, Span<char> stack)
    {
        var output = new CharWriter(stack, (input.Length * 3 / 4) + 1);

        // Four valid chars at a time make three bytes; the char-by-char loop below takes over at the first invalid
        // char. Its state at a boundary of four is no pending bits, so both give the same bytes.
        var i = 0;
        for (; i + 4 <= input.Length; i += 4)
        {
            var quad = (Base64Value(input[i]) << 18) | (Base64Value(input[i + 1]) << 12) | (Base64Value(input[i + 2]) << 6) | Base64Value(input[i + 3]);
            if (quad < 0)
            {
                break;
            }

            output.Append((char)(quad >> 16));
            output.Append((char)((quad >> 8) & 0xff));
            output.Append((char)(quad & 0xff));
        }

        var buffer = 0;
        var bits = 0;
        for (; i < input.Length; i++)
        {
            var value = Base64Value(input[i]);
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

        return output.ToStringAndDispose(input);
    }

    // -1 (every bit set) for a char outside both alphabets: OR-ed into a quad, it makes the quad negative.
    private static int Base64Value(char c) => c < 128 ? Base64Values[c] : -1;

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
