using Prometheus;

namespace EnvoyGovern.Governance.Audit.Recording;

/// <summary>How many audit records were produced and what became of them.</summary>
public sealed class AuditMetrics
{
    private static readonly Counter Records = Metrics.CreateCounter(
        "envoygovern_audit_records_total",
        "Audit records produced, by stream (service) and outcome: accepted by the pipeline, dropped by its overflow policy, or unavailable (the request failed closed).",
        new CounterConfiguration { LabelNames = ["stream", "outcome"] });

    private static readonly Counter Checkpoints = Metrics.CreateCounter(
        "envoygovern_audit_checkpoints_total",
        "Signed audit checkpoints written, by stream (service).",
        new CounterConfiguration { LabelNames = ["stream"] });

    private readonly Counter.Child _accepted;
    private readonly Counter.Child _dropped;
    private readonly Counter.Child _unavailable;
    private readonly Counter.Child _checkpoints;

    /// <summary>Creates the counters of one stream; <paramref name="stream"/> is the service, not the instance.</summary>
    public AuditMetrics(string stream)
    {
        _accepted = Records.WithLabels(stream, "accepted");
        _dropped = Records.WithLabels(stream, "dropped");
        _unavailable = Records.WithLabels(stream, "unavailable");
        _checkpoints = Checkpoints.WithLabels(stream);
    }

    internal void Accepted() => _accepted.Inc();

    internal void Dropped() => _dropped.Inc();

    internal void Unavailable() => _unavailable.Inc();

    internal void Checkpoint() => _checkpoints.Inc();
}
