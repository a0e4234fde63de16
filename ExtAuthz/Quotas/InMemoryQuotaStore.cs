using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.ExtAuthz.Quotas;

/// <summary>
/// Token buckets in this process: exact refill from the injected <see cref="TimeProvider"/>, one lock
/// per bucket, bounded memory. A bucket that has refilled to full carries no state (a new bucket is
/// full), so it is dropped by the periodic sweep or when the count reaches
/// <see cref="QuotaOptions.MemoryOptions.MaxBuckets"/>. Only when more than that many buckets are all
/// partly drained at once are the fullest of them dropped too, which can let their keys burst early.
/// </summary>
public sealed class InMemoryQuotaStore : IQuotaStore
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly int _maxBuckets;
    private readonly long _sweepIntervalTimestamp;
    private int _count;
    private int _sweeping;
    private long _lastSweep;

    /// <summary>Creates the store from the <c>Quotas</c> options.</summary>
    public InMemoryQuotaStore(IOptions<QuotaOptions> options, TimeProvider time)
        : this(time, (options ?? throw new ArgumentNullException(nameof(options))).Value.Memory.MaxBuckets, options.Value.Memory.SweepInterval)
    {
    }

    /// <summary>Creates the store.</summary>
    /// <param name="time">Clock for refill.</param>
    /// <param name="maxBuckets">Most buckets kept at once.</param>
    /// <param name="sweepInterval">How often buckets that are full again are dropped.</param>
    public InMemoryQuotaStore(TimeProvider time, int maxBuckets = QuotaOptions.MemoryOptions.DefaultMaxBuckets, TimeSpan? sweepInterval = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        var interval = sweepInterval ?? QuotaOptions.MemoryOptions.DefaultSweepInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(sweepInterval));
        _time = time;
        _maxBuckets = maxBuckets;
        _sweepIntervalTimestamp = (long)Math.Min(long.MaxValue / 2.0, interval.TotalSeconds * time.TimestampFrequency);
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>Buckets held now (for tests and metrics).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc />
    public ValueTask<QuotaResult> TryAcquireAsync(string key, QuotaRate rate, CancellationToken cancellationToken)
    {
        TokenBucketMath.Validate(key, rate);
        cancellationToken.ThrowIfCancellationRequested();

        while (true)
        {
            var bucket = GetOrAdd(key, rate);
            QuotaResult result;
            lock (bucket.Gate)
            {
                if (bucket.Evicted)
                {
                    continue; // dropped between lookup and lock: take the one that replaced it
                }

                var now = _time.GetTimestamp();
                bucket.Advance(now, rate, _time.TimestampFrequency);
                var allowed = TokenBucketMath.TryTake(ref bucket.Tokens);
                result = TokenBucketMath.Result(allowed, bucket.Tokens, rate);
                bucket.Rate = rate;
            }

            MaybeSweep();
            return ValueTask.FromResult(result);
        }
    }

    private Bucket GetOrAdd(string key, QuotaRate rate)
    {
        if (_buckets.TryGetValue(key, out var existing))
        {
            return existing;
        }

        var created = new Bucket(key, rate, _time.GetTimestamp());
        var bucket = _buckets.GetOrAdd(key, created);
        if (ReferenceEquals(bucket, created) && Interlocked.Increment(ref _count) > _maxBuckets)
        {
            Sweep(force: true);
        }

        return bucket;
    }

    private void MaybeSweep()
    {
        var now = _time.GetTimestamp();
        if (now - Volatile.Read(ref _lastSweep) >= _sweepIntervalTimestamp)
        {
            Sweep(force: false);
        }
    }

    /// <summary>
    /// Drops every bucket that is full again; when <paramref name="force"/> is set and that is not
    /// enough to get 10% below the cap, also drops the fullest of the rest. One sweeper at a time.
    /// </summary>
    internal void Sweep(bool force)
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _lastSweep, now);
            var target = _maxBuckets - Math.Max(1, _maxBuckets / 10);
            List<(double Fill, Bucket Bucket)>? partial = force ? [] : null;
            var kept = 0;
            foreach (var (_, bucket) in _buckets)
            {
                double fill;
                lock (bucket.Gate)
                {
                    if (bucket.Evicted)
                    {
                        continue;
                    }

                    bucket.Advance(now, bucket.Rate, _time.TimestampFrequency);
                    fill = bucket.Tokens / bucket.Rate.Burst;
                    if (fill >= 1 - TokenBucketMath.Epsilon)
                    {
                        Evict(bucket);
                        continue;
                    }
                }

                kept++;
                partial?.Add((fill, bucket));
            }

            // Counted from what this sweep saw, so buckets that others add meanwhile never push out one
            // that is emptier than every bucket seen (they start the next sweep instead).
            var excess = kept - target;
            if (partial is null || excess <= 0)
            {
                return;
            }

            // Over the cap with every bucket drained a little: drop those closest to full, whose
            // callers gain the least from a fresh bucket.
            partial.Sort(static (a, b) => b.Fill.CompareTo(a.Fill));
            foreach (var (_, bucket) in partial)
            {
                if (excess <= 0)
                {
                    break;
                }

                lock (bucket.Gate)
                {
                    if (!bucket.Evicted)
                    {
                        Evict(bucket);
                        excess--;
                    }
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    // Caller holds bucket.Gate.
    private void Evict(Bucket bucket)
    {
        bucket.Evicted = true;
        if (_buckets.TryRemove(new KeyValuePair<string, Bucket>(bucket.Key, bucket)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private sealed class Bucket(string key, QuotaRate rate, long timestamp)
    {
        public readonly Lock Gate = new();
        public readonly string Key = key;
        public double Tokens = rate.Burst;
        public long Timestamp = timestamp;
        public QuotaRate Rate = rate;
        public bool Evicted;

        // Caller holds Gate. Refills for the time since the last visit (never backwards).
        public void Advance(long now, QuotaRate rate, long frequency)
        {
            if (now > Timestamp)
            {
                Tokens = TokenBucketMath.Refill(Tokens, (now - Timestamp) / (double)frequency, rate);
                Timestamp = now;
            }
            else
            {
                Tokens = Math.Min(Tokens, rate.Burst);
            }
        }
    }
}
