using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Wire;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Rules for the <see cref="CommonResponse"/> in headers and body answers.</summary>
internal static class CommonResponseRules
{
    public static void CheckHeaders(CommonResponse? common, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (common is null)
        {
            return;
        }

        CheckShared(common, context, violations);
        if (common.BodyMutation is not null && common.Status != CommonResponse.Types.ResponseStatus.ContinueAndReplace)
        {
            violations.Add(new(ExtProcRuleIds.BodyMutationIgnored,
                "body_mutation in a headers response without CONTINUE_AND_REPLACE; Envoy ignores it."));
        }
    }

    public static void CheckBody(CommonResponse? common, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (common is null)
        {
            if (context.BodyMode == ExtProcWire.FullDuplexStreamed)
            {
                violations.Add(new(ExtProcRuleIds.BodyMutationInDuplex,
                    "Body response without streamed_response in FULL_DUPLEX_STREAMED; Envoy treats it as spurious."));
            }

            return;
        }

        CheckShared(common, context, violations);
        if (common.Status == CommonResponse.Types.ResponseStatus.ContinueAndReplace)
        {
            violations.Add(new(ExtProcRuleIds.ReplaceNotInHeaders, "CONTINUE_AND_REPLACE in a body response; Envoy honours it only in headers responses."));
        }

        // Envoy applies a body answer's header_mutation only while it still holds the headers.
        if (common.HeaderMutation is not null && context.Headers is null)
        {
            violations.Add(new(ExtProcRuleIds.HeaderMutationIgnored,
                $"header_mutation in a {context.BodyMode} body response after the headers went on; Envoy ignores it."));
        }

        BodyMutationRules.Check(common, context, violations);
    }

    private static void CheckShared(CommonResponse common, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        if (common.HeaderMutation is not null)
        {
            ExtProcHeaderMutationRules.Check(common.HeaderMutation, "header_mutation", context.Config, violations);
            CheckContentLengthSet(common.HeaderMutation, context, violations);
        }

        if (common.Trailers is not null)
        {
            violations.Add(new(ExtProcRuleIds.TrailersNotImplemented, "CommonResponse.trailers is not implemented by Envoy; ignored."));
        }

        if (common.ClearRouteCache && (!context.IsRequestPath || common.HeaderMutation is null))
        {
            violations.Add(new(ExtProcRuleIds.ClearRouteCacheIgnored,
                "clear_route_cache is honoured only on the request path and only with a header_mutation; ignored."));
        }
    }

    private static void CheckContentLengthSet(HeaderMutation mutation, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        // Envoy strips content-length (and skips sets of it) wherever it cannot match the body.
        var strips = context.BodyMode is Mode.Streamed or Mode.BufferedPartial || context.BodyMode == ExtProcWire.FullDuplexStreamed;
        if (strips && mutation.SetHeaders.Any(h => string.Equals(h.Header?.Key, "content-length", StringComparison.OrdinalIgnoreCase)))
        {
            violations.Add(new(ExtProcRuleIds.ContentLengthIgnored,
                $"Setting content-length in {context.BodyMode} mode; Envoy removes content-length there and ignores the set."));
        }
    }
}
