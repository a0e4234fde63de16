using Envoy.Service.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Conformance.Tests.Fakes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static EnvoyGovern.Conformance.Tests.ExtProc.DriverHarness;
using Mode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Conformance.Tests.ExtProc;

public sealed class DriverAnswerTests
{
    [Fact]
    public async Task RunAsync_HeaderMutation_ReachesUpstream()
    {
        IEnumerable<ProcessingResponse> AddUser(ProcessingRequest r, FakeProcessorCall p) =>
            r.RequestHeaders is null ? ContinueAll(r, p) : [Answers.Continue(r, Answers.WithHeaders(Answers.Set("x-user", "alice")))];

        var (outcome, _) = await RunAsync(Relaxed, HttpExchange.Create(), AddUser);

        Assert.Contains(new KeyValuePair<string, string>("x-user", "alice"), outcome.RequestHeaders);
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_DisallowedMutation_IgnoredAndReported()
    {
        IEnumerable<ProcessingResponse> SetHost(ProcessingRequest r, FakeProcessorCall p) =>
            r.RequestHeaders is null ? ContinueAll(r, p) : [Answers.Continue(r, Answers.WithHeaders(Answers.Set(":authority", "evil.example")))];

        var (outcome, _) = await RunAsync(Relaxed, HttpExchange.Create(), SetHost);

        Assert.Contains(new KeyValuePair<string, string>(":authority", "example.com"), outcome.RequestHeaders);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.MutationIgnored);
    }

    [Fact]
    public async Task RunAsync_CrLfInValue_EnvoyAnswers500()
    {
        static IEnumerable<ProcessingResponse> Inject(ProcessingRequest r, FakeProcessorCall p) =>
            [Answers.Continue(r, Answers.WithHeaders(Answers.Set("x-user", "a\r\nx-admin: 1")))];

        var (outcome, _) = await RunAsync(Relaxed, HttpExchange.Create(), Inject);

        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.False(outcome.RequestForwardedUpstream);
        Assert.Contains(outcome.Violations, v => v.Rule == "HEADER_VALUE_INVALID");
    }

    [Fact]
    public async Task RunAsync_ImmediateResponse_StopsAndIsRecorded()
    {
        static IEnumerable<ProcessingResponse> Deny(ProcessingRequest r, FakeProcessorCall p) =>
        [
            new ProcessingResponse
            {
                ImmediateResponse = new ImmediateResponse
                {
                    Status = new Envoy.Type.V3.HttpStatus { Code = Envoy.Type.V3.StatusCode.Forbidden },
                    Body = ByteString.CopyFromUtf8("denied"),
                },
            },
        ];

        var (outcome, processor) = await RunAsync(Relaxed, HttpExchange.Create(), Deny);

        Assert.Equal(403, outcome.LocalReplyStatus);
        Assert.NotNull(outcome.ImmediateResponse);
        Assert.False(outcome.RequestForwardedUpstream);
        Assert.Equal("denied", Utf8(outcome.ResponseBody));
        Assert.Equal("RequestHeaders", Kinds(processor));
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_ContinueAndReplace_ReplacesBodyAndStopsDirection()
    {
        IEnumerable<ProcessingResponse> Replace(ProcessingRequest r, FakeProcessorCall p)
        {
            if (r.RequestHeaders is null)
            {
                return ContinueAll(r, p);
            }

            var common = Answers.WithBody("{}");
            common.Status = CommonResponse.Types.ResponseStatus.ContinueAndReplace;
            return [Answers.Continue(r, common)];
        }

        var exchange = WithBody("secret") with { RequestHeaders = [.. WithBody().RequestHeaders, new("content-length", "6")] };
        var (outcome, processor) = await RunAsync(Mode(Mode.Streamed), exchange, Replace);

        Assert.Empty(outcome.Violations);
        Assert.Equal("RequestHeaders", Kinds(processor));
        Assert.Equal("{}", Utf8(outcome.RequestBody));
        Assert.DoesNotContain(outcome.RequestHeaders, h => h.Key == "content-length");
    }

    [Fact]
    public async Task RunAsync_WrongKind_SpuriousAnd500()
    {
        static IEnumerable<ProcessingResponse> Wrong(ProcessingRequest r, FakeProcessorCall p) =>
            [new ProcessingResponse { RequestBody = new BodyResponse() }];

        var (outcome, _) = await RunAsync(Relaxed, HttpExchange.Create(), Wrong);

        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.SpuriousMessage);
    }

