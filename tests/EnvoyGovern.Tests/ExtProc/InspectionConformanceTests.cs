using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Tests.Fixtures;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.ExtProc;

/// <summary>The inspector seam: what inspectors see, and how their verdicts reach Envoy.</summary>
public sealed class InspectionConformanceTests
{
    private static Task<RunningService> StartWith(IInspector inspector) =>
        RunningService.StartExtProcAsync(s => s.AddSingleton(inspector));

    [Fact]
    public async Task Process_StreamedBodyEndedByTrailers_InspectorSeesEndOfBody()
    {
        var inspector = new RecordingInspector();
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed, trailers: true), WithBodies(trailers: true));

        AssertConforms(outcome);
        var request = inspector.Events.Where(e => e.StartsWith("Request", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["RequestHeaders", "RequestBody(15)", "RequestBody(14)", "RequestBody(0,end)", "RequestTrailers"], request);
    }

    [Fact]
    public async Task Process_InspectorRejectsRequestHeaders_ImmediateResponseWithReason()
    {
        var inspector = new RecordingInspector
        {
            OnHeaders = d => d == HttpDirection.Request ? InspectionVerdict.Rejected(403, "prompt_injection") : InspectionVerdict.Continue,
        };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), WithBodies(trailers: false));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
        Assert.False(outcome.RequestForwardedUpstream);
        Assert.Equal("prompt_injection", outcome.ImmediateResponse?.Details);
        Assert.Contains("\"error\":\"prompt_injection\"", Text(outcome.ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_InspectorRejectsStatusBelow200_ServiceSends403()
    {
        var inspector = new RecordingInspector { OnHeaders = _ => InspectionVerdict.Rejected(100, "bad_status") };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.None), WithBodies(trailers: false));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
    }

    [Fact]
    public async Task Process_InspectorAsksForBody_ModeOverrideBringsBufferedBody()
    {
        var inspector = new RecordingInspector
        {
            OnHeaders = d => d == HttpDirection.Request ? new InspectionVerdict { BodyMode = BodySendMode.Buffered } : InspectionVerdict.Continue,
        };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), WithBodies(trailers: false));

        AssertConforms(outcome);
        Assert.Contains("RequestBody(29,end)", inspector.Events);
        Assert.Equal("{\"model\":\"gpt\",\"messages\":[]}", System.Text.Encoding.UTF8.GetString(inspector.RequestBody));
    }

    [Fact]
    public async Task Process_InspectorReplacesBufferedBody_ContentLengthKeptConsistent()
    {
        var inspector = new RecordingInspector
        {
            OnBody = (d, _, end) => d == HttpDirection.Request && end
                ? new InspectionVerdict { ReplaceBody = "{\"redacted\":true}"u8.ToArray() }
                : InspectionVerdict.Continue,
        };
        await using var service = await StartWith(inspector);
        var exchange = WithBodies(trailers: false);
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders, new("content-length", "29")] };

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), exchange);

        AssertConforms(outcome);
        Assert.Equal("{\"redacted\":true}", Text(outcome.RequestBody));
        Assert.Contains(new KeyValuePair<string, string>("content-length", "17"), outcome.RequestHeaders);
    }

    [Fact]
    public async Task Process_InspectorRewritesFullDuplexChunks_StreamedBackInOrder()
    {
        var inspector = new RecordingInspector
        {
            OnBody = (d, chunk, _) => d == HttpDirection.Request && chunk.Length > 0
                ? new InspectionVerdict { ReplaceBody = System.Text.Encoding.UTF8.GetBytes(Text(chunk).ToUpperInvariant()) }
                : InspectionVerdict.Continue,
        };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(EnvoyGovern.Protos.Compat.ExtProcWire.FullDuplexStreamed, trailers: true), WithBodies(trailers: true));

        AssertConforms(outcome);
        Assert.Equal("{\"MODEL\":\"GPT\",\"MESSAGES\":[]}", Text(outcome.RequestBody));
    }
}
