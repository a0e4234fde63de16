using System.Globalization;
using System.Text;
using System.Text.Json;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.ExtProc.Inspection.Bodies;
using EnvoyGovern.Tests.ExtProc;
using EnvoyGovern.Tests.ExtProc.Bodies;
using EnvoyGovern.Tests.Pii;
using EnvoyGovern.TestSupport;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.GenAi;

/// <summary>Model governance, token usage and response hygiene through the service, judged by Envoy's rules.</summary>
public sealed class GenAiGrpcTests : IAsyncLifetime
{
    private const string Policy = """
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: genai-test
        spec:
          hosts: [api.example.com, strict.example.com]
          inspection:
            models:
              overCap: OVERCAP
              tenants:
                - tenants: [acme]
                  models: [gpt-4o, 'gpt-4o-*']
                  maxTokens: 100
                - tenants: [globex]
                  models: ['text-embedding-*']
            responseHeaders:
              remove: [server, x-powered-by]
              add: { x-governance-inspected: 'true' }
        """;

    private const string Answer = """{"id":"chatcmpl-7","model":"gpt-4o-2024-08-06","choices":[{"message":{"role":"assistant","content":"ok"}}],"usage":{"prompt_tokens":11,"completion_tokens":22}}""";

    private PolicyService _rewrite = null!;
    private PolicyService _deny = null!;

