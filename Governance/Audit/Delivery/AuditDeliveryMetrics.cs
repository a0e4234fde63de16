using EnvoyGovern.Governance.Observability;
using Prometheus;

namespace EnvoyGovern.Governance.Audit.Delivery;

/// <summary>Prometheus series of audit delivery: what was delivered, dropped, dead-lettered, retried, and the queue's size.</summary>
internal sealed class AuditDeliveryMetrics
{
    private readonly Counter _dropped = Prometheus.Metrics.CreateCounter(
        "envoygovern_audit_dropped_total",
        "Audit records lost: dropped by the overflow policy, too large, or found corrupt in the queue, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    private readonly Counter _unavailable = Prometheus.Metrics.CreateCounter(
        "envoygovern_audit_unavailable_total",
        "Audit records refused under the Block policy (the decision failed closed), by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    private readonly Counter _delivered = Prometheus.Metrics.CreateCounter(
        "envoygovern_audit_delivered_total",
        "Audit records the sink acknowledged.",
        new CounterConfiguration { LabelNames = ["sink"] });

    private readonly Counter _deadLettered = Prometheus.Metrics.CreateCounter(
        "envoygovern_audit_dead_lettered_total",
        "Audit records the sink refused permanently, written to the dead-letter file.",
        new CounterConfiguration { LabelNames = ["sink"] });

    private readonly Counter _batchFailures = Prometheus.Metrics.CreateCounter(
        "envoygovern_audit_sink_failures_total",
        "Batches that failed transiently and were retried.",
        new CounterConfiguration { LabelNames = ["sink"] });

    private readonly Gauge _queuedBytes = Prometheus.Metrics.CreateGauge(
        "envoygovern_audit_queue_bytes",
        "Bytes held by the audit write-ahead log (not yet wholly acknowledged).");

    static AuditDeliveryMetrics() => MetricsDefaults.Apply();

    public AuditDeliveryMetrics()
    {
        // Every reason at zero from the start, so alerts see the series before the first drop.
        foreach (var reason in DropReasons.All)
        {
            _dropped.WithLabels(reason);
        }
    }

    public void Dropped(string reason) => _dropped.WithLabels(reason).Inc();

    public void Unavailable(string reason) => _unavailable.WithLabels(reason).Inc();

    public void Delivered(string sink, int count) => _delivered.WithLabels(sink).Inc(count);

    public void DeadLettered(string sink, int count) => _deadLettered.WithLabels(sink).Inc(count);

    public void BatchFailed(string sink) => _batchFailures.WithLabels(sink).Inc();

    public void QueuedBytes(long bytes) => _queuedBytes.Set(bytes);
}

/// <summary>The bounded set of <c>reason</c> label values of <c>envoygovern_audit_dropped_total</c>.</summary>
internal static class DropReasons
{
    public const string QueueFull = "queue_full";
    public const string TooLarge = "too_large";
    public const string WriteError = "write_error";
    public const string Corrupt = "corrupt";

    public static readonly string[] All = [QueueFull, TooLarge, WriteError, Corrupt];
}
