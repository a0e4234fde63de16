using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.Wire;
using Google.Protobuf;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.Tests.Wire;

public sealed class ExtProcWireTests
{
    [Fact]
    public void WithProtocolConfig_EmptyRequest_WritesField11Bytes()
    {
        var result = ExtProcWire.WithProtocolConfig(new ProcessingRequest(), ExtProcWire.FullDuplexStreamed, Mode.Buffered, true);

        // Tag 11/LEN = 0x5A, length 6, then 1:4, 2:2, 3:true as varints.
        Assert.Equal(new byte[] { 0x5A, 0x06, 0x08, 0x04, 0x10, 0x02, 0x18, 0x01 }, result.ToByteArray());
    }

    [Fact]
    public void WithProtocolConfig_DefaultModes_WritesEmptyMessage()
    {
        var result = ExtProcWire.WithProtocolConfig(new ProcessingRequest(), Mode.None, Mode.None, false);

        Assert.Equal(new byte[] { 0x5A, 0x00 }, result.ToByteArray());
    }

    [Fact]
    public void WithProtocolConfig_KeepsExistingFields_AndRoundTrips()
    {
        var request = new ProcessingRequest { RequestHeaders = new HttpHeaders { EndOfStream = true } };

        var result = ExtProcWire.WithProtocolConfig(request, Mode.Streamed, Mode.None, false);

        Assert.True(result.RequestHeaders.EndOfStream);
        Assert.True(ExtProcWire.TryReadProtocolConfig(result, out var config));
        Assert.Equal(new ProtocolConfiguration(Mode.Streamed, Mode.None, false), config);
    }

    [Fact]
    public void TryReadProtocolConfig_NoField_ReturnsFalse()
    {
        Assert.False(ExtProcWire.TryReadProtocolConfig(new ProcessingRequest(), out var config));
        Assert.Null(config);
    }

    [Fact]
    public void StreamedResponse_BodyAndEndOfStream_WritesField3Bytes()
    {
        var mutation = ExtProcWire.StreamedResponse("ab"u8, endOfStream: true);

        Assert.Equal(new byte[] { 0x1A, 0x06, 0x0A, 0x02, 0x61, 0x62, 0x10, 0x01 }, mutation.ToByteArray());
    }

    [Fact]
    public void TryReadStreamedResponse_HandWrittenBytes_ReadsBodyAndEnd()
    {
        var mutation = BodyMutation.Parser.ParseFrom([0x1A, 0x05, 0x0A, 0x03, 0x78, 0x79, 0x7A]);

        Assert.True(ExtProcWire.TryReadStreamedResponse(mutation, out var body, out var end));
        Assert.Equal("xyz"u8.ToArray(), body.ToArray());
        Assert.False(end);
    }

    [Fact]
    public void TryReadStreamedResponse_TwoOccurrences_MergesLastWins()
    {
        byte[] bytes = [0x1A, 0x05, 0x0A, 0x01, 0x61, 0x10, 0x01, 0x1A, 0x03, 0x0A, 0x01, 0x62];

        Assert.True(ExtProcWire.TryReadStreamedResponse(BodyMutation.Parser.ParseFrom(bytes), out var body, out var end));
        Assert.Equal("b"u8.ToArray(), body.ToArray());
        Assert.True(end);
    }

    [Fact]
    public void TryReadStreamedResponse_PlainBody_ReturnsFalse()
    {
        var mutation = new BodyMutation { Body = ByteString.CopyFromUtf8("x") };

        Assert.False(ExtProcWire.TryReadStreamedResponse(mutation, out _, out _));
    }
}
