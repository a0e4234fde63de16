using Envoy.Config.Core.V3;
using EnvoyGovern.ExtProc.Canary;
using EnvoyGovern.ExtProc.Inspection;
using EnvoyGovern.Governance.Canary;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Canary;

/// <summary>ExtProc counts each routed response for the guardrails, and changes nothing.</summary>
public sealed class CanaryOutcomeInspectorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryCanaryStore _store;
    private readonly CanaryOutcomeInspector _inspector;

    public CanaryOutcomeInspectorTests()
    {
        _store = new InMemoryCanaryStore(_time);
        _inspector = new CanaryOutcomeInspector(_store, _time);
    }

    private static HeaderMap Headers(params (string Name, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (name, value) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = name, RawValue = Google.Protobuf.ByteString.CopyFromUtf8(value) });
        }

        return map;
    }

    private async Task ExchangeAsync(InspectionContext context, HeaderMap request, string status, TimeSpan latency)
    {
        Assert.True((await _inspector.OnHeadersAsync(context, HttpDirection.Request, request, false, CancellationToken.None)).IsPassThrough);
        _time.Advance(latency);
        Assert.True((await _inspector.OnHeadersAsync(context, HttpDirection.Response, Headers((":status", status)), false, CancellationToken.None)).IsPassThrough);
    }

    [Fact]
    public async Task OnHeaders_RoutedRequestAndErrorResponse_CountedForItsCluster()
    {
        var routed = Headers((":path", "/v1/chat/completions"), ("x-governance-model", "gpt-4o"), ("x-governance-cluster", "upstream_canary"));
        var context = new InspectionContext("x1", _time.GetUtcNow());
        context.AddFinding(new Finding { Inspector = "waf", RuleId = "942100", Message = "SQL injection" });

        await ExchangeAsync(context, routed, "503", TimeSpan.FromMilliseconds(40));
        await ExchangeAsync(new InspectionContext("x2", _time.GetUtcNow()), routed, "200", TimeSpan.FromMilliseconds(3));

        var window = await _store.ReadAsync("gpt-4o", "upstream_canary", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal((2, 1, 1), (window.Count, window.Errors, window.WithFindings));
        Assert.Equal(TimeSpan.FromMilliseconds(64), window.P95());
    }

    [Fact]
    public async Task OnHeaders_RequestWithoutCluster_NotCounted()
    {
        await ExchangeAsync(new InspectionContext("x1", _time.GetUtcNow()), Headers(("x-governance-model", "gpt-4o")), "500", TimeSpan.FromMilliseconds(5));

        Assert.Equal(0, (await _store.ReadAsync("gpt-4o", "", TimeSpan.FromMinutes(1), CancellationToken.None)).Count);
    }
}
