using System.Runtime.InteropServices;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Protos.Compat;
using Google.Protobuf;

namespace EnvoyGovern.Tests.Protos;

public sealed class ProcessingRequestReaderTests
{
    [Fact]
    public void Read_RandomRequests_EqualsGeneratedParser()
    {
        var random = new RandomProcessingRequests(9);
        var accepted = 0;
        var inPlace = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = random.Next();
            var result = SameAsGenerated(bytes);
            accepted += result == Outcome.Refused ? 0 : 1;
            inPlace += result == Outcome.InPlace ? 1 : 0;
        }

        // Most are valid; the invalid UTF-8 ones must be refused by both. Both ways of reading are exercised.
        Assert.InRange(accepted, 2000, 2990);
        Assert.InRange(inPlace, 300, accepted - 300);
    }

    [Fact]
    public void Read_DamagedRequests_SameResultOrSameRefusalAsGeneratedParser()
    {
        var random = new RandomProcessingRequests(10);
        var damage = new Random(11);
        for (var i = 0; i < 4000; i++)
        {
            var bytes = random.Next();
            if (bytes.Length == 0)
            {
                continue;
            }

            switch (i % 3)
            {
                case 0:
                    bytes = bytes[..damage.Next(bytes.Length)];
                    break;
                case 1:
                    bytes[damage.Next(bytes.Length)] = (byte)damage.Next(256);
                    break;
                default:
                    bytes[damage.Next(bytes.Length)] ^= (byte)(1 << damage.Next(8));
                    break;
            }

            SameAsGenerated(bytes);
        }
    }

    [Fact]
    public void Read_EnvoyHeaders_SharesNamesAndViewsValuesInPlace()
    {
        var message = new ProcessingRequest
        {
            RequestHeaders = new HttpHeaders
            {
                Headers = new HeaderMap { Headers = { Raw(":path", "/v1/chat/completions"), Raw("x-request-id", "abc") } },
                EndOfStream = true,
            },
        };
        var payload = ExtProcWire.WithProtocolConfig(message, new ProtocolConfiguration(Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered, default, false)).ToByteArray();

        var first = ProcessingRequestReader.Read(payload);
        var second = ProcessingRequestReader.Read(payload.AsSpan().ToArray());

        Assert.Null(first.Request);
        Assert.Equal(ProcessingRequest.RequestOneofCase.RequestHeaders, first.RequestCase);
        Assert.Equal(message.RequestHeaders.Headers, first.Headers);
        Assert.True(first.EndOfStream);
        Assert.Same(first.Headers!.Headers[1].Key, second.Headers!.Headers[1].Key);
        Assert.True(MemoryMarshal.TryGetArray(first.Headers.Headers[0].RawValue.Memory, out var segment));
        Assert.Same(payload, segment.Array);
        Assert.Equal(Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered, first.ReadProtocolConfig()?.RequestBodyMode);
        Assert.Equal(ProcessingRequest.Parser.ParseFrom(payload), first.ToRequest());
    }

    [Fact]
    public void Read_BodyMessage_IsTheGeneratedParsersMessage()
    {
        var message = new ProcessingRequest { RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8("{}"), EndOfStream = true } };

        var read = ProcessingRequestReader.Read(message.ToByteArray());

        Assert.Equal(message, read.Request);
        Assert.Equal(ProcessingRequest.RequestOneofCase.RequestBody, read.RequestCase);
        Assert.Null(read.Headers);
    }

    [Fact]
    public void Read_InvalidUtf8Name_ThrowsAsGeneratedParser()
    {
        // request_headers { headers { headers { key: C3 28 } } }
        byte[] payload = [0x12, 0x08, 0x0A, 0x06, 0x0A, 0x04, 0x0A, 0x02, 0xC3, 0x28];

        Assert.Throws<InvalidProtocolBufferException>(() => ProcessingRequest.Parser.ParseFrom(payload));
        Assert.Throws<InvalidProtocolBufferException>(() => ProcessingRequestReader.Read(payload));
    }

    [Fact]
    public void Read_NamesThatShareASlot_EachGetsItsOwnText()
    {
        // More names than the table has slots: some share one, each read must still give its own name.
        var names = Enumerable.Range(0, 600).Select(i => $"x-name-{i}").ToArray();
        for (var round = 0; round < 2; round++)
        {
            foreach (var name in names)
            {
                var message = new ProcessingRequest { RequestHeaders = new HttpHeaders { Headers = new HeaderMap { Headers = { Raw(name, "v") } } } };

                Assert.Equal(name, ProcessingRequestReader.Read(message.ToByteArray()).Headers!.Headers[0].Key);
            }
        }
    }

    private static HeaderValue Raw(string key, string value) => new() { Key = key, RawValue = ByteString.CopyFromUtf8(value) };

    private enum Outcome
    {
        Refused,
        Generated,
        InPlace,
    }

    // How both read the bytes: refused by both, or accepted with the same message (by the generated parser or in place).
    private static Outcome SameAsGenerated(byte[] bytes)
    {
        ProcessingRequest expected;
        try
        {
            expected = ProcessingRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            Assert.Throws<InvalidProtocolBufferException>(() => ProcessingRequestReader.Read(bytes.AsSpan().ToArray()));
            return Outcome.Refused;
        }

        var actual = ProcessingRequestReader.Read(bytes.AsSpan().ToArray());
        if (actual.Request is { } generated)
        {
            Assert.Equal(expected, generated);
            Assert.Equal(expected.ToByteArray(), generated.ToByteArray());
            return Outcome.Generated;
        }

        // Read in place: what the session reads of it is the generated message's ...
        Assert.Equal(expected.RequestCase, actual.RequestCase);
        var headers = expected.RequestCase == ProcessingRequest.RequestOneofCase.ResponseHeaders ? expected.ResponseHeaders : expected.RequestHeaders;
        Assert.Equal(headers.Headers, actual.Headers);
        Assert.Equal(headers.EndOfStream, actual.EndOfStream);
        Assert.Equal(expected.ObservabilityMode, actual.ObservabilityMode);
        Assert.Equal(ExtProcWire.ReadProtocolConfig(expected), actual.ReadProtocolConfig());

        // ... and the generated message holds nothing else: its known fields are these, and its unknown fields are
        // exactly the bytes of protocol_config (an unknown-field set writes back the bytes it read).
        var withoutUnknown = ProcessingRequest.Parser.WithDiscardUnknownFields(true);
        var known = withoutUnknown.ParseFrom(bytes);
        Assert.Equal(known, withoutUnknown.ParseFrom(actual.ToRequest().ToByteArray()));
        Assert.Equal(expected.CalculateSize(), known.CalculateSize() + ProtocolConfigBytes(bytes));
        return Outcome.InPlace;
    }

    // How many bytes of a well-formed message are protocol_config fields (field 11, tag and length included).
    private static int ProtocolConfigBytes(byte[] bytes)
    {
        var input = new CodedInputStream(bytes);
        var total = 0;
        while (true)
        {
            var start = input.Position;
            var tag = input.ReadTag();
            if (tag == 0)
            {
                return total;
            }

            input.SkipLastField();
            if (WireFormat.GetTagFieldNumber(tag) == 11)
            {
                total += (int)(input.Position - start);
            }
        }
    }
}
