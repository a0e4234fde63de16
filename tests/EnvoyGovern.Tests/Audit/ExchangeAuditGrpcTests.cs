using System.Text.Json;
using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Audit;
using EnvoyGovern.Tests.ExtProc;
using EnvoyGovern.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace EnvoyGovern.Tests.Audit;

/// <summary>One ECS record per ext_proc stream, with the findings, over a real gRPC client.</summary>
public sealed class ExchangeAuditGrpcTests
{
    private static readonly ExtProcFilterConfig Buffered = ExtProcExchanges.Config(ProcessingMode.Types.BodySendMode.Buffered);

    [Fact]
    public async Task Process_PassingExchange_SuccessWithUpstreamStatusAndCaller()
    {
        await using var service = await RunningService.StartExtProcAsync(s => s.AddSingleton<IInspector>(new FindingInspector(block: false)));
        var exchange = ExtProcExchanges.WithBodies(trailers: false) with
        {
            RequestHeaders =
            [
                .. HttpExchange.Create("POST", "/v1/chat/completions?token=abc", "api.example.com").RequestHeaders,
                new("x-governance-tenant", "acme"), new("x-governance-subject", "acme-chat-service"), new("x-governance-model", "gpt-4o"),
                new("x-governance-decision-id", "0190b6c4e7a24f3d0190b6c4e7a24f3d"), new("authorization", "Bearer secret-789"),
            ],
        };

        var outcome = await ExtProcExchanges.RunAsync(service, Buffered, exchange);

        ExtProcExchanges.AssertConforms(outcome);
        var record = Assert.Single(service.Audit.Wait(r => Text(r, "event", "action") == "http-inspection"));
        Assert.Equal("success", Text(record, "event", "outcome"));
        Assert.Equal("200", Text(record, "http", "response", "status_code"));
        Assert.Equal("POST", Text(record, "http", "request", "method"));
        Assert.Equal("token=REDACTED", Text(record, "url", "query"));
        Assert.Equal("acme", Text(record, "organization", "id"));
        Assert.Equal("acme-chat-service", Text(record, "user", "id"));
        Assert.Equal("gpt-4o", Text(record, "gen_ai", "request", "model"));
        Assert.Equal("12", Text(record, "gen_ai", "usage", "input_tokens"));
        Assert.Equal("0190b6c4e7a24f3d0190b6c4e7a24f3d", Text(record, "envoygovern", "decision", "id"));
        Assert.Equal("[\"942100\"]", Text(record, "rule", "id"));
        Assert.DoesNotContain("secret-789", record.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_Blocked_FailureWithEveryFindingAndStatus()
    {
        await using var service = await RunningService.StartExtProcAsync(s => s.AddSingleton<IInspector>(new FindingInspector(block: true)));

        var outcome = await ExtProcExchanges.RunAsync(service, Buffered, ExtProcExchanges.WithBodies(trailers: false));

        Assert.NotNull(outcome.ImmediateResponse);
        var record = Assert.Single(service.Audit.Wait(r => Text(r, "event", "action") == "http-inspection"));
        Assert.Equal("failure", Text(record, "event", "outcome"));
        Assert.Equal("waf_blocked", Text(record, "event", "reason"));
        Assert.Equal("[\"web\",\"intrusion_detection\"]", Text(record, "event", "category"));
        Assert.Equal("403", Text(record, "http", "response", "status_code"));
        Assert.Equal("[\"942100\",\"949110\"]", Text(record, "rule", "id"));
        Assert.Equal("[\"waf\"]", Text(record, "rule", "ruleset"));
        var findings = record.GetProperty("envoygovern").GetProperty("findings");
        Assert.Equal(2, findings.GetArrayLength());
        Assert.Equal("ARGS:id", findings[0].GetProperty("location").GetString());
        Assert.True(findings[1].GetProperty("blocking").GetBoolean());
        Assert.Equal("10", Text(record, "envoygovern", "anomaly_score"));
    }

    [Fact]
    public async Task Process_AuditPipelineUnavailable_StreamEndsUnavailable()
    {
        await using var service = await RunningService.StartExtProcAsync(
            s => s.AddSingleton<IAuditPipeline>(new ScriptedAuditPipeline(_ => throw new AuditUnavailableException("queue full"))));
        var client = new Envoy.Service.ExtProc.V3.ExternalProcessor.ExternalProcessorClient(service.Channel);
        using var call = client.Process();
        await call.RequestStream.WriteAsync(new Envoy.Service.ExtProc.V3.ProcessingRequest
        {
            RequestHeaders = new Envoy.Service.ExtProc.V3.HttpHeaders { Headers = new HeaderMap(), EndOfStream = true },
        });
        Assert.True(await call.ResponseStream.MoveNext());

        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static string? Text(JsonElement record, params string[] path) => CapturingAuditPipeline.Text(record, path);

    /// <summary>Reports WAF-like findings on the request body; blocks with the second one when asked.</summary>
    private sealed class FindingInspector(bool block) : IInspector
    {
        public string Name => "finding";

        public ValueTask<InspectionVerdict> OnHeadersAsync(InspectionContext context, HttpDirection direction, HeaderMap headers, bool endOfStream, CancellationToken cancellationToken) =>
            ValueTask.FromResult(InspectionVerdict.Continue);

        public ValueTask<InspectionVerdict> OnBodyAsync(InspectionContext context, HttpDirection direction, ReadOnlyMemory<byte> chunk, bool endOfBody, CancellationToken cancellationToken)
        {
            if (direction != HttpDirection.Request || !endOfBody)
            {
                return ValueTask.FromResult(InspectionVerdict.Continue);
            }

            context.InputTokens = 12;
            context.AddFinding(new Finding
            {
                Inspector = "waf",
                RuleId = "942100",
                Message = "SQL Injection Attack Detected via libinjection",
                Category = "attack-sqli",
                Severity = "CRITICAL",
                Score = 5,
                Location = "ARGS:id",
                Data = "Matched Data: s&sos found within ARGS:id: [REDACTED]",
                Tags = ["attack-sqli", "OWASP_CRS"],
            });
            if (!block)
            {
                return ValueTask.FromResult(InspectionVerdict.Continue);
            }

            context.AddFinding(new Finding
            {
                Inspector = "waf",
                RuleId = "949110",
                Message = "Inbound Anomaly Score Exceeded",
                Category = "blocking-evaluation",
                Severity = "EMERGENCY",
                Score = 5,
                Blocking = true,
            });
            return ValueTask.FromResult(InspectionVerdict.Rejected(403, "waf_blocked"));
        }

        public ValueTask<InspectionVerdict> OnTrailersAsync(InspectionContext context, HttpDirection direction, HeaderMap trailers, CancellationToken cancellationToken) =>
            ValueTask.FromResult(InspectionVerdict.Continue);
    }
}