    [Fact]
    public async Task RunAsync_WrongKindWithFailureModeAllow_RequestGoesThrough()
    {
        static IEnumerable<ProcessingResponse> Wrong(ProcessingRequest r, FakeProcessorCall p) =>
            [new ProcessingResponse { RequestBody = new BodyResponse() }];

        var (outcome, _) = await RunAsync(Relaxed with { FailureModeAllow = true }, HttpExchange.Create(), Wrong);

        Assert.Null(outcome.LocalReplyStatus);
        Assert.True(outcome.RequestForwardedUpstream);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.SpuriousMessage);
    }

    [Fact]
    public async Task RunAsync_ExtraMessage_ReportedAsSpurious()
    {
        static IEnumerable<ProcessingResponse> Twice(ProcessingRequest r, FakeProcessorCall p) => [Answers.Continue(r), Answers.Continue(r)];

        var config = Relaxed with { ProcessingMode = new() { ResponseHeaderMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.HeaderSendMode.Skip } };
        var (outcome, _) = await RunAsync(config, HttpExchange.Create(), Twice);

        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.SpuriousMessage);
    }

    [Fact]
    public async Task RunAsync_NoAnswer_MessageTimeout504()
    {
        var config = new ExtProcFilterConfig { MessageTimeout = TimeSpan.FromMilliseconds(50) };

        var (outcome, _) = await RunAsync(config, HttpExchange.Create(), (_, _) => []);

        Assert.Equal(504, outcome.LocalReplyStatus);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.MessageTimeout);
    }

    [Fact]
    public async Task RunAsync_OverrideMessageTimeoutWithinMax_ExtendsTimer()
    {
        var config = new ExtProcFilterConfig { MessageTimeout = TimeSpan.FromSeconds(1), MaxMessageTimeout = TimeSpan.FromSeconds(10) };
        static IEnumerable<ProcessingResponse> Slow(ProcessingRequest r, FakeProcessorCall p)
        {
            yield return new ProcessingResponse { OverrideMessageTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) };
            Thread.Sleep(1500);
            yield return Answers.Continue(r);
        }

        var (outcome, _) = await RunAsync(config, HttpExchange.Create(), Slow);

        Assert.Null(outcome.LocalReplyStatus);
        Assert.Empty(outcome.Violations);
    }

    [Fact]
    public async Task RunAsync_ProcessorClosesOk_RequestContinuesUnmodified()
    {
        static IEnumerable<ProcessingResponse> Close(ProcessingRequest r, FakeProcessorCall p)
        {
            p.End(Status.DefaultSuccess);
            return [];
        }

        var (outcome, _) = await RunAsync(Mode(Mode.Streamed), WithBody("a"), Close);

        Assert.Null(outcome.LocalReplyStatus);
        Assert.Equal("a", Utf8(outcome.RequestBody));
        Assert.False(outcome.StreamEndedWithError);
    }

    [Fact]
    public async Task RunAsync_ProcessorFails_EnvoyAnswers500()
    {
        static IEnumerable<ProcessingResponse> Fail(ProcessingRequest r, FakeProcessorCall p)
        {
            p.End(new Status(StatusCode.Unavailable, "down"));
            return [];
        }

        var (outcome, _) = await RunAsync(Relaxed, HttpExchange.Create(), Fail);

        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.True(outcome.StreamEndedWithError);
        Assert.Equal(StatusCode.Unavailable, outcome.StreamStatus?.StatusCode);
    }

    [Fact]
    public async Task RunAsync_BufferedBodyMismatchingContentLength_EnvoyAnswers500()
    {
        IEnumerable<ProcessingResponse> Grow(ProcessingRequest r, FakeProcessorCall p) =>
            r.RequestBody is null ? ContinueAll(r, p) : [Answers.Continue(r, Answers.WithBody("longer body"))];

        var exchange = WithBody("abc") with { RequestHeaders = [.. WithBody().RequestHeaders, new("content-length", "3")] };
        var (outcome, _) = await RunAsync(Mode(Mode.Buffered), exchange, Grow);

        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.ContentLengthMismatch);
    }

    [Fact]
    public async Task RunAsync_StreamedResponseOutsideDuplex_SpuriousAnd500()
    {
        IEnumerable<ProcessingResponse> Streamed(ProcessingRequest r, FakeProcessorCall p) => r.RequestBody is null
            ? ContinueAll(r, p)
            : [Answers.Continue(r, new CommonResponse { BodyMutation = EnvoyGovern.Conformance.Wire.ExtProcWire.StreamedResponse("x"u8, true) })];

        var (outcome, _) = await RunAsync(Mode(Mode.Streamed), WithBody("a"), Streamed);

        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.Contains(outcome.Violations, v => v.Rule == ExtProcRuleIds.StreamedResponseOutsideDuplex);
    }
}
