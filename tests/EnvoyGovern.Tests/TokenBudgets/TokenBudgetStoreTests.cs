using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.Policy.Model;
using EnvoyGovern.Governance.TokenBudgets;
using EnvoyGovern.Tests.Quotas;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.TokenBudgets;

public sealed class TokenBudgetStoreTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T10:30:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static CompiledTokenBudget Budget(TokenCount count = TokenCount.Total) => new(new TokenBudgetSpec
    {
        Name = "daily",
        Tokens = 1000,
        Window = "24h",
        Count = count,
        Tenants = new Dictionary<string, long> { ["globex"] = 50 },
    });

    [Fact]
    public void Budget_WindowsLimitsAndCounts_AsSpecified()
    {
        var budget = Budget();
        var now = _time.GetUtcNow();

        Assert.Equal(budget.Key("acme", now), budget.Key("acme", now.AddHours(13).AddMinutes(29)));
        Assert.NotEqual(budget.Key("acme", now), budget.Key("acme", now.AddHours(13).AddMinutes(30)));
        Assert.Equal(TimeSpan.FromHours(13.5), budget.UntilWindowEnds(now));
        Assert.Equal((1000L, 50L), (budget.LimitFor("acme"), budget.LimitFor("globex")));
        Assert.Equal(15, budget.Counted(5, 10));
        Assert.Equal(5, Budget(TokenCount.Input).Counted(5, 10));
        Assert.Equal(10, Budget(TokenCount.Output).Counted(5, 10));
    }

    [Fact]
    public async Task InMemory_AddsUntilTheCountExpires()
    {
        var store = new InMemoryTokenBudgetStore(_time);

        Assert.Equal(600, await store.AddAsync("k", 600, TimeSpan.FromMinutes(5), default));
        Assert.Equal(1100, await store.AddAsync("k", 500, TimeSpan.FromMinutes(5), default));
        Assert.Equal(1100, await store.ReadAsync("k", default));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await store.ReadAsync("k", default));
        Assert.Equal(7, await store.AddAsync("k", 7, TimeSpan.FromMinutes(5), default));
    }

    [Fact]
    public async Task InMemory_Full_SweepsExpiredThenFailsClosed()
    {
        var store = new InMemoryTokenBudgetStore(_time, maxEntries: 2);
        await store.AddAsync("a", 1, TimeSpan.FromMinutes(1), default);
        await store.AddAsync("b", 1, TimeSpan.FromMinutes(10), default);
        _time.Advance(TimeSpan.FromMinutes(2));

        await store.AddAsync("c", 1, TimeSpan.FromMinutes(10), default);

        await Assert.ThrowsAsync<DependencyUnavailableException>(async () => await store.AddAsync("d", 1, TimeSpan.FromMinutes(10), default));
    }

    [RedisFact]
    public async Task Redis_AddsAndReadsOneCountAcrossStores()
    {
        var prefix = $"envoygovern:test:{Guid.NewGuid():N}:";
        await using var first = new RedisTokenBudgetStore(RedisTestServer.Configuration, RedisTestServer.CallTimeout, prefix);
        await using var second = new RedisTokenBudgetStore(RedisTestServer.Configuration, RedisTestServer.CallTimeout, prefix);

        await first.AddAsync("daily:acme:1", 600, TimeSpan.FromMinutes(1), default);
        var total = await second.AddAsync("daily:acme:1", 500, TimeSpan.FromMinutes(1), default);

        Assert.Equal(1100, total);
        Assert.Equal(1100, await first.ReadAsync("daily:acme:1", default));
        Assert.Equal(0, await first.ReadAsync("daily:acme:2", default));
    }

    [Fact]
    public async Task Redis_Unreachable_Unavailable()
    {
        await using var store = new RedisTokenBudgetStore("127.0.0.1:1,abortConnect=false,connectTimeout=100", TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<DependencyUnavailableException>(async () => await store.ReadAsync("k", default));
    }

    [Fact]
    public async Task Start_RedisStoreWithoutConfiguration_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => TestSupport.RunningService.StartExtProcAsync(null, "--TokenBudgets:Store=Redis"));

        Assert.Contains("TokenBudgets:Redis:Configuration is required when TokenBudgets:Store is Redis", error.Message, StringComparison.Ordinal);
    }
}
