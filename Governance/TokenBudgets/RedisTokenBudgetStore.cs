using System.Globalization;
using EnvoyGovern.Governance.State;
using StackExchange.Redis;

namespace EnvoyGovern.Governance.TokenBudgets;

/// <summary>
/// Token counts in Redis, shared by every replica of both services: one INCRBY with the window's expiry
/// per answer (ExtProc), one GET per Check (ExtAuthz). Keys are the prefix and the budget, tenant and
/// window in braces (a cluster hash tag).
/// </summary>
public sealed class RedisTokenBudgetStore : ITokenBudgetStore, IAsyncDisposable, IDisposable
{
    // KEYS[1]: the count; ARGV[1]: tokens, ARGV[2]: time to keep it (ms). The expiry is set on every
    // add, so a count never outlives its window by more than the longest answer.
    private static readonly RedisScript AddScript = new("""
        local used = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return used
        """);

    private readonly RedisConnection _connection;
    private readonly string _prefix;

    /// <summary>Creates the store; connects on first use.</summary>
    /// <param name="configuration">StackExchange.Redis configuration string.</param>
    /// <param name="timeout">Longest one call waits.</param>
    /// <param name="keyPrefix">Prefix of every key.</param>
    public RedisTokenBudgetStore(string configuration, TimeSpan timeout, string keyPrefix = TokenBudgetOptions.RedisOptions.DefaultKeyPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        _connection = new RedisConnection(configuration, timeout, "token budget store");
        _prefix = keyPrefix;
    }

    /// <summary>The Redis key of a count.</summary>
    public string RedisKey(string key) => string.Concat(_prefix, "{", key, "}");

    /// <inheritdoc />
    public async ValueTask<long> AddAsync(string key, long tokens, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [RedisKey(key)];
        RedisValue[] args = [tokens, (long)Math.Ceiling(keepFor.TotalMilliseconds)];
        return await _connection.RunAsync(async database => (long)await AddScript.EvaluateAsync(database, keys, args).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var redisKey = (RedisKey)RedisKey(key);
        return await _connection.RunAsync(
            async database => await database.StringGetAsync(redisKey).ConfigureAwait(false) is { HasValue: true } value
                ? long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture)
                : 0,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts connecting without waiting (at host start).</summary>
    public void StartConnecting() => _connection.StartConnecting();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
