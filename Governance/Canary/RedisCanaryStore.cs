using System.Globalization;
using System.Text.Json;
using EnvoyGovern.Governance.State;
using StackExchange.Redis;

namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// Outcomes and halts in Redis, for several replicas: every ExtProc replica adds what it counted, every
/// ExtAuthz replica reads the sum and the halts. Outcomes are counted in memory and written by
/// <see cref="FlushAsync"/> (one call per model, cluster and 10-second slot), so a response never waits
/// on Redis; slot hashes expire after <see cref="CanaryLimits.MaxWindow"/>. Halts live in one hash and are
/// set only if absent, so with several replicas exactly one of them reports a halt.
/// </summary>
public sealed class RedisCanaryStore : ICanaryStore, IAsyncDisposable, IDisposable
{
    // Bounds the counts waiting for a flush, as the in-memory store bounds its series.
    private const int MaxPending = 1024;

    private const string CountField = "n";
    private const string ErrorsField = "e";
    private const string FindingsField = "f";

    // KEYS[1]: a slot hash; ARGV[1]: its time to live (ms), then field and increment pairs.
    private static readonly RedisScript AddScript = new("""
        for i = 2, #ARGV, 2 do
          redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return 1
        """);

    // KEYS: the slot hashes of one window (one hash tag, so one cluster slot). Returns the summed fields.
    private static readonly RedisScript SumScript = new("""
        local sum = {}
        for i = 1, #KEYS do
          local fields = redis.call('HGETALL', KEYS[i])
          for j = 1, #fields, 2 do
            sum[fields[j]] = (sum[fields[j]] or 0) + tonumber(fields[j + 1])
          end
        end
        local reply = {}
        for field, value in pairs(sum) do
          reply[#reply + 1] = field
          reply[#reply + 1] = string.format('%.0f', value)
        end
        return reply
        """);

    private static readonly string[] LatencyFields = [.. Enumerable.Range(0, OutcomeWindow.BucketCount).Select(i => "l" + i.ToString(CultureInfo.InvariantCulture))];
    private static readonly RedisValue SlotTtlMs = (long)(CanaryLimits.MaxWindow + (2 * CanaryLimits.Slot)).TotalMilliseconds;

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly RedisKey _haltsKey;
    private readonly Lock _gate = new();
    private Dictionary<(string Model, string Cluster, long Slot), OutcomeWindow> _pending = [];
    private long _dropped;

    /// <summary>Creates the store; connects on first use.</summary>
    /// <param name="configuration">StackExchange.Redis configuration string.</param>
    /// <param name="timeout">Longest one call waits.</param>
    /// <param name="keyPrefix">Prefix of every key.</param>
    /// <param name="time">The clock that numbers the slots.</param>
    public RedisCanaryStore(string configuration, TimeSpan timeout, string keyPrefix, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        ArgumentNullException.ThrowIfNull(time);
        _connection = new RedisConnection(configuration, timeout, "canary store");
        _time = time;
        _prefix = keyPrefix;
        _haltsKey = keyPrefix + "halts";
    }

    /// <summary>Outcomes not counted because too many series waited for a flush, or a flush failed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public ValueTask RecordAsync(string model, string cluster, CanaryOutcome outcome, CancellationToken cancellationToken)
    {
        var key = (model, cluster, CanaryLimits.SlotOf(_time.GetUtcNow()));
        lock (_gate)
        {
            if (!_pending.TryGetValue(key, out var window))
            {
                if (_pending.Count >= MaxPending)
                {
                    Interlocked.Increment(ref _dropped);
                    return ValueTask.CompletedTask;
                }

                _pending[key] = window = new OutcomeWindow();
            }

            window.Add(outcome);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Writes the outcomes counted since the last flush. If Redis does not take them, they are dropped
    /// and counted in <see cref="Dropped"/> rather than kept and retried: a retry after a timeout could
    /// count them twice, and a guardrail judges rates, which a gap leaves intact.
    /// </summary>
    /// <returns>The number of outcomes written.</returns>
    public async ValueTask<long> FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<(string Model, string Cluster, long Slot), OutcomeWindow> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return 0;
            }

            batch = _pending;
            _pending = [];
        }

