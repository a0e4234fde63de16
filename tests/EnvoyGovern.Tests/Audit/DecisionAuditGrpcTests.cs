using System.Text;
using System.Text.Json;
using Envoy.Service.Auth.V3;
using EnvoyGovern.Conformance.CheckRequests;
using EnvoyGovern.ExtAuthz.Decisions;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using AuthorizationClient = Envoy.Service.Auth.V3.Authorization.AuthorizationClient;

namespace EnvoyGovern.Tests.Audit;

/// <summary>
/// One ECS record per Check over a real gRPC client with the demo policy: allow, 401, 403, 308 and 429. Each record
/// is also checked against the ECS field list by <see cref="RunningService"/>.
/// </summary>
public sealed class DecisionAuditGrpcTests : IAsyncLifetime
{
    private const string AcmeKey = "demo-key-acme";
    private const string Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private RunningService _service = null!;

    private AuthorizationClient Client => new(_service.Channel);

    public async Task InitializeAsync() => _service = await RunningService.StartExtAuthzAsync(
        null, $"--Policy:Directory={RepoPaths.SamplePolicy}", "--Audit:Headers:0=x-client-app");

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private static EnvoyCheckRequestBuilder Chat(string? key = null, string model = "gpt-4o", string scheme = "https") =>
        new EnvoyCheckRequestBuilder()
            .Method("POST").Path("/v1/chat/completions?api_key=sk-live-123&stream=true").Authority("api.example.com").Scheme(scheme)
            .Source("198.51.100.7", 40000).Header("traceparent", Traceparent).Header("x-client-app", "billing")
            .Header("user-agent", "sdk/1.2")
            .Body(Encoding.UTF8.GetBytes($"{{\"model\":\"{model}\",\"messages\":[]}}"))
            .With(b => key is null ? b : b.Header("x-api-key", key).Header("authorization", "Bearer secret-bearer-456"));

    [Fact]
    public async Task Check_Allowed_RecordNamesCallerRuleModelAndTrace()
    {
        var response = await Client.CheckAsync(Chat(AcmeKey).Build());

        var record = _service.Audit.ForEvent(DecisionId(response));
        Assert.Equal("authorization-check", Text(record, "event", "action"));
        Assert.Equal("success", Text(record, "event", "outcome"));
        Assert.Equal("allowed", Text(record, "event", "reason"));
        Assert.Equal("[\"access\",\"allowed\"]", Text(record, "event", "type"));
        Assert.Equal("acme-chat-service", Text(record, "user", "id"));
        Assert.Equal("acme", Text(record, "organization", "id"));
        Assert.Equal("chat-stable-version", Text(record, "rule", "name"));
        Assert.Equal("gpt-4o", Text(record, "gen_ai", "request", "model"));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", Text(record, "trace", "id"));
        Assert.Equal("b7ad6b7169203331", Text(record, "span", "id"));
        Assert.Equal("198.51.100.7", Text(record, "source", "ip"));
        Assert.Equal("api.example.com", Text(record, "url", "domain"));
        Assert.Equal("/v1/chat/completions", Text(record, "url", "path"));
        Assert.Equal("api_key=REDACTED&stream=true", Text(record, "url", "query"));
        Assert.Equal("billing", Text(record, "envoygovern", "request_headers", "x-client-app"));
        Assert.Matches("^[0-9a-f]{16}$", Text(record, "envoygovern", "policy", "version"));
        Assert.True(record.GetProperty("event").GetProperty("duration").GetInt64() >= 0);
    }

