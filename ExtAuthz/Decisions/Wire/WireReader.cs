using System.Text.Unicode;

namespace EnvoyGovern.ExtAuthz.Decisions.Wire;

/// <summary>
/// Protobuf wire primitives for <see cref="CheckRequestReader"/>, with Google.Protobuf's acceptance: a varint of up
/// to ten bytes (a 32-bit one keeps its low 32 bits), a field number of 0 or wire type 6 or 7 rejected, lengths
/// checked against the enclosing message, a string field that is not UTF-8 rejected, groups skipped up to a matching
/// end-group tag, an end-group tag without its start rejected, at most 100 nested messages and groups. Offsets are
/// absolute in the payload.
/// </summary>
internal ref struct WireReader
{
    /// <summary>Google.Protobuf's default recursion limit.</summary>
    public const int RecursionLimit = 100;

    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _limit;
    private int _depth;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _limit = buffer.Length;
    }

    /// <summary>How many messages enclose the one being read (0 for the top-level message).</summary>
    public readonly int Depth => _depth;

    public static uint Tag(int field, int wireType) => (uint)((field << 3) | wireType);

    /// <summary>The next field's tag, or 0 at the end of the current message.</summary>
    public uint ReadTag()
    {
        if (_position >= _limit)
        {
            return 0;
        }

        var tag = ReadVarint32();
        return tag >> 3 != 0 ? tag : throw Malformed("a field number of 0");
    }

    /// <summary>A varint read as 32 bits (tags, lengths, uint32, enums): up to ten bytes, the bits past 32 dropped.</summary>
    public uint ReadVarint32()
    {
        uint result = 0;
        for (var shift = 0; shift < 32; shift += 7)
        {
            var b = ReadByte();
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        // Five bytes read; a negative int32 is sign-extended to ten.
        for (var i = 0; i < 5; i++)
        {
            if (ReadByte() < 0x80)
            {
                return result;
            }
        }

        throw Malformed("a varint longer than ten bytes");
    }

    public ulong ReadVarint64()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw Malformed("a varint longer than ten bytes");
    }

    /// <summary>A length-delimited field's content (string, bytes): where it starts and how long it is.</summary>
    public WireRange ReadRange()
    {
        var length = (int)ReadVarint32();
        if (length < 0)
        {
            throw Malformed("a negative length");
        }

        if (length > _limit - _position)
        {
            throw Malformed("a field longer than its message");
        }

        var range = new WireRange(_position, length);
        _position += length;
        return range;
    }

    /// <summary>A string field's content, which Google.Protobuf rejects unless it is UTF-8 (checked, not decoded).</summary>
    public WireRange ReadString()
    {
        var range = ReadRange();
        return Utf8.IsValid(_buffer.Slice(range.Start, range.Length)) ? range : throw Malformed("a string that is not UTF-8");
    }

    /// <summary>Starts reading an embedded message; returns what <see cref="LeaveMessage"/> needs.</summary>
    public int EnterMessage()
    {
        var range = ReadRange();
        if (_depth >= RecursionLimit)
        {
            throw Malformed("messages nested more than 100 deep");
        }

        _depth++;
        var outer = _limit;
        _position = range.Start;
        _limit = range.End;
        return outer;
    }

    /// <summary>Ends an embedded message whose fields were all read (<see cref="ReadTag"/> returned 0).</summary>
    public void LeaveMessage(int outer)
    {
        _depth--;
        _limit = outer;
    }

    /// <summary>
    /// Reads an embedded message of scalar, string and bytes fields only, keeping nothing: the framing is checked, and
    /// the strings, whose field numbers are the bits set in <paramref name="stringFields"/> (bit n for field n).
    /// </summary>
    public void SkipScalarMessage(uint stringFields)
    {
        var outer = EnterMessage();
        uint tag;
        while ((tag = ReadTag()) != 0)
        {
            if ((tag & 7) == LengthDelimited && tag >> 3 < 32 && (stringFields & (1u << (int)(tag >> 3))) != 0)
            {
                _ = ReadString();
            }
            else
            {
                SkipField(tag);
            }
        }

        LeaveMessage(outer);
    }

    /// <summary>
    /// Skips the field whose tag was just read, as Google.Protobuf keeps an unknown field of a message; or, with
    /// <paramref name="inMapEntry"/>, as it skips one in a map entry, where wire types 6 and 7 are passed over as
    /// fields without content and a group counts one level deeper.
    /// </summary>
    public void SkipField(uint tag, bool inMapEntry = false)
    {
        switch ((int)(tag & 7))
        {
            case Varint:
                _ = ReadVarint64();
                break;
            case Fixed64:
                Skip(8);
                break;
            case LengthDelimited:
                _ = ReadRange();
                break;
            case StartGroup:
                SkipGroup(tag, inMapEntry);
                break;
            case EndGroup:
                throw Malformed("an end-group tag without its start");
            case Fixed32:
                Skip(4);
                break;
            default:
                if (!inMapEntry)
                {
                    throw Malformed($"wire type {tag & 7}");
                }

                break;
        }
    }

    private void SkipGroup(uint startTag, bool inMapEntry)
    {
        if (_depth + (inMapEntry ? 1 : 0) >= RecursionLimit)
        {
            throw Malformed("groups nested more than 100 deep");
        }

        _depth++;
        uint tag;
        while (true)
        {
            tag = ReadTag();
            if (tag == 0)
            {
                throw Malformed("a group without its end-group tag");
            }

            if ((tag & 7) == EndGroup)
            {
                break;
            }

            SkipField(tag, inMapEntry);
        }

        if (tag >> 3 != startTag >> 3)
        {
            throw Malformed($"group {startTag >> 3} ended by the end-group tag of field {tag >> 3}");
        }

        _depth--;
    }

    private void Skip(int count)
    {
        if (count > _limit - _position)
        {
            throw Malformed("a field longer than its message");
        }

        _position += count;
    }

    private byte ReadByte() =>
        _position < _limit ? _buffer[_position++] : throw Malformed("a field longer than its message");

    private static InvalidCheckRequestException Malformed(string what) => new($"the CheckRequest is not valid protobuf: {what}");
}

/// <summary>Where a length-delimited field's content lies in the payload.</summary>
internal readonly record struct WireRange(int Start, int Length)
{
    public int End => Start + Length;

    public bool IsEmpty => Length == 0;
}
