using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Protos.Compat;
using Grpc.Core;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>
/// The state machine of one ext_proc stream. Each message is checked against the direction's state,
/// handed to the inspectors, and answered with exactly one response of the matching kind (in full
/// duplex, with the body chunks streamed back). A rejection ends the exchange with an immediate response.
/// </summary>
internal sealed class ProcessingSession(InspectorChain inspectors, InspectionContext context, ExtProcMetrics metrics, ExchangeFacts facts)
{
    private static readonly HeaderMap EmptyHeaders = new();
    private static readonly InspectionVerdict Cleared = new() { ReplaceBody = ReadOnlyMemory<byte>.Empty };

    private readonly DirectionState _request = new(HttpDirection.Request);
    private readonly DirectionState _response = new(HttpDirection.Response);
    private bool _first = true;

    // An answer that must precede the one to the current message (full duplex: the body's rest before the trailers answer).
    private ProcessingResponse? _before;

    /// <summary>True after an immediate response: Envoy sends nothing more that needs an answer.</summary>
    public bool Finished { get; private set; }

    public InspectionContext Context => context;

    /// <summary>What the exchange's audit record needs from its headers and its end.</summary>
    public ExchangeFacts Facts => facts;

    /// <summary>Handles one message and writes its answer(s).</summary>
    public async Task HandleAsync(ProcessingMessage message, IAsyncStreamWriter<ProcessingResponse> writer, CancellationToken cancellationToken)
    {
        if (_first)
        {
            _first = false;
            ReadProtocolConfig(message);
        }

        // A headers message read in place has no attributes (the reader leaves those to the generated parser).
        if (message.Request is { Attributes.Count: > 0 } withAttributes)
        {
            MergeAttributes(withAttributes);
        }

        var start = ExtProcMetrics.Start();
        var phase = message.RequestCase;
        var request = message.Request;
        var response = message.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => await OnHeadersAsync(_request, message.Headers, message.EndOfStream, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseHeaders => await OnHeadersAsync(_response, message.Headers, message.EndOfStream, cancellationToken),
            ProcessingRequest.RequestOneofCase.RequestBody => await OnBodyAsync(_request, request!.RequestBody, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseBody => await OnBodyAsync(_response, request!.ResponseBody, cancellationToken),
            ProcessingRequest.RequestOneofCase.RequestTrailers => await OnTrailersAsync(_request, request!.RequestTrailers, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseTrailers => await OnTrailersAsync(_response, request!.ResponseTrailers, cancellationToken),
            _ => throw new ProtocolViolationException("ProcessingRequest carries none of request_headers, response_headers, request_body, response_body, request_trailers, response_trailers", invalidArgument: true),
        };

        metrics.Observe(phase, start);
        if (response.ResponseCase == ProcessingResponse.ResponseOneofCase.ImmediateResponse)
        {
            Finished = true;
            metrics.Rejected(phase);
        }

        // In observability mode Envoy ignores answers; sending none saves both sides the work.
        if (!message.ObservabilityMode)
        {
            if (_before is { } before)
            {
                await writer.WriteAsync(before, cancellationToken);
            }

            await writer.WriteAsync(response, cancellationToken);
        }

        _before = null;
    }

    // Envoy sends attributes under the filter's namespace with request headers and again with response
    // headers: the same key twice. Later fields win, earlier ones stay.
    private void MergeAttributes(ProcessingRequest message)
    {
        foreach (var (key, value) in message.Attributes)
        {
            if (context.Attributes.TryGetValue(key, out var existing))
            {
                foreach (var (field, fieldValue) in value.Fields)
                {
                    existing.Fields[field] = fieldValue;
                }
            }
            else
            {
                context.Attributes[key] = value.Clone();
            }
        }
    }

    private void ReadProtocolConfig(ProcessingMessage message)
    {
        var config = message.ReadProtocolConfig();
        if (config is null)
        {
            return;
        }

        context.ProtocolConfig = config;
        _request.BodyMode = config.RequestBodyMode;
        _response.BodyMode = config.ResponseBodyMode;
    }

    private async ValueTask<ProcessingResponse> OnHeadersAsync(DirectionState state, HeaderMap? headers, bool endOfStream, CancellationToken cancellationToken)
    {
        Check(state.AcceptHeaders(endOfStream));
        facts.Observe(state.Direction, headers, state.Direction == HttpDirection.Request && headers is { } map ? context.Decoded(map) : null);
        var body = context.Body(state.Direction);
        body.ObserveHeaders(headers ?? EmptyHeaders, endOfStream);
        body.Mode = state.BodyMode;
        var verdict = inspectors.IsEmpty
            ? InspectionVerdict.Continue
            : await inspectors.OnHeadersAsync(context, state.Direction, headers ?? EmptyHeaders, endOfStream, cancellationToken);
        if (verdict.Reject is { } reply)
        {
            return Immediate(reply);
        }

        var response = ProcessingResponses.Headers(state.Direction, verdict, _request, _response);
        body.Mode = state.BodyMode;

        // In a buffered mode Envoy holds the headers until the body is answered.
        state.Released = !state.IsBuffered || endOfStream;
        return response;
    }

    private async ValueTask<ProcessingResponse> OnBodyAsync(DirectionState state, HttpBody message, CancellationToken cancellationToken)
    {
        Check(state.AcceptBody(message.EndOfStream));
        var chunk = message.Body.Memory;
        var body = context.Body(state.Direction);
        body.Mode = state.BodyMode;
        body.ObserveMessage(chunk.Length, message.EndOfStream);
        if (state.Stopped)
        {
            return ProcessingResponses.Body(state.Direction, Cleared, state, chunk, message.EndOfStream);
        }

        // A buffered message is all the inspectors will see of the body, trailers or not.
        var endOfBody = message.EndOfStream || state.IsBuffered;
        state.BodyDelivered = endOfBody && !message.EndOfStream;
        var verdict = inspectors.IsEmpty
            ? InspectionVerdict.Continue
            : await inspectors.OnBodyAsync(context, state.Direction, chunk, endOfBody, cancellationToken);
        if (verdict.Reject is { } reply)
        {
            return Started(state) ? CutShort(state, reply, chunk, message.EndOfStream) : Immediate(reply);
        }

        var response = ProcessingResponses.Body(state.Direction, verdict, state, chunk, message.EndOfStream);
        state.Released = true;
        return response;
    }

    private async ValueTask<ProcessingResponse> OnTrailersAsync(DirectionState state, HttpTrailers trailers, CancellationToken cancellationToken)
    {
        // A body followed by trailers never sees end_of_stream: the trailers end it. Inspectors that wait
        // for the end of the body are told here, or such a body would pass uninspected.
        var bodyWasOpen = state.BodyOpen;
        Check(state.AcceptTrailers());
        if (inspectors.IsEmpty || state.Stopped)
        {
            return ProcessingResponses.Trailers(state.Direction, InspectionVerdict.Continue);
        }

        if (bodyWasOpen && await EndBodyAsync(state, cancellationToken) is { } ended)
        {
            return ended;
        }

        var verdict = await inspectors.OnTrailersAsync(context, state.Direction, trailers.Trailers ?? EmptyHeaders, cancellationToken);
        if (verdict.Reject is { } reply)
        {
            return Started(state) ? CutShortAtTrailers(state, reply) : Immediate(reply);
        }

        return ProcessingResponses.Trailers(state.Direction, verdict);
    }

    // Ends a body at its trailers. What the inspectors still had to forward goes out first in full
    // duplex (a streamed chunk before the trailers answer); in STREAMED mode no answer can carry a body
    // any more, so a request is refused rather than forwarded without it, and a response loses it.
    private async ValueTask<ProcessingResponse?> EndBodyAsync(DirectionState state, CancellationToken cancellationToken)
    {
        var end = await inspectors.OnBodyAsync(context, state.Direction, ReadOnlyMemory<byte>.Empty, endOfBody: true, cancellationToken);
        if (end.Reject is { } reply)
        {
            return Started(state) ? CutShortAtTrailers(state, reply) : Immediate(reply);
        }

        if (end.ReplaceBody is not { Length: > 0 } rest)
        {
            return null;
        }

        if (state.IsFullDuplex)
        {
            _before = ProcessingResponses.Body(state.Direction, end, state, rest, endOfStream: false);
            return null;
        }

        context.AddFinding(new Finding
        {
            Inspector = BodyRejections.InspectorName,
            RuleId = "body-held-at-trailers",
            Message = "trailers ended a STREAMED body that was held for inspection; no answer can forward it any more (use BUFFERED or FULL_DUPLEX_STREAMED)",
            Category = "body",
            Direction = state.Direction,
            Location = "body",
            Blocking = true,
        });
        const string reason = "body_held_at_trailers";
        return Started(state) ? CutShortAtTrailers(state, new ImmediateReply(500, reason)) : Immediate(new ImmediateReply(500, reason));
    }

    // The response already started: no immediate response is possible. The rest of the body is
    // dropped; an event stream gets a last error event, so the client sees why it ended.
    private ProcessingResponse CutShort(DirectionState state, ImmediateReply reply, ReadOnlyMemory<byte> chunk, bool endOfStream)
    {
        state.Stopped = true;
        facts.CutShort(reply);
        var body = context.Body(state.Direction);
        var tail = body.Kind == BodyKind.EventStream && body.Coding == ContentCoding.Identity
            ? ProcessingResponses.EventStreamError(reply, context.ExchangeId)
            : ReadOnlyMemory<byte>.Empty;
        return ProcessingResponses.Body(state.Direction, new InspectionVerdict { ReplaceBody = tail }, state, chunk, endOfStream);
    }

    // Only the response can have started; a request can always be refused with an immediate response.
    private static bool Started(DirectionState state) => state.Direction == HttpDirection.Response && state.Released;

    private ProcessingResponse CutShortAtTrailers(DirectionState state, ImmediateReply reply)
    {
        state.Stopped = true;
        facts.CutShort(reply);
        return ProcessingResponses.Trailers(state.Direction, InspectionVerdict.Continue);
    }

    private ProcessingResponse Immediate(ImmediateReply reply)
    {
        facts.Reject(reply);
        return ProcessingResponses.Immediate(reply, context.ExchangeId);
    }

    private static void Check(string? violation)
    {
        if (violation is not null)
        {
            throw new ProtocolViolationException(violation);
        }
    }
}
