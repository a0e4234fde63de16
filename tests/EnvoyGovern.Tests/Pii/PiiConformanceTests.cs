using System.Globalization;
using System.Text;
using System.Text.Json;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Protos.Compat;
using EnvoyGovern.Tests.ExtProc;
using EnvoyGovern.Tests.ExtProc.Bodies;
using EnvoyGovern.TestSupport;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.Pii;

/// <summary>
/// PII redaction through the service in every body mode Envoy offers, judged by Envoy's rules: entities
/// split across chunks, gzip bodies, bodies ended by trailers, streamed answers, and the refusals.
/// </summary>
public sealed class PiiConformanceTests : IAsyncLifetime
{
    public const string Policy = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: pii-test
        spec:
          hosts: [api.example.com]
          inspection:
            maxBodyBytes: 65536
            unknownContentTypes: refuse
            pii:
              action: redact
              entities:
                usSsn: block
        """;

    private const string Prompt = """{"model":"gpt-4o","messages":[{"role":"user","content":"I am jane.doe@example.com, call me"}]}""";
    private const string Answer = """{"id":"c1","choices":[{"message":{"role":"assistant","content":"Our desk: +1 415 555 0100."}}],"usage":{"prompt_tokens":9,"completion_tokens":7}}""";

    private PolicyService _service = null!;

    public static TheoryData<BodySendMode, bool, bool> Modes()
    {
        var data = new TheoryData<BodySendMode, bool, bool>();
        foreach (var gzip in new[] { false, true })
        {
            foreach (var mode in new[] { BodySendMode.None, BodySendMode.Buffered, BodySendMode.BufferedPartial, BodySendMode.Streamed })
            {
                data.Add(mode, false, gzip);
                data.Add(mode, true, gzip);
            }

            data.Add(ExtProcWire.FullDuplexStreamed, true, gzip);
        }

        return data;
    }

    public async Task InitializeAsync() => _service = await PolicyService.StartAsync(Policy);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    /// <summary>Mode NONE means: Envoy sends no body unless the service asks (allow_mode_override).</summary>
    public static ExtProcFilterConfig ConfigFor(BodySendMode mode, bool trailers) =>
        Config(mode, trailers: trailers, allowModeOverride: mode == BodySendMode.None);

    public static HttpExchange Exchange(string requestBody, string responseBody, string responseType = "application/json", bool gzip = false, bool trailers = false, int split = 0)
    {
        var exchange = HttpExchange.Create("POST", "/v1/chat/completions", "api.example.com");
        var request = Encoding.UTF8.GetBytes(requestBody);
        if (gzip)
        {
            request = Compression.Encode(ContentCoding.Gzip, request);
        }

        // Split where the entity is, so it reaches the service in two chunks.
        var cut = split > 0 ? Math.Min(split, request.Length - 1) : Math.Max(1, requestBody.IndexOf('@', StringComparison.Ordinal) - 3);
        List<KeyValuePair<string, string>> headers =
        [
            .. exchange.RequestHeaders.Where(h => h.Key != "x-request-id"), new("x-request-id", Guid.NewGuid().ToString()),
            new("content-type", "application/json"), new("content-length", request.Length.ToString(CultureInfo.InvariantCulture)),
        ];
        if (gzip)
        {
            headers.Add(new("content-encoding", "gzip"));
        }

        var response = Encoding.UTF8.GetBytes(responseBody);
        var responseCut = Math.Max(1, responseBody.IndexOf("415", StringComparison.Ordinal) + 2);
        return exchange with
        {
            RequestHeaders = headers,
            RequestBody = cut < request.Length ? [request.AsMemory(0, cut), request.AsMemory(cut)] : [request],
            RequestTrailers = trailers ? [new("x-checksum", "1")] : null,
            ResponseHeaders = [new(":status", "200"), new("content-type", responseType), new("content-length", response.Length.ToString(CultureInfo.InvariantCulture))],
            ResponseBody = [response.AsMemory(0, responseCut), response.AsMemory(responseCut)],
            ResponseTrailers = trailers ? [new("grpc-status", "0")] : null,
        };
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Process_EntitiesSplitAcrossChunks_RedactedInEveryMode(BodySendMode mode, bool trailers, bool gzip)
    {
        var exchange = Exchange(Prompt, Answer, gzip: gzip, trailers: trailers);
        var requestId = exchange.RequestHeaders.Single(h => h.Key == "x-request-id").Value;

        var outcome = await RunAsync(_service.Service, ConfigFor(mode, trailers), exchange);

        AssertConforms(outcome);
        if (mode == BodySendMode.Streamed && trailers)
        {
            // STREAMED cannot forward a held body once trailers end it: refused, never passed unredacted.
            Assert.Equal(500, outcome.LocalReplyStatus);
            Assert.Equal("body_held_at_trailers", outcome.ImmediateResponse?.Details);
            return;
        }

        Assert.Null(outcome.LocalReplyStatus);
        var request = gzip ? Compression.Decode(ContentCoding.Gzip, outcome.RequestBody.ToArray()) : outcome.RequestBody.ToArray();
        Assert.Equal(Prompt.Replace("jane.doe@example.com", "[EMAIL]", StringComparison.Ordinal), Encoding.UTF8.GetString(request));
        Assert.Equal(Answer.Replace("+1 415 555 0100", "[PHONE]", StringComparison.Ordinal), Text(outcome.ResponseBody));
        if (trailers)
        {
            Assert.Equal([new("x-checksum", "1")], outcome.RequestTrailers);
        }

        var record = Assert.Single(_service.Service.Audit.Wait(r => CapturingAuditPipeline.Text(r, "http", "request", "id") == requestId)).ToString();
        Assert.Contains("pii.email", record, StringComparison.Ordinal);
        Assert.Contains("pii.phone", record, StringComparison.Ordinal);
        Assert.DoesNotContain("jane", record, StringComparison.Ordinal);
        // The phone in any spacing, not its last four digits alone: those also occur in numbers such as event.duration.
        Assert.DoesNotContain("555 0100", record, StringComparison.Ordinal);
        Assert.DoesNotContain("5550100", record, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BodySendMode.None, false)]
    [InlineData(BodySendMode.Streamed, false)]
    [InlineData(BodySendMode.Streamed, true)]
    [InlineData(BodySendMode.Buffered, true)]
    [InlineData(BodySendMode.BufferedPartial, false)]
    [InlineData(ExtProcWire.FullDuplexStreamed, true)]
    public async Task Process_StreamedAnswerWithEntitySplitAcrossEvents_RedactedAndFramed(BodySendMode mode, bool trailers)
    {
        var events = EventStreamPiiRedactorTests.Delta("Mail jane.d") + EventStreamPiiRedactorTests.Delta("oe@example.com now.") + "data: [DONE]\n\n";
        var exchange = Exchange("""{"model":"gpt-4o","stream":true,"messages":[]}""", events, "text/event-stream", trailers: trailers);
        var chunks = events.Split("\n\n").Where(e => e.Length > 0).Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e + "\n\n")).ToList();
        // Only the answer ends with trailers: a STREAMED request ended by trailers is refused (see above).
        exchange = exchange with { RequestTrailers = null, ResponseBody = chunks, ResponseHeaders = [new(":status", "200"), new("content-type", "text/event-stream")] };

        var outcome = await RunAsync(_service.Service, ConfigFor(mode, trailers), exchange);

        AssertConforms(outcome);
        Assert.Null(outcome.LocalReplyStatus);
        var answer = Text(outcome.ResponseBody);
        Assert.DoesNotContain("example.com", answer, StringComparison.Ordinal);
        Assert.Equal(
            EventStreamPiiRedactorTests.Delta("Mail [EMAIL]") + EventStreamPiiRedactorTests.Delta(" now.") + "data: [DONE]\n\n",
            answer);
    }

    [Theory]
    [InlineData(BodySendMode.None)]
    [InlineData(BodySendMode.Buffered)]
    [InlineData(BodySendMode.Streamed)]
    public async Task Process_BodyOverThePolicyLimit_413(BodySendMode mode)
    {
        var big = JsonSerializer.Serialize(new { model = "gpt-4o", input = new string('a', 70_000) });
        var exchange = Exchange(big, Answer, split: 30_000);

        // Without content-length the limit is met while decoding.
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders.Where(h => h.Key != "content-length")] };
        var outcome = await RunAsync(_service.Service, ConfigFor(mode, trailers: false) with { BufferLimitBytes = 1 << 20 }, exchange);

        AssertConforms(outcome);
        Assert.Equal(413, outcome.LocalReplyStatus);
        Assert.Equal("body_too_large", outcome.ImmediateResponse?.Details);
        Assert.False(outcome.RequestForwardedUpstream);
    }

    [Fact]
    public async Task Process_BlockedEntity_403WithoutTheValue()
    {
        var outcome = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false), Exchange("""{"input":"my ssn is 123-45-6789"}""", Answer));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
        Assert.Equal("pii_blocked", outcome.ImmediateResponse?.Details);
        Assert.DoesNotContain("6789", Text(outcome.ResponseBody), StringComparison.Ordinal);
        Assert.Contains("pii.us_ssn", Text(outcome.ResponseBody), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"input\": \"unterminated", "invalid_json")]
    [InlineData("{\"input\": \"\u00ff\"}", "invalid_utf8")]
    [InlineData("deep", "json_too_deep")]
    public async Task Process_BrokenRequestBody_ClearAnswer(string body, string reason)
    {
        var bytes = body switch
        {
            "deep" => Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)),
            _ when reason == "invalid_utf8" => [.. "{\"input\": \""u8, 0xFF, 0xFE, .. "\"}"u8],
            _ => Encoding.UTF8.GetBytes(body),
        };
        var exchange = Exchange("{}", Answer) with { RequestBody = [bytes] };
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders.Where(h => h.Key != "content-length"), new("content-length", bytes.Length.ToString(CultureInfo.InvariantCulture))] };

        var outcome = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false), exchange);

        AssertConforms(outcome);
        Assert.Equal(400, outcome.LocalReplyStatus);
        Assert.Equal(reason, outcome.ImmediateResponse?.Details);
        using var error = JsonDocument.Parse(outcome.ResponseBody);
        Assert.Equal(reason, error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Process_GzipBomb_413InBoundedTime()
    {
        var bomb = Compression.Bomb(512L * 1024 * 1024);
        var exchange = Exchange("{}", Answer) with { RequestBody = [bomb] };
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders.Where(h => h.Key != "content-length"), new("content-encoding", "gzip")] };
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var outcome = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false) with { BufferLimitBytes = 4 << 20 }, exchange);

        AssertConforms(outcome);
        Assert.Equal(413, outcome.LocalReplyStatus);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task Process_UnknownContentTypeRefusedByPolicy_415()
    {
        var exchange = Exchange(Prompt, Answer);
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders.Where(h => h.Key != "content-type"), new("content-type", "application/octet-stream")] };

        var outcome = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false), exchange);

        AssertConforms(outcome);
        Assert.Equal(415, outcome.LocalReplyStatus);
        Assert.DoesNotContain(outcome.Transcript, e => e.Sent?.RequestBody is not null);
    }

    [Fact]
    public async Task Process_OtherHostAndHeaderOnlyTraffic_NoBodyAsked()
    {
        var exchange = Exchange(Prompt, Answer);
        exchange = exchange with { RequestHeaders = [.. exchange.RequestHeaders.Select(h => h.Key == ":authority" ? new KeyValuePair<string, string>(":authority", "other.example.com") : h)] };

        var outcome = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false), exchange);
        var get = await RunAsync(_service.Service, ConfigFor(BodySendMode.None, false), HttpExchange.Create("GET", "/v1/models", "api.example.com"));

        AssertConforms(outcome);
        AssertConforms(get);
        Assert.DoesNotContain(outcome.Transcript.Concat(get.Transcript), e => e.Received?.ModeOverride is not null);
        Assert.Equal(Prompt, Text(outcome.RequestBody));
    }
}
