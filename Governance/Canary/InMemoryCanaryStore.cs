using System.Collections.Concurrent;

namespace EnvoyGovern.Governance.Canary;

/// <summary>
/// Outcomes and halts in this process: enough for one replica, or for <c>serve</c>, where ExtAuthz and
/// ExtProc share the process (and this instance). Outcomes are kept per 10-second slot for at most
/// <see cref="CanaryLimits.MaxWindow"/>, so memory stays bounded per model and cluster.
/// </summary>
public sealed class InMemoryCanaryStore(TimeProvider time) : ICanaryStore
{
    private const int MaxSeries = 1024;

    private readonly ConcurrentDictionary<(string Model, string Cluster), Series> _series = new();
    private readonly CanaryHaltRegistry _halts = new();

    /// <inheritdoc />
    public ValueTask RecordAsync(string model, string cluster, CanaryOutcome outcome, CancellationToken cancellationToken)
    {
        // Model and cluster come from headers ExtAuthz set; a bound keeps a misconfigured route from
        // growing this without limit.
        if (!_series.TryGetValue((model, cluster), out var series))
        {
            // Count takes every lock of the dictionary: asked only when a series would be added.
            if (_series.Count >= MaxSeries)
            {
                return ValueTask.CompletedTask;
            }

            series = _series.GetOrAdd((model, cluster), static _ => new Series());
        }

        series.Add(CanaryLimits.SlotOf(time.GetUtcNow()), outcome);

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<OutcomeWindow> ReadAsync(string model, string cluster, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = CanaryLimits.SlotOf(time.GetUtcNow());
        var slots = CanaryLimits.SlotsIn(window);
        return ValueTask.FromResult(_series.TryGetValue((model, cluster), out var series) ? series.Sum(now - slots + 1, now) : new OutcomeWindow());
    }

    /// <inheritdoc />
    public ValueTask<bool> TryHaltAsync(CanaryKey key, CanaryHalt halt, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_halts.Halt(key, halt));

    /// <inheritdoc />
    public ValueTask<bool> ResumeAsync(CanaryKey key, CancellationToken cancellationToken) => ValueTask.FromResult(_halts.Resume(key));

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<CanaryKey, CanaryHalt>> ReadHaltsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<CanaryKey, CanaryHalt>>(new Dictionary<CanaryKey, CanaryHalt>(_halts.Halts));

    private sealed class Series
    {
        private static readonly long KeptSlots = CanaryLimits.MaxWindow.Ticks / CanaryLimits.Slot.Ticks;
        private readonly Lock _gate = new();
        private readonly Dictionary<long, OutcomeWindow> _slots = [];

        public void Add(long slot, CanaryOutcome outcome)
        {
            lock (_gate)
            {
                if (!_slots.TryGetValue(slot, out var window))
                {
                    _slots[slot] = window = new OutcomeWindow();
                    foreach (var old in _slots.Keys.Where(s => s <= slot - KeptSlots).ToList())
                    {
                        _slots.Remove(old);
                    }
                }

                window.Add(outcome);
            }
        }

        public OutcomeWindow Sum(long first, long last)
        {
            var sum = new OutcomeWindow();
            lock (_gate)
            {
                foreach (var (slot, window) in _slots)
                {
                    if (slot >= first && slot <= last)
                    {
                        sum.Add(window);
                    }
                }
            }

            return sum;
        }
    }
}
