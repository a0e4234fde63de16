using System.Buffers;
using System.Text;
using System.Text.Json;

namespace EnvoyGovern.ExtProc.Pii;

/// <summary>JSON nested deeper than <see cref="JsonPiiRedactor.MaxDepth"/>.</summary>
internal sealed class JsonTooDeepException() : JsonException($"JSON nested deeper than {JsonPiiRedactor.MaxDepth} levels");

/// <summary>
/// Personal data in a JSON body: every string value (and number) is scanned as the text it stands for
/// (escapes resolved), and a redacted value is written back in place of its token, so the rest of the
/// body stays byte for byte as it was and the JSON stays valid. Findings name the value by JSON Pointer.
/// </summary>
internal static class JsonPiiRedactor
{
    /// <summary>Deeper JSON is refused: no model API nests this deep, and the path stack stays bounded.</summary>
    public const int MaxDepth = 128;

    private static readonly System.Buffers.SearchValues<byte> NeedEscape = System.Buffers.SearchValues.Create(
        [(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    /// <summary>
    /// The body with redactions applied, or null when nothing was redacted. Throws <see cref="JsonException"/>
    /// (<see cref="JsonTooDeepException"/> for nesting) on a body that is not JSON.
    /// </summary>
    public static ReadOnlyMemory<byte>? Redact(ReadOnlySpan<byte> json, PiiFindings findings)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var path = new JsonPath(MaxDepth);
        var matches = new List<PiiMatch>();
        var value = new ArrayBufferWriter<byte>();
        var redacted = new ArrayBufferWriter<byte>();
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        while (reader.Read())
        {
            path.Observe(ref reader);
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
            {
                continue;
            }

            var text = reader.ValueIsEscaped ? JsonUnescape.Unescape(reader.ValueSpan, value) : reader.ValueSpan;

            matches.Clear();
            findings.Settings.Scanner.Scan(text, matches, final: true);
            if (matches.Count == 0)
            {
                continue;
            }

            redacted.ResetWrittenCount();
            if (!findings.Apply(text, matches, findings.Detailing ? path.Pointer(json) : string.Empty, redacted))
            {
                continue;
            }

            output ??= new ArrayBufferWriter<byte>(json.Length + 64);
            var start = (int)reader.TokenStartIndex;
            var length = reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;
            output.Write(json[copied..start]);
            WriteString(output, redacted.WrittenSpan);
            copied = start + length;
        }

        if (output is null)
        {
            return null;
        }

        output.Write(json[copied..]);
        return output.WrittenMemory;
    }

    /// <summary>Writes <paramref name="value"/> (UTF-8) as a JSON string, escaping only what JSON requires.</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        output.Write("\""u8);
        while (!value.IsEmpty)
        {
            var next = value.IndexOfAny(NeedEscape);
            if (next < 0)
            {
                output.Write(value);
                break;
            }

            output.Write(value[..next]);
            var b = value[next];
            output.Write(b switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                _ => Encoding.ASCII.GetBytes($"\\u{b:x4}"),
            });
            value = value[(next + 1)..];
        }

        output.Write("\""u8);
    }
}
