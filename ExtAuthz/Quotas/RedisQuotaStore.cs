using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EnvoyGovern.Governance.Decisions;
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

    // Redis names scripts by their SHA-1; no security rests on it.
#pragma warning disable CA5350
    private static readonly byte[] ScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Script));
#pragma warning restore CA5350

    private static readonly RedisValue EpsilonArg = TokenBucketMath.Epsilon.ToString("R", CultureInfo.InvariantCulture);

    private readonly ConfigurationOptions _configuration;
    private readonly TimeSpan _timeout;
    private readonly string _keyPrefix;
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connection;
    private bool _disposed;

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
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (!TryParseConfiguration(configuration, out var parsed))
        {
            // Deliberately without the value or the parser's message: either may echo a password.
            throw new ArgumentException("Not a valid StackExchange.Redis configuration string.", nameof(configuration));
        }

        _timeout = timeout;
        _keyPrefix = keyPrefix;
        _configuration = parsed;

        // Keep one multiplexer that reconnects by itself rather than a new one per failed call, and
        // fail commands at once while disconnected instead of queueing them past the timeout.
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        var timeoutMs = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, int.MaxValue);
        _configuration.AsyncTimeout = timeoutMs;
        _configuration.SyncTimeout = timeoutMs;
    }

    /// <summary>The Redis key of a bucket: prefix, then the bucket name as a cluster hash tag.</summary>
    public string RedisKey(string key) => string.Concat(_keyPrefix, "{", key, "}");

    /// <inheritdoc />
    public async ValueTask<QuotaResult> TryAcquireAsync(string key, QuotaRate rate, CancellationToken cancellationToken)
    {
        TokenBucketMath.Validate(key, rate);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var call = EvaluateAsync(RedisKey(key), rate);
        try
        {
            var reply = await call.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            return Parse(reply, rate);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(call);
            throw;
        }
        catch (TimeoutException)
        {
            Observe(call);
            throw Unavailable($"no answer within {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        }
        catch (Exception ex)
        {
            // Every failure of the store is the same answer to Envoy: unavailable.
            // The type (and, for connection failures, its kind) says enough; the text may name endpoints or worse.
            var kind = ex is RedisConnectionException connection ? $"{ex.GetType().Name} {connection.FailureType}" : ex.GetType().Name;
            throw Unavailable($"failed ({kind})");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Task<ConnectionMultiplexer>? connection;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connection = _connection;
            _connection = null;
        }

        if (connection is null)
        {
            return;
        }

        if (connection.IsCompletedSuccessfully)
        {
            connection.Result.Dispose();
        }
        else
        {
            _ = connection.ContinueWith(
                static t =>
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        t.Result.Dispose();
                    }
                    else
                    {
                        _ = t.Exception;
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Parses a configuration string without letting its text escape in an exception.</summary>
    internal static bool TryParseConfiguration(string configuration, out ConfigurationOptions parsed)
    {
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
            return true;
        }
        catch (Exception)
        {
            // The parser's messages may echo the string; the caller reports a fixed text.
            parsed = null!;
            return false;
        }
    }

    private static DependencyUnavailableException Unavailable(string reason) => new($"quota store (Redis) unavailable: {reason}");

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

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

    private async Task<RedisResult> EvaluateAsync(string redisKey, QuotaRate rate)
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        var database = multiplexer.GetDatabase();
        RedisKey[] keys = [redisKey];
        RedisValue[] args =
        [
            rate.TokensPerSecond.ToString("R", CultureInfo.InvariantCulture),
            rate.Burst.ToString(CultureInfo.InvariantCulture),
            EpsilonArg,
        ];
        try
        {
            return await database.ScriptEvaluateAsync(ScriptSha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // Not in this server's script cache (restart, failover, SCRIPT FLUSH): EVAL loads it again.
            return await database.ScriptEvaluateAsync(Script, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts connecting if no connection is there or being made, without waiting; the host calls it at
    /// start so that the first Checks do not spend their timeout on the handshake.
    /// </summary>
    public void StartConnecting()
    {
        if (!Volatile.Read(ref _disposed))
        {
            Observe(ConnectAsync());
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync()
    {
        var connection = Volatile.Read(ref _connection);
        if (connection is not null && !connection.IsFaulted && !connection.IsCanceled)
        {
            return connection;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is null || _connection.IsFaulted || _connection.IsCanceled)
            {
                // On the thread pool: ConnectAsync does real work before its first await (on the first
                // call also the JIT), which must count against the caller's timeout, not block it.
                var configuration = _configuration.Clone();
                _connection = Task.Run(() => ConnectionMultiplexer.ConnectAsync(configuration));
            }

            return _connection;
        }
    }
}
