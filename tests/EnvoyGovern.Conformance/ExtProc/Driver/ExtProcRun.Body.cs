using Envoy.Service.ExtProc.V3;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>STREAMED, BUFFERED and BUFFERED_PARTIAL bodies.</summary>
internal sealed partial class ExtProcRun
{
    /// <summary>Sends the body per mode; false when processing stopped.</summary>
    private async Task<bool> RunBodyAsync(DirectionData data) => _modes.Body(data.Direction) switch
    {
        Mode.Streamed => await RunStreamedAsync(data),
        Mode.Buffered => await RunBufferedAsync(data),
        Mode.BufferedPartial => await RunBufferedPartialAsync(data),
        _ => true,
    };

    // One message per chunk, each answered in order. When trailers follow, no chunk carries
    // end_of_stream: the trailers message ends the body.
    private async Task<bool> RunStreamedAsync(DirectionData data)
    {
        for (var i = data.NextChunk; i < data.Chunks.Count; i++)
        {
            var chunk = data.Chunks[i];
            var endOfStream = data.Last(i) && data.Trailers is null;
            var answer = await ExchangeAsync(data.BodyMessage(chunk.Span, endOfStream), () => Context(data, BodyKind(data.Direction)));
            if (answer is null)
            {
                return false;
            }

            ApplyChunkAnswer(data, answer, chunk.Span);
        }

        return true;
    }

    private static void ApplyChunkAnswer(DirectionData data, ProcessingResponse answer, ReadOnlySpan<byte> chunk)
    {
        var mutation = (answer.RequestBody ?? answer.ResponseBody).Response?.BodyMutation;
        var result = Mutate(mutation, chunk);
        if (!result.AsSpan().SequenceEqual(chunk))
        {
            data.Headers.Remove("content-length");
        }

        data.Write(result);
        data.NextChunk++;
    }

    // The whole body in one message; over the buffer limit Envoy answers 413 (request) or 500 (response).
    private async Task<bool> RunBufferedAsync(DirectionData data)
    {
        var body = Concat(data, data.Chunks.Count);
        if (body.Length > _config.BufferLimitBytes)
        {
            _localReplyStatus = data.Direction == Direction.Request ? 413 : 500;
            return false;
        }

        return await SendWholeAsync(data, body, data.Chunks.Count, data.Trailers is null);
    }

    // Chunks are queued until the queue exceeds the limit (or the body ends); that much is sent,
    // the rest passes uninspected.
    private async Task<bool> RunBufferedPartialAsync(DirectionData data)
    {
        var count = 0;
        var size = 0L;
        while (count < data.Chunks.Count && size <= _config.BufferLimitBytes)
        {
            size += data.Chunks[count++].Length;
        }

        var complete = count == data.Chunks.Count && size <= _config.BufferLimitBytes;
        return await SendWholeAsync(data, Concat(data, count), count, complete && data.Trailers is null);
    }

    private async Task<bool> SendWholeAsync(DirectionData data, byte[] body, int chunkCount, bool endOfStream)
    {
        var headersHeld = _modes.SendHeaders(data.Direction);
        var answer = await ExchangeAsync(data.BodyMessage(body, endOfStream), () => Context(data, BodyKind(data.Direction), headersHeld));
        if (answer is null)
        {
            return false;
        }

        var common = (answer.RequestBody ?? answer.ResponseBody).Response;
        if (headersHeld && common?.HeaderMutation is not null)
        {
            data.Headers.Apply(common.HeaderMutation, _checker, replacing: false, StripsContentLength(data.Direction));
        }

        var result = Mutate(common?.BodyMutation, body);
        if (_modes.Body(data.Direction) == Mode.BufferedPartial && !result.AsSpan().SequenceEqual(body))
        {
            data.Headers.Remove("content-length");
        }

        data.Write(result);
        data.NextChunk = chunkCount;
        data.HeadersReleased = true;
        return true;
    }

    private static byte[] Concat(DirectionData data, int count)
    {
        using var all = new MemoryStream();
        for (var i = data.NextChunk; i < count; i++)
        {
            all.Write(data.Chunks[i].Span);
        }

        return all.ToArray();
    }
}
