namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>
/// Token counts per budget, tenant and window: in memory (one process: <c>serve</c>, or tests) or in Redis
/// (ExtProc replicas add, ExtAuthz replicas read). A store that cannot answer throws
/// <see cref="Decisions.DependencyUnavailableException"/>.
/// </summary>
public interface ITokenBudgetStore
{
    /// <summary>Adds <paramref name="tokens"/> to <paramref name="key"/>, kept for <paramref name="keepFor"/>; returns the new count.</summary>
    ValueTask<long> AddAsync(string key, long tokens, TimeSpan keepFor, CancellationToken cancellationToken);

    /// <summary>The count of <paramref name="key"/>; 0 when none.</summary>
    ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken);
}
