using System.Buffers.Binary;
using Google.Protobuf;

namespace EnvoyGovern.LoadRequests;

/// <summary>
/// gRPC's length-prefixed message framing (a compressed flag byte, a 4-byte big-endian length, the message):
/// the body of an HTTP/2 gRPC request or response.
/// </summary>
internal static class GrpcFrames
{
    private const int PrefixLength = 5;

    /// <summary>The messages, each framed, one after the other: one request body.</summary>
    public static byte[] Encode(IEnumerable<IMessage> messages)
    {
        using var body = new MemoryStream();
        Span<byte> prefix = stackalloc byte[PrefixLength];
        foreach (var message in messages)
        {
            var bytes = message.ToByteArray();
            prefix[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)bytes.Length);
            body.Write(prefix);
            body.Write(bytes);
        }

        return body.ToArray();
    }

    /// <summary>Splits a body into its messages; throws <see cref="FormatException"/> on anything else.</summary>
    public static List<byte[]> Decode(ReadOnlySpan<byte> body)
    {
        var messages = new List<byte[]>();
        while (!body.IsEmpty)
        {
            if (body.Length < PrefixLength)
            {
                throw new FormatException($"{body.Length} bytes left, less than a message prefix");
            }

            if (body[0] != 0)
            {
                throw new FormatException($"compressed flag {body[0]}: the harness sends uncompressed messages only");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..PrefixLength]);
            if (length > body.Length - PrefixLength)
            {
                throw new FormatException($"message of {length} bytes, but only {body.Length - PrefixLength} follow");
            }

            messages.Add(body.Slice(PrefixLength, (int)length).ToArray());
            body = body[(PrefixLength + (int)length)..];
        }

        return messages;
    }

    /// <summary>Decodes a body into messages of one type (protobuf parse errors propagate).</summary>
    public static List<T> Decode<T>(ReadOnlySpan<byte> body, MessageParser<T> parser)
        where T : IMessage<T> => [.. Decode(body).Select(parser.ParseFrom)];
}
