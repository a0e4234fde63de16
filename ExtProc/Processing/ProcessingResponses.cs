using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Envoy;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;
using HeaderSendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode;

namespace EnvoyGovern.ExtProc.Processing;

/// <summary>Builds the one response of the matching kind that Envoy expects for each message.</summary>
internal static class ProcessingResponses
{
    // Answers that serve every stream, with their bytes serialized once (ProcessBinding writes those). They are
    // immutable in practice: only serialised, never changed after they are made.
    private static readonly ConditionalWeakTable<ProcessingResponse, byte[]> Frozen = new();
    private static readonly ProcessingResponse ContinueRequestHeaders = Freeze(new() { RequestHeaders = new HeadersResponse() });
    private static readonly ProcessingResponse ContinueResponseHeaders = Freeze(new() { ResponseHeaders = new HeadersResponse() });
    private static readonly ProcessingResponse ContinueRequestBody = Freeze(new() { RequestBody = new BodyResponse() });
    private static readonly ProcessingResponse ContinueResponseBody = Freeze(new() { ResponseBody = new BodyResponse() });
    private static readonly ProcessingResponse ContinueRequestTrailers = Freeze(new() { RequestTrailers = new TrailersResponse() });
    private static readonly ProcessingResponse ContinueResponseTrailers = Freeze(new() { ResponseTrailers = new TrailersResponse() });

    /// <summary>The bytes of <paramref name="answer"/> when it is one that serves every stream; else null.</summary>
    public static byte[]? Serialized(ProcessingResponse answer) => Frozen.TryGetValue(answer, out var bytes) ? bytes : null;

    public static ProcessingResponse Headers(HttpDirection direction, InspectionVerdict verdict, DirectionState request, DirectionState response)
    {
        if (verdict.IsPassThrough)
        {
            return direction == HttpDirection.Request ? ContinueRequestHeaders : ContinueResponseHeaders;
        }

        // A constant verdict's answer is the same every time (no mode override: that depends on the session); built once.
        // Two streams building it at once make equal answers, either may stay.
        if (verdict.BodyMode is null && InspectionVerdict.ConstantAnswers(verdict) is { } answers)
        {
            return answers[(int)direction] ??= Freeze(HeadersAnswer(direction, verdict));
        }

        var result = HeadersAnswer(direction, verdict);
        if (verdict.BodyMode is { } mode)
        {
            var target = direction == HttpDirection.Request ? request : response;
            target.BodyMode = mode;
            result.ModeOverride = ModeOverride(request, response);
        }

        return result;
    }

    private static ProcessingResponse Freeze(ProcessingResponse answer)
    {
        Frozen.TryAdd(answer, answer.ToByteArray());
        return answer;
    }

    private static ProcessingResponse HeadersAnswer(HttpDirection direction, InspectionVerdict verdict)
    {
        var common = Common(direction, verdict);
        return direction == HttpDirection.Request
            ? new ProcessingResponse { RequestHeaders = new HeadersResponse { Response = common }, DynamicMetadata = verdict.DynamicMetadata }
            : new ProcessingResponse { ResponseHeaders = new HeadersResponse { Response = common }, DynamicMetadata = verdict.DynamicMetadata };
    }

    public static ProcessingResponse Body(HttpDirection direction, InspectionVerdict verdict, DirectionState state, ReadOnlyMemory<byte> chunk, bool endOfStream)
    {
        CommonResponse common;
        if (state.IsFullDuplex)
        {
            // Full duplex: Envoy forwards only what we stream back, so even an unchanged chunk is echoed.
            common = Common(direction, verdict, includeHeaders: false);
            common.BodyMutation = ExtProcWire.StreamedResponse((verdict.ReplaceBody ?? chunk).Span, endOfStream);
        }
        else if (verdict.IsPassThrough)
        {
            return direction == HttpDirection.Request ? ContinueRequestBody : ContinueResponseBody;
        }
        else
        {
            // Envoy applies header mutations from a body response only in buffered mode.
            common = Common(direction, verdict, includeHeaders: state.BodyMode == BodySendMode.Buffered);
            if (verdict.ReplaceBody is { } body)
            {
                common.BodyMutation = new BodyMutation { Body = ByteString.CopyFrom(body.Span) };
                if (state.BodyMode == BodySendMode.Buffered)
                {
                    // The whole body changed: keep content-length true to it.
                    common.HeaderMutation ??= new HeaderMutation();
                    common.HeaderMutation.SetHeaders.Add(HeaderOptions.OverwriteRaw(
                        "content-length", body.Length.ToString(CultureInfo.InvariantCulture)));
                }
            }
        }

        return direction == HttpDirection.Request
            ? new ProcessingResponse { RequestBody = new BodyResponse { Response = common }, DynamicMetadata = verdict.DynamicMetadata }
            : new ProcessingResponse { ResponseBody = new BodyResponse { Response = common }, DynamicMetadata = verdict.DynamicMetadata };
    }

