using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace EnvoyGovern.Protos.Compat;

/// <summary>
/// Wire-level access to ext_proc fields that newer Envoy versions (1.32 and later) send or accept but
/// that the pinned protos predate: <c>ProcessingRequest.protocol_config</c> (field 11),
/// <c>BodyMutation.streamed_response</c> (field 3) and the <c>FULL_DUPLEX_STREAMED</c> body mode (4).
/// </summary>
/// <remarks>
/// Google.Protobuf keeps unknown fields when it parses and writes them back when it serialises, so these
/// fields survive a round trip through the generated types. Reading them serialises only the message's
/// unknown fields (nothing at all when it has none); writing them means parsing crafted bytes into the
/// generated type. Should the pinned protos ever learn these fields, they stop being unknown and the
/// readers return nothing: the wire tests and the full-duplex conformance tests would fail.
/// </remarks>
public static class ExtProcWire
{
    /// <summary><c>ProcessingMode.BodySendMode.FULL_DUPLEX_STREAMED</c>, absent from the pinned enum.</summary>
    public const ProcessingMode.Types.BodySendMode FullDuplexStreamed = (ProcessingMode.Types.BodySendMode)4;

    private const int ProtocolConfigField = 11;
    private const int StreamedResponseField = 3;

    /// <summary>Reads <c>protocol_config</c> from a request, which Envoy sends in the first message only.</summary>
    public static ProtocolConfiguration? ReadProtocolConfig(ProcessingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.UnknownFields is not { } unknown)
        {
            return null;
        }

