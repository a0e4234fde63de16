using Google.Protobuf;

namespace EnvoyGovern.Conformance.Wire;

/// <summary>Varint and bytes fields of one (merged) embedded message, by field number.</summary>
internal sealed class ScannedFields
{
    private readonly Dictionary<int, ulong> _varints = [];
    private readonly Dictionary<int, byte[]> _bytes = [];

    public ulong VarintOrZero(int field) => _varints.GetValueOrDefault(field);

    public ReadOnlyMemory<byte> BytesOrEmpty(int field) =>
        _bytes.TryGetValue(field, out var value) ? value : ReadOnlyMemory<byte>.Empty;

    public void MergeFrom(byte[] content)
    {
        var input = new CodedInputStream(content);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    _varints[field] = input.ReadUInt64();
                    break;
                case WireFormat.WireType.LengthDelimited:
                    _bytes[field] = input.ReadBytes().ToByteArray();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
    }
}