    public static ProcessingResponse Trailers(HttpDirection direction, InspectionVerdict verdict)
    {
        if (verdict.IsPassThrough)
        {
            return direction == HttpDirection.Request ? ContinueRequestTrailers : ContinueResponseTrailers;
        }

        var trailers = new TrailersResponse { HeaderMutation = Mutation(verdict) };
        return direction == HttpDirection.Request
            ? new ProcessingResponse { RequestTrailers = trailers, DynamicMetadata = verdict.DynamicMetadata }
            : new ProcessingResponse { ResponseTrailers = trailers, DynamicMetadata = verdict.DynamicMetadata };
    }

    public static ProcessingResponse Immediate(ImmediateReply reply, string exchangeId)
    {
        // Envoy refuses a local reply below 200; a rejection is never informational.
        var status = reply.HttpStatus is >= 200 and <= 599 ? reply.HttpStatus : 403;
        var headers = new HeaderMutation();
        headers.SetHeaders.Add(HeaderOptions.OverwriteRaw("content-type", reply.Body is null ? "application/json" : "text/plain; charset=utf-8"));
        headers.SetHeaders.Add(HeaderOptions.OverwriteRaw("x-governance-exchange-id", exchangeId));
        foreach (var (name, value) in reply.Headers)
        {
            headers.SetHeaders.Add(HeaderOptions.OverwriteRaw(name, value));
        }

        return new ProcessingResponse
        {
            ImmediateResponse = new ImmediateResponse
            {
                Status = new global::Envoy.Type.V3.HttpStatus { Code = (global::Envoy.Type.V3.StatusCode)status },
                Headers = headers,
                Body = ByteString.CopyFrom(reply.Body ?? JsonError(reply.Reason, exchangeId), Encoding.UTF8),
                Details = reply.Reason,
            },
        };
    }

    /// <summary>The last event of a server-sent-events stream cut short: says why, in the shape OpenAI-compatible clients read.</summary>
    public static ReadOnlyMemory<byte> EventStreamError(ImmediateReply reply, string exchangeId)
    {
        using var buffer = new MemoryStream();
        buffer.Write("event: error\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", "the response was stopped by governance policy");
            json.WriteString("type", "governance_error");
            json.WriteString("code", reply.Reason);
            json.WriteString("exchange_id", exchangeId);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    private static CommonResponse Common(HttpDirection direction, InspectionVerdict verdict, bool includeHeaders = true) => new()
    {
        HeaderMutation = includeHeaders && (verdict.SetHeaders.Count > 0 || verdict.RemoveHeaders.Count > 0) ? Mutation(verdict) : null,
        // Envoy ignores clear_route_cache on the response path; sending it there would only mislead.
        ClearRouteCache = direction == HttpDirection.Request && verdict.ClearRouteCache,
    };

    private static HeaderMutation Mutation(InspectionVerdict verdict)
    {
        var mutation = new HeaderMutation();
        foreach (var (name, value) in verdict.SetHeaders)
        {
            mutation.SetHeaders.Add(HeaderOptions.OverwriteRaw(name, value));
        }

        mutation.RemoveHeaders.Add(verdict.RemoveHeaders);
        return mutation;
    }

    // mode_override replaces the filter's whole mode for this exchange, so it restates what the session
    // knows: header modes stay SEND (we are answering headers), trailers keep Envoy's default.
    private static ProcessingMode ModeOverride(DirectionState request, DirectionState response) => new()
    {
        RequestHeaderMode = HeaderSendMode.Send,
        ResponseHeaderMode = HeaderSendMode.Send,
        RequestBodyMode = request.BodyMode,
        ResponseBodyMode = response.BodyMode,
    };

    private static string JsonError(string reason, string exchangeId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("error", reason);
            json.WriteString("exchange_id", exchangeId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
