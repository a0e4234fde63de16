using System.Text;
using Google.Protobuf;

namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// Protobuf wire primitives for <see cref="AllowedAnswerWriter"/>: the sizes and the bytes are those
/// Google.Protobuf writes (varint lengths, UTF-8 strings, fields omitted when proto3 omits them).
/// </summary>
internal ref struct WireWriter(Span<byte> buffer)
{
    // Strings this short (at most 3 UTF-8 bytes per UTF-16 char) always have a one-byte length.
    private const int ShortString = 42;

    private readonly Span<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    /// <summary>Size of a length-delimited field whose content is <paramref name="length"/> bytes (one-byte tag).</summary>
    public static int FieldSize(int length) => 1 + CodedOutputStream.ComputeLengthSize(length) + length;

    /// <summary>Size of a proto3 string field: nothing when the string is empty.</summary>
    public static int OptionalStringSize(string value) => value.Length == 0 ? 0 : StringSize(value);

    /// <summary>Size of a string that is always written (a oneof member, a repeated element).</summary>
    public static int StringSize(string value) => 1 + CodedOutputStream.ComputeStringSize(value);

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    /// <summary>A length-delimited field's tag and length; its content follows.</summary>
    public void Begin(byte tag, int length)
    {
        _buffer[_position++] = tag;
        var value = (uint)length;
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[_position++] = (byte)value;
    }

    /// <summary>A proto3 string field, omitted when empty; returns where the string's bytes start (-1 when omitted).</summary>
    public int OptionalString(byte tag, string value) => value.Length != 0 ? String(tag, value) : -1;

    /// <summary>A string field; returns where the string's bytes start.</summary>
    public int String(byte tag, string value)
    {
        int start;
        if (value.Length <= ShortString)
        {
            // At most 126 bytes of UTF-8: a one-byte length, filled in once the bytes are written.
            _buffer[_position] = tag;
            start = _position + 2;
            var written = Encoding.UTF8.GetBytes(value, _buffer[start..]);
            _buffer[_position + 1] = (byte)written;
            _position = start + written;
            return start;
        }

        Begin(tag, Encoding.UTF8.GetByteCount(value));
        start = _position;
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
        return start;
    }
}
