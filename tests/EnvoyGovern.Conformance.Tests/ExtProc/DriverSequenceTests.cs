using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Conformance.Tests.Fakes;
using EnvoyGovern.Conformance.Wire;
using static EnvoyGovern.Conformance.Tests.ExtProc.DriverHarness;
using HeaderMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.Tests.ExtProc;

public sealed class DriverSequenceTests
{
    [Fact]
    public async Task RunAsync_DefaultMode_SendsBothHeadersWithProtocolConfigFirstOnly()
    {
        var (outcome, processor) = await RunAsync(Relaxed, HttpExchange.Create(), ContinueAll);

        Assert.Equal("RequestHeaders,ResponseHeaders", Kinds(processor));
        Assert.True(processor.Received[0].RequestHeaders.EndOfStream);
        Assert.Contains(processor.Received[0].RequestHeaders.Headers.Headers, h => h.Key == ":path" && h.RawValue.ToStringUtf8() == "/" && h.Value.Length == 0);
        Assert.True(ExtProcWire.TryReadProtocolConfig(processor.Received[0], out _));
        Assert.False(ExtProcWire.TryReadProtocolConfig(processor.Received[1], out _));
        Assert.Empty(outcome.Violations);
        Assert.True(outcome.RequestForwardedUpstream);
    }

