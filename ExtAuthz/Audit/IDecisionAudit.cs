using EnvoyGovern.ExtAuthz.Decisions;

namespace EnvoyGovern.ExtAuthz.Audit;

/// <summary>
/// Where a Check leaves its audit record. The service registers <see cref="DecisionAudit"/>; a registration made
/// later replaces it (the load harness's audit-off server uses one that does nothing, to measure what audit costs).
/// </summary>
public interface IDecisionAudit
{
    /// <summary>Records a decision; throws <see cref="Governance.Audit.AuditUnavailableException"/> to fail closed.</summary>
    ValueTask RecordAsync(CheckContext check, Decision decision, CancellationToken cancellationToken);

    /// <summary>Records a Check that ended without a decision (a dependency was unavailable, or an internal error).</summary>
    ValueTask RecordFailureAsync(CheckContext check, string reason, CancellationToken cancellationToken);
}
