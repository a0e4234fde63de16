using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
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

    private readonly DirectionState _request = new(HttpDirection.Request);
    private readonly DirectionState _response = new(HttpDirection.Response);
    private bool _first = true;

    /// <summary>True after an immediate response: Envoy sends nothing more that needs an answer.</summary>
    public bool Finished { get; private set; }

    public InspectionContext Context => context;

    /// <summary>What the exchange's audit record needs from its headers and its end.</summary>
    public ExchangeFacts Facts => facts;

    /// <summary>Handles one message and writes its answer(s).</summary>
    public async Task HandleAsync(ProcessingRequest message, IAsyncStreamWriter<ProcessingResponse> writer, CancellationToken cancellationToken)
    {
        if (_first)
        {
            _first = false;
            ReadProtocolConfig(message);
        }

        if (message.Attributes.Count > 0)
        {
            MergeAttributes(message);
        }

        var start = ExtProcMetrics.Start();
        var phase = message.RequestCase;
        var response = message.RequestCase switch
        {
            ProcessingRequest.RequestOneofCase.RequestHeaders => await OnHeadersAsync(_request, message.RequestHeaders, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseHeaders => await OnHeadersAsync(_response, message.ResponseHeaders, cancellationToken),
            ProcessingRequest.RequestOneofCase.RequestBody => await OnBodyAsync(_request, message.RequestBody, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseBody => await OnBodyAsync(_response, message.ResponseBody, cancellationToken),
            ProcessingRequest.RequestOneofCase.RequestTrailers => await OnTrailersAsync(_request, message.RequestTrailers, cancellationToken),
            ProcessingRequest.RequestOneofCase.ResponseTrailers => await OnTrailersAsync(_response, message.ResponseTrailers, cancellationToken),
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
            await writer.WriteAsync(response, cancellationToken);
        }
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

    private void ReadProtocolConfig(ProcessingRequest message)
    {
        var config = ExtProcWire.ReadProtocolConfig(message);
        if (config is null)
        {
            return;
        }

        context.ProtocolConfig = config;
        _request.BodyMode = config.RequestBodyMode;
        _response.BodyMode = config.ResponseBodyMode;
    }

    private async ValueTask<ProcessingResponse> OnHeadersAsync(DirectionState state, HttpHeaders headers, CancellationToken cancellationToken)
    {
        Check(state.AcceptHeaders(headers.EndOfStream));
        facts.Observe(state.Direction, headers.Headers);
        var verdict = inspectors.IsEmpty
            ? InspectionVerdict.Continue
            : await inspectors.OnHeadersAsync(context, state.Direction, headers.Headers ?? EmptyHeaders, headers.EndOfStream, cancellationToken);
        return verdict.Reject is { } reply
            ? Immediate(reply)
            : ProcessingResponses.Headers(state.Direction, verdict, _request, _response);
    }

    private async ValueTask<ProcessingResponse> OnBodyAsync(DirectionState state, HttpBody body, CancellationToken cancellationToken)
    {
        Check(state.AcceptBody(body.EndOfStream));
        var chunk = body.Body.Memory;
        var verdict = inspectors.IsEmpty
            ? InspectionVerdict.Continue
            : await inspectors.OnBodyAsync(context, state.Direction, chunk, body.EndOfStream, cancellationToken);
        return verdict.Reject is { } reply
            ? Immediate(reply)
            : ProcessingResponses.Body(state.Direction, verdict, state, chunk, body.EndOfStream);
    }

    private async ValueTask<ProcessingResponse> OnTrailersAsync(DirectionState state, HttpTrailers trailers, CancellationToken cancellationToken)
    {
        // A body followed by trailers never sees end_of_stream: the trailers end it. Inspectors that wait
        // for the end of the body are told here, or such a body would pass uninspected.
        var bodyWasOpen = state.BodyOpen;
        Check(state.AcceptTrailers());
        if (inspectors.IsEmpty)
        {
            return ProcessingResponses.Trailers(state.Direction, InspectionVerdict.Continue);
        }

        if (bodyWasOpen)
        {
            var end = await inspectors.OnBodyAsync(context, state.Direction, ReadOnlyMemory<byte>.Empty, endOfBody: true, cancellationToken);
            if (end.Reject is { } bodyReply)
            {
                return Immediate(bodyReply);
            }
        }

        var verdict = await inspectors.OnTrailersAsync(context, state.Direction, trailers.Trailers ?? EmptyHeaders, cancellationToken);
        return verdict.Reject is { } reply
            ? Immediate(reply)
            : ProcessingResponses.Trailers(state.Direction, verdict);
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
