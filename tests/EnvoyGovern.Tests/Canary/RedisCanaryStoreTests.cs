using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.TestSupport;
using EnvoyGovern.Tests.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Canary;

/// <summary>Outcomes and halts in Redis: what one replica writes, every other reads.</summary>
public sealed class RedisCanaryStoreTests
{
    private static readonly TimeSpan TestTimeout = RedisTestServer.CallTimeout;
    private static readonly CanaryKey Key = new("gpt-4o", "nov", "fp1");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-15T12:00:05Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly string _prefix = "test-canary-" + Guid.NewGuid().ToString("N") + ":";

    private RedisCanaryStore Store() => new(RedisTestServer.Configuration, TestTimeout, _prefix, _time);

    private static ValueTask Record(RedisCanaryStore store, int status, int latencyMs, bool findings = false) =>
        store.RecordAsync("gpt-4o", "canary", new CanaryOutcome(status, TimeSpan.FromMilliseconds(latencyMs), findings), CancellationToken.None);

    [RedisFact]
    public async Task ReadAsync_TwoReplicasFlushed_SumOfBoth()
    {
        await using var first = Store();
        await using var second = Store();
        await using var reader = Store();
        await Record(first, 200, 3);
        await Record(first, 503, 3, findings: true);
        await Record(second, 200, 300);
        _time.Advance(TimeSpan.FromSeconds(10)); // a second slot
        await Record(second, 500, 3);

        Assert.Equal(2, await first.FlushAsync(CancellationToken.None));
        Assert.Equal(2, await second.FlushAsync(CancellationToken.None));
        Assert.Equal(0, await second.FlushAsync(CancellationToken.None));
        var window = await reader.ReadAsync("gpt-4o", "canary", TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal((4L, 2L, 1L), (window.Count, window.Errors, window.WithFindings));
        Assert.Equal(3, window.Latency[OutcomeWindow.BucketOf(TimeSpan.FromMilliseconds(3))]);
        Assert.Equal(1, window.Latency[OutcomeWindow.BucketOf(TimeSpan.FromMilliseconds(300))]);
        Assert.Equal(TimeSpan.FromMilliseconds(512), window.P95());
        Assert.Equal(0, (await reader.ReadAsync("gpt-4o", "stable", TimeSpan.FromMinutes(1), CancellationToken.None)).Count);
    }

    [RedisFact]
    public async Task ReadAsync_OutcomesOlderThanWindow_NotCounted()
    {
        await using var store = Store();
        await Record(store, 503, 3);
        await store.FlushAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Record(store, 200, 3);
        await store.FlushAsync(CancellationToken.None);

        var window = await store.ReadAsync("gpt-4o", "canary", TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal((1L, 0L), (window.Count, window.Errors));
    }

    [RedisFact]
    public async Task TryHaltAsync_SecondReplica_FirstHaltStaysAndBothSeeIt()
    {
        await using var first = Store();
        await using var second = Store();
        var halt = new CanaryHalt("error_rate", "20% errors", _time.GetUtcNow());

        Assert.True(await first.TryHaltAsync(Key, halt, CancellationToken.None));
        Assert.False(await second.TryHaltAsync(Key, halt with { Reason = "p95_latency" }, CancellationToken.None));

        Assert.Equal(halt, Assert.Single(await second.ReadHaltsAsync(CancellationToken.None)).Value);
        Assert.Equal(Key, Assert.Single(await first.ReadHaltsAsync(CancellationToken.None)).Key);
        Assert.True(await second.ResumeAsync(Key, CancellationToken.None));
        Assert.False(await first.ResumeAsync(Key, CancellationToken.None));
        Assert.Empty(await first.ReadHaltsAsync(CancellationToken.None));
    }

    [RedisFact]
    public async Task ReadHaltsAsync_KeyPartsWithSeparators_RoundTrip()
    {
        await using var store = Store();
        var odd = new CanaryKey("org/model|x", "can\"ary\n", "f{p}");

        await store.TryHaltAsync(odd, new CanaryHalt("findings_rate", "d", _time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(odd, Assert.Single(await store.ReadHaltsAsync(CancellationToken.None)).Key);
    }

    [Fact]
    public async Task FlushAsync_ServerDown_UnavailableAndOutcomesCountedAsDropped()
    {
        await using var store = new RedisCanaryStore($"127.0.0.1:{LoopbackPorts.Free()},abortConnect=false,connectTimeout=200", TimeSpan.FromMilliseconds(300), "eg:", _time);
        await Record(store, 200, 3);
        await Record(store, 200, 3);

        var ex = await Assert.ThrowsAsync<DependencyUnavailableException>(async () => await store.FlushAsync(CancellationToken.None));

        Assert.StartsWith("canary store (Redis) unavailable", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, store.Dropped);
        await Assert.ThrowsAsync<DependencyUnavailableException>(async () => await store.ReadHaltsAsync(CancellationToken.None));
    }

    [Fact]
    public void Constructor_InvalidConfiguration_ErrorWithoutTheValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RedisCanaryStore("127.0.0.1:1,password=s3cr3t-pw,nonsense=1", TestTimeout, "eg:", _time));

        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
    }
}
