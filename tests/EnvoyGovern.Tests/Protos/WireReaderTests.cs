using EnvoyGovern.Protos.Compat;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.Tests.Protos;

public sealed class WireReaderTests
{
    [Theory]
    [InlineData("08", "a field longer than its message")]
    [InlineData("0880", "a field longer than its message")]
    [InlineData("08FFFFFFFFFFFFFFFFFF", "a field longer than its message")]
    [InlineData("08FFFFFFFFFFFFFFFFFFFF01", "a varint longer than ten bytes")]
    [InlineData("0001", "a field number of 0")]
    [InlineData("0E", "wire type 6")]
    [InlineData("0F", "wire type 7")]
    [InlineData("0C", "an end-group tag without its start")]
    [InlineData("0B", "a group without its end-group tag")]
    [InlineData("0B14", "group 1 ended by the end-group tag of field 2")]
    [InlineData("0A05AB", "a field longer than its message")]
    [InlineData("0AFFFFFFFF0F", "a negative length")]
    [InlineData("09010203", "a field longer than its message")]
    [InlineData("0D0102", "a field longer than its message")]
    public void SkipField_BrokenBytes_ThrowsNamedFaultAndTryReadFieldRefuses(string hex, string fault)
    {
        var bytes = Convert.FromHexString(hex);

        var error = Assert.Throws<MalformedWireException>(() => SkipAll(bytes));

        Assert.Equal(fault, error.Message);
        Assert.False(TryReadAll(bytes));
        Assert.Throws<InvalidProtocolBufferException>(() => Empty.Parser.ParseFrom(bytes));
    }

    [Fact]
    public void ReadVarint_TenBytes_KeepsLowBits()
    {
        // -2 as an int32 is sign-extended to ten bytes; read as 32 bits it is 0xFFFFFFFE again.
        var bytes = Convert.FromHexString("FEFFFFFFFFFFFFFFFF01");

        var reader32 = new WireReader(bytes);
        var reader64 = new WireReader(bytes);

        Assert.Equal(0xFFFFFFFEu, reader32.ReadVarint32());
        Assert.Equal(ulong.MaxValue - 1, reader64.ReadVarint64());
        Assert.True(reader64.IsAtEnd);
    }

    [Fact]
    public void TryReadField_EveryWireTypeItReads_ReturnsFieldsAndPositions()
    {
        // field 1 varint 300, field 2 fixed64, field 3 bytes "ab", field 4 fixed32.
        var bytes = Convert.FromHexString("08AC02" + "110102030405060708" + "1A026162" + "2501020304");
        var reader = new WireReader(bytes);
        var seen = new List<(int Field, int WireType, WireRange Payload, ulong Varint)>();

        while (!reader.IsAtEnd)
        {
            Assert.True(reader.TryReadField(out var field, out var wireType, out var payload, out var varint));
            seen.Add((field, wireType, payload, varint));
        }

        Assert.Equal(
            [(1, WireReader.Varint, default, 300UL), (2, WireReader.Fixed64, default, 0UL), (3, WireReader.LengthDelimited, new WireRange(14, 2), 0UL), (4, WireReader.Fixed32, default, 0UL)],
            seen);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Theory]
    [InlineData("0B0C")]
    [InlineData("0C")]
    [InlineData("0E")]
    [InlineData("0001")]
    [InlineData("80808080800101")]
    [InlineData("0AFFFFFFFF0F00")]
    public void TryReadField_GroupsOddWireTypesOrFieldsOutOfRange_Refuses(string hex)
    {
        // A group is valid protobuf, and a tag or length past 32 bits is what Google.Protobuf truncates: all are left to the generated parser.
        Assert.False(TryReadAll(Convert.FromHexString(hex)));
    }

    [Fact]
    public void ReadTag_TagPast32Bits_KeepsLowBitsAsGoogleProtobuf()
    {
        // 2^32 + (1 << 3): Google.Protobuf reads a tag as 32 bits, so this is field 1, varint.
        var bytes = Convert.FromHexString("888080801001");
        var reader = new WireReader(bytes);

        Assert.Equal(WireReader.Tag(1, WireReader.Varint), reader.ReadTag());
        Assert.Equal(1ul, reader.ReadVarint64());
        Assert.Equal(2, Empty.Parser.ParseFrom(bytes).CalculateSize());
    }

    [Fact]
    public void Constructor_Range_ReadsOnlyTheRangeWithAbsoluteOffsets()
    {
        // A message (field 1) holding field 2 = "xy", then field 3 outside it.
        var bytes = Convert.FromHexString("0A04" + "12027879" + "1801");
        var outer = new WireReader(bytes);
        Assert.True(outer.TryReadField(out _, out _, out var message, out _));

        var inner = new WireReader(bytes, message);
        Assert.True(inner.TryReadField(out var field, out _, out var payload, out _));

        Assert.Equal(2, field);
        Assert.Equal(new WireRange(4, 2), payload);
        Assert.Equal("xy"u8.ToArray(), inner.Slice(payload).ToArray());
        Assert.True(inner.IsAtEnd);
    }

    [Fact]
    public void EnterMessage_NestedPastTheLimit_Throws()
    {
        var bytes = Nested(WireReader.RecursionLimit + 1);

        var error = Assert.Throws<MalformedWireException>(() =>
        {
            var reader = new WireReader(bytes);
            while (reader.ReadTag() != 0)
            {
                _ = reader.EnterMessage();
            }
        });

        Assert.Equal("messages nested more than 100 deep", error.Message);
    }

    [Fact]
    public void SkipField_InMapEntry_PassesOverWireTypesSixAndSeven()
    {
        var reader = new WireReader(Convert.FromHexString("0E0F"));

        reader.SkipField(reader.ReadTag(), inMapEntry: true);
        reader.SkipField(reader.ReadTag(), inMapEntry: true);

        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void SkipField_RandomBytes_AcceptsWhatGoogleProtobufAccepts()
    {
        var random = new Random(21);
        var accepted = 0;
        for (var i = 0; i < 20000; i++)
        {
            var bytes = new byte[random.Next(1, 12)];
            random.NextBytes(bytes);
            var google = Accepts(() => Empty.Parser.ParseFrom(bytes));
            var ours = Accepts(() => SkipAll(bytes));
            Assert.True(google == ours, $"{Convert.ToHexString(bytes)}: Google.Protobuf {(google ? "accepts" : "rejects")}");
            accepted += ours ? 1 : 0;
        }

        // Both outcomes are exercised.
        Assert.InRange(accepted, 500, 19500);
    }

    private static void SkipAll(byte[] bytes)
    {
        var reader = new WireReader(bytes);
        uint tag;
        while ((tag = reader.ReadTag()) != 0)
        {
            reader.SkipField(tag);
        }
    }

    private static bool TryReadAll(byte[] bytes)
    {
        var reader = new WireReader(bytes);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out _, out _, out _, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Accepts(Action parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or MalformedWireException)
        {
            return false;
        }
    }

    // Field 1 holding field 1 holding ... depth times, innermost empty.
    private static byte[] Nested(int depth)
    {
        var bytes = Array.Empty<byte>();
        for (var i = 0; i < depth; i++)
        {
            bytes = [0x0A, .. Varint((uint)bytes.Length), .. bytes];
        }

        return bytes;
    }

    private static byte[] Varint(uint value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
