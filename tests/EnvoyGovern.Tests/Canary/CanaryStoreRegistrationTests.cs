using Envoy.Extensions.Filters.Http.ExtProc.V3;
using EnvoyGovern.Conformance.ExtProc;
using EnvoyGovern.Governance.Canary;
using EnvoyGovern.Tests.ExtProc;
using EnvoyGovern.Tests.Quotas;
using EnvoyGovern.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Tests.Canary;

/// <summary>The <c>Canary</c> section picks the store, is checked at start, and ExtProc writes outcomes where ExtAuthz reads.</summary>
public sealed class CanaryStoreRegistrationTests
{
    private static IHost Host(Action<IServiceCollection>? services, params (string Key, string Value)[] settings)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        services?.Invoke(builder.Services);
        builder.Services.AddCanaryStore(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public void AddCanaryStore_NoSection_InMemory_OrTheSharedInstance()
    {
        using var alone = Host(null);
        var shared = new InMemoryCanaryStore(TimeProvider.System);
        using var serve = Host(s => s.AddSingleton(shared));

        Assert.IsType<InMemoryCanaryStore>(alone.Services.GetRequiredService<ICanaryStore>());
        Assert.Same(shared, serve.Services.GetRequiredService<ICanaryStore>());
    }

    [Fact]
    public async Task AddCanaryStore_StoreRedis_RedisStoreStartsWithoutWaitingForServer()
    {
        using var host = Host(null, ("Canary:Store", "Redis"), ("Canary:Redis:Configuration", $"127.0.0.1:{LoopbackPorts.Free()},abortConnect=false"));

        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.IsType<RedisCanaryStore>(host.Services.GetRequiredService<ICanaryStore>());
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Canary:Store", "Redis", "Canary:Redis:Configuration is required when Canary:Store is Redis")]
    [InlineData("Canary:Redis:Timeout", "00:00:00", "Canary:Redis:Timeout is invalid")]
    [InlineData("Canary:Redis:FlushInterval", "00:10:00", "Canary:Redis:FlushInterval is invalid")]
    [InlineData("Canary:EvaluationInterval", "00:00:00.010", "Canary:EvaluationInterval must be between 100ms and 1h")]
    public void AddCanaryStore_BadSetting_StartFailsNamingIt(string key, string value, string message)
    {
        using var host = Host(null, (key, value));

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<CanaryOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void AddCanaryStore_UnparsableRedisConfiguration_ErrorWithoutTheValue()
    {
        using var host = Host(null, ("Canary:Store", "Redis"), ("Canary:Redis:Configuration", "127.0.0.1:1,password=s3cr3t-pw,bogusKeyword=1"));

        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<CanaryOptions>>().Value);

        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Canary:Redis:Configuration is not a valid", ex.Message, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task ExtProc_StoreRedis_RoutedResponseCountedInRedisForExtAuthz()
    {
        var prefix = "test-canary-" + Guid.NewGuid().ToString("N") + ":";
        await using var service = await RunningService.StartExtProcAsync(
            null,
            "Canary:Store=Redis",
            $"Canary:Redis:Configuration={RedisTestServer.Configuration}",
            $"Canary:Redis:KeyPrefix={prefix}",
            $"Canary:Redis:Timeout={RedisTestServer.CallTimeoutSetting}",
            "Canary:Redis:FlushInterval=00:00:00.050");
        var exchange = HttpExchange.Create("POST", "/v1/chat/completions", "api.example.com", status: 503) is var e
            ? e with { RequestHeaders = [.. e.RequestHeaders, new("x-governance-model", "gpt-4o"), new("x-governance-cluster", "upstream_canary")] }
            : null!;

        ExtProcExchanges.AssertConforms(await ExtProcExchanges.RunAsync(service, ExtProcExchanges.Config(ProcessingMode.Types.BodySendMode.None), exchange));

        await using var reader = new RedisCanaryStore(RedisTestServer.Configuration, RedisTestServer.CallTimeout, prefix, TimeProvider.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        OutcomeWindow window;
        do
        {
            await Task.Delay(50);
            window = await reader.ReadAsync("gpt-4o", "upstream_canary", TimeSpan.FromMinutes(1), CancellationToken.None);
        }
        while (window.Count == 0 && DateTime.UtcNow < deadline);

        Assert.Equal((1L, 1L), (window.Count, window.Errors));
    }
}
