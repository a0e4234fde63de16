using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.Protos;

public sealed class ExtProcWireTests
{
    [Fact]
    public void ReadProtocolConfig_EnvoyEncodedField11_ReturnsModes()
    {
        // ProcessingRequest{request_headers{} (field 2), protocol_config (field 11){request_body_mode=4, response_body_mode=1, send_body_without_waiting=true}}
        byte[] wire = [0x12, 0x00, 0x5A, 0x06, 0x08, 0x04, 0x10, 0x01, 0x18, 0x01];
        var request = ProcessingRequest.Parser.ParseFrom(wire);

        var config = ExtProcWire.ReadProtocolConfig(request);

        Assert.Equal(new ProtocolConfiguration(ExtProcWire.FullDuplexStreamed, BodySendMode.Streamed, true), config);
        Assert.Equal(wire, request.ToByteArray());
    }

    [Fact]
    public void ReadProtocolConfig_OtherUnknownFieldsAndTwoConfigs_ReadsTheLast()
    {
        byte[] wire =
        [
            0x12, 0x00, // request_headers {}
            0xA1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, // field 20, fixed64
            0xA8, 0x01, 0xAC, 0x02, // field 21, varint 300
            0x5A, 0x02, 0x08, 0x01, // protocol_config {request_body_mode=STREAMED}
            0xB5, 0x01, 1, 2, 3, 4, // field 22, fixed32
            0x5A, 0x09, 0x08, 0x02, 0x4A, 0x01, (byte)'x', 0x10, 0x03, 0x18, 0x01, // protocol_config {BUFFERED, field 9 "x", BUFFERED_PARTIAL, true}
        ];

        var config = ExtProcWire.ReadProtocolConfig(ProcessingRequest.Parser.ParseFrom(wire));

        Assert.Equal(new ProtocolConfiguration(BodySendMode.Buffered, BodySendMode.BufferedPartial, true), config);
    }

    [Fact]
    public void ReadProtocolConfig_GroupAmongUnknownFields_StillReadsIt()
    {
        // A group (field 20: start 0xA3 0x01, a varint inside, end 0xA4 0x01) before protocol_config {BUFFERED}.
        byte[] wire = [0x12, 0x00, 0xA3, 0x01, 0x08, 0x05, 0xA4, 0x01, 0x5A, 0x02, 0x08, 0x02];

        var config = ExtProcWire.ReadProtocolConfig(ProcessingRequest.Parser.ParseFrom(wire));

        Assert.Equal(new ProtocolConfiguration(BodySendMode.Buffered, BodySendMode.None, false), config);
    }

    [Fact]
    public void ReadProtocolConfig_NoField11_ReturnsNull()
    {
        var request = new ProcessingRequest { RequestHeaders = new HttpHeaders() };

        Assert.Null(ExtProcWire.ReadProtocolConfig(request));
    }

    [Fact]
    public void WithProtocolConfig_RoundTrip_ReadsSameConfig()
    {
        var config = new ProtocolConfiguration(BodySendMode.Buffered, BodySendMode.BufferedPartial, false);
        var request = ExtProcWire.WithProtocolConfig(new ProcessingRequest { RequestHeaders = new HttpHeaders() }, config);

        Assert.Equal(config, ExtProcWire.ReadProtocolConfig(request));
        Assert.Equal(ProcessingRequest.RequestOneofCase.RequestHeaders, request.RequestCase);
    }

    [Fact]
    public void StreamedResponse_Encoded_IsField3WithBodyAndEndOfStream()
    {
        var mutation = ExtProcWire.StreamedResponse("hi"u8, endOfStream: true);

        // field 3 (0x1A), length 6: body field 1 "hi", end_of_stream field 2 = 1
        Assert.Equal(new byte[] { 0x1A, 0x06, 0x0A, 0x02, (byte)'h', (byte)'i', 0x10, 0x01 }, mutation.ToByteArray());
        Assert.True(ExtProcWire.TryReadStreamedResponse(mutation, out var body, out var end));
        Assert.Equal("hi", body.ToStringUtf8());
        Assert.True(end);
    }

    [Fact]
    public void TryReadStreamedResponse_PlainBodyMutation_ReturnsFalse()
    {
        var mutation = new BodyMutation { Body = ByteString.CopyFromUtf8("x") };

        Assert.False(ExtProcWire.TryReadStreamedResponse(mutation, out _, out _));
    }
}
