using Envoy.Service.ExtProc.V3;
using Kind = Envoy.Service.ExtProc.V3.ProcessingRequest.RequestOneofCase;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Rules for <c>immediate_response</c>.</summary>
internal static class ImmediateResponseRules
{
    public static void Check(ImmediateResponse immediate, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (context.ResponseStarted || context.SentKind == Kind.None)
        {
            violations.Add(new(ExtProcRuleIds.ImmediateNotAllowed,
                $"immediate_response in answer to {context.SentKind} after the response headers went downstream; Envoy can only reset the stream."));
        }

        if (immediate.Status is null)
        {
            violations.Add(new(ExtProcRuleIds.ImmediateStatusMissing, "immediate_response without status; Envoy answers 200."));
        }
        else if ((int)immediate.Status.Code < 200)
        {
            violations.Add(new(ExtProcRuleIds.ImmediateStatusInvalid,
                $"immediate_response status {(int)immediate.Status.Code} is below 200; Envoy replaces it with 200."));
        }

        if (immediate.Headers is not null)
        {
            ExtProcHeaderMutationRules.Check(immediate.Headers, "immediate_response.headers", context.Config, violations);
        }
    }
}
