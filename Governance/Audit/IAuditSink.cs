namespace EnvoyGovern.Governance.Audit;

/// <summary>A destination for audit records (stdout, a rotating file, Elasticsearch).</summary>
public interface IAuditSink
{
    /// <summary>Short name for metrics and logs (<c>stdout</c>, <c>file</c>, <c>elasticsearch</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Writes a batch. Returns the entries that failed permanently for item-level reasons (to dead-letter);
    /// throws for a transient failure of the whole batch, which the caller retries with backoff.
    /// Must be idempotent by <see cref="AuditEntry.EventId"/>, because a retry may resend written entries.
    /// </summary>
    ValueTask<IReadOnlyList<AuditSinkFailure>> WriteBatchAsync(IReadOnlyList<AuditEntry> batch, CancellationToken cancellationToken);
}

/// <summary>An entry a sink refused for a reason retrying will not fix.</summary>
/// <param name="Entry">The refused entry.</param>
/// <param name="Reason">Why, as the sink reported it.</param>
public sealed record AuditSinkFailure(AuditEntry Entry, string Reason);