    [Fact]
    public async Task Check_RawHeaderMap_RecordCopiesTheSameHeaderValues()
    {
        // header_map (encode_raw_headers) is read through GetHeader; the headers map from the request's bytes.
        var fromMap = _service.Audit.ForEvent(DecisionId(await Client.CheckAsync(Chat(AcmeKey).EncodeRawHeaders().Build())));
        var fromHeaders = _service.Audit.ForEvent(DecisionId(await Client.CheckAsync(Chat(AcmeKey).Build())));

        foreach (var record in new[] { fromMap, fromHeaders })
        {
            Assert.Equal("sdk/1.2", Text(record, "user_agent", "original"));
            Assert.Equal("0af7651916cd43dd8448eb211c80319c", Text(record, "trace", "id"));
            Assert.Equal("b7ad6b7169203331", Text(record, "span", "id"));
            Assert.Equal("billing", Text(record, "envoygovern", "request_headers", "x-client-app"));
        }
    }

    [Fact]
    public async Task Check_SameCallerRepeatedly_EveryRecordNamesTheCallerAlike()
    {
        // The third Check of one identity copies its caller members written before (CallerFragments): the same JSON.
        var records = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            records.Add(_service.Audit.ForEvent(DecisionId(await Client.CheckAsync(Chat(AcmeKey).Build()))));
        }

