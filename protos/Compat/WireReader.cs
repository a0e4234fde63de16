using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Reads protobuf wire fields in place from a span, the one implementation of varints, tags, lengths, wire types and
/// bounds checks for both services. Strict members (<see cref="ReadTag"/>, <see cref="SkipField"/> ...) have
/// Google.Protobuf's acceptance and throw <see cref="MalformedWireException"/> naming the fault: a varint of up to ten
/// bytes (a 32-bit one keeps its low 32 bits), a field number of 0 or wire type 6 or 7 rejected, lengths checked
/// against the enclosing message, a string field that is not UTF-8 rejected, groups skipped up to a matching
/// end-group tag, an end-group tag without its start rejected, at most 100 nested messages and groups.
/// <see cref="TryReadField"/> is the lenient form for readers that hand anything unusual to the generated parser.
/// Offsets are absolute in the buffer.
/// </summary>
internal ref partial struct WireReader
{
    /// <summary>Google.Protobuf's default recursion limit.</summary>
    public const int RecursionLimit = 100;

    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    private const int MaxVarintLength = 10;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;
    private int _limit;
    private int _depth;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _limit = buffer.Length;
    }

    /// <summary>Reads only <paramref name="range"/> of <paramref name="buffer"/>, offsets still counted from its start.</summary>
    public WireReader(ReadOnlySpan<byte> buffer, WireRange range)
    {
        _buffer = buffer;
        _position = range.Start;
        _limit = range.End;
    }

    /// <summary>How many messages enclose the one being read (0 for the top-level message).</summary>
    public readonly int Depth => _depth;

    /// <summary>Where the next field starts.</summary>
    public readonly int Position => _position;

    /// <summary>True when the current message has no more fields.</summary>
    public readonly bool IsAtEnd => _position >= _limit;

    public static uint Tag(int field, int wireType) => (uint)((field << 3) | wireType);

    /// <summary>The bytes of <paramref name="range"/>.</summary>
    public readonly ReadOnlySpan<byte> Slice(WireRange range) => _buffer.Slice(range.Start, range.Length);

    /// <summary>
    /// Reads the next field without throwing, for readers that hand anything unusual to the generated parser: a
    /// varint's value in <paramref name="varint"/>, a length-delimited field's content in <paramref name="payload"/>.
    /// False for a group or end-group tag, wire type 6 or 7, a field number of 0 or past 2^31-1 (the tag read as 64
    /// bits), a varint longer than ten bytes, a length past 2^32 or past the end, truncated bytes or the end itself.
    /// </summary>
    public bool TryReadField(out int field, out int wireType, out WireRange payload, out ulong varint)
    {
        payload = default;
        varint = 0;
        field = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag >> 3 is 0 or > int.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return wireType switch
        {
            Varint => TryReadVarint(out varint),
            Fixed64 => TryTake(8, out _),
            Fixed32 => TryTake(4, out _),
            LengthDelimited => TryReadVarint(out var length) && TryTake(length, out payload),
            _ => false,
        };
    }

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadVarint32() => (uint)ReadVarint64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint64() => TryReadVarint(out var value) ? value : throw MalformedVarint();

    /// <summary>A length-delimited field's content (string, bytes): where it starts and how long it is.</summary>
    public WireRange ReadRange()
    {
        // Read as 32 bits, as Google.Protobuf reads a length.
        var length = (int)ReadVarint32();
        if (length < 0)
        {
            throw Malformed("a negative length");
        }

        return TryTake((ulong)length, out var range) ? range : throw Malformed("a field longer than its message");
    }

    /// <summary>A string field's content, which Google.Protobuf rejects unless it is UTF-8 (checked, not decoded).</summary>
    public WireRange ReadString()
    {
        var range = ReadRange();
        return Utf8.IsValid(Slice(range)) ? range : throw Malformed("a string that is not UTF-8");
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

    // Base-128, least significant group first, at most ten bytes; bits past 64 dropped. Nothing moves on failure.
    // Inlined: the one-byte case is every tag and most lengths.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadVarint(out ulong value)
    {
        // Most tags and lengths are one byte.
        var position = _position;
        if (position < _limit && _buffer[position] < 0x80)
        {
            value = _buffer[position];
            _position = position + 1;
            return true;
        }

        return TryReadLongVarint(out value);
    }

    private bool TryReadLongVarint(out ulong value)
    {
        value = 0;
        var start = _position;
        var end = start + Math.Min(_limit - start, MaxVarintLength);
        for (var i = start; i < end; i++)
        {
            ulong b = _buffer[i];
            value |= (b & 0x7F) << (7 * (i - start));
            if (b < 0x80)
            {
                _position = i + 1;
                return true;
            }
        }

        return false;
    }

    // The content of the next length bytes, when the current message holds them.
    private bool TryTake(ulong length, out WireRange range)
    {
        if (length > (ulong)(_limit - _position))
        {
            range = default;
            return false;
        }

        range = new WireRange(_position, (int)length);
        _position += (int)length;
        return true;
    }

    // Ten bytes all continued, or the message ended first.
    private readonly MalformedWireException MalformedVarint() =>
        Malformed(_limit - _position < MaxVarintLength ? "a field longer than its message" : "a varint longer than ten bytes");

    private static MalformedWireException Malformed(string what) => new(what);
}

/// <summary>Where a length-delimited field's content lies in the payload.</summary>
internal readonly record struct WireRange(int Start, int Length)
{
    public int End => Start + Length;

    public bool IsEmpty => Length == 0;
}
