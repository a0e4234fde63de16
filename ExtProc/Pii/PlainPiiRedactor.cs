using System.Buffers;
using System.Text;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>Personal data in plain text and in form data (<c>application/x-www-form-urlencoded</c>).</summary>
internal static class PlainPiiRedactor
{
    /// <summary>The text with redactions applied, or null when nothing was redacted.</summary>
    public static ReadOnlyMemory<byte>? RedactText(ReadOnlySpan<byte> text, PiiFindings findings)
    {
        var matches = new List<PiiMatch>();
        findings.Settings.Scanner.Scan(text, matches, final: true);
        if (matches.Count == 0)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(text.Length + 16);
        return findings.Apply(text, matches, "body", output) ? output.WrittenMemory : null;
    }

    /// <summary>
    /// Form data with redactions applied, or null: each field's value is percent-decoded, scanned, and
    /// when redacted encoded again in its place; names and unchanged fields stay as they were.
    /// </summary>
    public static ReadOnlyMemory<byte>? RedactForm(ReadOnlySpan<byte> form, PiiFindings findings)
    {
        var matches = new List<PiiMatch>();
        var decoded = new ArrayBufferWriter<byte>();
        var redacted = new ArrayBufferWriter<byte>();
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        foreach (var range in form.Split((byte)'&'))
        {
            var (start, length) = range.GetOffsetAndLength(form.Length);
            var field = form.Slice(start, length);
            var equals = field.IndexOf((byte)'=');
            var valueStart = equals < 0 ? 0 : equals + 1;
            decoded.ResetWrittenCount();
            PercentDecode(field[valueStart..], decoded);
            matches.Clear();
            findings.Settings.Scanner.Scan(decoded.WrittenSpan, matches, final: true);
            if (matches.Count > 0)
            {
                var name = equals < 0 ? string.Empty : Encoding.UTF8.GetString(field[..Math.Min(equals, 64)]);
                redacted.ResetWrittenCount();
                if (findings.Apply(decoded.WrittenSpan, matches, $"form:{name}", redacted))
                {
                    output ??= new ArrayBufferWriter<byte>(form.Length + 32);
                    output.Write(form[copied..(start + valueStart)]);
                    PercentEncode(redacted.WrittenSpan, output);
                    copied = start + length;
                }
            }
        }

        if (output is null)
        {
            return null;
        }

        output.Write(form[copied..]);
        return output.WrittenMemory;
    }

    // '+' is a space; a '%' not followed by two hex digits stays as it is (browsers send it so).
    private static void PercentDecode(ReadOnlySpan<byte> value, ArrayBufferWriter<byte> output)
    {
        var span = output.GetSpan(value.Length);
        var n = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b == '+')
            {
                b = (byte)' ';
            }
            else if (b == '%' && i + 2 < value.Length && Hex(value[i + 1]) >= 0 && Hex(value[i + 2]) >= 0)
            {
                b = (byte)((Hex(value[i + 1]) << 4) | Hex(value[i + 2]));
                i += 2;
            }

            span[n++] = b;
        }

        output.Advance(n);
    }

    private static void PercentEncode(ReadOnlySpan<byte> value, IBufferWriter<byte> output)
    {
        const string hex = "0123456789ABCDEF";
        foreach (var b in value)
        {
            if (Ascii.IsAlnum(b) || b is (byte)'*' or (byte)'-' or (byte)'.' or (byte)'_')
            {
                output.Write([b]);
            }
            else if (b == ' ')
            {
                output.Write("+"u8);
            }
            else
            {
                output.Write([(byte)'%', (byte)hex[b >> 4], (byte)hex[b & 15]]);
            }
        }
    }

    private static int Hex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
