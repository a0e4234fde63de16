using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>Writes the fields of one record as raw UTF-8 JSON (between <c>@timestamp</c> and the common service and chain fields).</summary>
public delegate void AuditRecordFieldWriter<in TState>(AuditRecordWriter writer, TState state);

/// <summary>
/// A forward-only JSON writer for records on the request path, where <see cref="Utf8JsonWriter"/>'s per-member
/// bookkeeping (depth, comma, escaping check and transcoding per name) is most of the record's cost. The caller
/// writes the structure as constant UTF-8 fragments (<c>,"name":</c>, braces) that it knows to be valid JSON;
/// values are written here, escaped exactly as <see cref="Utf8JsonWriter"/> with
/// <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> escapes them (the same bytes: a value that needs any
/// escaping is written by such a writer).
/// </summary>
public sealed class AuditRecordWriter : IDisposable
{
    private static readonly JsonWriterOptions EscapingOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    // Printable ASCII that the relaxed encoder leaves as it is: such a value is copied, narrowed to bytes.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Where(c => !JavaScriptEncoder.UnsafeRelaxedJsonEscaping.WillEncode(c))]);

    // The same set as bytes, for values that are UTF-8 already (a request's header bytes).
    private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(c => !JavaScriptEncoder.UnsafeRelaxedJsonEscaping.WillEncode(c)).Select(c => (byte)c)]);

    private readonly ArrayBufferWriter<byte> _escaped = new(256);
    private Utf8JsonWriter? _escaping;
    private ArrayBufferWriter<byte> _buffer;

    /// <summary>Creates a writer that appends to <paramref name="buffer"/>.</summary>
    public AuditRecordWriter(ArrayBufferWriter<byte> buffer)
    {
        _buffer = buffer;
    }

    /// <summary>Appends the next record to <paramref name="buffer"/>.</summary>
    public void Reset(ArrayBufferWriter<byte> buffer) => _buffer = buffer;

    /// <summary>Appends a constant JSON fragment (names with their colon, commas, braces) that the caller knows is valid.</summary>
    public void Raw(ReadOnlySpan<byte> json)
    {
        // Straight on the sealed buffer: the IBufferWriter extension costs two interface calls per fragment.
        json.CopyTo(_buffer.GetSpan(json.Length));
        _buffer.Advance(json.Length);
    }

    /// <summary>Appends <paramref name="name"/> (a fragment such as <c>,"reason":</c>) and <paramref name="value"/>, or nothing for null.</summary>
    public void MemberIfSet(ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            Raw(name);
            Text(value);
        }
    }

    /// <summary>Appends <paramref name="name"/> and <paramref name="value"/> (<c>null</c> for null, as <see cref="Utf8JsonWriter"/> writes it).</summary>
    public void Member(ReadOnlySpan<byte> name, string? value)
    {
        Raw(name);
        Text(value);
    }

    /// <summary>Appends a JSON string, or <c>null</c> for null.</summary>
    public void Text(string? value)
    {
        if (value is null)
        {
            Raw("null"u8);
        }
        else
        {
            Text(value.AsSpan());
        }
    }

    /// <summary>Appends a JSON string.</summary>
    public void Text(ReadOnlySpan<char> value)
    {
        if (value.ContainsAnyExcept(Plain))
        {
            Escaped(value);
            return;
        }

        var span = _buffer.GetSpan(value.Length + 2);
        span[0] = (byte)'"';
        // Known to be ASCII: narrowed without an encoder (Encoding.ASCII checks and replaces on its own, again).
        Ascii.FromUtf16(value, span[1..], out _);
        span[value.Length + 1] = (byte)'"';
        _buffer.Advance(value.Length + 2);
    }

    /// <summary>
    /// Appends a JSON string from valid UTF-8: the bytes <see cref="Text(ReadOnlySpan{char})"/> writes for its decoding,
    /// copied as they are when they are plain printable ASCII (no string made for the value).
    /// </summary>
    public void TextUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.ContainsAnyExcept(PlainBytes))
        {
            // Rare (escapes or non-ASCII): decoded and written as any other text, so that both paths agree.
            Escaped(Encoding.UTF8.GetString(utf8));
            return;
        }

        var span = _buffer.GetSpan(utf8.Length + 2);
        span[0] = (byte)'"';
        utf8.CopyTo(span[1..]);
        span[utf8.Length + 1] = (byte)'"';
        _buffer.Advance(utf8.Length + 2);
    }

    /// <summary>Appends a JSON number.</summary>
    public void Number(long value)
    {
        var span = _buffer.GetSpan(20);
        value.TryFormat(span, out var written, provider: CultureInfo.InvariantCulture);
        _buffer.Advance(written);
    }

    /// <summary>Appends <c>true</c> or <c>false</c>.</summary>
    public void Flag(bool value) => Raw(value ? "true"u8 : "false"u8);

    /// <summary>Appends a UTC instant as <see cref="Utf8JsonWriter"/> does: ISO 8601, the fraction's trailing zeros trimmed.</summary>
    public void Timestamp(DateTime utc)
    {
        var span = _buffer.GetSpan(40);
        span[0] = (byte)'"';
        utc.TryFormat(span[1..], out var written, "O", CultureInfo.InvariantCulture);
        var end = written + 1;
        // "yyyy-MM-ddTHH:mm:ss.fffffff" then the offset ("Z" for UTC): drop the fraction's trailing zeros, and its dot.
        const int FractionEnd = 28;
        if (end > FractionEnd && span[20] == (byte)'.')
        {
            var last = FractionEnd - 1;
            while (last > 20 && span[last] == (byte)'0')
            {
                last--;
            }

            var keep = last == 20 ? 20 : last + 1;
            span[FractionEnd..end].CopyTo(span[keep..]);
            end -= FractionEnd - keep;
        }

        span[end] = (byte)'"';
        _buffer.Advance(end + 1);
    }

    /// <inheritdoc />
    public void Dispose() => _escaping?.Dispose();

    // Anything outside plain printable ASCII: the escaping writer's own bytes, so that both paths agree.
    private void Escaped(ReadOnlySpan<char> value)
    {
        _escaped.ResetWrittenCount();
        if (_escaping is null)
        {
            _escaping = new Utf8JsonWriter(_escaped, EscapingOptions);
        }
        else
        {
            _escaping.Reset(_escaped);
        }

        _escaping.WriteStringValue(value);
        _escaping.Flush();
        Raw(_escaped.WrittenSpan);
    }
}
