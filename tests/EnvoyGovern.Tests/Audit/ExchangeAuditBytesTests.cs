using System.Text;
using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Audit;
using EnvoyGovern.ExtProc.Inspection;
using Google.Protobuf;

namespace EnvoyGovern.Tests.Audit;

/// <summary>
/// The fields of the exchange record, byte for byte, as ExtProc wrote them before its record moved from
/// <see cref="System.Text.Json.Utf8JsonWriter"/> to the raw record writer: every group (http, url, user, gen_ai, rule,
/// findings, allow-listed headers) and values that need escaping. A log pipeline that parsed the old records must
/// see the same ones.
/// </summary>
public sealed class ExchangeAuditBytesTests : IDisposable
{
    private readonly AuditTestKit _kit = new();

    [Fact]
    public async Task RecordAsync_RejectedExchangeWithEveryGroup_SameBytesAsBefore()
    {
        var context = Context();
        context.GenAi.Operation = "chat";
        context.GenAi.RequestModel = "gpt-4o-body";
        context.GenAi.MaxTokens = 512;
        context.GenAi.ResponseModel = "gpt-4o-2024-08-06";
        context.GenAi.ResponseId = "chatcmpl-\u00e9\"1";
        context.InputTokens = 12;
        context.OutputTokens = 34;
        context.AddFinding(new Finding
        {
            Inspector = "waf",
            RuleId = "942100",
            Message = "SQL \"injection\" <detected>",
            Category = "attack-sqli",
            Severity = "CRITICAL",
            Score = 5,
            Location = "ARGS:id",
            Data = "1 o**** (9 bytes)",
            Tags = ["attack-sqli", "paranoia-level/1"],
            Blocking = false,
        });
        context.AddFinding(new Finding { Inspector = "waf", RuleId = "949110", Message = "Inbound score", Category = "attack-sqli", Score = 5, Blocking = true });
        context.AddFinding(new Finding
        {
            Inspector = "pii",
            RuleId = "email",
            Message = "e-mail address",
            Direction = HttpDirection.Response,
            Location = "body",
            Tags = [],
        });
        var facts = new ExchangeFacts(["x-tenant-tier", "accept"]);
        facts.Observe(HttpDirection.Request, Headers(
            (":method", "POST"), (":path", "/v1/chat/completions?api_key=secret&q=caf\u00e9#frag"), (":authority", "API.Example.com:8443"), (":scheme", "https"),
            ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), ("x-request-id", "req-1"), ("user-agent", "curl/8.5 \"x\""),
            ("x-governance-tenant", "acme"), ("x-governance-subject", "acme-chat-service"), ("x-governance-model", "gpt-4o"),
            ("x-governance-decision-id", "0190b6c4e7a24f3d"), ("x-governance-policy-version", "v12"), ("x-governance-cluster", "canary-b"),
            ("accept", "application/json"), ("x-tenant-tier", "gold\u00fc"), ("authorization", "Bearer secret")));
        facts.Reject(new ImmediateReply(403, "waf_blocked"));

        var fields = await RecordAsync(context, facts, ExchangeEnd.Rejected);

