namespace EnvoyGovern.Governance.Audit;

/// <summary>
/// One audit record, already serialized as an ECS JSON object (UTF-8, no trailing newline) and already
/// linked into its stream's hash chain. Delivery never changes the bytes: the chain covers them.
/// </summary>
/// <param name="EventId">The record's <c>event.id</c>, unique; sinks use it to write exactly once.</param>
/// <param name="Stream">The hash-chain stream the record belongs to (for example <c>extauthz</c>).</param>
/// <param name="Sequence">Position in <paramref name="Stream"/>, starting at 1 for the stream's first record.</param>
/// <param name="Utf8Json">The serialized record.</param>
public sealed record AuditEntry(string EventId, string Stream, long Sequence, ReadOnlyMemory<byte> Utf8Json);
