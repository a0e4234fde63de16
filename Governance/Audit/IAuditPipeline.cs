namespace EnvoyGovern.Governance.Audit;

/// <summary>
/// Where the request path hands finished audit records. Implementations decide durability: straight to
/// stdout, or through a bounded disk-backed queue to a remote sink. The request path waits at most the
/// configured budget; what happens when the budget or disk is exhausted is the configured policy.
/// </summary>
public interface IAuditPipeline
{
    /// <summary>
    /// Accepts one record. Returns true when the record is durable (written, or persisted to the queue),
    /// false when the configured overflow policy dropped it (the pipeline has counted and logged the drop).
    /// Throws <see cref="AuditUnavailableException"/> when the overflow policy is to block and the budget ran out,
    /// so the caller can fail closed.
    /// </summary>
    ValueTask<bool> WriteAsync(AuditEntry entry, CancellationToken cancellationToken);
}
