using EnvoyGovern.ExtAuthz.Quotas;

namespace EnvoyGovern.Tests.Quotas;

public sealed class QuotaHeadersTests
{
    private static Dictionary<string, string> Headers(QuotaResult result) => QuotaHeaders.For(result).ToDictionary(h => h.Key, h => h.Value);

    [Fact]
    public void For_Allowed_RateLimitFieldsWithoutRetryAfter()
    {
        var headers = Headers(new QuotaResult(true, 10, 7, TimeSpan.Zero, TimeSpan.FromSeconds(2.5)));

        Assert.Equal(
            new Dictionary<string, string> { ["ratelimit-limit"] = "10", ["ratelimit-remaining"] = "7", ["ratelimit-reset"] = "3" },
            headers);
    }

    [Fact]
    public void For_Denied_RetryAfterFirstAndRateLimitFields()
    {
        var list = QuotaHeaders.For(new QuotaResult(false, 5, 0, TimeSpan.FromSeconds(1.2), TimeSpan.FromSeconds(9.2)));

        Assert.Equal("retry-after", list[0].Key);
        Assert.Equal("2", list[0].Value);
        Assert.Equal(
            new Dictionary<string, string> { ["retry-after"] = "2", ["ratelimit-limit"] = "5", ["ratelimit-remaining"] = "0", ["ratelimit-reset"] = "10" },
            list.ToDictionary(h => h.Key, h => h.Value));
    }

    [Theory]
    [InlineData(0L, "1")]
    [InlineData(1L, "1")]
    [InlineData(2_000_000L, "1")]
    [InlineData(10_000_000L, "1")]
    [InlineData(10_000_001L, "2")]
    [InlineData(20_000_000L, "2")]
    [InlineData(36_000_000_000L, "3600")]
    public void For_Denied_RetryAfterWholeSecondsRoundedUpAtLeastOne(long ticks, string expected)
    {
        var headers = Headers(new QuotaResult(false, 1, 0, TimeSpan.FromTicks(ticks), TimeSpan.FromTicks(ticks)));

        Assert.Equal(expected, headers["retry-after"]);
    }

    [Fact]
    public void For_FullBucket_ResetZero()
    {
        var headers = Headers(new QuotaResult(true, 3, 3, TimeSpan.Zero, TimeSpan.Zero));

        Assert.Equal("0", headers["ratelimit-reset"]);
    }

    [Fact]
    public void For_AllNamesLowerCase()
    {
        var list = QuotaHeaders.For(new QuotaResult(false, 3, 0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));

        Assert.All(list, h => Assert.Equal(h.Key.ToLowerInvariant(), h.Key));
    }
}
