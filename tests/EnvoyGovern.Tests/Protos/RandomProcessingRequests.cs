using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace EnvoyGovern.Tests.Protos;

/// <summary>
/// Serialized ProcessingRequests of every shape the wire allows: Envoy-like headers messages (names repeated,
/// non-ASCII, empty, 1-4 KB values, <c>value</c> and <c>raw_value</c>, both or neither), <c>protocol_config</c> none,
/// once or twice, and what the generated parser accepts besides: bodies, trailers, attributes, metadata, unknown
/// fields of every wire type at every level of the headers (groups too), a known field with another wire type, a
/// field twice inside a header, a second message appended (merged), invalid UTF-8 in a name or value.
/// </summary>
internal sealed class RandomProcessingRequests(int seed)
{
    private static readonly string[] Names =
        [":method", ":path", ":authority", ":scheme", "x-api-key", "user-agent", "traceparent", "content-type", "x-request-id", "cookie", "x-forwarded-for", "accept", "X-Mixed-Case"];

    private readonly Random _random = new(seed);

    public byte[] Next()
    {
        using var bytes = new MemoryStream();
        Request(bytes);
        for (var i = Chance(0.3) ? _random.Next(1, 3) : 0; i > 0; i--)
        {
            // protocol_config (field 11), unknown to the pinned protos.
            bytes.Write([0x5A, 0x04, 0x08, (byte)_random.Next(0, 5), 0x10, (byte)_random.Next(0, 5)]);
        }

        if (Chance(0.1))
        {
            // A second, partial message: protobuf merges it into the first.
            Request(bytes);
        }

        if (Chance(0.1))
        {
            bytes.Write(Unknown(_random.Next(12, 60)));
        }

        return bytes.ToArray();
    }

    private void Request(MemoryStream bytes)
    {
        var request = new ProcessingRequest { ObservabilityMode = Chance(0.1) };
        switch (_random.Next(10))
        {
            case 7:
                request.RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(Text(100)), EndOfStream = Chance(0.5) };
                break;
            case 8:
                request.ResponseTrailers = new HttpTrailers { Trailers = new HeaderMap { Headers = { new HeaderValue { Key = "grpc-status", RawValue = ByteString.CopyFromUtf8("0") } } } };
                break;
        }

        if (Chance(0.05))
        {
            request.Attributes["envoy.filters.http.ext_proc"] = new Struct { Fields = { ["request.protocol"] = Value.ForString("HTTP/2") } };
        }

        if (Chance(0.03))
        {
            request.MetadataContext = new Metadata();
        }

        bytes.Write(request.ToByteArray());
        if (request.RequestCase == ProcessingRequest.RequestOneofCase.None && !Chance(0.1))
        {
            // request_headers (2) or response_headers (3), built from bytes: a header may carry what no HeaderValue can.
            Field(bytes, Chance(0.7) ? 2 : 3, Headers());
        }
    }

    private byte[] Headers()
    {
        using var bytes = new MemoryStream();
        if (Chance(0.9))
        {
            Field(bytes, 1, Map());
        }

        if (Chance(0.5))
        {
            bytes.Write([0x18, 0x01]);
        }

        if (Chance(0.05))
        {
            // Fields the generated parser accepts in unusual ways: unknown or mistyped, a group, a second map (merged).
            bytes.Write(Pick<byte[]>([Unknown(9), [0x18, 0x00], [0x1A, 0x00], [0x23, 0x08, 0x01, 0x24], [0x0A, 0x00]]));
        }

        return bytes.ToArray();
    }

    private byte[] Map()
    {
        using var bytes = new MemoryStream();
        for (var i = _random.Next(0, 25); i > 0; i--)
        {
            Field(bytes, 1, Header());
        }

        return bytes.ToArray();
    }

    private byte[] Header()
    {
        var header = new HeaderValue { Key = Chance(0.9) ? Pick(Names) : Text(Chance(0.1) ? 80 : 12) };
        if (Chance(0.7))
        {
            header.RawValue = ByteString.CopyFromUtf8(Text(Chance(0.02) ? 4000 : 30));
        }

        if (Chance(0.35))
        {
            header.Value = Text(20);
        }

        using var bytes = new MemoryStream();
        bytes.Write(header.ToByteArray());
        if (Chance(0.06))
        {
            bytes.Write(Pick<byte[]>([[0x0A, 0x01, (byte)'k'], [0x12, 0x01, (byte)'v'], [0x08, 0x01], Unknown(4), [0x1A, 0x00], [0x12, 0x02, 0xC3, 0x28], [0x0A, 0x02, 0xFF, 0xFE], [0x1A, 0x02, 0xC3, 0x28]]));
        }

        return bytes.ToArray();
    }

    private static void Field(Stream bytes, int field, byte[] payload)
    {
        bytes.WriteByte((byte)(field << 3 | 2));
        var length = (uint)payload.Length;
        while (length >= 0x80)
        {
            bytes.WriteByte((byte)(length | 0x80));
            length >>= 7;
        }

        bytes.WriteByte((byte)length);
        bytes.Write(payload);
    }

    // Fields 20-29 of each wire type the generated parser keeps among the unknown fields.
    private byte[] Unknown(int count)
    {
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        for (var i = 0; i < count / 6 + 1; i++)
        {
            var field = _random.Next(20, 30);
            switch (_random.Next(4))
            {
                case 0:
                    output.WriteTag(field, WireFormat.WireType.Varint);
                    output.WriteUInt64((ulong)_random.NextInt64());
                    break;
                case 1:
                    output.WriteTag(field, WireFormat.WireType.Fixed32);
                    output.WriteFixed32(7);
                    break;
                case 2:
                    output.WriteTag(field, WireFormat.WireType.LengthDelimited);
                    output.WriteString(Text(5));
                    break;
                default:
                    output.WriteTag(field, WireFormat.WireType.StartGroup);
                    output.WriteTag(1, WireFormat.WireType.Varint);
                    output.WriteInt32(3);
                    output.WriteTag(field, WireFormat.WireType.EndGroup);
                    break;
            }
        }

        output.Flush();
        return bytes.ToArray();
    }

    private string Text(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(Chance(0.03) ? Pick(["é", "中", "😀", "\t"]) : (char)_random.Next('a', 'z' + 1));
        }

        return text.ToString();
    }

    private bool Chance(double p) => _random.NextDouble() < p;

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
