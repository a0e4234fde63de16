namespace EnvoyGovern.Governance.Audit;

/// <summary>
/// A pipeline that writes on the callers' threads (group commit) instead of a writer of its own. The recorder hands
/// an entry over with <see cref="Enqueue"/> while it holds its chain lock (so entries arrive in chain order), and
/// calls <see cref="Commit"/> once it has released that lock, so that no write happens under it.
/// </summary>
public interface IAuditGroupCommit
{
    /// <summary>
    /// Takes a copy of <paramref name="record"/> (a sealed record, see <see cref="AuditEntry.Utf8Json"/>) in order
    /// without writing it; the result completes as <see cref="IAuditPipeline.WriteAsync"/>'s does. Throws
    /// <see cref="AuditUnavailableException"/> when the record is refused at once (then nothing was taken).
    /// </summary>
    ValueTask<bool> Enqueue(ReadOnlySpan<byte> record);

    /// <summary>
    /// Writes the pending entries on this thread unless another thread is writing them (that writer, or a
    /// thread-pool item it leaves behind, writes them then). Call after every <see cref="Enqueue"/>. Returns
    /// true when this call wrote everything that was pending when it began: then every entry this thread enqueued
    /// before is written, and a result of <see cref="Enqueue"/> that is not complete yet will complete with true
    /// (the waiters' completions may run later, on the thread pool).
    /// </summary>
    bool Commit();
}
