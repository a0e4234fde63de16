using System.Diagnostics;
using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.TestSupport;
using StackExchange.Redis;

namespace EnvoyGovern.Tests.Quotas;

public sealed class RedisQuotaStoreTests
{
    // Generous for the tests against a real server on a loaded CI machine; the down-server test uses 50 ms.
    private static readonly TimeSpan TestTimeout = RedisTestServer.CallTimeout;

    private readonly string _key = "test-" + Guid.NewGuid().ToString("N");

    private static RedisQuotaStore Store() => new(RedisTestServer.Configuration, TestTimeout);

    private static Task<ConnectionMultiplexer> Admin() =>
        ConnectionMultiplexer.ConnectAsync(RedisTestServer.Configuration + ",allowAdmin=true");

    [RedisFact]
    public async Task TryAcquireAsync_BurstSpent_DeniesNext()
    {
        await using var store = Store();
        var rate = new QuotaRate(0.001, 3);

        var results = new List<QuotaResult>();
        for (var i = 0; i < 4; i++)
        {
            results.Add(await store.TryAcquireAsync(_key, rate, CancellationToken.None));
        }

        Assert.Equal([true, true, true, false], results.Select(r => r.Allowed));
        Assert.Equal([2, 1, 0, 0], results.Select(r => r.Remaining));
        Assert.All(results, r => Assert.Equal(3, r.Limit));
        Assert.InRange(results[3].RetryAfter, TimeSpan.FromSeconds(990), TimeSpan.FromSeconds(1000));
        Assert.InRange(results[3].ResetAfter, TimeSpan.FromSeconds(2990), TimeSpan.FromSeconds(3000));
    }

