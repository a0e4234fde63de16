using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>
/// The request path's side of durable delivery: one append to the write-ahead log, nothing else. When the log
/// has no room, the overflow policy decides: drop at once (counted, logged, false) or wait for room up to the
/// budget and then fail closed with <see cref="AuditUnavailableException"/>.
/// </summary>
internal sealed class DurableAuditPipeline(
    AuditWriteAheadLog wal,
    IOptions<AuditDeliveryOptions> options,
    AuditDeliveryMetrics metrics,
    TimeProvider timeProvider,
    ILogger<DurableAuditPipeline> logger) : IAuditPipeline
{
    private readonly AuditOverflowPolicy _policy = options.Value.Overflow;
    private readonly TimeSpan _budget = options.Value.BlockBudget;

    public async ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        long? started = null;
        while (true)
        {
            // Taken before the append, so a commit between a full append and the wait is not missed.
            var room = wal.RoomFreed;
            WalAppendResult result;
            try
            {
                result = wal.TryAppend(entry);
            }
            catch (IOException e)
            {
                return Refuse(entry, DropReasons.WriteError, e);
            }

            switch (result)
            {
                case WalAppendResult.Appended:
                    return true;
                case WalAppendResult.TooLarge:
                    return Refuse(entry, DropReasons.TooLarge, null);
                case WalAppendResult.Full when _policy == AuditOverflowPolicy.Drop:
                    return Refuse(entry, DropReasons.QueueFull, null);
            }

            started ??= timeProvider.GetTimestamp();
            var remaining = _budget - timeProvider.GetElapsedTime(started.Value);
            if (remaining <= TimeSpan.Zero)
            {
                return Refuse(entry, DropReasons.QueueFull, null);
            }

            try
            {
                await room.WaitAsync(remaining, timeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                return Refuse(entry, DropReasons.QueueFull, null);
            }
        }
    }

    private bool Refuse(AuditEntry entry, string reason, Exception? exception)
    {
        if (_policy == AuditOverflowPolicy.Drop)
        {
            metrics.Dropped(reason);
            AuditDeliveryLog.Dropped(logger, entry.EventId, entry.Stream, reason);
            return false;
        }

        metrics.Unavailable(reason);
        AuditDeliveryLog.Unavailable(logger, entry.EventId, _budget, reason, exception);
        throw new AuditUnavailableException($"Audit record {entry.EventId} not accepted: {reason}", exception ?? new IOException(reason));
    }
}
