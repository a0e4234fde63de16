using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>The filter state a response is judged against.</summary>
/// <param name="Config">The filter config.</param>
/// <param name="SentKind">The kind of message the answer is for.</param>
/// <param name="BodyMode">The body mode of that direction at this point (after any override).</param>
/// <param name="Headers">That direction's headers as they stand, for the content-length check; null if not held.</param>
/// <param name="ResponseStarted">True once response headers went downstream: no immediate response any more.</param>
/// <param name="OverrideUsedInState">True when an override_message_timeout was already honoured for this message.</param>
public sealed record ExtProcMessageContext(
    ExtProcFilterConfig Config,
    ProcessingRequest.RequestOneofCase SentKind,
    ProcessingMode.Types.BodySendMode BodyMode,
    IReadOnlyList<KeyValuePair<string, string>>? Headers,
    bool ResponseStarted,
    bool OverrideUsedInState = false)
{
    /// <summary>True for answers on the request path.</summary>
    public bool IsRequestPath => SentKind is ProcessingRequest.RequestOneofCase.RequestHeaders
        or ProcessingRequest.RequestOneofCase.RequestBody or ProcessingRequest.RequestOneofCase.RequestTrailers;
}
