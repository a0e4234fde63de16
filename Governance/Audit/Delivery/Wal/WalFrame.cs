using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace EnvoyGovern.Governance.Audit.Delivery.Wal;

/// <summary>
/// The on-disk frame of one record: length (4 bytes LE), CRC-32 of the payload (4 bytes LE), payload.
/// The payload is version (1), event id and stream (2-byte length + UTF-8 each), sequence (8 bytes LE), then
/// the record's JSON bytes unchanged. A torn or corrupt frame fails its length or CRC check.
/// </summary>
internal static class WalFrame
{
    public const int HeaderBytes = 8;
    private const byte Version = 1;

    /// <summary>Bytes the frame of <paramref name="entry"/> takes.</summary>
    public static int FrameLength(AuditEntry entry) =>
        HeaderBytes + PayloadLength(entry);

    /// <summary>Writes the frame into <paramref name="destination"/> (exactly <see cref="FrameLength"/> bytes).</summary>
    public static void Write(AuditEntry entry, Span<byte> destination)
    {
        var payload = destination[HeaderBytes..FrameLength(entry)];
        payload[0] = Version;
        var at = 1;
        at += WriteString(entry.EventId, payload[at..]);
        at += WriteString(entry.Stream, payload[at..]);
        BinaryPrimitives.WriteInt64LittleEndian(payload[at..], entry.Sequence);
        at += 8;
        entry.Utf8Json.Span.CopyTo(payload[at..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Crc32.HashToUInt32(payload));
    }

    /// <summary>Reads the payload length from a header, or -1 when it cannot be a frame of at most <paramref name="maxPayload"/>.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header, int maxPayload)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        return length is > 0 && length <= maxPayload ? length : -1;
    }

    /// <summary>Decodes a payload whose header was <paramref name="header"/>; null when the CRC or layout is wrong.</summary>
    public static AuditEntry? Decode(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != Crc32.HashToUInt32(payload) || payload.Length < 1 + 2 + 2 + 8 || payload[0] != Version)
        {
            return null;
        }

        var at = 1;
        if (!TryReadString(payload, ref at, out var eventId) || !TryReadString(payload, ref at, out var stream) || payload.Length - at < 8)
        {
            return null;
        }

        var sequence = BinaryPrimitives.ReadInt64LittleEndian(payload[at..]);
        at += 8;
        return new AuditEntry(eventId, stream, sequence, payload[at..].ToArray());
    }

    private static int PayloadLength(AuditEntry entry) =>
        1 + 2 + Encoding.UTF8.GetByteCount(entry.EventId) + 2 + Encoding.UTF8.GetByteCount(entry.Stream) + 8 + entry.Utf8Json.Length;

    private static int WriteString(string value, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, checked((ushort)length));
        return 2 + length;
    }

    private static bool TryReadString(ReadOnlySpan<byte> payload, ref int at, out string value)
    {
        value = "";
        if (payload.Length - at < 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(payload[at..]);
        at += 2;
        if (payload.Length - at < length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(payload.Slice(at, length));
        at += length;
        return true;
    }
}