        var outcomes = batch.Values.Sum(w => w.Count);
        try
        {
            await _connection.RunAsync(
                database => Task.WhenAll(batch.Select(entry => AddScript.EvaluateAsync(database, [SlotKey(entry.Key.Model, entry.Key.Cluster, entry.Key.Slot)], Increments(entry.Value)))),
                cancellationToken).ConfigureAwait(false);
            return outcomes;
        }
        catch
        {
            Interlocked.Add(ref _dropped, outcomes);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<OutcomeWindow> ReadAsync(string model, string cluster, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = CanaryLimits.SlotOf(_time.GetUtcNow());
        var slots = Math.Min(CanaryLimits.SlotsIn(window), CanaryLimits.SlotsIn(CanaryLimits.MaxWindow));
        var keys = new RedisKey[slots];
        for (var i = 0; i < slots; i++)
        {
            keys[i] = SlotKey(model, cluster, now - i);
        }

        var reply = await _connection.RunAsync(database => SumScript.EvaluateAsync(database, keys, []), cancellationToken).ConfigureAwait(false);
        return Window((RedisResult[])reply!);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryHaltAsync(CanaryKey key, CanaryHalt halt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(halt);
        var value = JsonSerializer.Serialize(new StoredHalt(halt.Reason, halt.Detail, halt.At));
        return _connection.RunAsync(database => database.HashSetAsync(_haltsKey, Field(key), value, When.NotExists), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> ResumeAsync(CanaryKey key, CancellationToken cancellationToken) =>
        _connection.RunAsync(database => database.HashDeleteAsync(_haltsKey, Field(key)), cancellationToken);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<CanaryKey, CanaryHalt>> ReadHaltsAsync(CancellationToken cancellationToken)
    {
        var entries = await _connection.RunAsync(database => database.HashGetAllAsync(_haltsKey), cancellationToken).ConfigureAwait(false);
        var halts = new Dictionary<CanaryKey, CanaryHalt>(entries.Length);
        foreach (var entry in entries)
        {
            // An entry this version cannot read (another writer, a newer version) is not a halt it can apply.
            if (TryParse(entry, out var key, out var halt))
            {
                halts[key] = halt;
            }
        }

        return halts;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Starts connecting without waiting, so that the first flush does not spend its timeout on the handshake.</summary>
    public void StartConnecting() => _connection.StartConnecting();

    // Model and cluster in one hash tag: every slot of a series lands in one cluster slot, so one script reads a window.
    private RedisKey SlotKey(string model, string cluster, long slot) =>
        string.Concat(_prefix, "outcome:{", model, "|", cluster, "}:", slot.ToString(CultureInfo.InvariantCulture));

    private static RedisValue Field(CanaryKey key) => JsonSerializer.Serialize(new[] { key.Model, key.Canary, key.Fingerprint });

    private static RedisValue[] Increments(OutcomeWindow window)
    {
        var args = new List<RedisValue>(8) { SlotTtlMs, CountField, window.Count };
        if (window.Errors > 0)
        {
            args.Add(ErrorsField);
            args.Add(window.Errors);
        }

        if (window.WithFindings > 0)
        {
            args.Add(FindingsField);
            args.Add(window.WithFindings);
        }

        for (var i = 0; i < window.Latency.Length; i++)
        {
            if (window.Latency[i] > 0)
            {
                args.Add(LatencyFields[i]);
                args.Add(window.Latency[i]);
            }
        }

        return [.. args];
    }

    private static OutcomeWindow Window(RedisResult[] fields)
    {
        var window = new OutcomeWindow();
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            var name = (string?)fields[i];
            var value = long.Parse((string)fields[i + 1]!, NumberStyles.None, CultureInfo.InvariantCulture);
            switch (name)
            {
                case CountField:
                    window.Count = value;
                    break;
                case ErrorsField:
                    window.Errors = value;
                    break;
                case FindingsField:
                    window.WithFindings = value;
                    break;
                default:
                    var bucket = Array.IndexOf(LatencyFields, name);
                    if (bucket >= 0)
                    {
                        window.Latency[bucket] = value;
                    }

                    break;
            }
        }

        return window;
    }

    private static bool TryParse(HashEntry entry, out CanaryKey key, out CanaryHalt halt)
    {
        key = default;
        halt = null!;
        try
        {
            if (JsonSerializer.Deserialize<string[]>((string)entry.Name!) is not [{ } model, { } canary, { } fingerprint]
                || JsonSerializer.Deserialize<StoredHalt>((string)entry.Value!) is not { Reason: { } reason, Detail: { } detail } stored)
            {
                return false;
            }

            key = new CanaryKey(model, canary, fingerprint);
            halt = new CanaryHalt(reason, detail, stored.At);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record StoredHalt(string? Reason, string? Detail, DateTimeOffset At);
}
