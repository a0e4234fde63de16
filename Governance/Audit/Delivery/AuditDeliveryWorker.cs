using EnvoyGovern.Governance.Audit.Delivery.Wal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>
/// Moves records from the write-ahead log to the sink: read a bounded batch, send it until the sink takes it
/// (retrying transient failures for ever, with backoff), dead-letter what the sink refused for good, and only then
/// commit the batch's end. A crash anywhere in between replays the batch; the sinks are idempotent by event id.
/// </summary>
internal sealed class AuditDeliveryWorker(
    AuditWriteAheadLog wal,
    IAuditSink sink,
    DeadLetterFile deadLetters,
    IOptions<AuditDeliveryOptions> options,
    AuditDeliveryMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AuditDeliveryWorker> logger) : BackgroundService
{
    private readonly AuditDeliveryOptions _options = options.Value;
    private readonly RetryBackoff _backoff = new(options.Value.RetryBaseDelay, options.Value.RetryMaxDelay, Random.Shared);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        AuditDeliveryLog.Started(logger, sink.Name, _options.QueueDirectory, wal.QueuedBytes);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                metrics.QueuedBytes(wal.QueuedBytes);
                var batch = wal.ReadBatch(_options.BatchSize, _options.MaxBatchBytes);
                if (batch.Count == 0)
                {
                    await wal.WaitForDataAsync(stoppingToken);
                    continue;
                }

                var entries = batch.Select(r => r.Entry).ToList();
                var failures = await SendAsync(entries, stoppingToken);
                if (failures.Count > 0)
                {
                    await DeadLetterAsync(failures, stoppingToken);
                }

                wal.Commit(batch[^1].End);
                metrics.Delivered(sink.Name, entries.Count - failures.Count);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever was not committed is replayed at the next start.
        }
    }

    private async Task<IReadOnlyList<AuditSinkFailure>> SendAsync(List<AuditEntry> entries, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_options.SinkTimeout, timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
                var failures = await sink.WriteBatchAsync(entries, linked.Token);
                if (attempt > 1)
                {
                    AuditDeliveryLog.Recovered(logger, sink.Name, attempt - 1);
                }

                return failures;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.BatchFailed(sink.Name);
                var delay = _backoff.Delay(attempt);
                AuditDeliveryLog.BatchFailed(logger, sink.Name, entries.Count, attempt, delay, e);
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
        }
    }

    private async Task DeadLetterAsync(IReadOnlyList<AuditSinkFailure> failures, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                deadLetters.Write(sink.Name, failures);
                break;
            }
            catch (IOException e)
            {
                // The records stay uncommitted until they have a durable home; a full disk must not lose them.
                AuditDeliveryLog.DeadLetterFailed(logger, e);
                await Task.Delay(_backoff.Delay(attempt), timeProvider, stoppingToken);
            }
        }

        metrics.DeadLettered(sink.Name, failures.Count);
        foreach (var failure in failures)
        {
            AuditDeliveryLog.DeadLettered(logger, failure.Entry.EventId, sink.Name, failure.Reason);
        }
    }
}