        Assert.Equal(
            ""","event":{"id":"x-1","kind":"event","category":["web","intrusion_detection"],"type":["access","denied"],"action":"http-inspection","outcome":"failure","reason":"waf_blocked","start":"2026-11-26T11:59:59.9876543Z","duration":12345700,"dataset":"envoygovern.audit","module":"envoygovern","provider":"extproc"},"http":{"request":{"method":"POST","id":"req-1"},"response":{"status_code":403}},"url":{"scheme":"https","domain":"api.example.com","port":8443,"path":"/v1/chat/completions","query":"api_key=REDACTED&q=café"},"user_agent":{"original":"curl/8.5 \"x\""},"user":{"id":"acme-chat-service","name":"acme-chat-service"},"organization":{"id":"acme"},"gen_ai":{"operation":{"name":"chat"},"request":{"model":"gpt-4o","max_tokens":512},"response":{"id":"chatcmpl-é\"1","model":"gpt-4o-2024-08-06"},"usage":{"input_tokens":12,"output_tokens":34}},"rule":{"id":["942100","949110","email"],"category":["attack-sqli"],"ruleset":["waf","pii"]},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"span":{"id":"00f067aa0ba902b7"},"envoygovern":{"exchange":{"id":"x-1","end":"rejected"},"decision":{"id":"0190b6c4e7a24f3d"},"policy":{"version":"v12"},"canary_cluster":"canary-b","findings":[{"inspector":"waf","rule_id":"942100","message":"SQL \"injection\" <detected>","category":"attack-sqli","severity":"CRITICAL","score":5,"direction":"request","location":"ARGS:id","data":"1 o**** (9 bytes)","tags":["attack-sqli","paranoia-level/1"],"blocking":false},{"inspector":"waf","rule_id":"949110","message":"Inbound score","category":"attack-sqli","score":5,"direction":"request","tags":[],"blocking":true},{"inspector":"pii","rule_id":"email","message":"e-mail address","direction":"response","location":"body","tags":[],"blocking":false}],"anomaly_score":10,"request_headers":{"accept":"application/json","x-tenant-tier":"goldü"}}""",
            fields);
    }

    [Theory]
    [InlineData(ExchangeEnd.Completed, ""","event":{"id":"x-1","kind":"event","category":["web"],"type":["access","allowed"],"action":"http-inspection","outcome":"success","reason":"completed","start":"2026-11-26T11:59:59.9876543Z","duration":12345700,"dataset":"envoygovern.audit","module":"envoygovern","provider":"extproc"},"envoygovern":{"exchange":{"id":"x-1","end":"completed"}}""")]
    [InlineData(ExchangeEnd.Cancelled, ""","event":{"id":"x-1","kind":"event","category":["web"],"type":["access","error"],"action":"http-inspection","outcome":"unknown","reason":"cancelled","start":"2026-11-26T11:59:59.9876543Z","duration":12345700,"dataset":"envoygovern.audit","module":"envoygovern","provider":"extproc"},"envoygovern":{"exchange":{"id":"x-1","end":"cancelled"}}""")]
    [InlineData(ExchangeEnd.ProtocolViolation, ""","event":{"id":"x-1","kind":"event","category":["web"],"type":["access","error"],"action":"http-inspection","outcome":"unknown","reason":"protocol_violation","start":"2026-11-26T11:59:59.9876543Z","duration":12345700,"dataset":"envoygovern.audit","module":"envoygovern","provider":"extproc"},"envoygovern":{"exchange":{"id":"x-1","end":"protocol_violation"}}""")]
    public async Task RecordAsync_ExchangeWithoutHeaders_SameBytesAsBefore(ExchangeEnd end, string expected)
    {
        var fields = await RecordAsync(Context(), new ExchangeFacts([]), end);

        Assert.Equal(expected, fields);
    }

    [Fact]
    public async Task RecordAsync_ResponseStatusAndBodyModelOnly_SameBytesAsBefore()
    {
        var context = Context();
        context.GenAi.RequestModel = "gpt-4o-mini";
        context.OutputTokens = 7;
        var facts = new ExchangeFacts([]);
        facts.Observe(HttpDirection.Request, Headers((":path", "/v1/embeddings"), ("x-governance-tenant", "globex")));
        facts.Observe(HttpDirection.Response, Headers((":status", "201")));

        var fields = await RecordAsync(context, facts, ExchangeEnd.Completed);

        Assert.Equal(
            ""","event":{"id":"x-1","kind":"event","category":["web"],"type":["access","allowed"],"action":"http-inspection","outcome":"success","reason":"completed","start":"2026-11-26T11:59:59.9876543Z","duration":12345700,"dataset":"envoygovern.audit","module":"envoygovern","provider":"extproc"},"http":{"response":{"status_code":201}},"url":{"path":"/v1/embeddings"},"organization":{"id":"globex"},"gen_ai":{"request":{"model":"gpt-4o-mini"},"usage":{"output_tokens":7}},"envoygovern":{"exchange":{"id":"x-1","end":"completed"}}""",
            fields);
    }

    public void Dispose() => _kit.Dispose();

    private InspectionContext Context() => new("x-1", _kit.Time.GetUtcNow().AddTicks(-123457));

    private static HeaderMap Headers(params (string Name, string Value)[] headers)
    {
        var map = new HeaderMap();
        map.Headers.AddRange(headers.Select(h => new HeaderValue { Key = h.Name, RawValue = ByteString.CopyFromUtf8(h.Value) }));
        return map;
    }

    // The record's own fields: what follows @timestamp up to the service and chain fields that every record shares.
    private async Task<string> RecordAsync(InspectionContext context, ExchangeFacts facts, ExchangeEnd end)
    {
        var pipeline = new ScriptedAuditPipeline(_ => ValueTask.FromResult(true));
        var audit = new ExchangeAudit(_kit.Recorder(pipeline, o =>
        {
            o.Headers.Add("accept");
            o.Headers.Add("x-tenant-tier");
        }));
        await audit.RecordAsync(context, facts, end, CancellationToken.None);
        var record = Encoding.UTF8.GetString(Assert.Single(pipeline.Accepted).Utf8Json.Span);
        var start = record.IndexOf(",\"event\":", StringComparison.Ordinal);
        var stop = record.IndexOf(",\"ecs\":", StringComparison.Ordinal);
        return record[start..stop];
    }
}
