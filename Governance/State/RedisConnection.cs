using System.Diagnostics;
using EnvoyGovern.Governance.Decisions;
using StackExchange.Redis;

namespace EnvoyGovern.Governance.State;

/// <summary>
/// One lazily made, self-reconnecting Redis connection for a store shared by replicas (quotas, canary
/// outcomes and halts). Every call is bounded by <see cref="Timeout"/>; every failure, and any answer
/// slower than that, becomes a <see cref="DependencyUnavailableException"/> naming the store but never
/// a setting value (the configuration string may carry a password).
/// </summary>
public sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly string _storeName;
    private readonly Lock _gate = new();
    private Task<ConnectionMultiplexer>? _connection;
    private bool _disposed;

    /// <summary>Parses the configuration; connects on first use or <see cref="StartConnecting"/>.</summary>
    /// <param name="configuration">StackExchange.Redis configuration string.</param>
    /// <param name="timeout">Longest one call waits for Redis.</param>
    /// <param name="storeName">What the store is, for error messages (for example <c>quota store</c>).</param>
    public RedisConnection(string configuration, TimeSpan timeout, string storeName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(storeName);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (!TryParseConfiguration(configuration, out var parsed))
        {
            // Deliberately without the value or the parser's message: either may echo a password.
            throw new ArgumentException("Not a valid StackExchange.Redis configuration string.", nameof(configuration));
        }

        Timeout = timeout;
        _storeName = storeName;
        _configuration = parsed;

        // Keep one multiplexer that reconnects by itself rather than a new one per failed call, and
        // fail commands at once while disconnected instead of queueing them past the timeout.
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        var timeoutMs = (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, int.MaxValue);
        _configuration.AsyncTimeout = timeoutMs;
        _configuration.SyncTimeout = timeoutMs;
    }

    /// <summary>Longest one call waits.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Parses a configuration string without letting its text escape in an exception.</summary>
    public static bool TryParseConfiguration(string configuration, out ConfigurationOptions parsed)
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

    /// <summary>
    /// Runs <paramref name="call"/> against the database within <see cref="Timeout"/>; a caller's
    /// cancellation is rethrown as it is, everything else becomes <see cref="DependencyUnavailableException"/>.
    /// </summary>
    public async ValueTask<T> RunAsync<T>(Func<IDatabase, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();

        var started = Stopwatch.GetTimestamp();
        var running = CallAsync(call);
        try
        {
            return await running.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(running);
            throw;
        }
        catch (TimeoutException)
        {
            Observe(running);
            throw Unavailable($"no answer within {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        }
        catch (Exception ex)
        {
            // Every failure of the store is the same answer to Envoy: unavailable. The type (and, for
            // connection failures, its kind) says enough; the text may name endpoints or worse.
            var kind = ex is RedisConnectionException connection ? $"{ex.GetType().Name} {connection.FailureType}" : ex.GetType().Name;
            throw Unavailable($"failed ({kind})");
        }
    }

    /// <summary>
    /// Starts connecting if no connection is there or being made, without waiting; hosts call it at
    /// start so that the first requests do not spend their timeout on the handshake.
    /// </summary>
    public void StartConnecting()
    {
        if (!Volatile.Read(ref _disposed))
        {
            Observe(ConnectAsync());
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
            return;
        }

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

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private DependencyUnavailableException Unavailable(string reason) => new($"{_storeName} (Redis) unavailable: {reason}");

    private async Task<T> CallAsync<T>(Func<IDatabase, Task<T>> call)
    {
        var multiplexer = await ConnectAsync().ConfigureAwait(false);
        return await call(multiplexer.GetDatabase()).ConfigureAwait(false);
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
