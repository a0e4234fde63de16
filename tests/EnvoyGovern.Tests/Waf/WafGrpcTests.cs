using System.Text;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.TestSupport;
using EnvoyGovern.Tests.ExtProc;
using static EnvoyGovern.Tests.ExtProc.ExtProcExchanges;
using BodySendMode = Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode;

namespace EnvoyGovern.Tests.Waf;

/// <summary>The WAF through ExtProc's gRPC service, judged by Envoy's rules (the conformance driver).</summary>
public sealed class WafGrpcTests
{
    private static string Policy(string mode) => $"""
        apiVersion: governance.envoygovern.io/v1
        kind: GovernancePolicy
        metadata:
          name: waf-test
        spec:
          hosts: [api.example.com]
          waf:
            mode: {mode}
            paranoiaLevel: 1
        """;

    private static async Task<(RunningService Service, PolicyDirectory Policy)> StartAsync(string mode, params string[] settings)
    {
        var policy = new PolicyDirectory(("waf.yaml", Policy(mode)));
        // These tests are about verdicts, not the time budget: a cold engine on a busy test host can take longer than
        // the default 150 ms for its first exchange and answer waf_limit instead. Later settings override this one.
        var service = await RunningService.StartExtProcAsync(null, [policy.Setting, "--Waf:EvaluationTimeout=00:00:10", .. settings]);
        await PolicyService.WaitForPolicyAsync(service);
        return (service, policy);
    }

    private static HttpExchange Request(string path, string? body = null, string host = "api.example.com")
    {
        var exchange = HttpExchange.Create(body is null ? "GET" : "POST", path, host);
        if (body is null)
        {
            return exchange;
        }

        return exchange with
        {
            RequestHeaders = [.. exchange.RequestHeaders, new("content-type", "application/x-www-form-urlencoded"), new("content-length", Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture))],
            RequestBody = [Encoding.UTF8.GetBytes(body)],
        };
    }

    [Fact]
    public async Task Process_SqlInjectionInBlockingMode_ImmediateResponse403WithAuditId()
    {
        var (service, policy) = await StartAsync("blocking");
        await using var _ = service;
        using var __ = policy;

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), Request("/v1/search?q=1%27%20OR%20%271%27=%271"));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
        Assert.False(outcome.RequestForwardedUpstream);
        Assert.Equal("waf_blocked", outcome.ImmediateResponse?.Details);
        Assert.Matches("\"auditId\":\"[^\"]+\"", Text(outcome.ResponseBody));
    }

    [Fact]
    public async Task Process_SamplePolicy_BlocksObviousAttack()
    {
        await using var service = await RunningService.StartExtProcAsync(null, $"--Policy:Directory={RepoPaths.SamplePolicy}");
        await PolicyService.WaitForPolicyAsync(service);

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), Request("/v1/chat/completions?q=1%27%20OR%20%271%27=%271"));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
    }

    [Fact]
    public async Task Process_AttackInBufferedBody_Blocked()
    {
        var (service, policy) = await StartAsync("blocking");
        await using var _ = service;
        using var __ = policy;

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), Request("/v1/chat/completions", "prompt=<script>alert(1)</script>"));

        AssertConforms(outcome);
        Assert.Equal(403, outcome.LocalReplyStatus);
    }

    [Fact]
    public async Task Process_SqlInjectionInDetectionOnly_Forwarded()
    {
        var (service, policy) = await StartAsync("detectionOnly");
        await using var _ = service;
        using var __ = policy;

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), Request("/v1/search?q=1%27%20OR%20%271%27=%271"));

        AssertConforms(outcome);
        Assert.Null(outcome.LocalReplyStatus);
        Assert.True(outcome.RequestForwardedUpstream);
    }

    [Fact]
    public async Task Process_HostWithoutWafPolicy_PassesWithoutBodyRequest()
    {
        var (service, policy) = await StartAsync("blocking");
        await using var _ = service;
        using var __ = policy;

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true), Request("/?q=1%27%20OR%20%271%27=%271", "a=b", host: "other.example.com"));

        AssertConforms(outcome);
        Assert.True(outcome.RequestForwardedUpstream);
        Assert.DoesNotContain(outcome.Transcript, e => e.Received?.ModeOverride is not null);
    }

    [Theory]
    [InlineData("blocking", true)]
    [InlineData("detectionOnly", false)]
    public async Task Process_MegabyteOfQuotesWithCrs_HandledAsPolicySays(string mode, bool blocked)
    {
        var (service, policy) = await StartAsync(mode, $"--Waf:CrsDirectory={RepoPaths.Crs}", "--Waf:EvaluationTimeout=00:00:00.500");
        await using var _ = service;
        using var __ = policy;

        var outcome = await RunAsync(service, Config(BodySendMode.None, allowModeOverride: true) with { MessageTimeout = TimeSpan.FromSeconds(30), BufferLimitBytes = 4 * 1024 * 1024 }, Request("/upload", "a=" + new string('\'', 1024 * 1024)));

        AssertConforms(outcome);
        Assert.Equal(blocked, outcome.LocalReplyStatus == 403);
        Assert.Equal(!blocked, outcome.RequestForwardedUpstream);
    }
}
