namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>The answer of a token bucket to one request.</summary>
/// <param name="Allowed">True when a token was taken.</param>
/// <param name="Limit">Bucket size (burst).</param>
/// <param name="Remaining">Whole tokens left after this request.</param>
/// <param name="RetryAfter">When denied: how long until a token is available.</param>
/// <param name="ResetAfter">How long until the bucket is full again.</param>
public readonly record struct QuotaResult(bool Allowed, int Limit, int Remaining, TimeSpan RetryAfter, TimeSpan ResetAfter);

/// <summary>A token bucket rate: <paramref name="TokensPerSecond"/> refill, <paramref name="Burst"/> capacity.</summary>
public readonly record struct QuotaRate(double TokensPerSecond, int Burst);

/// <summary>
/// Keeps token buckets: in memory for one replica, in Redis for several that must share one budget.
/// A store that cannot answer throws <see cref="EnvoyGovern.Governance.Decisions.DependencyUnavailableException"/>.
/// </summary>
public interface IQuotaStore
{
    /// <summary>Takes one token from the bucket <paramref name="key"/> if one is available.</summary>
    ValueTask<QuotaResult> TryAcquireAsync(string key, QuotaRate rate, CancellationToken cancellationToken);
}