    [RedisFact]
    public async Task TryAcquireAsync_TwoReplicas_ShareOneBudget()
    {
        // Two stores, two multiplexers: two ExtAuthz replicas.
        await using var first = Store();
        await using var second = Store();
        var rate = new QuotaRate(0.001, 10);

        var attempts = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? first : second).TryAcquireAsync(_key, rate, CancellationToken.None)).Allowed));
        var results = await Task.WhenAll(attempts);

        Assert.Equal(10, results.Count(allowed => allowed));
        Assert.False((await first.TryAcquireAsync(_key, rate, CancellationToken.None)).Allowed);
        Assert.False((await second.TryAcquireAsync(_key, rate, CancellationToken.None)).Allowed);
    }

    [RedisFact]
    public async Task TryAcquireAsync_AfterRetryAfter_AllowedAgain()
    {
        await using var store = Store();
        var rate = new QuotaRate(10, 1); // one token per 100 ms

        Assert.True((await store.TryAcquireAsync(_key, rate, CancellationToken.None)).Allowed);
        var denied = await store.TryAcquireAsync(_key, rate, CancellationToken.None);
        Assert.False(denied.Allowed);
        Assert.InRange(denied.RetryAfter, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(100));

        await Task.Delay(denied.RetryAfter + TimeSpan.FromMilliseconds(20));
        var again = await store.TryAcquireAsync(_key, rate, CancellationToken.None);

        Assert.True(again.Allowed);
        Assert.Equal(0, again.Remaining);
    }

    [RedisFact]
    public async Task TryAcquireAsync_AfterAcquire_StateHashExpiresWhenFull()
    {
        await using var store = Store();
        await using var admin = await Admin();
        var redisKey = store.RedisKey(_key);

        var result = await store.TryAcquireAsync(_key, new QuotaRate(0.01, 5), CancellationToken.None); // 100 s to refill one token

        Assert.Equal("envoygovern:quota:{" + _key + "}", redisKey);
        var database = admin.GetDatabase();
        var ttl = await database.KeyTimeToLiveAsync(redisKey);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(95), TimeSpan.FromSeconds(100));
        Assert.InRange(result.ResetAfter, TimeSpan.FromSeconds(99), TimeSpan.FromSeconds(100));
        var fields = (await database.HashGetAllAsync(redisKey)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(["tokens", "ts"], fields.Keys.Order());
        Assert.Equal(4.0, double.Parse(fields["tokens"], System.Globalization.CultureInfo.InvariantCulture), 3);
    }

    [RedisFact]
    public async Task TryAcquireAsync_KeyExpired_BucketFullAgain()
    {
        await using var store = Store();
        var rate = new QuotaRate(20, 2); // full again 100 ms after being emptied

        await store.TryAcquireAsync(_key, rate, CancellationToken.None);
        await store.TryAcquireAsync(_key, rate, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await using var admin = await Admin();

        Assert.False(await admin.GetDatabase().KeyExistsAsync(store.RedisKey(_key)));
        Assert.Equal(1, (await store.TryAcquireAsync(_key, rate, CancellationToken.None)).Remaining);
    }

    [RedisFact]
    public async Task TryAcquireAsync_ScriptCacheFlushed_FallsBackToEval()
    {
        await using var store = Store();
        await using var admin = await Admin();
        var rate = new QuotaRate(0.001, 2);
        Assert.True((await store.TryAcquireAsync(_key, rate, CancellationToken.None)).Allowed);

        await admin.GetServers()[0].ScriptFlushAsync();
        var result = await store.TryAcquireAsync(_key, rate, CancellationToken.None);

        Assert.True(result.Allowed);
        Assert.Equal(0, result.Remaining);
    }

    [RedisFact]
    public async Task TryAcquireAsync_KeyHoldsOtherType_DependencyUnavailable()
    {
        await using var store = Store();
        await using var admin = await Admin();
        await admin.GetDatabase().StringSetAsync(store.RedisKey(_key), "not a bucket", TimeSpan.FromMinutes(1));

        var ex = await Assert.ThrowsAsync<DependencyUnavailableException>(
            async () => await store.TryAcquireAsync(_key, new QuotaRate(1, 1), CancellationToken.None));

        Assert.Contains("RedisServerException", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TryAcquireAsync_RedisDown_DependencyUnavailableWithinTimeout()
    {
        var closedPort = LoopbackPorts.Free(); // free a moment ago, so nothing listens there
        await using var store = new RedisQuotaStore(
            $"127.0.0.1:{closedPort},password=s3cr3t-pw,abortConnect=false", TimeSpan.FromMilliseconds(50));

        for (var attempt = 0; attempt < 3; attempt++) // the first call connects; later ones reuse the multiplexer
        {
            var watch = Stopwatch.StartNew();
            var ex = await Assert.ThrowsAsync<DependencyUnavailableException>(
                async () => await store.TryAcquireAsync("k", new QuotaRate(1, 1), CancellationToken.None));
            watch.Stop();

            Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2)); // 50 ms plus slack for a busy machine; far below the 5 s connect timeout
            Assert.DoesNotContain("s3cr3t", ex.ToString(), StringComparison.Ordinal);
            Assert.Null(ex.InnerException);
            Assert.StartsWith("quota store (Redis) unavailable", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TryAcquireAsync_Disposed_Throws()
    {
        var store = new RedisQuotaStore($"127.0.0.1:{LoopbackPorts.Free()},abortConnect=false", TimeSpan.FromMilliseconds(50));
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(
            async () => await store.TryAcquireAsync("k", new QuotaRate(1, 1), CancellationToken.None));
    }

    [Fact]
    public void Constructor_BadConfiguration_MessageWithoutTheString()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RedisQuotaStore("127.0.0.1:1,password=s3cr3t-pw,nonsense=1", TimeSpan.FromMilliseconds(50)));

        Assert.DoesNotContain("s3cr3t", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RedisKey_Bucket_PrefixedAndHashTagged()
    {
        using var store = new RedisQuotaStore("127.0.0.1:1", TimeSpan.FromMilliseconds(50), "eg:");

        Assert.Equal("eg:{tenant:acme}", store.RedisKey("tenant:acme"));
    }
}