        // Every ext_proc stream's first message carries it: read in place from the serialised unknown fields, not
        // through two more CodedInputStreams and two copies of the field. Anything this reader does not expect (a
        // group) goes the general way.
        var bytes = Serialise(unknown);
        return ScanProtocolConfig(bytes, out var config) ? config : ReadProtocolConfig(bytes);
    }

    private static ProtocolConfiguration? ReadProtocolConfig(byte[] unknownFields)
    {
        var bytes = FindField(unknownFields, ProtocolConfigField);
        if (bytes is null)
        {
            return null;
        }

        var input = new CodedInputStream(bytes.ToByteArray());
        var requestMode = ProcessingMode.Types.BodySendMode.None;
        var responseMode = ProcessingMode.Types.BodySendMode.None;
        var sendBodyWithoutWaiting = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    requestMode = (ProcessingMode.Types.BodySendMode)input.ReadEnum();
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    responseMode = (ProcessingMode.Types.BodySendMode)input.ReadEnum();
                    break;
                case 3 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    sendBodyWithoutWaiting = input.ReadBool();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new ProtocolConfiguration(requestMode, responseMode, sendBodyWithoutWaiting);
    }

    // False when the bytes hold a wire type this scan does not handle; else config is the last field 11's (null if none).
    private static bool ScanProtocolConfig(ReadOnlySpan<byte> unknownFields, out ProtocolConfiguration? config)
    {
        config = null;
        WireRange? found = null;
        var reader = new WireReader(unknownFields);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadField(out var field, out var wireType, out var payload, out _))
            {
                return false;
            }

            if (field == ProtocolConfigField && wireType == WireReader.LengthDelimited)
            {
                found = payload;
            }
        }

        if (found is not { } range)
        {
            return true;
        }

        return TryReadProtocolConfig(unknownFields, range, out config);
    }

    /// <summary>
    /// Reads a <c>ProtocolConfiguration</c> message, the content of field 11 at <paramref name="range"/>: false when it
    /// holds a wire type this reader does not handle (a group) or broken bytes, which the general reader then decides.
    /// </summary>
    internal static bool TryReadProtocolConfig(ReadOnlySpan<byte> buffer, WireRange range, out ProtocolConfiguration? config)
    {
        config = null;
        var requestMode = ProcessingMode.Types.BodySendMode.None;
        var responseMode = ProcessingMode.Types.BodySendMode.None;
        var sendBodyWithoutWaiting = false;
        var inner = new WireReader(buffer, range);
        while (!inner.IsAtEnd)
        {
            if (!inner.TryReadField(out var field, out var wireType, out _, out var varint))
            {
                return false;
            }

            if (wireType != WireReader.Varint)
            {
                continue;
            }

            switch (field)
            {
                case 1:
                    requestMode = (ProcessingMode.Types.BodySendMode)(int)(uint)varint;
                    break;
                case 2:
                    responseMode = (ProcessingMode.Types.BodySendMode)(int)(uint)varint;
                    break;
                case 3:
                    sendBodyWithoutWaiting = varint != 0;
                    break;
            }
        }

        config = new ProtocolConfiguration(requestMode, responseMode, sendBodyWithoutWaiting);
        return true;
    }

    /// <summary>Returns a copy of <paramref name="request"/> that carries <c>protocol_config</c>, as Envoy sends it.</summary>
    public static ProcessingRequest WithProtocolConfig(ProcessingRequest request, ProtocolConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        using var inner = new MemoryStream();
        var innerOut = new CodedOutputStream(inner);
        WriteEnumIfSet(innerOut, 1, config.RequestBodyMode);
        WriteEnumIfSet(innerOut, 2, config.ResponseBodyMode);
        if (config.SendBodyWithoutWaitingForHeaderResponse)
        {
            innerOut.WriteTag(3, WireFormat.WireType.Varint);
            innerOut.WriteBool(true);
        }

        innerOut.Flush();
        using var outer = new MemoryStream();
        request.WriteTo(outer);
        var outerOut = new CodedOutputStream(outer);
        outerOut.WriteTag(ProtocolConfigField, WireFormat.WireType.LengthDelimited);
        outerOut.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
        outerOut.Flush();
        return ProcessingRequest.Parser.ParseFrom(outer.ToArray());
    }

    /// <summary>A body mutation carrying <c>streamed_response</c>, the only body answer full-duplex mode accepts.</summary>
    public static BodyMutation StreamedResponse(ReadOnlySpan<byte> body, bool endOfStream)
    {
        using var inner = new MemoryStream(body.Length + 8);
        var innerOut = new CodedOutputStream(inner);
        if (!body.IsEmpty)
        {
            innerOut.WriteTag(1, WireFormat.WireType.LengthDelimited);
            innerOut.WriteBytes(ByteString.CopyFrom(body));
        }

        if (endOfStream)
        {
            innerOut.WriteTag(2, WireFormat.WireType.Varint);
            innerOut.WriteBool(true);
        }

        innerOut.Flush();
        using var outer = new MemoryStream((int)inner.Length + 8);
        var outerOut = new CodedOutputStream(outer);
        outerOut.WriteTag(StreamedResponseField, WireFormat.WireType.LengthDelimited);
        outerOut.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
        outerOut.Flush();
        return BodyMutation.Parser.ParseFrom(outer.ToArray());
    }

    /// <summary>Reads <c>streamed_response</c> from a body mutation, if it carries one.</summary>
    public static bool TryReadStreamedResponse(BodyMutation mutation, out ByteString body, out bool endOfStream)
    {
        ArgumentNullException.ThrowIfNull(mutation);
        body = ByteString.Empty;
        endOfStream = false;
        var bytes = FindField(mutation.UnknownFields, StreamedResponseField);
        if (bytes is null)
        {
            return false;
        }

        var input = new CodedInputStream(bytes.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    body = input.ReadBytes();
                    break;
                case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    endOfStream = input.ReadBool();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return true;
    }

    private static void WriteEnumIfSet(CodedOutputStream output, int field, ProcessingMode.Types.BodySendMode mode)
    {
        if (mode != ProcessingMode.Types.BodySendMode.None)
        {
            output.WriteTag(field, WireFormat.WireType.Varint);
            output.WriteEnum((int)mode);
        }
    }

    // Last occurrence wins for a singular message field in proto3; Envoy sends it once.
    private static ByteString? FindField(UnknownFieldSet? unknown, int field) =>
        unknown is null ? null : FindField(Serialise(unknown), field);

    private static byte[] Serialise(UnknownFieldSet unknown)
    {
        var bytes = new byte[unknown.CalculateSize()];
        var output = new CodedOutputStream(bytes);
        unknown.WriteTo(output);
        output.Flush();
        return bytes;
    }

    private static ByteString? FindField(byte[] bytes, int field)
    {
        var input = new CodedInputStream(bytes);
        ByteString? found = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found = input.ReadBytes();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}

/// <summary>Envoy's <c>ProtocolConfiguration</c>: the body modes the filter is configured with.</summary>
public sealed record ProtocolConfiguration(
    ProcessingMode.Types.BodySendMode RequestBodyMode,
    ProcessingMode.Types.BodySendMode ResponseBodyMode,
    bool SendBodyWithoutWaitingForHeaderResponse);
