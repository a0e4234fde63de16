using Google.Protobuf;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Reads protobuf wire fields in place from a span (no <see cref="CodedInputStream"/>, no copies): for the few
/// fields of <see cref="ExtProcWire"/> read on every stream.
/// </summary>
internal static class ProtoSpan
{
    /// <summary>
    /// Reads the field at the start of <paramref name="rest"/> and moves past it: a varint's value in
    /// <paramref name="varint"/>, a length-delimited field's bytes in <paramref name="payload"/>. False for a
    /// group, an unknown wire type or truncated bytes.
    /// </summary>
    public static bool TryField(ref ReadOnlySpan<byte> rest, out int field, out WireFormat.WireType wireType, out ReadOnlySpan<byte> payload, out ulong varint)
    {
        payload = default;
        varint = 0;
        field = 0;
        wireType = default;
        if (!TryVarint(ref rest, out var tag) || tag >> 3 is 0 or > int.MaxValue)
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (WireFormat.WireType)(tag & 7);
        switch (wireType)
        {
            case WireFormat.WireType.Varint:
                return TryVarint(ref rest, out varint);
            case WireFormat.WireType.Fixed64:
                return Skip(ref rest, 8);
            case WireFormat.WireType.Fixed32:
                return Skip(ref rest, 4);
            case WireFormat.WireType.LengthDelimited:
                if (!TryVarint(ref rest, out var length) || length > (ulong)rest.Length)
                {
                    return false;
                }

                payload = rest[..(int)length];
                rest = rest[(int)length..];
                return true;
            default:
                return false;
        }
    }

    private static bool Skip(ref ReadOnlySpan<byte> rest, int count)
    {
        if (rest.Length < count)
        {
            return false;
        }

        rest = rest[count..];
        return true;
    }

    // Base-128, least significant group first, at most ten bytes.
    private static bool TryVarint(ref ReadOnlySpan<byte> rest, out ulong value)
    {
        value = 0;
        for (var i = 0; i < rest.Length && i < 10; i++)
        {
            value |= (ulong)(rest[i] & 0x7f) << (7 * i);
            if ((rest[i] & 0x80) == 0)
            {
                rest = rest[(i + 1)..];
                return true;
            }
        }

        return false;
    }
}
