using EnvoyGovern.Conformance.Wire;
using Kind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;

namespace EnvoyGovern.Conformance.ExtProc.Driver;

/// <summary>FULL_DUPLEX_STREAMED, and STREAMED with send_body_without_waiting_for_header_response.</summary>
internal sealed partial class ExtProcRun
{
    // Everything is sent without waiting; then the headers answer, then any number of
    // streamed_response chunks until end_of_stream (or the trailers answer when trailers were sent).
    private async Task RunDuplexAsync(DirectionData data)
    {
        var d = data.Direction;
        var sendHeaders = _modes.SendHeaders(d);
        if (sendHeaders)
        {
            await SendAsync(data.HeadersMessage(data.Chunks.Count == 0 && data.Trailers is null), recordAlone: true);
        }

        for (var i = 0; i < data.Chunks.Count; i++)
        {
            await SendAsync(data.BodyMessage(data.Chunks[i].Span, data.Last(i) && data.Trailers is null), recordAlone: true);
        }

        if (data.Trailers is not null)
        {
            await SendAsync(data.TrailersMessage(), recordAlone: true);
        }

        data.NextChunk = data.Chunks.Count;
        if (sendHeaders)
        {
            var answer = await AwaitAnswerAsync(null, () => Context(data, HeadersKind(d)), timed: false);
            if (answer is null)
            {
                return;
            }

            ApplyHeadersAnswer(data, answer);
        }

        data.HeadersReleased = true;
        await ReadDuplexBodyAsync(data);
    }

    private async Task ReadDuplexBodyAsync(DirectionData data)
    {
        var bodyDone = data.Chunks.Count == 0;
        var trailersDone = data.Trailers is null;
        var trailersKind = data.Direction == Direction.Request ? Kind.RequestTrailers : Kind.ResponseTrailers;
        while (!(trailersDone && bodyDone) && !Terminated && !_complete)
        {
            // Judge each answer against what it claims to answer: once Envoy has sent the trailers, a
            // trailers answer is valid at any point (the trailers end the body); a body answer is valid
            // until the body has ended.
            var next = bodyDone ? trailersKind : BodyKind(data.Direction);
            var expectTrailers = !trailersDone;
            var answer = await AwaitAnswerAsync(
                null,
                m => Context(data, expectTrailers && (m.RequestTrailers is not null || m.ResponseTrailers is not null) ? trailersKind : next),
                timed: false);
            if (answer is null)
            {
                return;
            }

            if (answer.RequestTrailers is not null || answer.ResponseTrailers is not null)
            {
                ApplyTrailersAnswer(data, answer);
                trailersDone = true;
                bodyDone = true;
                continue;
            }

            var mutation = (answer.RequestBody ?? answer.ResponseBody)?.Response?.BodyMutation;
            if (mutation is not null && ExtProcWire.TryReadStreamedResponse(mutation, out var body, out var endOfStream))
            {
                data.Write(body.Span);
                bodyDone |= endOfStream && !expectTrailers;
                trailersDone |= endOfStream && !expectTrailers;
            }
        }
    }

    // STREAMED with send_body_without_waiting_for_header_response: headers and all chunks go out at
    // once; the answers come back in order, the headers answer first.
    private async Task RunEagerStreamedAsync(DirectionData data)
    {
        var d = data.Direction;
        await SendAsync(data.HeadersMessage(false), recordAlone: true);
        for (var i = 0; i < data.Chunks.Count; i++)
        {
            await SendAsync(data.BodyMessage(data.Chunks[i].Span, data.Last(i) && data.Trailers is null), recordAlone: true);
        }

        var answer = await AwaitAnswerAsync(null, () => Context(data, HeadersKind(d)), timed: true);
        if (answer is null)
        {
            return;
        }

        ApplyHeadersAnswer(data, answer);
        data.HeadersReleased = true;
        for (var i = 0; i < data.Chunks.Count && !data.Replaced; i++)
        {
            var chunk = data.Chunks[i];
            var chunkAnswer = await AwaitAnswerAsync(null, () => Context(data, BodyKind(d)), timed: true);
            if (chunkAnswer is null)
            {
                return;
            }

            ApplyChunkAnswer(data, chunkAnswer, chunk.Span);
        }

        await RunTrailersAsync(data);
    }
}
