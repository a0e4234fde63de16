using EnvoyGovern.Governance.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace EnvoyGovern.Tests.Decisions;

/// <summary>Decision ids: UUIDv7 (RFC 9562) as 32 hex digits, time-ordered, unique.</summary>
public sealed class DecisionIdsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T01:02:03.456Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Next_Always_Uuid7WithTheClocksMilliseconds()
    {
        var id = new DecisionIds(_time).Next();

        Assert.Matches("^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
        // The same text as the runtime's own UUIDv7 type reads it.
        Assert.Equal(7, Guid.ParseExact(id, "N").Version);
    }

    [Fact]
    public void Next_LaterMillisecond_SortsAfter()
    {
        var ids = new DecisionIds(_time);
        var first = ids.Next();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(string.CompareOrdinal(first, ids.Next()) < 0);
    }

    [Fact]
    public async Task Next_ManyInTheSameMillisecondOnSeveralThreads_AllDistinct()
    {
        var ids = new DecisionIds(_time);

        var made = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Enumerable.Range(0, 25_000).Select(_ => ids.Next()).ToList())));

        Assert.Equal(100_000, made.SelectMany(m => m).Distinct().Count());
    }
}
