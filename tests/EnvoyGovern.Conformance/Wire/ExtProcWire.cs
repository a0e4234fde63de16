using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.Conformance.Wire;

/// <summary>
/// Wire-level access to ext_proc fields that Envoy 1.32+ uses but the pinned protos lack. We may not
/// add Envoy .proto files, so the fields travel as unknown fields, which Google.Protobuf keeps on
/// parse and writes back on serialize.
/// </summary>
/// <remarks>
/// The services have their own codec for these fields (<c>EnvoyGovern.Protos.Compat.ExtProcWire</c>).
/// This one is written separately on purpose: the harness plays Envoy and must not judge the services
/// with the code under test, or a shared mistake would pass unnoticed.
/// </remarks>
public static class ExtProcWire
{
    /// <summary>The <c>FULL_DUPLEX_STREAMED</c> body mode (= 4), missing from the pinned enum.</summary>
    public const ProcessingMode.Types.BodySendMode FullDuplexStreamed = (ProcessingMode.Types.BodySendMode)4;

    private const int ProtocolConfigField = 11;
    private const int StreamedResponseField = 3;

    /// <summary>Returns a copy of <paramref name="request"/> with <c>protocol_config</c> set. Call once per message.</summary>
    public static ProcessingRequest WithProtocolConfig(
        ProcessingRequest request,
        ProcessingMode.Types.BodySendMode requestBodyMode,
        ProcessingMode.Types.BodySendMode responseBodyMode,
        bool sendBodyWithoutWaitingForHeaderResponse)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inner = WireFields.Message(
            WireFields.Varint(1, (ulong)requestBodyMode),
            WireFields.Varint(2, (ulong)responseBodyMode),
            WireFields.Varint(3, sendBodyWithoutWaitingForHeaderResponse ? 1UL : 0UL));
        var bytes = WireFields.Concat(request.ToByteArray(), WireFields.LengthDelimited(ProtocolConfigField, inner));
        return ProcessingRequest.Parser.ParseFrom(bytes);
    }

    /// <summary>Reads <c>protocol_config</c>; false when the message has none.</summary>
    public static bool TryReadProtocolConfig(ProcessingRequest request, out ProtocolConfiguration? config)
    {
        ArgumentNullException.ThrowIfNull(request);
        config = null;
        if (!WireFields.TryReadMerged(request.ToByteArray(), ProtocolConfigField, out var fields))
        {
            return false;
        }

        config = new ProtocolConfiguration(
            (ProcessingMode.Types.BodySendMode)fields.VarintOrZero(1),
            (ProcessingMode.Types.BodySendMode)fields.VarintOrZero(2),
            fields.VarintOrZero(3) != 0);
        return true;
    }

    /// <summary>Builds a <see cref="BodyMutation"/> carrying <c>streamed_response</c> (full-duplex mode).</summary>
    public static BodyMutation StreamedResponse(ReadOnlySpan<byte> body, bool endOfStream)
    {
        var inner = WireFields.Message(
            WireFields.Bytes(1, body),
            WireFields.Varint(2, endOfStream ? 1UL : 0UL));
        return BodyMutation.Parser.ParseFrom(WireFields.LengthDelimited(StreamedResponseField, inner));
    }

    /// <summary>Reads <c>streamed_response</c>; false when the mutation carries none.</summary>
    public static bool TryReadStreamedResponse(BodyMutation mutation, out ReadOnlyMemory<byte> body, out bool endOfStream)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        body = ReadOnlyMemory<byte>.Empty;
        endOfStream = false;
        if (!WireFields.TryReadMerged(mutation.ToByteArray(), StreamedResponseField, out var fields))
        {
            return false;
        }

        body = fields.BytesOrEmpty(1);
        endOfStream = fields.VarintOrZero(2) != 0;
        return true;
    }
}
