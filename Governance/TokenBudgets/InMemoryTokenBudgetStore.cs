using System.Collections.Concurrent;
using EnvoyGovern.Governance.Decisions;

namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>
/// Token counts in this process: enough when ExtProc and ExtAuthz share it (<c>serve</c>); separate
/// services need the Redis store. Counts expire with their window; at most <see cref="MaxEntries"/> are
/// kept, and a count that cannot be kept fails closed (the caller sees the store unavailable).
/// </summary>
public sealed class InMemoryTokenBudgetStore(TimeProvider time, int maxEntries = InMemoryTokenBudgetStore.DefaultMaxEntries) : ITokenBudgetStore
{
    /// <summary>Default of <see cref="MaxEntries"/>: tenants times budgets in one window.</summary>
    public const int DefaultMaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _counts = new(StringComparer.Ordinal);

    /// <summary>Most counts kept at once.</summary>
    public int MaxEntries { get; } = maxEntries;

    /// <inheritdoc />
    public ValueTask<long> AddAsync(string key, long tokens, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetUtcNow();
        if (!_counts.ContainsKey(key) && _counts.Count >= MaxEntries)
        {
            Sweep(now);
            if (_counts.Count >= MaxEntries)
            {
                throw new DependencyUnavailableException($"token budget store full ({MaxEntries} counts)");
            }
        }

        var entry = _counts.AddOrUpdate(
            key,
            static (_, a) => new Entry(a.Tokens, a.Expires),
            static (_, e, a) => e.Expires <= a.Now ? new Entry(a.Tokens, a.Expires) : new Entry(e.Used + a.Tokens, a.Expires),
            (Tokens: tokens, Expires: now + keepFor, Now: now));
        return ValueTask.FromResult(entry.Used);
    }

    /// <inheritdoc />
    public ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ValueTask.FromResult(_counts.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Used : 0);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _counts)
        {
            if (entry.Expires <= now)
            {
                _counts.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }
        }
    }

    private sealed record Entry(long Used, DateTimeOffset Expires);
}
