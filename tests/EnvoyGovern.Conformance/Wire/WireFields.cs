using Google.Protobuf;

namespace EnvoyGovern.Conformance.Wire;

/// <summary>
/// Minimal protobuf encoding helpers for the few fields the pinned protos lack. Proto3 rules:
/// zero-valued scalars are not written; repeated occurrences of an embedded message merge
/// (last scalar wins), which <see cref="TryReadMerged"/> reproduces.
/// </summary>
internal static class WireFields
{
    public static byte[] Varint(int field, ulong value)
    {
        if (value == 0)
        {
            return [];
        }

        return Write(o =>
        {
            o.WriteTag(field, WireFormat.WireType.Varint);
            o.WriteUInt64(value);
        });
    }

    public static byte[] Bytes(int field, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return [];
        }

        var copy = ByteString.CopyFrom(value);
        return Write(o =>
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(copy);
        });
    }

    // An embedded message is always written, even when empty: presence matters for oneofs.
    public static byte[] LengthDelimited(int field, byte[] content) => Write(o =>
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(content));
    });

    public static byte[] Message(params byte[][] fields) => Concat(fields);

    public static byte[] Concat(params byte[][] parts)
    {
        var result = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result, offset);
            offset += part.Length;
        }

        return result;
    }

    /// <summary>Finds every occurrence of <paramref name="field"/> (length-delimited) and merges their content.</summary>
    public static bool TryReadMerged(byte[] message, int field, out ScannedFields merged)
    {
        merged = new ScannedFields();
        var found = false;
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field
                && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                merged.MergeFrom(input.ReadBytes().ToByteArray());
                found = true;
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    private static byte[] Write(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }
}
