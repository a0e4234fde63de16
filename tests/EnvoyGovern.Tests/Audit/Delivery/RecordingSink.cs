using System.Collections.Concurrent;
using EnvoyGovern.Governance.Audit;

namespace EnvoyGovern.Tests.Audit.Delivery;

/// <summary>
/// A sink that counts every write per event id (deliberately not idempotent, so a needless resend shows as a
/// count of 2) and can be made to fail: whole batches (transient) for a while, or chosen items (permanent).
/// </summary>
internal sealed class RecordingSink : IAuditSink
{
    private readonly ConcurrentDictionary<string, int> _stored = new();
    private int _batches;

    /// <summary>How many batch calls throw before the sink works.</summary>
    public int FailFirstBatches { get; init; }

    /// <summary>Event ids refused permanently.</summary>
    public IReadOnlySet<string> Refuse { get; init; } = new HashSet<string>();

    /// <summary>Called on each batch before anything else (to record timing, or to block).</summary>
    public Func<IReadOnlyList<AuditEntry>, CancellationToken, Task>? OnBatch { get; init; }

    public string Name => "recording";

    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Event id -> how many times it was written.</summary>
    public IReadOnlyDictionary<string, int> Stored => _stored;

    public async ValueTask<IReadOnlyList<AuditSinkFailure>> WriteBatchAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _batches);
        if (OnBatch is not null)
        {
            await OnBatch(batch, cancellationToken);
        }

        if (number <= FailFirstBatches)
        {
            throw new HttpRequestException($"sink down (batch {number})");
        }

        var failures = new List<AuditSinkFailure>();
        foreach (var entry in batch)
        {
            if (Refuse.Contains(entry.EventId))
            {
                failures.Add(new AuditSinkFailure(entry, "400 mapper_parsing_exception: refused by test"));
                continue;
            }

            _stored.AddOrUpdate(entry.EventId, 1, (_, n) => n + 1);
        }

        return failures;
    }
}
