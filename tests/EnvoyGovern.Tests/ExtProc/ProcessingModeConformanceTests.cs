using EnvoyGovern.Protos.Compat;
using EnvoyGovern.TestSupport;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;
using HeaderSendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode;

namespace EnvoyGovern.Tests.ExtProc;

/// <summary>
/// The service driven exactly as Envoy drives it, in every processing mode, with no inspector
/// registered: every answer must pass Envoy's rules and the exchange must reach both ends unchanged.
/// </summary>
public sealed class ProcessingModeConformanceTests : IAsyncLifetime
{
    private RunningService _service = null!;

    public static TheoryData<BodySendMode, HeaderSendMode, bool> Modes()
    {
        var data = new TheoryData<BodySendMode, HeaderSendMode, bool>();
        foreach (var headers in new[] { HeaderSendMode.Send, HeaderSendMode.Skip })
        {
            foreach (var body in new[] { BodySendMode.None, BodySendMode.Streamed, BodySendMode.Buffered, BodySendMode.BufferedPartial })
            {
                data.Add(body, headers, false);
                data.Add(body, headers, true);
            }

            // Full duplex requires trailers SEND.
            data.Add(ExtProcWire.FullDuplexStreamed, headers, true);
        }

        return data;
    }

    public async Task InitializeAsync() => _service = await RunningService.StartExtProcAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Process_Mode_AnswersByEnvoyRulesAndPassesUnchanged(BodySendMode body, HeaderSendMode headers, bool trailers)
    {
        var exchange = WithBodies(trailers);

        var outcome = await RunAsync(_service, Config(body, headers, trailers), exchange);

        AssertConforms(outcome);
        Assert.False(outcome.StreamEndedWithError, outcome.StreamStatus?.ToString());
        Assert.True(outcome.RequestForwardedUpstream);
        Assert.Null(outcome.LocalReplyStatus);
        Assert.Equal("{\"model\":\"gpt\",\"messages\":[]}", Text(outcome.RequestBody));
        Assert.Equal("{\"id\":1,\"usage\":{}}", Text(outcome.ResponseBody));
        Assert.Equal(exchange.RequestHeaders, outcome.RequestHeaders);
        if (trailers)
        {
            Assert.Equal(exchange.RequestTrailers, outcome.RequestTrailers);
            Assert.Equal(exchange.ResponseTrailers, outcome.ResponseTrailers);
        }
    }

    [Fact]
    public async Task Process_HeadersOnlyRequest_OneAnswerPerMessage()
    {
        var outcome = await RunAsync(_service, Config(BodySendMode.None), Conformance.ExtProc.HttpExchange.Create());

        AssertConforms(outcome);
        Assert.Equal(2, outcome.Transcript.Count(e => e.Sent is not null));
        Assert.Equal(2, outcome.Transcript.Count(e => e.Received is not null));
    }
}
