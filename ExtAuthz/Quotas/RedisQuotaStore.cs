using System.Globalization;
using EnvoyGovern.Governance.Decisions;
using EnvoyGovern.Governance.State;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>
/// Token buckets in Redis, so every replica draws on one budget. One Lua script per request reads the
/// bucket, refills it by the Redis server's clock (replicas with skewed clocks agree), takes a token
/// and writes it back with an expiry of the time to refill; a bucket that expired is full. Every
/// failure, and any answer slower than <see cref="QuotaOptions.RedisOptions.Timeout"/>, becomes a
/// <see cref="DependencyUnavailableException"/> whose message names no setting value (the
/// configuration string may carry a password).
/// </summary>
public sealed class RedisQuotaStore : IQuotaStore, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// KEYS[1]: bucket hash {tokens, ts (µs, server clock)}; ARGV: tokens per second, burst, epsilon.
    /// Returns {allowed (0|1), tokens left (string, full precision)}.
    /// </summary>
    internal const string Script = """
        if redis.replicate_commands then redis.replicate_commands() end
        local rate = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local eps = tonumber(ARGV[3])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
        local tokens = tonumber(state[1])
        local ts = tonumber(state[2])
        if tokens == nil or ts == nil then
          tokens = burst
          ts = now
        end
        if now > ts then
          tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
          ts = now
        else
          tokens = math.min(burst, tokens)
        end
        local allowed = 0
        if tokens >= 1 - eps then
          tokens = math.max(0, tokens - 1)
          allowed = 1
        end
        local ttl = math.min(math.max(math.ceil((burst - tokens) * 1000 / rate), 1), 1000000000000000)
        local left = string.format('%.17g', tokens)
        redis.call('HSET', KEYS[1], 'tokens', left, 'ts', string.format('%.0f', ts))
        redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
        return {allowed, left}
        """;

    private static readonly RedisScript BucketScript = new(Script);

    private static readonly RedisValue EpsilonArg = TokenBucketMath.Epsilon.ToString("R", CultureInfo.InvariantCulture);

    private readonly RedisConnection _connection;
    private readonly string _keyPrefix;

    /// <summary>Creates the store from the <c>Quotas:Redis</c> options; connects on first use.</summary>
    public RedisQuotaStore(IOptions<QuotaOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.Redis.Configuration
               ?? throw new ArgumentException("Quotas:Redis:Configuration is required.", nameof(options)),
            options.Value.Redis.Timeout,
            options.Value.Redis.KeyPrefix)
    {
    }

    /// <summary>Creates the store; connects on first use.</summary>
    /// <param name="configuration">StackExchange.Redis configuration string.</param>
    /// <param name="timeout">Longest one call waits for Redis.</param>
    /// <param name="keyPrefix">Prefix of every bucket key.</param>
    public RedisQuotaStore(string configuration, TimeSpan timeout, string keyPrefix = QuotaOptions.RedisOptions.DefaultKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _connection = new RedisConnection(configuration, timeout, "quota store");
        _keyPrefix = keyPrefix;
    }

    /// <summary>The Redis key of a bucket: prefix, then the bucket name as a cluster hash tag.</summary>
    public string RedisKey(string key) => string.Concat(_keyPrefix, "{", key, "}");

    /// <inheritdoc />
    public async ValueTask<QuotaResult> TryAcquireAsync(string key, QuotaRate rate, CancellationToken cancellationToken)
    {
        TokenBucketMath.Validate(key, rate);
        RedisKey[] keys = [RedisKey(key)];
        RedisValue[] args =
        [
            rate.TokensPerSecond.ToString("R", CultureInfo.InvariantCulture),
            rate.Burst.ToString(CultureInfo.InvariantCulture),
            EpsilonArg,
        ];
        // Parsed inside the call, so that a malformed reply is reported like any other store failure.
        return await _connection.RunAsync(
            async database => Parse(await BucketScript.EvaluateAsync(database, keys, args).ConfigureAwait(false), rate),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts connecting without waiting; the host calls it at start so that the first Checks do not
    /// spend their timeout on the handshake.
    /// </summary>
    public void StartConnecting() => _connection.StartConnecting();

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static QuotaResult Parse(RedisResult reply, QuotaRate rate)
    {
        var parts = (RedisResult[])reply!;
        if (parts is not { Length: 2 })
        {
            throw new InvalidDataException("unexpected script reply");
        }

        var allowed = (long)parts[0] == 1;
        var tokens = double.Parse((string)parts[1]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        return TokenBucketMath.Result(allowed, tokens, rate);
    }
}
