using EnvoyGovern.Cli.PolicyTesting;
using EnvoyGovern.ExtAuthz.Canary;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Tests.Cli;
using EnvoyGovern.Tests.Quotas;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Canary;

/// <summary>
/// Two ExtAuthz replicas and one ExtProc replica sharing Redis: the replicas halt a bad canary together,
/// one of them reports it, and both route its traffic back to stable.
/// </summary>
public sealed class SharedCanaryHaltTests : IAsyncDisposable
{
    private readonly PolicyDirectory _policy = PolicyCommandRun.CopySamplePolicy();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-15T12:00:05Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _prefix = "test-canary-" + Guid.NewGuid().ToString("N") + ":";
    private readonly CapturingAuditPipeline _audit = new();
    private readonly List<IAsyncDisposable> _owned = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        _policy.Dispose();
    }

    private RedisCanaryStore Store()
    {
        var store = new RedisCanaryStore(RedisTestServer.Configuration, RedisTestServer.CallTimeout, _prefix, _time);
        _owned.Add(store);
        return store;
    }

    private (PolicyHarness Harness, CanaryMonitor Monitor) Replica()
    {
        var harness = PolicyHarness.Load(_policy.Path, out var errors) ?? throw new InvalidOperationException(string.Join('\n', errors));
        var recorder = new AuditRecorder(Governance.Hosting.GovernanceService.ExtAuthz, _audit, Options.Create(new AuditRecordingOptions()), _time, NullLogger<AuditRecorder>.Instance);
        var monitor = new CanaryMonitor(harness.Store, Store(), harness.Halts, Options.Create(new CanaryOptions()), _time, NullLogger<CanaryMonitor>.Instance, recorder);
        _owned.Add(new Disposer(() =>
        {
            monitor.Dispose();
            harness.Dispose();
        }));
        return (harness, monitor);
    }

    private static async Task<string?> ClusterAsync(PolicyHarness harness)
    {
        var request = new TestRequest
        {
            Method = "POST",
            Path = "/v1/chat/completions",
            Host = "api.example.com",
            Source = "198.51.100.7",
            Headers = [new("x-api-key", "demo-key-globex"), new("x-canary-opt-in", "true")],
            Body = "{\"model\":\"gpt-4o\"}",
        };
        var (_, _, response) = await harness.DecideAsync(harness.CreatePipeline(harness.CreateQuotaStore()), request, CancellationToken.None);
        return response.OkResponse.Headers.FirstOrDefault(h => h.Header.Key == CanaryHeaders.Cluster)?.Header.Value;
    }

    [RedisFact]
    public async Task Evaluate_CanaryWith20PercentErrorsInRedis_BothReplicasHaltAndRouteToStable()
    {
        var extProc = Store();
        var (harnessA, monitorA) = Replica();
        var (harnessB, monitorB) = Replica();
        Assert.Equal("upstream_canary", await ClusterAsync(harnessB));
        for (var i = 0; i < 200; i++)
        {
            await extProc.RecordAsync("gpt-4o", "upstream_stable", new CanaryOutcome(200, TimeSpan.FromMilliseconds(20), false), CancellationToken.None);
            await extProc.RecordAsync("gpt-4o", "upstream_canary", new CanaryOutcome(i % 5 == 0 ? 503 : 200, TimeSpan.FromMilliseconds(20), false), CancellationToken.None);
        }

        await extProc.FlushAsync(CancellationToken.None);
        await monitorA.EvaluateOnceAsync(CancellationToken.None);
        await monitorB.EvaluateOnceAsync(CancellationToken.None);

        Assert.Equal("error_rate", Assert.Single(harnessA.Halts.Halts).Value.Reason);
        Assert.Equal(harnessA.Halts.Halts, harnessB.Halts.Halts);
        Assert.Equal("upstream_stable", await ClusterAsync(harnessA));
        Assert.Equal("upstream_stable", await ClusterAsync(harnessB));
        Assert.Single(_audit.Records, r => CapturingAuditPipeline.Text(r, "event", "action") == "canary-halt");
    }

    [RedisFact]
    public async Task Evaluate_OperatorResumedOnOneReplica_OtherReplicaRoutesToCanaryAgain()
    {
        var extProc = Store();
        var (harnessA, monitorA) = Replica();
        var (harnessB, monitorB) = Replica();
        for (var i = 0; i < 100; i++)
        {
            await extProc.RecordAsync("gpt-4o", "upstream_canary", new CanaryOutcome(503, TimeSpan.FromMilliseconds(20), false), CancellationToken.None);
        }

        await extProc.FlushAsync(CancellationToken.None);
        await monitorA.EvaluateOnceAsync(CancellationToken.None);
        await monitorB.EvaluateOnceAsync(CancellationToken.None);
        var key = Assert.Single(harnessB.Halts.Halts).Key;

        Assert.True(await Store().ResumeAsync(key, CancellationToken.None)); // the admin endpoint of replica A
        _time.Advance(TimeSpan.FromMinutes(6)); // the bad outcomes age out of the window
        await monitorB.EvaluateOnceAsync(CancellationToken.None);

        Assert.Empty(harnessB.Halts.Halts);
        Assert.Equal("upstream_canary", await ClusterAsync(harnessB));
        Assert.NotEmpty(harnessA.Halts.Halts); // A learns of it at its own next pass
    }

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
