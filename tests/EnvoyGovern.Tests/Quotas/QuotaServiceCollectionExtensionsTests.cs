using EnvoyGovern.ExtAuthz.Quotas;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Quotas;

public sealed class QuotaServiceCollectionExtensionsTests
{
    private static IHost Host(params (string Key, string Value)[] settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddQuotaStore(builder.Configuration);
        return builder.Build();
    }

    private static string ClosedRedis(string extra = "") => $"127.0.0.1:{LoopbackPorts.Free()},abortConnect=false{extra}";

    [Fact]
    public async Task AddQuotaStore_NoSection_InMemoryStoreWithDefaults()
    {
        using var host = Host();
        await host.StartAsync();

        Assert.IsType<InMemoryQuotaStore>(host.Services.GetRequiredService<IQuotaStore>());
        var options = host.Services.GetRequiredService<IOptions<QuotaOptions>>().Value;
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Redis.Timeout);
        Assert.Equal("envoygovern:quota:", options.Redis.KeyPrefix);
        Assert.Same(host.Services.GetRequiredService<IQuotaStore>(), host.Services.GetRequiredService<IQuotaStore>());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddQuotaStore_StoreRedis_RedisStoreStartsWithoutWaitingForServer()
    {
        using var host = Host(("Quotas:Store", "Redis"), ("Quotas:Redis:Configuration", ClosedRedis()), ("Quotas:Redis:Timeout", "00:00:00.100"));

        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(5)); // Redis is down: the start must not wait for it

        Assert.IsType<RedisQuotaStore>(host.Services.GetRequiredService<IQuotaStore>());
        await host.StopAsync();
    }

    [Fact]
    public async Task AddQuotaStore_HostDisposed_RedisStoreDisposed()
    {
        var host = Host(("Quotas:Store", "Redis"), ("Quotas:Redis:Configuration", ClosedRedis()));
        var store = host.Services.GetRequiredService<IQuotaStore>();

        host.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.TryAcquireAsync("k", new QuotaRate(1, 1), CancellationToken.None));
    }

    [Theory]
    [InlineData("Quotas:Redis:Configuration", "", "Quotas:Redis:Configuration is required")]
    [InlineData("Quotas:Redis:Configuration", "127.0.0.1:1,password=s3cr3t-pw,bogusKeyword=1", "Quotas:Redis:Configuration is not a valid")]
    [InlineData("Quotas:Redis:Timeout", "00:00:00", "Quotas:Redis:Timeout")]
    [InlineData("Quotas:Redis:Timeout", "00:05:00", "Quotas:Redis:Timeout")]
    [InlineData("Quotas:Redis:KeyPrefix", "", "Quotas:Redis:KeyPrefix")]
    public async Task AddQuotaStore_InvalidRedisSetting_HostFailsToStartNamingItWithoutValue(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string>
        {
            ["Quotas:Store"] = "Redis",
            ["Quotas:Redis:Configuration"] = "127.0.0.1:6379",
            [key] = value,
        };
        using var host = Host([.. settings.Select(s => (s.Key, s.Value))]);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Quotas:Memory:MaxBuckets", "0")]
    [InlineData("Quotas:Memory:SweepInterval", "00:00:00")]
    public async Task AddQuotaStore_InvalidMemorySetting_HostFailsToStart(string key, string value)
    {
        using var host = Host((key, value));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddQuotaStore_UnknownStore_HostFailsToStart()
    {
        using var host = Host(("Quotas:Store", "Memcached"));

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());
    }

    [Fact]
    public async Task AddQuotaStore_StoreMemoryWithoutRedisSettings_Starts()
    {
        using var host = Host(("Quotas:Store", "memory"), ("Quotas:Memory:MaxBuckets", "10"));
        await host.StartAsync();

        var store = Assert.IsType<InMemoryQuotaStore>(host.Services.GetRequiredService<IQuotaStore>());
        Assert.True((await store.TryAcquireAsync("k", new QuotaRate(1, 1), CancellationToken.None)).Allowed);
        await host.StopAsync();
    }
}
