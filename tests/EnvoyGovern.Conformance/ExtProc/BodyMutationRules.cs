using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Wire;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>Rules for <see cref="BodyMutation"/> in body answers.</summary>
internal static class BodyMutationRules
{
    public static void Check(CommonResponse common, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        var mutation = common.BodyMutation;
        var streamed = mutation is not null && ExtProcWire.TryReadStreamedResponse(mutation, out _, out _);
        if (context.BodyMode == ExtProcWire.FullDuplexStreamed)
        {
            if (!streamed)
            {
                violations.Add(new(ExtProcRuleIds.BodyMutationInDuplex,
                    "Body response without streamed_response in FULL_DUPLEX_STREAMED; Envoy treats it as spurious (500)."));
            }

            return;
        }

        if (streamed)
        {
            violations.Add(new(ExtProcRuleIds.StreamedResponseOutsideDuplex,
                $"streamed_response in {context.BodyMode} mode; Envoy treats it as spurious (500)."));
            return;
        }

        if (mutation is not null && context.BodyMode == Mode.Buffered)
        {
            CheckContentLength(common, context, violations);
        }
    }

    // BUFFERED keeps content-length: Envoy compares it, after this answer's header mutation, with the
    // size of mutation.body (0 for clear_body) and fails the request on a mismatch.
    private static void CheckContentLength(CommonResponse common, ExtProcMessageContext context, List<ConformanceViolation> violations)
    {
        var contentLength = EffectiveContentLength(common.HeaderMutation, context.Headers);
        if (contentLength is null || !long.TryParse(contentLength, out var declared))
        {
            return;
        }

        var actual = common.BodyMutation.MutationCase == BodyMutation.MutationOneofCase.Body ? common.BodyMutation.Body.Length : 0;
        if (declared != actual)
        {
            violations.Add(new(ExtProcRuleIds.ContentLengthMismatch,
                $"content-length {declared} but the mutated body has {actual} bytes; Envoy answers 500. Set or remove content-length."));
        }
    }

    private static string? EffectiveContentLength(HeaderMutation? mutation, IReadOnlyList<KeyValuePair<string, string>>? headers)
    {
        var value = headers?.FirstOrDefault(h => h.Key == "content-length").Value;
        if (mutation is null)
        {
            return value;
        }

        if (mutation.RemoveHeaders.Any(h => string.Equals(h, "content-length", StringComparison.OrdinalIgnoreCase)))
        {
            value = null;
        }

        var set = mutation.SetHeaders.LastOrDefault(h => string.Equals(h.Header?.Key, "content-length", StringComparison.OrdinalIgnoreCase));
        return set is null ? value : set.Header.RawValue.ToStringUtf8();
    }
}
