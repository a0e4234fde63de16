namespace EnvoyGovern.Governance.Audit.Delivery.FileSink;

/// <summary>The last <c>capacity</c> event ids written, for skipping a replayed batch: bounded, first in first out.</summary>
internal sealed class RecentEventIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool Contains(string eventId) => _set.Contains(eventId);

    public void Add(string eventId)
    {
        if (!_set.Add(eventId))
        {
            return;
        }

        _order.Enqueue(eventId);
        if (_order.Count > capacity)
        {
            _set.Remove(_order.Dequeue());
        }
    }
}
