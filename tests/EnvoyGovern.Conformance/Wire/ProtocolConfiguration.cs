using Envoy.Extensions.Filters.Http.ExtProc.V3;

namespace EnvoyGovern.Conformance.Wire;

/// <summary>
/// The content of <c>ProcessingRequest.protocol_config</c> (field 11, Envoy 1.32+), which the
/// pinned protos do not have yet.
/// </summary>
/// <param name="RequestBodyMode">The request body mode Envoy uses for this stream.</param>
/// <param name="ResponseBodyMode">The response body mode Envoy uses for this stream.</param>
/// <param name="SendBodyWithoutWaitingForHeaderResponse">The filter flag of the same name.</param>
public sealed record ProtocolConfiguration(
    ProcessingMode.Types.BodySendMode RequestBodyMode,
    ProcessingMode.Types.BodySendMode ResponseBodyMode,
    bool SendBodyWithoutWaitingForHeaderResponse);
