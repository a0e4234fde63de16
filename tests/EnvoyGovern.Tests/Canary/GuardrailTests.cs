using EnvoyGovern.Cli.PolicyTesting;
using EnvoyGovern.ExtAuthz.Access;
using EnvoyGovern.Tests.Cli;
using EnvoyGovern.ExtAuthz.Canary;
using EnvoyGovern.Governance.Audit.Recording;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Policy.Loading;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace EnvoyGovern.Tests.Canary;

/// <summary>A canary that breaks a guardrail is halted; its traffic returns to stable and stays there.</summary>
public sealed class GuardrailTests : IDisposable
{
    private readonly PolicyDirectory _policy = PolicyCommandRun.CopySamplePolicy();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-15T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly InMemoryCanaryStore _store;
    private readonly CanaryHaltRegistry _halts = new();
    private readonly PolicyHarness _harness;
    private readonly CanaryMonitor _monitor;
    private readonly CapturingAuditPipeline _audit = new();

    public GuardrailTests()
    {
        _store = new InMemoryCanaryStore(_time);
        _harness = PolicyHarness.Load(_policy.Path, out var errors) ?? throw new InvalidOperationException(string.Join('\n', errors));
        var recorder = new AuditRecorder(Governance.Hosting.GovernanceService.ExtAuthz, _audit, Options.Create(new AuditRecordingOptions()), _time, NullLogger<AuditRecorder>.Instance);
        _monitor = new CanaryMonitor(_harness.Store, _store, _halts, Options.Create(new CanaryOptions()), _time, NullLogger<CanaryMonitor>.Instance, recorder);
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _harness.Dispose();
        _policy.Dispose();
    }

    private async Task RecordAsync(string cluster, int count, double errorShare, int latencyMs = 20)
    {
        for (var i = 0; i < count; i++)
        {
            var status = i < count * errorShare ? 503 : 200;
            await _store.RecordAsync("gpt-4o", cluster, new CanaryOutcome(status, TimeSpan.FromMilliseconds(latencyMs), HasFindings: false), CancellationToken.None);
        }
    }

    private CanaryKey Key => _halts.Halts.Keys.Single();

    [Fact]
    public async Task Evaluate_CanaryWith20PercentErrorsAfterMinSample_HaltedAndTrafficBackToStable()
    {
        await RecordAsync("upstream_stable", 200, 0);
        await RecordAsync("upstream_canary", 99, 0.2);

        await _monitor.EvaluateOnceAsync(CancellationToken.None);
        Assert.Empty(_halts.Halts);

        await RecordAsync("upstream_canary", 1, 1);
        await _monitor.EvaluateOnceAsync(CancellationToken.None);

        var halt = Assert.Single(_halts.Halts).Value;
        Assert.Equal("error_rate", halt.Reason);
        Assert.Contains("against stable's 0%", halt.Detail, StringComparison.Ordinal);
        Assert.Equal(("gpt-4o", "gpt-4o-nov"), (Key.Model, Key.Canary));
        Assert.True(await _store.TryHaltAsync(Key, halt, CancellationToken.None) is false);
        Assert.Contains("envoygovern_canary_halted{model=\"gpt-4o\",canary=\"gpt-4o-nov\"} 1", await MetricsText(), StringComparison.Ordinal);
        var record = Assert.Single(_audit.Records, r => CapturingAuditPipeline.Text(r, "event", "action") == "canary-halt");
        Assert.Equal("error_rate", CapturingAuditPipeline.Text(record, "event", "reason"));
        Assert.Equal("gpt-4o-nov", CapturingAuditPipeline.Text(record, "envoygovern", "canary", "name"));
        Assert.Empty(_audit.Problems);
    }

    [Fact]
    public async Task Evaluate_CanaryAsGoodAsStable_NotHalted()
    {
        await RecordAsync("upstream_stable", 500, 0.02);
        await RecordAsync("upstream_canary", 500, 0.04);

        await _monitor.EvaluateOnceAsync(CancellationToken.None);

        Assert.Empty(_halts.Halts);
    }

    [Fact]
    public async Task Evaluate_CanaryThreeTimesSlower_HaltedForLatency()
    {
        await RecordAsync("upstream_stable", 200, 0, latencyMs: 20);
        await RecordAsync("upstream_canary", 200, 0, latencyMs: 70);

        await _monitor.EvaluateOnceAsync(CancellationToken.None);

        Assert.Equal("p95_latency", Assert.Single(_halts.Halts).Value.Reason);
    }

    [Fact]
    public async Task Evaluate_OutcomesOlderThanTheWindow_NotCounted()
    {
        await RecordAsync("upstream_canary", 100, 0.5);
        _time.Advance(TimeSpan.FromMinutes(6));

        await _monitor.EvaluateOnceAsync(CancellationToken.None);

        Assert.Empty(_halts.Halts);
    }

    [Fact]
    public async Task Reload_PolicyThatLeavesTheCanaryAlone_HaltStays_ChangedCanary_HaltEnds()
    {
        await RecordAsync("upstream_canary", 100, 0.2);
        await _monitor.EvaluateOnceAsync(CancellationToken.None);
        var halted = Key;

        var file = Path.Combine(_policy.Path, "api-example.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("requestsPerSecond: 5", "requestsPerSecond: 6", StringComparison.Ordinal));
        Assert.Equal(Governance.Policy.Runtime.PolicyApplyOutcome.Applied, _harness.Store.Apply(PolicyLoader.LoadDirectory(_policy.Path), out _));
        await _monitor.EvaluateOnceAsync(CancellationToken.None);
        Assert.True(_halts.IsHalted(halted));
        Assert.True(Routing().Canaries[0].Key == halted);

        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("weight: 25", "weight: 5", StringComparison.Ordinal));
        Assert.Equal(Governance.Policy.Runtime.PolicyApplyOutcome.Applied, _harness.Store.Apply(PolicyLoader.LoadDirectory(_policy.Path), out _));
        Assert.False(_halts.IsHalted(Routing().Canaries[0].Key));
    }

    [Fact]
    public async Task Evaluate_OperatorResumedInStore_HaltLifted()
    {
        await RecordAsync("upstream_canary", 100, 0.2);
        await _monitor.EvaluateOnceAsync(CancellationToken.None);
        var halted = Key;

        Assert.True(await _store.ResumeAsync(halted, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(6)); // the bad outcomes age out, so it is not halted again at once
        await _monitor.EvaluateOnceAsync(CancellationToken.None);

        Assert.False(_halts.IsHalted(halted));
    }

    private ModelRouting Routing() =>
        _harness.Access.Documents.Select(d => d.Models).OfType<ModelResolver>().SelectMany(m => m.Routings).Single(r => r.Model == "gpt-4o");

    private static async Task<string> MetricsText()
    {
        using var stream = new MemoryStream();
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