    public async Task InitializeAsync()
    {
        _rewrite = await PolicyService.StartAsync(Policy.Replace("OVERCAP", "rewrite", StringComparison.Ordinal));
        _deny = await PolicyService.StartAsync(Policy.Replace("OVERCAP", "deny", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _rewrite.DisposeAsync();
        await _deny.DisposeAsync();
    }

    private static HttpExchange Request(string tenant, string body, string path = "/v1/chat/completions", bool gzip = false)
    {
        var exchange = PiiConformanceTests.Exchange(body, Answer, gzip: gzip);
        return exchange with
        {
            RequestHeaders = [.. exchange.RequestHeaders.Select(h => h.Key == ":path" ? new(":path", path) : h), new("x-governance-tenant", tenant)],
            ResponseHeaders = [.. exchange.ResponseHeaders, new("server", "uvicorn"), new("x-powered-by", "internal-llm-gw/3.1")],
        };
    }

    private static JsonElement Record(RunningService service, HttpExchange exchange)
    {
        var id = exchange.RequestHeaders.Single(h => h.Key == "x-request-id").Value;
        return Assert.Single(service.Audit.Wait(r => CapturingAuditPipeline.Text(r, "http", "request", "id") == id));
    }

    [Theory]
    [InlineData(BodySendMode.None, false)]
    [InlineData(BodySendMode.Buffered, true)]
    [InlineData(BodySendMode.Streamed, false)]
    [InlineData(EnvoyGovern.Protos.Compat.ExtProcWire.FullDuplexStreamed, true)]
    public async Task Process_CapOverTheTenantsLimit_RewrittenUsageReadAndAudited(BodySendMode mode, bool gzip)
    {
        var exchange = Request("acme", """{"model":"gpt-4o","max_tokens": 5000,"messages":[{"role":"user","content":"hi"}]}""", gzip: gzip);

        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(mode, trailers: mode == EnvoyGovern.Protos.Compat.ExtProcWire.FullDuplexStreamed), exchange);

        AssertConforms(outcome);
        Assert.Null(outcome.LocalReplyStatus);
        var body = gzip ? Compression.Decode(ContentCoding.Gzip, outcome.RequestBody.ToArray()) : outcome.RequestBody.ToArray();
        Assert.Equal("""{"model":"gpt-4o","max_tokens": 100,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8.GetString(body));
        var record = Record(_rewrite.Service, exchange);
        Assert.Equal("100", CapturingAuditPipeline.Text(record, "gen_ai", "request", "max_tokens"));
        Assert.Equal("gpt-4o", CapturingAuditPipeline.Text(record, "gen_ai", "request", "model"));
        Assert.Equal("chat", CapturingAuditPipeline.Text(record, "gen_ai", "operation", "name"));
        Assert.Equal("11", CapturingAuditPipeline.Text(record, "gen_ai", "usage", "input_tokens"));
        Assert.Equal("22", CapturingAuditPipeline.Text(record, "gen_ai", "usage", "output_tokens"));
        Assert.Equal("gpt-4o-2024-08-06", CapturingAuditPipeline.Text(record, "gen_ai", "response", "model"));
        Assert.Equal("chatcmpl-7", CapturingAuditPipeline.Text(record, "gen_ai", "response", "id"));
        var metadata = outcome.Transcript.Select(e => e.Received?.DynamicMetadata).Where(m => m is not null).Select(m => m!.Fields["envoygovern.genai"].StructValue).ToList();
        Assert.Contains(metadata, m => m.Fields.TryGetValue("output_tokens", out var v) && v.NumberValue == 22 && m.Fields["tenant"].StringValue == "acme");
    }

    [Fact]
    public async Task Process_NoCapInTheRequest_TenantsCapAdded()
    {
        var exchange = Request("acme", """{"model":"gpt-4o","messages":[]}""");

        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(BodySendMode.None, false), exchange);

        AssertConforms(outcome);
        Assert.Equal("""{"max_completion_tokens":100,"model":"gpt-4o","messages":[]}""", Text(outcome.RequestBody));
        Assert.Equal(outcome.RequestBody.Length.ToString(CultureInfo.InvariantCulture), outcome.RequestHeaders.Single(h => h.Key == "content-length").Value);
    }

    [Fact]
    public async Task Process_CapOverTheLimitInDenyMode_403()
    {
        var outcome = await RunAsync(_deny.Service, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Request("acme", """{"model":"gpt-4o","max_tokens":101}"""));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
        Assert.Equal("max_tokens_over_cap", outcome.ImmediateResponse?.Details);
    }

    [Theory]
    [InlineData("globex", """{"model":"gpt-4o","messages":[]}""", 403, "model_not_allowed")]
    [InlineData("initech", """{"model":"gpt-4o","messages":[]}""", 403, "model_not_allowed")]
    [InlineData("acme", """{"model":"gpt-4","messages":[]}""", 403, "model_not_allowed")]
    [InlineData("acme", """{"messages":[]}""", 400, "model_required")]
    public async Task Process_ModelNotAllowedForTheTenant_Refused(string tenant, string body, int status, string reason)
    {
        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Request(tenant, body));

        AssertConforms(outcome);
        Assert.Equal(status, outcome.LocalReplyStatus);
        Assert.Equal(reason, outcome.ImmediateResponse?.Details);
    }

    [Fact]
    public async Task Process_EmbeddingsWithoutCap_AllowedUnchanged()
    {
        const string Body = """{"model":"text-embedding-3-small","input":"hi"}""";

        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Request("globex", Body, "/v1/embeddings"));

        AssertConforms(outcome);
        Assert.Equal(Body, Text(outcome.RequestBody));
    }

    [Theory]
    [InlineData(BodySendMode.None)]
    [InlineData(BodySendMode.Streamed)]
    public async Task Process_StreamedAnswer_UsageFromTheLastChunkAnswerUnchanged(BodySendMode mode)
    {
        var events = "data: {\"id\":\"c9\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"
            + "data: {\"id\":\"c9\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n";
        var exchange = Request("acme", """{"model":"gpt-4o","max_tokens":10,"stream":true,"messages":[]}""") with
        {
            ResponseHeaders = [new(":status", "200"), new("content-type", "text/event-stream")],
            ResponseBody = [.. events.Split("\n\n").Where(e => e.Length > 0).Select(e => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(e + "\n\n"))],
        };

        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(mode, false), exchange);

        AssertConforms(outcome);
        Assert.Equal(events, Text(outcome.ResponseBody));
        var record = Record(_rewrite.Service, exchange);
        Assert.Equal("4", CapturingAuditPipeline.Text(record, "gen_ai", "usage", "input_tokens"));
        Assert.Equal("2", CapturingAuditPipeline.Text(record, "gen_ai", "usage", "output_tokens"));
    }

    [Fact]
    public async Task Process_ResponseHeaders_InternalsRemovedGovernanceAdded()
    {
        var outcome = await RunAsync(_rewrite.Service, PiiConformanceTests.ConfigFor(BodySendMode.None, false), Request("acme", """{"model":"gpt-4o","max_tokens":10}"""));

        AssertConforms(outcome);
        Assert.DoesNotContain(outcome.ResponseHeaders, h => h.Key is "server" or "x-powered-by");
        Assert.Contains(new KeyValuePair<string, string>("x-governance-inspected", "true"), outcome.ResponseHeaders);
    }
}
