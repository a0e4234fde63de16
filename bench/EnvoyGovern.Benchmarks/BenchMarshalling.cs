using System.Buffers;
using Grpc.Core;

namespace EnvoyGovern.Benchmarks;

/// <summary>
/// A message's bytes handed to a marshaller as gRPC hands them over (<see cref="DeserializationContext"/>), and a
/// buffer that a marshaller writes an answer into (<see cref="SerializationContext"/>), reused between calls.
/// </summary>
internal static class BenchMarshalling
{
    /// <summary>Reads <paramref name="payload"/> with <paramref name="marshaller"/>.</summary>
    public static T Read<T>(Marshaller<T> marshaller, byte[] payload) => marshaller.ContextualDeserializer(new Payload(payload));

    /// <summary>A reusable buffer that a marshaller serializes into.</summary>
    internal sealed class Writer : SerializationContext
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(1024);

        public void Write<T>(Marshaller<T> marshaller, T message)
        {
            _buffer.ResetWrittenCount();
            marshaller.ContextualSerializer(message, this);
        }

        public override void Complete(byte[] payload) => _buffer.Write(payload);

        public override IBufferWriter<byte> GetBufferWriter() => _buffer;

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override void Complete()
        {
        }
    }

    private sealed class Payload(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => payload.AsSpan().ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}