    [Fact]
    public async Task RunAsync_HeadersSkip_SendsNothing()
    {
        var config = Relaxed with { ProcessingMode = new() { RequestHeaderMode = HeaderMode.Skip, ResponseHeaderMode = HeaderMode.Skip } };

        var (outcome, processor) = await RunAsync(config, HttpExchange.Create(), ContinueAll);

        Assert.Empty(processor.Received);
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_BodyNone_HeadersNotEndOfStreamAndBodyPassesThrough()
    {
        var (outcome, processor) = await RunAsync(Mode(Mode.None), WithBody("a", "b"), ContinueAll);

        Assert.Equal("RequestHeaders", Kinds(processor));
        Assert.False(processor.Received[0].RequestHeaders.EndOfStream);
        Assert.Equal("ab", Utf8(outcome.RequestBody));
    }

    [Fact]
    public async Task RunAsync_Streamed_OneMessagePerChunkLastEndsStream()
    {
        var (outcome, processor) = await RunAsync(Mode(Mode.Streamed), WithBody("a", "b", "c"), ContinueAll);

        Assert.Equal("RequestHeaders,RequestBody,RequestBody,RequestBody", Kinds(processor));
        Assert.Equal([false, false, true], processor.Received.Skip(1).Select(r => r.RequestBody.EndOfStream));
        Assert.Equal("abc", Utf8(outcome.RequestBody));
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_StreamedWithTrailers_NoChunkEndsStreamAndTrailersEnd()
    {
        var exchange = WithBody("a", "b") with { RequestTrailers = [new("x-checksum", "1")] };

        var (outcome, processor) = await RunAsync(Mode(Mode.Streamed, HeaderMode.Send), exchange, ContinueAll);

        Assert.Equal("RequestHeaders,RequestBody,RequestBody,RequestTrailers", Kinds(processor));
        Assert.All(processor.Received.Where(r => r.RequestBody is not null), r => Assert.False(r.RequestBody.EndOfStream));
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_TrailersSkip_TrailersNotSent()
    {
        var exchange = WithBody("a") with { RequestTrailers = [new("x-checksum", "1")] };

        var (_, processor) = await RunAsync(Mode(Mode.Streamed), exchange, ContinueAll);

        Assert.Equal("RequestHeaders,RequestBody", Kinds(processor));
        Assert.False(processor.Received[1].RequestBody.EndOfStream);
    }

    [Fact]
    public async Task RunAsync_Buffered_OneMessageWithWholeBody()
    {
        var (outcome, processor) = await RunAsync(Mode(Mode.Buffered), WithBody("ab", "cd"), ContinueAll);

        Assert.Equal("RequestHeaders,RequestBody", Kinds(processor));
        Assert.Equal("abcd", processor.Received[1].RequestBody.Body.ToStringUtf8());
        Assert.True(processor.Received[1].RequestBody.EndOfStream);
        Assert.Equal("abcd", Utf8(outcome.RequestBody));
    }

    [Fact]
    public async Task RunAsync_BufferedOverLimit_EnvoyAnswers413()
    {
        var config = Mode(Mode.Buffered) with { BufferLimitBytes = 3 };

        var (outcome, processor) = await RunAsync(config, WithBody("ab", "cd"), ContinueAll);

        Assert.Equal("RequestHeaders", Kinds(processor));
        Assert.Equal(413, outcome.LocalReplyStatus);
        Assert.False(outcome.RequestForwardedUpstream);
    }

    [Fact]
    public async Task RunAsync_BufferedPartial_SendsFirstPartRestUninspected()
    {
        var config = Mode(Mode.BufferedPartial) with { BufferLimitBytes = 3 };
        IEnumerable<ProcessingResponse> Upper(ProcessingRequest r, FakeProcessorCall p) =>
            r.RequestBody is null ? ContinueAll(r, p) : [Answers.Continue(r, Answers.WithBody(r.RequestBody.Body.ToStringUtf8().ToUpperInvariant()))];

        var (outcome, processor) = await RunAsync(config, WithBody("ab", "cd", "ef"), Upper);

        Assert.Equal("RequestHeaders,RequestBody", Kinds(processor));
        Assert.Equal("abcd", processor.Received[1].RequestBody.Body.ToStringUtf8());
        Assert.False(processor.Received[1].RequestBody.EndOfStream);
        Assert.Equal("ABCDef", Utf8(outcome.RequestBody));
    }

    [Fact]
    public async Task RunAsync_FullDuplex_SendsAllChunksAndReadsStreamedResponses()
    {
        var config = Mode(ExtProcWire.FullDuplexStreamed, HeaderMode.Send);
        static IEnumerable<ProcessingResponse> Echo(ProcessingRequest r, FakeProcessorCall p)
        {
            if (r.RequestBody is null)
            {
                return ContinueAll(r, p);
            }

            var body = r.RequestBody.Body.ToStringUtf8().ToUpperInvariant();
            var streamed = new CommonResponse { BodyMutation = ExtProcWire.StreamedResponse(System.Text.Encoding.UTF8.GetBytes(body), r.RequestBody.EndOfStream) };
            return [Answers.Continue(r, streamed)];
        }

        var (outcome, processor) = await RunAsync(config, WithBody("a", "b"), Echo);

        Assert.Equal("RequestHeaders,RequestBody,RequestBody", Kinds(processor));
        Assert.Equal("AB", Utf8(outcome.RequestBody));
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public void Constructor_FullDuplexWithoutTrailersSend_Throws() =>
        Assert.Throws<ArgumentException>(() => new EnvoyExtProcDriver(Mode(ExtProcWire.FullDuplexStreamed), _ => throw new InvalidOperationException()));

    [Fact]
    public async Task RunAsync_ModeOverrideAllowed_RequestsBody()
    {
        var config = Relaxed with { AllowModeOverride = true };
        static IEnumerable<ProcessingResponse> AskForBody(ProcessingRequest r, FakeProcessorCall p)
        {
            var answer = Answers.Continue(r);
            if (r.RequestHeaders is not null)
            {
                answer.ModeOverride = new() { RequestBodyMode = Mode.Buffered, ResponseHeaderMode = HeaderMode.Skip };
            }

            return [answer];
        }

        var (outcome, processor) = await RunAsync(config, WithBody("x"), AskForBody);

        Assert.Equal("RequestHeaders,RequestBody", Kinds(processor));
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_ModeOverrideNotAllowed_IgnoredAndReported()
    {
        static IEnumerable<ProcessingResponse> AskForBody(ProcessingRequest r, FakeProcessorCall p)
        {
            var answer = Answers.Continue(r);
            answer.ModeOverride = new() { RequestBodyMode = Mode.Buffered };
            return [answer];
        }

        var (outcome, processor) = await RunAsync(Relaxed, WithBody("x"), AskForBody);

        Assert.Equal("RequestHeaders,ResponseHeaders", Kinds(processor));
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.ModeOverrideIgnored);
    }
}
