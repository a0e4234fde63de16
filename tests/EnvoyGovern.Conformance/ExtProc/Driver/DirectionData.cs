using System.Buffers;
using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>One direction (request or response) as it passes the filter.</summary>
internal sealed class DirectionData(
    Direction direction,
    IEnumerable<KeyValuePair<string, string>> headers,
    IReadOnlyList<ReadOnlyMemory<byte>> chunks,
    IEnumerable<KeyValuePair<string, string>>? trailers)
{
    private readonly ArrayBufferWriter<byte> _body = new();

    public Direction Direction { get; } = direction;

    public HeaderBlock Headers { get; } = new(headers);

    public IReadOnlyList<ReadOnlyMemory<byte>> Chunks { get; } = chunks;

    public HeaderBlock? Trailers { get; } = trailers is null ? null : new(trailers);

    /// <summary>Chunks already accounted for in the output body.</summary>
    public int NextChunk { get; set; }

    /// <summary>CONTINUE_AND_REPLACE was answered: no body or trailers go to the processor any more.</summary>
    public bool Replaced { get; set; }

    /// <summary>True once the headers went on (downstream, for the response).</summary>
    public bool HeadersReleased { get; set; }

    public ReadOnlyMemory<byte> Body => _body.WrittenMemory.ToArray();

    public bool Last(int index) => index == Chunks.Count - 1;

    public void Write(ReadOnlySpan<byte> bytes) => _body.Write(bytes);

    public void ReplaceBody(ReadOnlySpan<byte> bytes)
    {
        _body.ResetWrittenCount();
        _body.Write(bytes);
        NextChunk = Chunks.Count;
    }

    /// <summary>Lets the remaining chunks through unmodified.</summary>
    public void PassRemaining()
    {
        for (; NextChunk < Chunks.Count; NextChunk++)
        {
            _body.Write(Chunks[NextChunk].Span);
        }
    }

    public ProcessingRequest HeadersMessage(bool endOfStream)
    {
        var http = new HttpHeaders { Headers = Headers.ToProto(), EndOfStream = endOfStream };
        return Direction == Direction.Request ? new() { RequestHeaders = http } : new() { ResponseHeaders = http };
    }

    public ProcessingRequest BodyMessage(ReadOnlySpan<byte> body, bool endOfStream)
    {
        var http = new HttpBody { Body = Google.Protobuf.ByteString.CopyFrom(body), EndOfStream = endOfStream };
        return Direction == Direction.Request ? new() { RequestBody = http } : new() { ResponseBody = http };
    }

    public ProcessingRequest TrailersMessage()
    {
        var http = new HttpTrailers { Trailers = Trailers!.ToProto() };
        return Direction == Direction.Request ? new() { RequestTrailers = http } : new() { ResponseTrailers = http };
    }
}
