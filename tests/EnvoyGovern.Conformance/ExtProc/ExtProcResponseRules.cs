using Envoy.Service.ExtProc.V3;
using Kind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;
using ReplyKind = Envoy.Service.ExtProc.V3.ProcessingResponse.ResponseOneofCase;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>
/// Judges one <see cref="ProcessingResponse"/> the way Envoy's ext_proc filter reads it
/// (<c>ext_proc.cc</c> <c>onReceiveMessage</c>, <c>processor_state.cc</c>, <c>mutation_utils.cc</c>).
/// </summary>
public static class ExtProcResponseRules
{
    /// <summary>Returns every violation in <paramref name="response"/> as an answer in <paramref name="context"/>.</summary>
    public static IReadOnlyList<ConformanceViolation> Validate(ProcessingResponse response, ExtProcMessageContext context)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(context);
        var violations = new List<ConformanceViolation>();
        if (response.OverrideMessageTimeout is not null)
        {
            // Envoy handles the timeout extension and returns: nothing else in the message is read.
            CheckOverrideTimeout(response, context, violations);
            return violations;
        }

        if (response.ResponseCase == ReplyKind.ImmediateResponse)
        {
            ImmediateResponseRules.Check(response.ImmediateResponse, context, violations);
            return violations;
        }

        if (response.ResponseCase != Expected(context.SentKind))
        {
            violations.Add(new(ExtProcRuleIds.SpuriousMessage,
                $"Got {response.ResponseCase} in answer to {context.SentKind}; Envoy treats it as a spurious message (500)."));
            return violations;
        }

        CheckModeOverride(response, context, violations);
        switch (response.ResponseCase)
        {
            case ReplyKind.RequestHeaders or ReplyKind.ResponseHeaders:
                CommonResponseRules.CheckHeaders(HeadersOf(response).Response, context, violations);
                break;
            case ReplyKind.RequestBody or ReplyKind.ResponseBody:
                CommonResponseRules.CheckBody(BodyOf(response).Response, context, violations);
                break;
            default:
                var trailers = response.RequestTrailers ?? response.ResponseTrailers;
                ExtProcHeaderMutationRules.Check(trailers.HeaderMutation, "trailers.header_mutation", context.Config, violations);
                break;
        }

        return violations;
    }

    /// <summary>The answer kind Envoy expects for <paramref name="sent"/>.</summary>
    public static ReplyKind Expected(Kind sent) => sent switch
    {
        Kind.RequestHeaders => ReplyKind.RequestHeaders,
        Kind.ResponseHeaders => ReplyKind.ResponseHeaders,
        Kind.RequestBody => ReplyKind.RequestBody,
        Kind.ResponseBody => ReplyKind.ResponseBody,
        Kind.RequestTrailers => ReplyKind.RequestTrailers,
        Kind.ResponseTrailers => ReplyKind.ResponseTrailers,
        _ => ReplyKind.None,
    };

    private static HeadersResponse HeadersOf(ProcessingResponse r) => r.RequestHeaders ?? r.ResponseHeaders;

    private static BodyResponse BodyOf(ProcessingResponse r) => r.RequestBody ?? r.ResponseBody;

    private static void CheckModeOverride(ProcessingResponse response, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (response.ModeOverride is null)
        {
            return;
        }

        if (context.SentKind is not (Kind.RequestHeaders or Kind.ResponseHeaders))
        {
            violations.Add(new(ExtProcRuleIds.ModeOverrideNotInHeaders,
                $"mode_override in answer to {context.SentKind}; Envoy honours it only in headers responses."));
            return;
        }

        var config = context.Config;
        var duplex = config.ProcessingMode.RequestBodyMode == Wire.ExtProcWire.FullDuplexStreamed
            || config.ProcessingMode.ResponseBodyMode == Wire.ExtProcWire.FullDuplexStreamed;
        if (!config.AllowModeOverride || config.SendBodyWithoutWaitingForHeaderResponse || duplex)
        {
            violations.Add(new(ExtProcRuleIds.ModeOverrideIgnored,
                "mode_override is ignored: the filter needs allow_mode_override, no send_body_without_waiting_for_header_response and no FULL_DUPLEX_STREAMED."));
        }
    }

    private static void CheckOverrideTimeout(ProcessingResponse response, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (response.ResponseCase != ReplyKind.None)
        {
            violations.Add(new(ExtProcRuleIds.OverrideWithResponse,
                "override_message_timeout together with a response: Envoy only extends the timer and drops the response."));
        }

        var requested = response.OverrideMessageTimeout.ToTimeSpan();
        if (requested < TimeSpan.FromMilliseconds(1) || requested > context.Config.MaxMessageTimeout)
        {
            violations.Add(new(ExtProcRuleIds.OverrideTimeoutOutOfRange,
                $"override_message_timeout {requested.TotalMilliseconds} ms is outside [1 ms, max_message_timeout {context.Config.MaxMessageTimeout.TotalMilliseconds} ms]; ignored."));
        }
        else if (context.OverrideUsedInState)
        {
            violations.Add(new(ExtProcRuleIds.OverrideTimeoutRepeated,
                "A second override_message_timeout for the same message; Envoy honours only the first."));
        }
    }
}
