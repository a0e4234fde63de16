using EnvoyGovern.ExtAuthz.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Quotas;

public sealed class InMemoryQuotaStoreTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    private InMemoryQuotaStore Store(int maxBuckets = 1000) => new(_time, maxBuckets);

    private static ValueTask<QuotaResult> Take(InMemoryQuotaStore store, string key, double rate, int burst) =>
        store.TryAcquireAsync(key, new QuotaRate(rate, burst), CancellationToken.None);

    [Fact]
    public async Task TryAcquireAsync_BurstSpent_DeniesNext()
    {
        var store = Store();

        var results = new List<QuotaResult>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await Take(store, "tenant-a", 1, 3));
        }

        Assert.Equal([true, true, true, false], results.Select(r => r.Allowed));
        Assert.Equal([2, 1, 0, 0], results.Select(r => r.Remaining));
        Assert.All(results, r => Assert.Equal(3, r.Limit));
        Assert.Equal(TimeSpan.Zero, results[0].RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), results[3].RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(3), results[3].ResetAfter);
    }

    [Fact]
    public async Task TryAcquireAsync_TimePasses_RefillsAtRateUpToBurst()
    {
        var store = Store();
        await Take(store, "k", 2, 4);
        await Take(store, "k", 2, 4);
        await Take(store, "k", 2, 4);
        await Take(store, "k", 2, 4);
        Assert.False((await Take(store, "k", 2, 4)).Allowed);

        _time.Advance(TimeSpan.FromSeconds(1)); // two tokens back
        Assert.True((await Take(store, "k", 2, 4)).Allowed);
        Assert.True((await Take(store, "k", 2, 4)).Allowed);
        Assert.False((await Take(store, "k", 2, 4)).Allowed);

        _time.Advance(TimeSpan.FromHours(1)); // capped at the burst, not 7200 tokens
        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            allowed += (await Take(store, "k", 2, 4)).Allowed ? 1 : 0;
        }

        Assert.Equal(4, allowed);
    }

    [Fact]
    public async Task TryAcquireAsync_HalfTokenPerSecond_OneRequestEveryTwoSeconds()
    {
        var store = Store();
        Assert.True((await Take(store, "k", 0.5, 1)).Allowed);

        _time.Advance(TimeSpan.FromSeconds(1));
        var half = await Take(store, "k", 0.5, 1);
        Assert.False(half.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1), half.RetryAfter); // 0.5 tokens kept, 0.5 missing
        Assert.Equal(TimeSpan.FromSeconds(1), half.ResetAfter);

        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.False((await Take(store, "k", 0.5, 1)).Allowed);

        _time.Advance(TimeSpan.FromTicks(1));
        var again = await Take(store, "k", 0.5, 1);
        Assert.True(again.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(2), again.ResetAfter);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(0.7)]
    [InlineData(1e-3)]
    [InlineData(123.456)]
    public async Task TryAcquireAsync_WaitExactlyRetryAfter_Allowed(double rate)
    {
        var store = Store();
        Assert.True((await Take(store, "k", rate, 1)).Allowed);
        _time.Advance(TimeSpan.FromTicks(12_345));

        var denied = await Take(store, "k", rate, 1);
        Assert.False(denied.Allowed);
        var expected = Math.Ceiling(((1 / rate) * TimeSpan.TicksPerSecond) - 12_345 - 1e-6);
        Assert.Equal(expected, denied.RetryAfter.Ticks, 1.0);

        _time.Advance(denied.RetryAfter - TimeSpan.FromTicks(2));
        Assert.False((await Take(store, "k", rate, 1)).Allowed);
        _time.Advance(TimeSpan.FromTicks(2));
        Assert.True((await Take(store, "k", rate, 1)).Allowed);
    }

    [Fact]
    public async Task TryAcquireAsync_Denied_RetryAndResetExact()
    {
        var store = Store();
        for (var i = 0; i < 4; i++)
        {
            await Take(store, "k", 0.5, 4);
        }

        _time.Advance(TimeSpan.FromMilliseconds(500)); // 0.25 tokens
        var denied = await Take(store, "k", 0.5, 4);

        Assert.False(denied.Allowed);
        Assert.Equal(0, denied.Remaining);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), denied.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(7500), denied.ResetAfter);
    }

    [Fact]
    public async Task TryAcquireAsync_DifferentKeys_IndependentBudgets()
    {
        var store = Store();
        Assert.True((await Take(store, "tenant-a", 1, 1)).Allowed);
        Assert.False((await Take(store, "tenant-a", 1, 1)).Allowed);

        Assert.True((await Take(store, "tenant-b", 1, 1)).Allowed);
        Assert.True((await Take(store, "Tenant-A", 1, 1)).Allowed); // keys are ordinal
    }

    [Fact]
    public async Task TryAcquireAsync_ManyParallelAcquirers_NeverExceedBurst()
    {
        var store = Store();
        var allowed = 0;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await start.Task; // an async gate: a blocking barrier would starve the thread pool
            for (var i = 0; i < 2_000; i++)
            {
                if ((await Take(store, "shared", 1, 100)).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);

        Assert.Equal(100, allowed);
    }

    [Fact]
    public async Task TryAcquireAsync_ParallelWhileEvicting_NeverExceedBurst()
    {
        // A tiny cap keeps the sweeper busy while eight threads share one hot key. The cold buckets are
        // always fuller than the hot one, so the hot one is never dropped for room; and a bucket dropped
        // between lookup and lock must not hand out tokens.
        var store = Store(maxBuckets: 4);
        var allowed = 0;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            await start.Task; // an async gate: a blocking barrier would starve the thread pool
            for (var i = 0; i < 1_000; i++)
            {
                if ((await Take(store, "hot", 1e-9, 100)).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }

                await Take(store, $"cold-{w}-{i}", 1, 1_000);
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);

        Assert.Equal(100, allowed);
        Assert.InRange(store.Count, 1, 4 + 8);
    }

    [Fact]
    public async Task TryAcquireAsync_MoreKeysThanCap_CountStaysBounded()
    {
        var store = Store(maxBuckets: 100);

        for (var i = 0; i < 10_000; i++)
        {
            await Take(store, $"client-{i}", 1, 10);
            Assert.InRange(store.Count, 1, 100);
        }
    }

    [Fact]
    public async Task TryAcquireAsync_CapReached_FullBucketsEvictedBeforeDrainedOnes()
    {
        var store = Store(maxBuckets: 10);
        Assert.True((await Take(store, "drained", 1e-3, 1)).Allowed);

        for (var i = 0; i < 200; i++)
        {
            await Take(store, $"fast-{i}", 1_000, 1);
            _time.Advance(TimeSpan.FromMilliseconds(10)); // every fast bucket is full again by the next sweep
        }

        Assert.InRange(store.Count, 1, 10);
        Assert.False((await Take(store, "drained", 1e-3, 1)).Allowed); // 2 s of a 1000 s refill: still drained
    }

    [Fact]
    public async Task TryAcquireAsync_SweepIntervalPassed_DropsBucketsThatAreFullAgain()
    {
        var store = new InMemoryQuotaStore(_time, maxBuckets: 1000, sweepInterval: TimeSpan.FromSeconds(30));
        for (var i = 0; i < 50; i++)
        {
            await Take(store, $"idle-{i}", 1, 5);
        }

        await Take(store, "slow", 1e-3, 5);
        Assert.Equal(51, store.Count);

        _time.Advance(TimeSpan.FromSeconds(31));
        await Take(store, "trigger", 1, 5);

        Assert.Equal(2, store.Count); // "slow" is still refilling; "trigger" was just drained by one
    }

    [Fact]
    public async Task TryAcquireAsync_RateChanges_TokensCappedAtNewBurst()
    {
        var store = Store();
        await Take(store, "k", 1, 10);

        var result = await Take(store, "k", 1, 2);

        Assert.True(result.Allowed);
        Assert.Equal(1, result.Remaining);
        Assert.Equal(2, result.Limit);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(double.PositiveInfinity, 1)]
    [InlineData(1, 0)]
    public async Task TryAcquireAsync_InvalidRate_Throws(double rate, int burst)
    {
        var store = Store();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Take(store, "k", rate, burst));
    }

    [Fact]
    public async Task TryAcquireAsync_Cancelled_Throws()
    {
        var store = Store();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await store.TryAcquireAsync("k", new QuotaRate(1, 1), new CancellationToken(canceled: true)));
    }
}
