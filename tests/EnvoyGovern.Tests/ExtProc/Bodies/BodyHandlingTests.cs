using System.Globalization;
using System.Text;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Protos.Compat;
using EnvoyGovern.Tests.Fixtures;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.ExtProc.Bodies;

/// <summary>
/// The chain's body handling through the gRPC service, judged by Envoy's rules: decoding, holding a body
/// that is inspected whole, forwarding what the inspectors replaced (encoded again), and the answers to
/// bodies that cannot be inspected.
/// </summary>
public sealed class BodyHandlingTests
{
    private const string Json = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    private static Task<RunningService> StartWith(IInspector inspector, params string[] settings) =>
        RunningService.StartExtProcAsync(s => s.AddSingleton(inspector), settings);

    private static byte[] Upper(HttpDirection direction, byte[] content, bool end) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(content).ToUpperInvariant());

    private static HttpExchange Post(IEnumerable<ReadOnlyMemory<byte>> body, string? encoding = null, long? length = null, bool trailers = false)
    {
        var exchange = HttpExchange.Create("POST", "/v1/chat/completions");
        var chunks = body.ToList();
        List<KeyValuePair<string, string>> headers = [.. exchange.RequestHeaders, new("content-type", "application/json")];
        if (encoding is not null)
        {
            headers.Add(new("content-encoding", encoding));
        }

        headers.Add(new("content-length", (length ?? chunks.Sum(c => c.Length)).ToString(CultureInfo.InvariantCulture)));
        return exchange with
        {
            RequestHeaders = headers,
            RequestBody = chunks,
            RequestTrailers = trailers ? [new("x-checksum", "1")] : null,
            ResponseBody = [Encoding.UTF8.GetBytes("{\"ok\":true}")],
            ResponseTrailers = trailers ? [new("grpc-status", "0")] : null,
        };
    }

    private static string Header(IReadOnlyList<KeyValuePair<string, string>> headers, string name) =>
        headers.FirstOrDefault(h => h.Key == name).Value;

    [Fact]
    public async Task Process_GzipBufferedBodyUnchanged_InspectorSeesDecodedAndUpstreamGetsOriginal()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true };
        await using var service = await StartWith(inspector);
        var gzip = Compression.Encode(ContentCoding.Gzip, Encoding.UTF8.GetBytes(Json));

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), Post([gzip], "gzip"));

        AssertConforms(outcome);
        Assert.Equal(Json, Encoding.UTF8.GetString(inspector.Seen.Single(s => s.Direction == HttpDirection.Request).Content));
        Assert.Equal(gzip, outcome.RequestBody.ToArray());
    }

    [Theory]
    [InlineData(ContentCoding.Gzip, "gzip")]
    [InlineData(ContentCoding.Deflate, "deflate")]
    [InlineData(ContentCoding.Brotli, "br")]
    public async Task Process_EncodedBufferedBodyReplaced_EncodedAgainWithContentLength(ContentCoding coding, string header)
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, MayChange = true, Rewrite = Upper };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), Post([Compression.Encode(coding, Encoding.UTF8.GetBytes(Json))], header));

        AssertConforms(outcome);
        Assert.Equal(Json.ToUpperInvariant(), Encoding.UTF8.GetString(Compression.Decode(coding, outcome.RequestBody.ToArray())));
        Assert.Equal(header, Header(outcome.RequestHeaders, "content-encoding"));
        Assert.Equal(outcome.RequestBody.Length.ToString(CultureInfo.InvariantCulture), Header(outcome.RequestHeaders, "content-length"));
    }

    [Fact]
    public async Task Process_StreamedBodyInspectedWhole_HeldThenForwardedAtTheEnd()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, MayChange = true, Rewrite = Upper };
        await using var service = await StartWith(inspector);
        var gzip = Compression.Encode(ContentCoding.Gzip, Encoding.UTF8.GetBytes(Json));

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed), Post(Compression.Split(gzip, 7), "gzip"));

        AssertConforms(outcome);
        var seen = inspector.Seen.Where(s => s.Direction == HttpDirection.Request).ToList();
        Assert.Equal(Json, Encoding.UTF8.GetString(Assert.Single(seen).Content));
        Assert.True(seen[0].End);
        Assert.Equal(Json.ToUpperInvariant(), Encoding.UTF8.GetString(Compression.Decode(ContentCoding.Gzip, outcome.RequestBody.ToArray())));
    }

    [Fact]
    public async Task Process_StreamedBodyHeldUnchanged_ForwardedAsReceived()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true };
        await using var service = await StartWith(inspector);
        var gzip = Compression.Encode(ContentCoding.Gzip, Encoding.UTF8.GetBytes(Json));

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed), Post(Compression.Split(gzip, 5), "gzip"));

        AssertConforms(outcome);
        Assert.Equal(gzip, outcome.RequestBody.ToArray());
    }

    [Fact]
    public async Task Process_BufferedBodyEndedByTrailers_InspectedWholeAndReplaced()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, MayChange = true, Rewrite = Upper };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered, trailers: true), Post([Encoding.UTF8.GetBytes(Json)], trailers: true));

        AssertConforms(outcome);
        Assert.Equal(Json.ToUpperInvariant(), Text(outcome.RequestBody));
        Assert.Equal([new("x-checksum", "1")], outcome.RequestTrailers);
        Assert.True(Assert.Single(inspector.Seen, s => s.Direction == HttpDirection.Request).End);
    }

    [Fact]
    public async Task Process_FullDuplexBodyEndedByTrailers_ForwardedBeforeTheTrailers()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, MayChange = true, Rewrite = Upper };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(ExtProcWire.FullDuplexStreamed, trailers: true),
            Post(Compression.Split(Encoding.UTF8.GetBytes(Json), 10), trailers: true));

        AssertConforms(outcome);
        Assert.Equal(Json.ToUpperInvariant(), Text(outcome.RequestBody));
        Assert.Equal([new("x-checksum", "1")], outcome.RequestTrailers);
    }

    [Fact]
    public async Task Process_StreamedBodyHeldWhenTrailersEndIt_RequestRefusedNotForwardedEmpty()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed, trailers: true),
            Post(Compression.Split(Encoding.UTF8.GetBytes(Json), 10), trailers: true));

        AssertConforms(outcome);
        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.Equal("body_held_at_trailers", outcome.ImmediateResponse?.Details);
        Assert.False(outcome.RequestForwardedUpstream);
    }

    [Fact]
    public async Task Process_GzipBomb_Answers413WithAFinding()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, Limit = 1024 * 1024 };
        await using var service = await StartWith(inspector);
        var bomb = Compression.Bomb(256L * 1024 * 1024);

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), Post([bomb], "gzip"));

        AssertConforms(outcome);
        Assert.Equal(413, outcome.LocalReplyStatus);
        Assert.Equal("body_too_large", outcome.ImmediateResponse?.Details);
        Assert.DoesNotContain(inspector.Seen, s => s.Direction == HttpDirection.Request);
        var record = Assert.Single(service.Audit.Wait(_ => true));
        Assert.Contains("body-limit", record.GetProperty("rule").GetProperty("id").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Process_NotGzipAtAll_Answers400()
    {
        await using var service = await StartWith(new BodyRequiringInspector { WholeBody = true });

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), Post([Encoding.UTF8.GetBytes(Json)], "gzip"));

        AssertConforms(outcome);
        Assert.Equal(400, outcome.LocalReplyStatus);
        Assert.Equal("body_undecodable", outcome.ImmediateResponse?.Details);
    }

    [Fact]
    public async Task Process_DeclaredLengthOverTheLimit_Answers413OnHeaders()
    {
        var inspector = new BodyRequiringInspector { WholeBody = true, Limit = 16 };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.Buffered), Post([Encoding.UTF8.GetBytes(Json)]));

        AssertConforms(outcome);
        Assert.Equal(413, outcome.LocalReplyStatus);
        Assert.Single(outcome.Transcript, e => e.Sent is not null);
    }

    [Fact]
    public async Task Process_RequiredBodyNeverSent_Answers500InsteadOfPassingIt()
    {
        // Envoy is set to send no body (and the inspector asks for no override): the body would pass uninspected.
        var inspector = new BodyRequiringInspector { WholeBody = true };
        await using var service = await StartWith(inspector);

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: false), Post([Encoding.UTF8.GetBytes(Json)]));

        AssertConforms(outcome);
        Assert.Equal(500, outcome.LocalReplyStatus);
        Assert.Equal("request_body_not_inspected", outcome.ImmediateResponse?.Details);
    }

    [Fact]
    public async Task Process_StreamedGzipResponseRewritten_OneValidStreamEncodedAgain()
    {
        var inspector = new BodyRequiringInspector { MayChange = true, Rewrite = (d, c, e) => d == HttpDirection.Response ? Upper(d, c, e) : null };
        await using var service = await StartWith(inspector);
        var answer = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("data: {\"delta\":\"hello\"}\n\n", 50)));
        var exchange = HttpExchange.Create("POST", "/v1/chat/completions") with
        {
            ResponseHeaders = [new(":status", "200"), new("content-type", "text/event-stream"), new("content-encoding", "gzip")],
            ResponseBody = [.. Compression.Split(Compression.Encode(ContentCoding.Gzip, answer), 40)],
        };

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed), exchange);

        AssertConforms(outcome);
        Assert.Equal(Encoding.UTF8.GetString(answer).ToUpperInvariant(), Encoding.UTF8.GetString(Compression.Decode(ContentCoding.Gzip, outcome.ResponseBody.ToArray())));
    }

    [Fact]
    public async Task Process_StreamedResponseRejectedAfterItStarted_CutShortWithAnErrorEvent()
    {
        var inspector = new BodyRequiringInspector
        {
            Reject = (d, c, _) => d == HttpDirection.Response && Encoding.UTF8.GetString(c).Contains("secret", StringComparison.Ordinal)
                ? new ImmediateReply(403, "pii_blocked")
                : null,
        };
        await using var service = await StartWith(inspector);
        var exchange = HttpExchange.Create("POST", "/v1/chat/completions") with
        {
            ResponseHeaders = [new(":status", "200"), new("content-type", "text/event-stream")],
            ResponseBody = [Encoding.UTF8.GetBytes("data: {\"a\":1}\n\n"), Encoding.UTF8.GetBytes("data: {\"a\":\"secret\"}\n\n"), Encoding.UTF8.GetBytes("data: [DONE]\n\n")],
        };

        var outcome = await RunAsync(service, Config(BodySendMode.Streamed), exchange);

        AssertConforms(outcome);
        Assert.Null(outcome.LocalReplyStatus);
        var body = Text(outcome.ResponseBody);
        Assert.StartsWith("data: {\"a\":1}\n\nevent: error\ndata: {\"error\":", body, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"pii_blocked\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", body, StringComparison.Ordinal);
        var record = Assert.Single(service.Audit.Wait(_ => true));
        Assert.Equal("pii_blocked", CapturingAuditPipeline.Text(record, "event", "reason"));
    }
}