        foreach (var record in records)
        {
            Assert.Equal("{\"id\":\"acme-chat-service\",\"name\":\"acme-chat-service\",\"group\":{\"name\":[\"developers\"]}}", record.GetProperty("user").GetRawText());
            Assert.Equal("{\"id\":\"acme\"}", record.GetProperty("organization").GetRawText());
            Assert.Equal("{\"source\":\"apiKey\",\"credential_id\":\"acme-demo\"}", record.GetProperty("envoygovern").GetProperty("identity").GetRawText());
        }
    }

    [Fact]
    public async Task Check_HostileHeaderValues_RecordIsValidJsonWithTheValuesIntact()
    {
        const string App = "billing\"},\"injected\":{\"a\":\"\\ \u0001 \u2028 é 日本 <b>";
        const string Agent = "sdk \"quoted\" \\back\\ \t tab";
        var request = new EnvoyCheckRequestBuilder()
            .Method("POST").Path("/v1/chat/completions").Authority("api.example.com").Scheme("https")
            .Header("x-api-key", AcmeKey).Header("x-client-app", App).Header("user-agent", Agent)
            .Body(Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o\",\"messages\":[]}")).Build();

        var response = await Client.CheckAsync(request);

        var record = _service.Audit.ForEvent(DecisionId(response));
        Assert.Equal(App, Text(record, "envoygovern", "request_headers", "x-client-app"));
        Assert.Equal(Agent, Text(record, "user_agent", "original"));
        Assert.False(record.TryGetProperty("injected", out _));
        Assert.False(record.GetProperty("envoygovern").TryGetProperty("injected", out _));
    }

    [Fact]
    public async Task Check_AnyDecision_NoCredentialInTheRecord()
    {
        await Client.CheckAsync(Chat(AcmeKey).Build());
        await Client.CheckAsync(Chat("not-a-key").Build());

        var text = string.Join('\n', _service.Audit.Entries.Select(e => Encoding.UTF8.GetString(e.Utf8Json.Span)));
        Assert.DoesNotContain("demo-key-acme", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-bearer-456", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-live-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"authorization\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "https", "gpt-4o", 401, "authentication_required")]
    [InlineData("not-a-key", "https", "gpt-4o", 401, "invalid_api_key")]
    [InlineData(AcmeKey, "https", "gpt-4o-2024-11-20", 403, "no_matching_rule")]
    [InlineData(AcmeKey, "http", "gpt-4o", 308, "tls_redirect")]
    public async Task Check_Denied_RecordHasStatusReasonAndFailure(string? key, string scheme, string model, int status, string reason)
    {
        var response = await Client.CheckAsync(Chat(key, model, scheme).Build());

        var record = _service.Audit.ForEvent(DecisionId(response));
        Assert.Equal("failure", Text(record, "event", "outcome"));
        Assert.Equal(reason, Text(record, "event", "reason"));
        Assert.Equal("[\"access\",\"denied\"]", Text(record, "event", "type"));
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(record, "http", "response", "status_code"));
        Assert.Equal(DecisionId(response), Text(record, "envoygovern", "decision", "id"));
    }

    [Fact]
    public async Task Check_AllowedWithoutDryRun_RecordOmitsConstantsAndRepeatedValues()
    {
        var response = await Client.CheckAsync(Chat(AcmeKey).Build());

        var record = _service.Audit.ForEvent(DecisionId(response));
        // Said once: the outcome by event.outcome/event.type, no dry-run verdict when no dry-run rule would deny, no
        // constant rule set on a Check.
        Assert.Null(Text(record, "envoygovern", "decision", "outcome"));
        Assert.Null(Text(record, "envoygovern", "dry_run"));
        Assert.Null(Text(record, "rule", "ruleset"));
        Assert.Equal("chat-stable-version", Text(record, "rule", "name"));
        Assert.Equal(DecisionId(response), Text(record, "envoygovern", "decision", "id"));
    }

    [Fact]
    public async Task Check_QuotaExhausted_RecordNamesTheQuota()
    {
        CheckResponse? last = null;
        for (var i = 0; i < 100 && last?.Status.Code is null or 0; i++)
        {
            last = await Client.CheckAsync(new EnvoyCheckRequestBuilder()
                .Method("POST").Path("/v1/embeddings").Authority("api.example.com").Scheme("https").Source("198.51.100.7", 40000)
                .Header("x-api-key", "demo-key-globex").Body("{\"model\":\"text-embedding-3-small\"}"u8.ToArray()).Build());
        }

        var record = _service.Audit.ForEvent(DecisionId(last!));
        Assert.Equal("429", Text(record, "http", "response", "status_code"));
        Assert.Equal("quota_exceeded", Text(record, "event", "reason"));
        Assert.NotNull(Text(record, "envoygovern", "quota"));
        Assert.Equal("globex", Text(record, "organization", "id"));
    }

    [Fact]
    public async Task Check_PolicyLoadedAtStart_PolicyLoadRecordWithVersion()
    {
        var response = await Client.CheckAsync(Chat(AcmeKey).Build());
        var version = Assert.Single(response.OkResponse.Headers, h => h.Header.Key == GovernanceHeaders.PolicyVersion).Header.Value;

        var record = Assert.Single(_service.Audit.Wait(r => Text(r, "event", "action") == "policy-load"));

        Assert.Equal(version, Text(record, "envoygovern", "policy", "version"));
        Assert.Equal("[\"configuration\"]", Text(record, "event", "category"));
    }

    [Fact]
    public async Task Check_AuditPipelineUnavailable_Unavailable()
    {
        await using var service = await RunningService.StartExtAuthzAsync(
            s => s.AddSingleton<IAuditPipeline>(new ScriptedAuditPipeline(_ => throw new AuditUnavailableException("disk full"))));
        var client = new AuthorizationClient(service.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CheckAsync(new EnvoyCheckRequestBuilder().Build()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("audit record", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CredentialHeaderAllowListed_FailsNamingIt()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => RunningService.StartExtAuthzAsync(null, "--Audit:Headers:0=Authorization"));

        Assert.Contains("Audit:Headers lists 'Authorization'", error.Message, StringComparison.Ordinal);
    }

    private static string DecisionId(CheckResponse response)
    {
        if (response.OkResponse is { } ok && ok.Headers.FirstOrDefault(h => h.Header.Key == GovernanceHeaders.DecisionId) is { } header)
        {
            return header.Header.Value;
        }

        return JsonDocument.Parse(response.DeniedResponse.Body).RootElement.GetProperty("decision_id").GetString()!;
    }

    private static string? Text(JsonElement record, params string[] path) => CapturingAuditPipeline.Text(record, path);
}

internal static class CheckRequestBuilderExtensions
{
    public static EnvoyCheckRequestBuilder With(this EnvoyCheckRequestBuilder builder, Func<EnvoyCheckRequestBuilder, EnvoyCheckRequestBuilder> change) => change(builder);
}
