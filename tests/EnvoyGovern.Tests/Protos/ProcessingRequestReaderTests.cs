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
        for (var i = 0; i < 3000; i++)
        {
            var bytes = random.Next();
            accepted += SameAsGenerated(bytes) ? 1 : 0;
        }

        // Most are valid; the invalid UTF-8 ones must be refused by both.
        Assert.InRange(accepted, 2000, 2990);
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

        Assert.Equal(ProcessingRequest.Parser.ParseFrom(payload), first);
        Assert.Same(first.RequestHeaders.Headers.Headers[1].Key, second.RequestHeaders.Headers.Headers[1].Key);
        Assert.True(MemoryMarshal.TryGetArray(first.RequestHeaders.Headers.Headers[0].RawValue.Memory, out var segment));
        Assert.Same(payload, segment.Array);
        Assert.Equal(Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered, ExtProcWire.ReadProtocolConfig(first)?.RequestBodyMode);
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

                Assert.Equal(name, ProcessingRequestReader.Read(message.ToByteArray()).RequestHeaders.Headers.Headers[0].Key);
            }
        }
    }

    private static HeaderValue Raw(string key, string value) => new() { Key = key, RawValue = ByteString.CopyFromUtf8(value) };

    // True when both accepted the bytes (and read the same message), false when both refused them.
    private static bool SameAsGenerated(byte[] bytes)
    {
        ProcessingRequest expected;
        try
        {
            expected = ProcessingRequest.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            Assert.Throws<InvalidProtocolBufferException>(() => ProcessingRequestReader.Read(bytes.AsSpan().ToArray()));
            return false;
        }

        var actual = ProcessingRequestReader.Read(bytes.AsSpan().ToArray());
        Assert.Equal(expected, actual);
        Assert.Equal(expected.ToByteArray(), actual.ToByteArray());
        return true;
    }
}
