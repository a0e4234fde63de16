using System.Buffers;
using System.Text;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>
/// Resolves the escapes of a JSON string the reader already validated, into UTF-8: a copy of the runs
/// between backslashes, faster than <c>Utf8JsonReader.CopyString</c> on the strings clients escape a
/// lot (Python's <c>ensure_ascii</c>, HTML-safe encoders).
/// </summary>
internal static class JsonUnescape
{
    /// <summary>The unescaped bytes of <paramref name="raw"/> (a string token's content) in <paramref name="output"/>.</summary>
    public static ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> raw, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();

        // Never longer than the escaped form.
        var destination = output.GetSpan(raw.Length);
        var written = 0;
        while (true)
        {
            var backslash = raw.IndexOf((byte)'\\');
            if (backslash < 0)
            {
                raw.CopyTo(destination[written..]);
                written += raw.Length;
                break;
            }

            raw[..backslash].CopyTo(destination[written..]);
            written += backslash;
            var escape = raw[backslash + 1];
            if (escape != 'u')
            {
                destination[written++] = escape switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    _ => escape,
                };
                raw = raw[(backslash + 2)..];
                continue;
            }

            int code = Hex4(raw[(backslash + 2)..]);
            var consumed = 6;
            if (char.IsHighSurrogate((char)code) && raw.Length >= backslash + 12 && raw[backslash + 6] == '\\' && raw[backslash + 7] == 'u'
                && Hex4(raw[(backslash + 8)..]) is var low && char.IsLowSurrogate((char)low))
            {
                code = char.ConvertToUtf32((char)code, (char)low);
                consumed = 12;
            }

            // A lone surrogate has no UTF-8 form: it becomes U+FFFD, as the framework decodes it.
            var rune = Rune.IsValid(code) ? new Rune(code) : Rune.ReplacementChar;
            written += rune.EncodeToUtf8(destination[written..]);
            raw = raw[(backslash + consumed)..];
        }

        output.Advance(written);
        return output.WrittenSpan;
    }

    private static int Hex4(ReadOnlySpan<byte> hex)
    {
        var value = 0;
        for (var i = 0; i < 4; i++)
        {
            var b = hex[i];
            value = (value << 4) | (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
        }

        return value;
    }
}
