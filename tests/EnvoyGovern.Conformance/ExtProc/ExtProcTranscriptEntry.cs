using Envoy.Service.ExtProc.V3;

namespace EnvoyGovern.Conformance.ExtProc;

/// <summary>
/// One step of the stream. Outside full duplex a step pairs the message Envoy sent with the answer;
/// in full duplex (and for <c>override_message_timeout</c> messages) one side may be null.
/// </summary>
/// <param name="Sent">What the driver sent, or null.</param>
/// <param name="Received">What the processor answered, or null.</param>
public sealed record ExtProcTranscriptEntry(ProcessingRequest? Sent, ProcessingResponse? Received);
